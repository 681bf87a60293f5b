#include "stream/LayerScanJob.h"

#include "common/Logging.h"
#include "random/CheckpointRecorder.h"
#include "stream/TarReader.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"

#include <QElapsedTimer>

namespace ll::stream {

/** Worker side: collects entries, hands them over every few hundred (or every 100 ms). */
class LayerScanJob::Visitor : public TarVisitor
{
public:
    explicit Visitor(LayerScanJob *job) : m_job(job) { m_timer.start(); }

    Action onEntry(const TarEntry &entry) override
    {
        m_batch.append(entry); // listed at once (a view shows a big file while its data still streams)
        if (m_job->m_indexWriter)
            m_job->m_indexWriter->entrySeen(entry, m_job->feedEnd());
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
    connect(this, &Job::finished, this, &LayerScanJob::onFinished);
}

LayerScanJob::~LayerScanJob()
{
    shutdown();
}

void LayerScanJob::doStart()
{
    // Only a pass whose digest is checked (which needs the size) may keep an index.
    const bool whole
        = policy().byteLimit < 0 && policy().startOffset == 0 && verifiesDigest() && source().layer.size >= 0;
    if (m_store.isEnabled() && whole) {
        if (std::unique_ptr<index::IndexReader> kept = m_store.open(source().layer.digest)) {
            m_fromIndex = true;
            setStatus(tr("Listed from the layer index"));
            m_indexReader = std::move(kept);
            QMetaObject::invokeMethod(this, &LayerScanJob::serveFromIndex, Qt::QueuedConnection);
            return;
        }
    }
    if (whole && startToc())
        return;
    if (m_store.isEnabled() && whole)
        openIndexWriter();
    LayerPipeline::doStart();
}

void LayerScanJob::openIndexWriter()
{
    m_indexWriter = m_store.writer(source().layer.digest, source().layer.size);
    if (m_indexWriter)
        random::CheckpointRecorder::enable(*this); // the index it keeps gives random access
}

bool LayerScanJob::startToc()
{
    if (!m_tocEnabled || m_toc || m_tocJob || !m_tocRefusal.isEmpty())
        return false;
    if (!m_tocProbe && !toc::TocFetchJob::hasTocAnnotation(source().layer))
        return false;
    auto *job = new toc::TocFetchJob(client(), source(), this);
    job->setProbe(m_tocProbe);
    m_tocJob = job;
    connect(job, &Job::finished, this, &LayerScanJob::onTocFinished);
    setStatus(tr("Reading the table of contents"));
    job->start();
    return true;
}

void LayerScanJob::onTocFinished()
{
    toc::TocFetchJob *job = m_tocJob;
    if (!job)
        return;
    m_tocJob = nullptr;
    job->deleteLater();
    m_tocRequests += job->requestCount();
    m_tocBytes += job->bytesDownloaded();
    if (!isRunning())
        return;
    if (job->state() == State::Cancelled) {
        cancelled();
        return;
    }
    if (job->state() != State::Succeeded) {
        if (!job->isNotTocLayer()) {
            m_tocRefusal = job->error().toString();
            qCWarning(llToc).noquote() << source().label() << "table of contents refused:" << m_tocRefusal
                                       << "- streaming the layer";
            setStatus(tr("Table of contents refused (%1); streaming the layer").arg(job->error().message));
        } else {
            m_tocRefusal = job->error().message;
        }
        if (m_store.isEnabled() && source().layer.size >= 0)
            openIndexWriter();
        LayerPipeline::doStart();
        return;
    }
    m_toc = job->toc();
    m_fromToc = true;
    setStatus(tr("Listed from its %1 table of contents").arg(m_toc->formatName()));
    for (qsizetype i = 0; i < m_toc->entries.size() && isRunning(); i += 1024) {
        const QVector<TarEntry> batch = m_toc->entries.mid(i, 1024);
        m_count += batch.size();
        emit entriesReady(batch);
    }
    if (!isRunning())
        return;
    const qint64 size = qMax<qint64>(0, source().layer.size);
    setProgress(size, size);
    succeed();
}

void LayerScanJob::doCancel()
{
    if (m_tocJob) {
        m_tocJob->cancel(); // onTocFinished() ends the job as cancelled
        return;
    }
    if (m_fromIndex) {
        cancelled(); // no download, no worker to wait for
        return;
    }
    LayerPipeline::doCancel();
}

void LayerScanJob::serveFromIndex()
{
    if (!isRunning() || !m_indexReader)
        return;
    // A batch per event-loop turn, like a download would bring them: a view stays responsive, and only a
    // batch is in memory.
    QVector<TarEntry> batch;
    batch.reserve(1024);
    TarEntry e;
    while (batch.size() < 1024 && m_indexReader->next(&e))
        batch.append(std::move(e));
    if (!batch.isEmpty()) {
        m_count += batch.size();
        emit entriesReady(batch);
        if (!isRunning())
            return;
    }
    if (batch.size() == 1024) {
        QMetaObject::invokeMethod(this, &LayerScanJob::serveFromIndex, Qt::QueuedConnection);
        return;
    }
    const Error error = m_indexReader->error();
    m_checkpointCount
        = error.isError() ? 0 : int(m_indexReader->checkpoints().points.size() + m_indexReader->frames().points.size());
    m_indexReader.reset();
    if (error.isError()) {
        fail(error);
        return;
    }
    const qint64 size = qMax<qint64>(0, source().layer.size);
    setProgress(size, size);
    succeed();
}

void LayerScanJob::workerFinishing()
{
    m_visitorImpl->flush();
}

void LayerScanJob::onFinished()
{
    if (!m_indexWriter)
        return;
    std::unique_ptr<index::IndexWriter> writer = std::move(m_indexWriter);
    if (state() == State::Succeeded && !isIncomplete() && !stoppedEarly()) {
        random::GzipCheckpoints points = random::CheckpointRecorder::take(*this);
        random::ZstdFrames frames = random::CheckpointRecorder::takeFrames(*this);
        const int count = int(points.points.size() + frames.points.size());
        writer->setCheckpoints(std::move(points));
        writer->setFrames(std::move(frames));
        const Status s = writer->commit(Decompressor::formatName(format()));
        if (!s)
            qCWarning(llStream).noquote() << s.error().toString();
        else
            m_checkpointCount = count;
    } else {
        writer->discard();
    }
}

void LayerScanJob::deliver(QVector<TarEntry> batch)
{
    m_count += batch.size();
    m_batchSlots.release();
    emit entriesReady(batch);
}

} // namespace ll::stream
