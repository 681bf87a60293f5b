#include "toc/TocFileJob.h"

#include "common/Logging.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"

namespace ll::toc {

TocFileJob::TocFileJob(registry::RegistryClient *client, const stream::LayerSource &source,
    std::shared_ptr<const LayerToc> toc, const TocFile &file, QObject *parent)
    : Job(parent), m_client(client), m_source(source), m_toc(std::move(toc)), m_file(file)
{
    setTitle(tr("Fetch %1 from %2").arg(file.path, source.label()));
    setProgressUnit(ProgressUnit::Bytes);
}

TocFileJob::~TocFileJob()
{
    if (m_call)
        m_call->abort();
    delete m_call;
}

qint64 TocFileJob::bytesDownloaded() const
{
    return m_bytesDone + (m_call ? qMax(m_callRead, m_call->bytesReceived()) : 0);
}

qint64 TocFileJob::bytesRequested() const
{
    return m_file.chunks.isEmpty() ? 0 : m_file.chunks.last().end - m_file.chunks.first().offset;
}

void TocFileJob::doStart()
{
    if (m_file.chunks.isEmpty()) { // an empty file
        if (!m_file.digest.isEmpty() && m_fileHash.digestString() != m_file.digest) {
            failWith(Error(
                Error::Code::DigestMismatch, tr("%1: the TOC's digest of the empty file is wrong").arg(m_file.path)));
            return;
        }
        succeed();
        return;
    }
    const qint64 start = m_file.chunks.first().offset;
    const qint64 end = m_file.chunks.last().end;
    registry::RegistryRequest r;
    r.registry = m_source.registry;
    r.repository = m_source.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(m_source.repository, m_source.layer.digest);
    r.streaming = true;
    r.readBufferSize = 1 << 20;
    r.rangeStart = start;
    r.rangeEnd = end - 1;
    ++m_requests;
    qCDebug(llToc) << m_source.label() << "TOC file" << m_file.path << "GET bytes" << start << "-" << end;
    m_call = m_client->send(r);
    connect(m_call, &registry::RegistryCall::responseStarted, this, &TocFileJob::onResponseStarted);
    connect(m_call, &registry::RegistryCall::readyRead, this, &TocFileJob::onReadyRead);
    connect(m_call, &registry::RegistryCall::finished, this, &TocFileJob::onFinished);
}

void TocFileJob::doCancel()
{
    if (m_call)
        m_call->abort();
    cancelled();
}

void TocFileJob::onResponseStarted()
{
    const qint64 start = m_file.chunks.first().offset;
    if (m_call->httpStatus() == 206) {
        if (!m_call->rawHeader("Content-Range")
                 .startsWith(QByteArray(QByteArray("bytes ") + QByteArray::number(start) + '-'))) {
            failWith(Error(Error::Code::Protocol,
                tr("%1: the registry answered another range (%2)")
                    .arg(m_source.label(), QString::fromLatin1(m_call->rawHeader("Content-Range")))));
            return;
        }
        m_pos = start;
    } else {
        m_pos = 0; // Range ignored: the whole blob comes, the bytes before the file are skipped
    }
}

void TocFileJob::onReadyRead()
{
    if (!isRunning() || !m_call)
        return;
    char buf[256 * 1024];
    while (isRunning() && m_call && m_call->bytesAvailable() > 0) {
        const qint64 n = m_call->read(buf, sizeof buf);
        if (n <= 0)
            break;
        m_callRead += n;
        const Status s = process(buf, n);
        if (!s) {
            failWith(s.error());
            return;
        }
        setProgress(
            m_chunk < m_file.chunks.size() ? m_pos - m_file.chunks.first().offset : bytesRequested(), bytesRequested());
        if (m_chunk >= m_file.chunks.size()) {
            // everything needed is in: the rest of a whole-blob answer is not read
            m_bytesDone += qMax(m_callRead, m_call->bytesReceived());
            registry::RegistryCall *call = m_call;
            m_call = nullptr;
            call->disconnect(this);
            call->abort();
            call->deleteLater();
            onFinished();
            return;
        }
    }
}

Status TocFileJob::process(const char *data, qint64 size)
{
    while (size > 0 && m_chunk < m_file.chunks.size()) {
        const TocChunk &c = m_file.chunks.at(m_chunk);
        if (m_pos < c.offset) {
            const qint64 skip = qMin(size, c.offset - m_pos);
            m_pos += skip;
            data += skip;
            size -= skip;
            continue;
        }
        if (!m_decompressor) {
            m_decompressor = stream::Decompressor::create(m_toc->compression(), true);
            m_skip = c.innerOffset;
            m_chunkOut = 0;
            m_chunkHash.reset();
            m_decompressor->setSink([this, want = c.chunkSize](const char *d, qint64 n) {
                if (m_skip > 0) {
                    const qint64 s = qMin(n, m_skip);
                    m_skip -= s;
                    d += s;
                    n -= s;
                }
                n = qMin(n, want - m_chunkOut);
                if (n > 0) {
                    m_chunkHash.addData(d, n);
                    m_fileHash.addData(d, n);
                    if (m_sinkStatus && m_sink)
                        m_sinkStatus = m_sink(d, n);
                    m_chunkOut += n;
                }
                return m_sinkStatus.ok() && m_chunkOut < want;
            });
        }
        const qint64 take = qMin(size, c.end - m_pos);
        if (!m_decompressor->isStopped()) {
            const Status s = m_decompressor->feed(data, take);
            if (!s)
                return Error(Error::Code::Corrupt,
                    tr("%1: chunk %2 at blob offset %3 of %4 does not decompress")
                        .arg(m_file.path)
                        .arg(m_chunk)
                        .arg(c.offset)
                        .arg(m_source.label()),
                    s.error().message);
            if (!m_sinkStatus)
                return m_sinkStatus;
        }
        m_pos += take;
        data += take;
        size -= take;
        if (m_pos >= c.end) {
            const Status s = endChunk();
            if (!s)
                return s;
        }
    }
    return Status();
}

Status TocFileJob::endChunk()
{
    const TocChunk &c = m_file.chunks.at(m_chunk);
    if (m_chunkOut != c.chunkSize)
        return Error(Error::Code::Corrupt,
            tr("%1: chunk %2 at blob offset %3 of %4 holds %5 bytes, the TOC says %6")
                .arg(m_file.path)
                .arg(m_chunk)
                .arg(c.offset)
                .arg(m_source.label())
                .arg(m_chunkOut)
                .arg(c.chunkSize));
    if (!c.digest.isEmpty()) {
        const QString got = m_chunkHash.digestString();
        if (got != c.digest)
            return Error(Error::Code::DigestMismatch,
                tr("%1: chunk %2 at blob offset %3 of %4 does not match its chunkDigest")
                    .arg(m_file.path)
                    .arg(m_chunk)
                    .arg(c.offset)
                    .arg(m_source.label()),
                tr("expected %1, got %2").arg(c.digest, got));
    }
    m_decompressor.reset();
    ++m_chunk;
    return Status();
}

void TocFileJob::onFinished()
{
    if (!isRunning())
        return;
    if (m_call) {
        registry::RegistryCall *call = m_call;
        m_call = nullptr;
        call->deleteLater();
        // the reply may still hold the tail
        char buf[256 * 1024];
        qint64 n;
        while (isRunning() && m_chunk < m_file.chunks.size() && (n = call->read(buf, sizeof buf)) > 0) {
            m_callRead += n;
            const Status s = process(buf, n);
            if (!s) {
                failWith(s.error());
                return;
            }
        }
        m_bytesDone += qMax(m_callRead, call->bytesReceived());
        if (call->hasError() && m_chunk < m_file.chunks.size()) {
            failWith(call->error());
            return;
        }
    }
    if (m_chunk < m_file.chunks.size()) {
        failWith(Error(Error::Code::Corrupt,
            tr("%1: the blob ended at offset %2, inside chunk %3 of %4")
                .arg(m_file.path)
                .arg(m_pos)
                .arg(m_chunk)
                .arg(m_source.label())));
        return;
    }
    if (!m_file.digest.isEmpty()) {
        const QString got = m_fileHash.digestString();
        if (got != m_file.digest) {
            failWith(Error(Error::Code::DigestMismatch,
                tr("%1 of %2 does not match the TOC's digest").arg(m_file.path, m_source.label()),
                tr("expected %1, got %2").arg(m_file.digest, got)));
            return;
        }
    }
    setProgress(bytesRequested(), bytesRequested());
    succeed();
}

void TocFileJob::failWith(const Error &error)
{
    if (m_call) {
        m_bytesDone += qMax(m_callRead, m_call->bytesReceived());
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
        m_call = nullptr;
    }
    if (isRunning())
        fail(error);
}

} // namespace ll::toc
