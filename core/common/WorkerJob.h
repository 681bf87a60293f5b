#pragma once

#include "common/Job.h"

#include <atomic>

class QThread;

namespace ll {

/**
 * A Job whose work is one CPU-bound function run on a thread of its own (analysis of listings, comparisons):
 * run() on the worker, polling isCancelling() between steps; the job ends on the thread it lives in, once
 * run() returned: Succeeded unless run() called setError(), Cancelled when a cancel was asked meanwhile.
 * The data run() reads must stay unchanged until finished(); wait() blocks until the worker is done (for an
 * owner about to delete that data). Deleting the job cancels and waits.
 */
class WorkerJob : public Job
{
    Q_OBJECT
public:
    explicit WorkerJob(QObject *parent = nullptr);
    ~WorkerJob() override;

    /** Cancels and blocks until the worker returned; a running job ends as cancelled before this returns. */
    void stopAndWait();

protected:
    /** On the worker thread. */
    virtual void run() = 0;
    /** On the job's thread after a successful run(), before finished(). */
    virtual void publish() { }
    bool isCancelling() const { return m_cancel.load(std::memory_order_relaxed); }
    /** From run(): the job fails with it. */
    void setWorkerError(const Error &error) { m_workerError = error; }
    /** From run(): thread-safe progress (delivered on the job's thread). */
    void reportProgress(qint64 done, qint64 total);
    /**
     * Stops the worker and waits for it, without ending the job. A subclass's destructor calls it first: run()
     * reads the subclass's members, which are gone by the time ~WorkerJob runs.
     */
    void joinWorker();

private:
    void doStart() override;
    void doCancel() override;
    void onWorkerDone();

    QThread *m_thread = nullptr;
    std::atomic_bool m_cancel { false };
    Error m_workerError;
};

} // namespace ll
