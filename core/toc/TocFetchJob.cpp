#include "toc/TocFetchJob.h"

#include "common/Logging.h"
#include "common/Sha256.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"

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
    fetch(m_loc.offset, m_loc.offset + m_loc.length, &TocFetchJob::onTocBytes);
}

void TocFetchJob::onTocBytes(const QByteArray &bytes)
{
    const bool zstd = m_loc.format == LayerToc::Format::ZstdChunked;
    if (zstd && !m_loc.digest.isEmpty() && Sha256::digestOf(bytes) != m_loc.digest) {
        failWith(Error(Error::Code::DigestMismatch,
            tr("%1: the zstd:chunked manifest does not match its checksum annotation").arg(m_source.label()),
            tr("expected %1, got %2").arg(m_loc.digest, Sha256::digestOf(bytes))));
        return;
    }
    Result<QByteArray> json
        = zstd ? TocParser::zstdTocJson(bytes, m_loc.uncompressedLength) : TocParser::estargzTocJson(bytes);
    if (!json) {
        failWith(json.error());
        return;
    }
    if (!zstd && !m_loc.digest.isEmpty() && Sha256::digestOf(*json) != m_loc.digest) {
        failWith(Error(Error::Code::DigestMismatch,
            tr("%1: the eStargz TOC does not match its toc.digest annotation").arg(m_source.label()),
            tr("expected %1, got %2").arg(m_loc.digest, Sha256::digestOf(*json))));
        return;
    }
    // zstd:chunked: the manifest's skippable frame header (8 bytes) ends the data.
    const qint64 dataEnd = zstd ? m_loc.offset - 8 : m_loc.offset;
    Result<LayerToc> toc = TocParser::parseToc(*json, m_loc.format, dataEnd);
    if (!toc) {
        failWith(Error(toc.error().code, tr("%1: %2").arg(m_source.label(), toc.error().message), toc.error().detail));
        return;
    }
    m_toc = std::make_shared<LayerToc>(std::move(*toc));
    m_toc->tocBytes = bytes.size();
    m_toc->verified = !m_loc.digest.isEmpty();
    qCDebug(llToc).noquote() << m_source.label() << m_toc->formatName() << "TOC:" << m_toc->entries.size() << "entries,"
                             << m_requests << "requests," << m_bytes << "bytes";
    succeed();
}

void TocFetchJob::failWith(const Error &error)
{
    if (isRunning())
        fail(error);
}

} // namespace ll::toc
