#include "toc/TocFetchJob.h"

#include "common/Logging.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"
#include "stream/ChunkQueue.h"
#include "toc/TocStreamReader.h"

#include <QThread>

namespace ll::toc {

TocFetchJob::TocFetchJob(registry::RegistryClient *client, const stream::LayerSource &source, QObject *parent)
    : Job(parent), m_client(client), m_source(source)
{
    setTitle(tr("Read the table of contents of %1").arg(source.label()));
    setProgressUnit(ProgressUnit::Bytes);
}

TocFetchJob::~TocFetchJob()
{
    if (m_call)
        m_call->abort();
    delete m_call;
    stopWorker();
}

void TocFetchJob::stopWorker()
{
    if (!m_worker)
        return;
    m_cancelFlag = true;
    m_queue->abort();
    m_worker->disconnect(this);
    m_worker->wait(); // at most the chunk it is on
    delete m_worker;
    m_worker = nullptr;
}

bool TocFetchJob::hasTocAnnotation(const oci::Descriptor &layer)
{
    return TocParser::fromAnnotations(layer).has_value();
}

void TocFetchJob::doStart()
{
    const qint64 size = m_source.layer.size;
    if (size <= 0) {
        failWith(
            Error(Error::Code::Unsupported, tr("%1: no blob size to find a table of contents").arg(m_source.label())));
        return;
    }
    const std::optional<TocParser::TocLocation> loc = TocParser::fromAnnotations(m_source.layer);
    if (loc && loc->format == LayerToc::Format::ZstdChunked) {
        const QString pos = m_source.layer.annotations.value(
            TocParser::ZstdPositionAnnotation, m_source.layer.annotations.value(TocParser::ZstdPositionAnnotationOld));
        Result<TocParser::TocLocation> parsed = TocParser::parseManifestPosition(pos, size);
        if (!parsed) {
            failWith(parsed.error());
            return;
        }
        m_loc = *parsed;
        m_loc.digest = loc->digest;
        fetchToc();
        return;
    }
    if (loc) {
        m_loc = *loc;
        fetch(qMax<qint64>(0, size - TocParser::EStargzFooterSize), size, &TocFetchJob::onFooter);
        return;
    }
    if (!m_probe) {
        m_notToc = true;
        failWith(Error(Error::Code::NotFound, tr("%1 has no table of contents").arg(m_source.label())));
        return;
    }
    const bool zstd = m_source.layer.mediaType.contains(QLatin1String("zstd"));
    const qint64 tail = zstd ? TocParser::ZstdFooterSize : TocParser::EStargzFooterSize;
    fetch(qMax<qint64>(0, size - tail), size, &TocFetchJob::onFooter);
}

void TocFetchJob::doCancel()
{
    if (m_call)
        m_call->abort();
    stopWorker();
    cancelled();
}

void TocFetchJob::fetch(qint64 start, qint64 end, Handler handler)
{
    registry::RegistryRequest r;
    r.registry = m_source.registry;
    r.repository = m_source.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(m_source.repository, m_source.layer.digest);
    r.rangeStart = start;
    r.rangeEnd = end - 1;
    // A registry that ignores Range sends the whole blob: accept that only for small blobs.
    r.maxBodySize = qMax<qint64>(end - start, qMin<qint64>(m_source.layer.size, 64 << 20));
    ++m_requests;
    qCDebug(llToc) << m_source.label() << "TOC: GET bytes" << start << "-" << end;
    m_call = m_client->send(r);
    connect(m_call, &registry::RegistryCall::finished, this, [this, start, end, handler]() {
        registry::RegistryCall *call = m_call;
        m_call = nullptr;
        call->deleteLater();
        if (!isRunning())
            return;
        m_bytes += qMax<qint64>(call->bytesReceived(), call->body().size());
        if (call->hasError()) {
            failWith(call->error());
            return;
        }
        QByteArray body = call->body();
        if (call->httpStatus() == 200) {
            if (body.size() != m_source.layer.size) {
                failWith(
                    Error(Error::Code::Protocol, tr("%1: the registry ignored a Range request").arg(m_source.label())));
                return;
            }
            body = body.mid(int(start), int(end - start));
        } else if (!call->rawHeader("Content-Range")
                        .startsWith(QByteArray(QByteArray("bytes ") + QByteArray::number(start) + '-'))
            || body.size() != end - start) {
            failWith(Error(Error::Code::Protocol,
                tr("%1: asked for bytes %2-%3, got %4 bytes (%5)")
                    .arg(m_source.label())
                    .arg(start)
                    .arg(end - 1)
                    .arg(body.size())
                    .arg(QString::fromLatin1(call->rawHeader("Content-Range")))));
            return;
        }
        setProgress(m_bytes, m_bytes);
        (this->*handler)(body);
    });
}

void TocFetchJob::onFooter(const QByteArray &tail)
{
    const qint64 size = m_source.layer.size;
    const bool zstd = m_source.layer.mediaType.contains(QLatin1String("zstd"));
    Result<TocParser::TocLocation> loc
        = zstd ? TocParser::parseZstdFooter(tail, size) : TocParser::parseGzipFooter(tail, size);
    if (!loc) {
        if (loc.error().code == Error::Code::NotFound) {
            m_notToc = true;
            if (!m_loc.digest.isEmpty()) // annotated, yet no footer: the annotation lies
                failWith(Error(Error::Code::Malformed,
                    tr("%1 is annotated as eStargz but ends with no stargz footer").arg(m_source.label())));
            else
                failWith(Error(Error::Code::NotFound, tr("%1 has no table of contents").arg(m_source.label())));
            return;
        }
        failWith(loc.error());
        return;
    }
    const QString digest = m_loc.digest;
    m_loc = *loc;
    m_loc.digest = digest;
    fetchToc();
}

void TocFetchJob::fetchToc()
{
    const bool zstd = m_loc.format == LayerToc::Format::ZstdChunked;
    // zstd:chunked: the manifest's skippable frame header (8 bytes) ends the data.
    const qint64 dataEnd = zstd ? m_loc.offset - 8 : m_loc.offset;
    m_reader = std::make_unique<TocStreamReader>(m_loc, dataEnd);
    m_reader->setCancelFlag(&m_cancelFlag);
    m_queue = std::make_unique<stream::ChunkQueue>(TocParser::MaxTocSize); // bounded by the range asked for
    m_worker = QThread::create([this] { workerRun(); });
    connect(m_worker, &QThread::finished, this, &TocFetchJob::onWorkerDone);
    m_worker->start();

    const qint64 start = m_loc.offset, end = m_loc.offset + m_loc.length;
    registry::RegistryRequest r;
    r.registry = m_source.registry;
    r.repository = m_source.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(m_source.repository, m_source.layer.digest);
    r.rangeStart = start;
    r.rangeEnd = end - 1;
    r.streaming = true;
    ++m_requests;
    qCDebug(llToc) << m_source.label() << "TOC: GET bytes" << start << "-" << end << "(streamed)";
    m_call = m_client->send(r);
    connect(m_call, &registry::RegistryCall::responseStarted, this, &TocFetchJob::onTocResponse);
    connect(m_call, &registry::RegistryCall::readyRead, this, &TocFetchJob::pumpToc);
    connect(m_call, &registry::RegistryCall::finished, this, &TocFetchJob::onTocCallFinished);
}

void TocFetchJob::onTocResponse()
{
    if (!m_call || !isRunning())
        return;
    const qint64 start = m_loc.offset;
    if (m_call->httpStatus() == 200) {
        // The registry ignored the Range: the whole blob comes. Accept that only for small blobs.
        if (m_source.layer.size > (qint64(64) << 20)) {
            failWith(
                Error(Error::Code::Protocol, tr("%1: the registry ignored a Range request").arg(m_source.label())));
            return;
        }
        m_skip = start;
        return;
    }
    const QByteArray range = m_call->rawHeader("Content-Range");
    if (!range.startsWith(QByteArray(QByteArray("bytes ") + QByteArray::number(start) + '-'))) {
        failWith(Error(Error::Code::Protocol,
            tr("%1: asked for bytes %2-%3, got %4")
                .arg(m_source.label())
                .arg(start)
                .arg(start + m_loc.length - 1)
                .arg(QString::fromLatin1(range))));
    }
}

void TocFetchJob::pumpToc()
{
    if (!m_call || !isRunning())
        return;
    const qint64 want = m_loc.length;
    for (qint64 avail; (avail = m_call->bytesAvailable()) > 0;) {
        QByteArray chunk = m_call->read(avail); // the reply's own buffer, no copy
        m_callBytes += chunk.size();
        if (m_skip > 0) {
            const qint64 n = qMin<qint64>(m_skip, chunk.size());
            chunk.remove(0, int(n));
            m_skip -= n;
        }
        if (chunk.isEmpty())
            continue;
        if (m_tocRead + chunk.size() > want) {
            if (m_call->httpStatus() == 200) { // the blob goes on after the TOC
                chunk.truncate(int(want - m_tocRead));
                if (chunk.isEmpty())
                    continue;
            } else {
                failWith(Error(Error::Code::Protocol,
                    tr("%1: asked for bytes %2-%3, got more")
                        .arg(m_source.label())
                        .arg(m_loc.offset)
                        .arg(m_loc.offset + want - 1)));
                return;
            }
        }
        m_tocRead += chunk.size();
        m_queue->push(std::move(chunk));
    }
    setProgress(m_bytes + m_callBytes, m_bytes + m_loc.length);
}

void TocFetchJob::onTocCallFinished()
{
    registry::RegistryCall *call = m_call;
    if (!call)
        return;
    if (isRunning() && !call->hasError())
        pumpToc(); // what the reply still buffers
    m_call = nullptr;
    call->deleteLater();
    m_bytes += qMax(call->bytesReceived(), m_callBytes);
    if (!isRunning())
        return;
    if (call->hasError()) {
        failWith(call->error());
        return;
    }
    const bool whole = call->httpStatus() == 200;
    if (m_tocRead != m_loc.length || (whole && m_callBytes != m_source.layer.size)) {
        failWith(Error(Error::Code::Protocol,
            whole ? tr("%1: the registry ignored a Range request").arg(m_source.label())
                  : tr("%1: asked for bytes %2-%3, got %4 bytes (%5)")
                        .arg(m_source.label())
                        .arg(m_loc.offset)
                        .arg(m_loc.offset + m_loc.length - 1)
                        .arg(m_callBytes)
                        .arg(QString::fromLatin1(call->rawHeader("Content-Range")))));
        return;
    }
    setProgress(m_bytes, m_bytes);
    qCDebug(llToc) << m_source.label() << "TOC: all" << m_tocRead << "bytes in";
    m_queue->finish(); // the worker ends with the TOC or why not (onWorkerDone)
}

void TocFetchJob::workerRun()
{
    QByteArray chunk;
    for (;;) {
        switch (m_queue->pop(&chunk)) {
        case stream::ChunkQueue::Pop::Chunk: {
            const Status s = m_reader->feed(chunk.constData(), chunk.size());
            if (!s) {
                m_result = std::make_unique<Result<LayerToc>>(s.error());
                return;
            }
            break;
        }
        case stream::ChunkQueue::Pop::End:
            m_result = std::make_unique<Result<LayerToc>>(m_reader->finish());
            return;
        case stream::ChunkQueue::Pop::Aborted:
            return;
        }
    }
}

void TocFetchJob::onWorkerDone()
{
    std::unique_ptr<Result<LayerToc>> result = std::move(m_result);
    const qint64 json = m_reader ? m_reader->jsonBytes() : 0;
    stopWorker();
    m_reader.reset();
    if (!isRunning() || !result)
        return;
    if (!*result) {
        // A TOC found wrong before its end: the rest is not downloaded.
        const Error &e = result->error();
        failWith(Error(e.code, tr("%1: %2").arg(m_source.label(), e.message), e.detail));
        return;
    }
    m_toc = std::make_shared<LayerToc>(std::move(**result));
    m_toc->tocBytes = m_loc.length;
    m_toc->verified = !m_loc.digest.isEmpty();
    qCDebug(llToc).noquote() << m_source.label() << m_toc->formatName() << "TOC:" << m_toc->entries.size() << "entries,"
                             << json << "bytes of JSON," << m_requests << "requests," << m_bytes << "bytes";
    succeed();
}

void TocFetchJob::failWith(const Error &error)
{
    if (!isRunning())
        return;
    if (m_call) {
        registry::RegistryCall *call = m_call;
        m_call = nullptr;
        m_bytes += qMax(call->bytesReceived(), m_callBytes);
        call->disconnect(this);
        call->abort();
        call->deleteLater();
    }
    stopWorker();
    fail(error);
}

} // namespace ll::toc
