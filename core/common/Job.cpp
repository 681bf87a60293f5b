#include "common/Job.h"

#include <QTimer>

namespace ll {

Job::Job(QObject *parent) : QObject(parent)
{ }

Job::~Job() = default;

void Job::start()
{
    if (m_state != State::Idle)
        return;
    m_state = State::Running;
    emit started();
    doStart();
}

void Job::cancel()
{
    if (m_state == State::Idle) {
        finish(State::Cancelled);
        return;
    }
    if (m_state != State::Running)
        return;
    // doCancel() stops the work and ends the job with cancelled(), now or later (a worker thread
    // polls its flag between chunks). A subclass with nothing to stop is ended here.
    doCancel();
    if (m_state == State::Running && !m_cancelIsAsync)
        cancelled();
}

void Job::setProgress(qint64 done, qint64 total)
{
    m_done = done;
    m_total = total;
    emit progress(done, total);
}

void Job::setStatus(const QString &status)
{
    emit statusChanged(status);
}

void Job::succeed()
{
    finish(State::Succeeded);
}

void Job::fail(const Error &error)
{
    m_error = error;
    if (error.code == Error::Code::Cancelled) {
        finish(State::Cancelled);
        return;
    }
    finish(State::Failed);
}

void Job::cancelled()
{
    m_error = Error(Error::Code::Cancelled, tr("Cancelled"));
    finish(State::Cancelled);
}

void Job::finish(State state)
{
    if (isFinished())
        return;
    m_state = state;
    if (state == State::Cancelled && !m_error.isError())
        m_error = Error(Error::Code::Cancelled, tr("Cancelled"));
    emit finished();
}

} // namespace ll
