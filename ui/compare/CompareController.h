#pragma once

#include "analysis/DiffJob.h"
#include "common/Job.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class ExtractController;
class ImageController;

/**
 * Compares two images for the compare window: lists the old image's layers (ImageController, each layer a job),
 * then the new one's (after the old, so layers the two share come from the index the first listing kept, when
 * indexes are kept), then runs analysis::DiffJob on a worker with the shared bottom layers passed as the same
 * trees (the walk skips them). Every job goes to the tracker (the Jobs panel). Either side's files can be
 * previewed through its own ExtractController (a carve from the layer named).
 */
class CompareController : public QObject
{
    Q_OBJECT
public:
    enum class Side { Old, New };
    using Tracker = std::function<void(Job *)>;

    CompareController(registry::RegistryClient *client, QWidget *dialogParent, QObject *parent = nullptr);
    ~CompareController() override;

    void setTracker(Tracker tracker) { m_tracker = std::move(tracker); }

    /** Starts a comparison (a running one is dropped). False with failed() when a reference is malformed. */
    bool compare(const QString &oldReference, const QString &newReference);
    void cancel();
    bool isRunning() const { return m_running; }

    /** The last comparison's result (nullptr while running or after a failure). */
    std::shared_ptr<const analysis::DiffResult> result() const { return m_result; }
    /** Layers the two images share at the bottom (same digests at the same positions). */
    int sharedLayers() const { return m_shared; }
    /** Layer blob bytes received by the two listings (0 for layers read from kept indexes). */
    qint64 bytesDownloaded() const { return m_bytes; }

    ImageController *image(Side side) const { return side == Side::Old ? m_old : m_new; }
    /** Opens the preview of path as the given side's layer holds it. */
    void preview(Side side, const QString &path, int layer);

signals:
    void progressText(const QString &text);
    void finished();
    void failed(const QString &message);

private:
    void onListed(Side side);
    void onResolveFailed(Side side, const Error &error);
    void onLayerState(Side side, int layer);
    void startDiff();
    void track(Job *job);
    void fail(const QString &message);

    ImageController *m_old;
    ImageController *m_new;
    ExtractController *m_oldExtract;
    ExtractController *m_newExtract;
    Tracker m_tracker;
    QString m_newReference;
    bool m_running = false;
    QPointer<analysis::DiffJob> m_diff;
    std::shared_ptr<const analysis::DiffResult> m_result;
    int m_shared = 0;
    qint64 m_bytes = 0;
};

} // namespace ll::ui
