#pragma once

#include "common/Job.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <vector>

class QLabel;
class QProgressBar;
class QToolButton;
class QVBoxLayout;

namespace ll::ui {

/**
 * The jobs dock: one row per job (network listing, carve, save, extract) with its title, bytes, rate, ETA,
 * a progress bar and a cancel button. A failed job shows its error inline (auth, not found, network,
 * digest mismatch, ...) and, when a factory was given, a Retry button that asks the factory for a fresh job
 * (wired by its owner) and puts it in the same row. Jobs are not owned; rows keep their last state after the
 * job is deleted.
 */
class JobsPanel : public QWidget
{
    Q_OBJECT
public:
    /** Makes a new job equivalent to the failed one, connected by its owner; started here if still Idle. */
    using Factory = std::function<Job *()>;

    explicit JobsPanel(QWidget *parent = nullptr);
    ~JobsPanel() override;

    /** Adds a row for job (newest first). Returns the row's id. */
    int addJob(Job *job, Factory retry = {});

    int rowCount() const { return int(m_rows.size()); }
    /** Row ids are stable; rows are numbered newest first. */
    Job *job(int row) const;
    Job::State state(int row) const;
    QString title(int row) const;
    /** The inline text of the row: "1.2 MB of 3.4 MB · 2.0 MB/s · 1 s left", or the error. */
    QString statusText(int row) const;
    bool canRetry(int row) const;
    /** The row showing job, -1 when none. */
    int rowOf(const Job *job) const;

    void cancel(int row);
    void retry(int row);
    /** Removes finished rows. */
    void clearFinished();

    /** "1.5 MB/s", "12 s left" helpers (tested). */
    /** "12.3 MB" for byte counts, "2" for steps/items. */
    static QString amountText(const Job *job, qint64 amount);
    static QString rateText(double bytesPerSecond);
    static QString etaText(qint64 seconds);

signals:
    void jobAdded(ll::Job *job);
    void jobFinished(ll::Job *job);

private:
    struct Row;
    void attach(Row *row, Job *job);
    void update(Row *row);
    void onFinished(Row *row);
    Row *rowAt(int row) const;

    QVBoxLayout *m_list = nullptr;
    QLabel *m_empty = nullptr;
    std::vector<Row *> m_rows; // newest first
};

} // namespace ll::ui
