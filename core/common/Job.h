#pragma once

#include "common/Error.h"

#include <QObject>

namespace ll {

/**
 * Base of every asynchronous operation (network, inflate, save, ...).
 * start() once; progress() any number of times; finished() exactly once, whatever the outcome.
 * Cancelled is not a failure. Byte counts are qint64 end to end.
 * Subclasses implement doStart()/doCancel() and end with succeed(), fail(error) or cancelled().
 */
class Job : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Running, Succeeded, Failed, Cancelled };
    Q_ENUM(State)
    /** What progress() counts: bytes (downloads, most jobs) or steps/items (resolve, listings). */
    enum class ProgressUnit { Bytes, Items };

    explicit Job(QObject *parent = nullptr);
    ~Job() override;

    void start();
    /** Asks the job to stop; it emits finished() with state Cancelled (possibly later). */
    void cancel();

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    bool isFinished() const { return m_state != State::Idle && m_state != State::Running; }
    const Error &error() const { return m_error; }

    /** Short human label, e.g. "Carve /etc/passwd" (jobs panel). */
    QString title() const { return m_title; }
    void setTitle(const QString &title) { m_title = title; }

    ProgressUnit progressUnit() const { return m_unit; }
    qint64 progressDone() const { return m_done; }
    qint64 progressTotal() const { return m_total; }

signals:
    void started();
    /** total < 0: unknown. */
    void progress(qint64 done, qint64 total);
    /** Free-form status line for UIs ("Fetching manifest", "Layer 3/7"). */
    void statusChanged(const QString &status);
    void finished();

protected:
    virtual void doStart() = 0;
    virtual void doCancel() { }

    void setProgress(qint64 done, qint64 total);
    void setProgressUnit(ProgressUnit unit) { m_unit = unit; }
    void setStatus(const QString &status);
    void succeed();
    void fail(const Error &error);
    /** Ends the job as cancelled (call from doCancel or when a cancel flag is seen). */
    void cancelled();
    /** Subclasses whose doCancel() ends the job later (worker threads) set this in their constructor. */
    void setCancelIsAsync(bool async) { m_cancelIsAsync = async; }

private:
    void finish(State state);

    State m_state = State::Idle;
    Error m_error;
    QString m_title;
    qint64 m_done = 0;
    qint64 m_total = -1;
    ProgressUnit m_unit = ProgressUnit::Bytes;
    bool m_cancelIsAsync = false;
};

} // namespace ll
