#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "common/Sha256.h"
#include "stream/Decompressor.h"
#include "stream/LayerSource.h"
#include "toc/LayerToc.h"

#include <QPointer>

#include <functional>
#include <memory>

namespace ll::registry {
class RegistryClient;
class RegistryCall;
} // namespace ll::registry

namespace ll::toc {

/**
 * Fetches one regular file of a TOC layer with one Range request (its first chunk's start to its last chunk's end)
 * and hands its bytes to a sink, chunk by chunk, each only after it decompressed to exactly the size the TOC
 * says and its chunkDigest matched; the whole file's digest is checked before success. A chunk that does not
 * decompress, is short, or hashes wrong fails the job (Error::Corrupt / Error::DigestMismatch) naming the file,
 * the chunk and its blob offset: the caller discards what the sink wrote.
 */
class TocFileJob : public Job
{
    Q_OBJECT
public:
    using Sink = std::function<Status(const char *data, qint64 size)>;

    TocFileJob(registry::RegistryClient *client, const stream::LayerSource &source, std::shared_ptr<const LayerToc> toc,
        const TocFile &file, QObject *parent = nullptr);
    ~TocFileJob() override;

    void setSink(Sink sink) { m_sink = std::move(sink); }

    const TocFile &file() const { return m_file; }
    int requestCount() const { return m_requests; }
    qint64 bytesDownloaded() const;
    /** Bytes asked for (the file's compressed range). */
    qint64 bytesRequested() const;

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onResponseStarted();
    void onReadyRead();
    void onFinished();
    Status process(const char *data, qint64 size);
    Status endChunk();
    void failWith(const Error &error);

    registry::RegistryClient *m_client;
    stream::LayerSource m_source;
    std::shared_ptr<const LayerToc> m_toc;
    TocFile m_file;
    Sink m_sink;
    QPointer<registry::RegistryCall> m_call;
    int m_requests = 0;
    qint64 m_bytesDone = 0; // finished calls
    qint64 m_callRead = 0; // body bytes read from the current call (downloadProgress may lag behind)
    qint64 m_pos = 0; // blob offset of the next byte that arrives
    int m_chunk = 0; // chunk being decoded
    std::unique_ptr<stream::Decompressor> m_decompressor;
    qint64 m_skip = 0; // innerOffset bytes still to drop
    qint64 m_chunkOut = 0; // bytes of the current chunk handed to the sink
    Status m_sinkStatus;
    Sha256 m_chunkHash;
    Sha256 m_fileHash;
};

} // namespace ll::toc
