#include "common/WorkerJob.h"

#include <QThread>

namespace ll {

WorkerJob::WorkerJob(QObject *parent) : Job(parent)
{
    setCancelIsAsync(true);
}

WorkerJob::~WorkerJob()
{
    joinWorker();
}

void WorkerJob::joinWorker()
{
    if (!m_thread)
        return;
    m_cancel = true;
    m_thread->disconnect(this);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

void WorkerJob::doStart()
{
    m_thread = QThread::create([this] { run(); });
    connect(m_thread, &QThread::finished, this, &WorkerJob::onWorkerDone);
    m_thread->start();
}

void WorkerJob::doCancel()
{
    m_cancel = true;
    if (!m_thread)
        cancelled();
}

void WorkerJob::stopAndWait()
{
    const bool running = m_thread != nullptr;
    joinWorker();
    if (running)
        cancelled();
}

void WorkerJob::reportProgress(qint64 done, qint64 total)
{
    QMetaObject::invokeMethod(
        this, [this, done, total] { setProgress(done, total); }, Qt::QueuedConnection);
}

void WorkerJob::onWorkerDone()
{
    if (!m_thread)
        return; // joined meanwhile (stopAndWait): this was already queued
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    if (m_cancel.load()) {
        cancelled();
        return;
    }
    if (m_workerError.isError()) {
        fail(m_workerError);
        return;
    }
    publish();
    succeed();
}

} // namespace ll
