#pragma once

#include "common/Job.h"
#include "stream/LayerSource.h"
#include "toc/LayerToc.h"
#include "toc/TocParser.h"

#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace ll::stream {
class ChunkQueue;
} // namespace ll::stream

namespace ll::registry {
class RegistryClient;
class RegistryCall;
} // namespace ll::registry

namespace ll::toc {

class TocStreamReader;

/**
 * Fetches and checks a layer's table of contents without streaming the layer:
 * - eStargz (annotation containerd.io/snapshot/stargz/toc.digest): the 51-byte footer, then the TOC member
 *   (2 Range requests, footer + TOC bytes); the JSON's sha256 must match the annotation;
 * - zstd:chunked (annotation ...zstd-chunked.manifest-position): the manifest frame (1 Range request); the
 *   compressed bytes' sha256 must match ...manifest-checksum when present;
 * - no annotation, with setProbe(true): a tail probe (last 51 bytes of a gzip layer: eStargz or the legacy 47-byte
 *   footer; last 48 bytes of a zstd one), then the TOC; such a TOC is not verified (isVerified() false).
 * A layer with no TOC fails with Error::NotFound (isNotTocLayer()); anything a footer, position or TOC says that
 * does not fit the blob fails with Error::Malformed, a digest mismatch with Error::DigestMismatch: the caller
 * streams the layer instead.
 * The TOC's bytes are decompressed, hashed and parsed on a worker thread as they arrive (TocStreamReader), so
 * the job ends about when its last byte is in; toc() exists only once the digest matched.
 */
class TocFetchJob : public Job
{
    Q_OBJECT
public:
    TocFetchJob(registry::RegistryClient *client, const stream::LayerSource &source, QObject *parent = nullptr);
    ~TocFetchJob() override;

    /** Does the descriptor announce a TOC (eStargz or zstd:chunked annotation)? */
    static bool hasTocAnnotation(const oci::Descriptor &layer);

    /** Probe the blob's tail when no annotation announces a TOC. Before start(). */
    void setProbe(bool probe) { m_probe = probe; }
    const stream::LayerSource &source() const { return m_source; }

    /** The TOC (Succeeded). */
    std::shared_ptr<const LayerToc> toc() const { return m_toc; }
    /** Failed because the layer has no TOC (the probe found no footer): not an error for a listing. */
    bool isNotTocLayer() const { return m_notToc; }
    int requestCount() const { return m_requests; }
    qint64 bytesDownloaded() const { return m_bytes; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    using Handler = void (TocFetchJob::*)(const QByteArray &body);
    void fetch(qint64 start, qint64 end, Handler handler);
    void onFooter(const QByteArray &tail);
    void fetchToc();
    void onTocResponse();
    void pumpToc();
    void onTocCallFinished();
    void workerRun();
    void onWorkerDone();
    void stopWorker();
    void failWith(const Error &error);

    registry::RegistryClient *m_client;
    stream::LayerSource m_source;
    bool m_probe = false;
    bool m_notToc = false;
    TocParser::TocLocation m_loc;
    QPointer<registry::RegistryCall> m_call;
    std::shared_ptr<LayerToc> m_toc;
    int m_requests = 0;
    qint64 m_bytes = 0;
    // The TOC request, streamed to the worker: skip what a 200 (Range ignored) answer has before the TOC.
    qint64 m_skip = 0;
    qint64 m_tocRead = 0; // TOC bytes handed to the worker
    qint64 m_callBytes = 0; // body bytes read from the TOC request
    std::unique_ptr<stream::ChunkQueue> m_queue;
    std::unique_ptr<TocStreamReader> m_reader; // the worker's
    QThread *m_worker = nullptr;
    std::atomic_bool m_cancelFlag { false };
    std::unique_ptr<Result<LayerToc>> m_result; // written by the worker before it ends
};

} // namespace ll::toc
