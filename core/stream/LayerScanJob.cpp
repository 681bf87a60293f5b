#include "stream/LayerScanJob.h"

#include "stream/TarReader.h"

#include <QElapsedTimer>

namespace ll::stream {

/** Worker side: collects entries, hands them over every few hundred (or every 100 ms). */
class LayerScanJob::Visitor : public TarVisitor
{
public:
    explicit Visitor(LayerScanJob *job) : m_job(job) { m_timer.start(); }

    Action onEntry(const TarEntry &entry) override
    {
        m_batch.append(entry);
        if (m_batch.size() >= 1024 || m_timer.elapsed() >= 100)
            flush();
        return Action::Skip;
    }

    void flush()
    {
        if (m_batch.isEmpty())
            return;
        while (!m_job->m_batchSlots.tryAcquire(1, 20)) {
            if (m_job->cancelRequested())
                return;
        }
        QVector<TarEntry> batch;
        batch.swap(m_batch);
        m_timer.restart();
        QMetaObject::invokeMethod(
            m_job, [job = m_job, batch = std::move(batch)]() mutable { job->deliver(std::move(batch)); },
            Qt::QueuedConnection);
    }

private:
    LayerScanJob *m_job;
    QVector<TarEntry> m_batch;
    QElapsedTimer m_timer;
};

LayerScanJob::LayerScanJob(registry::RegistryClient *client, const LayerSource &source, QObject *parent)
    : LayerPipeline(client, source, parent), m_visitorImpl(std::make_unique<Visitor>(this))
{
    qRegisterMetaType<QVector<ll::stream::TarEntry>>();
    setVisitor(m_visitorImpl.get());
    setTitle(tr("List %1").arg(source.label()));
}

LayerScanJob::~LayerScanJob()
{
    shutdown();
}

void LayerScanJob::workerFinishing()
{
    m_visitorImpl->flush();
}

void LayerScanJob::deliver(QVector<TarEntry> batch)
{
    m_count += batch.size();
    m_batchSlots.release();
    emit entriesReady(batch);
}

} // namespace ll::stream
