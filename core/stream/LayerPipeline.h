#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "stream/Decompressor.h"
#include "stream/LayerSource.h"

#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace ll::registry {
class RegistryClient;
class RegistryCall;
class RetryBudget;
} // namespace ll::registry

namespace ll::stream {

class ChunkQueue;
class TarVisitor;

/**
 * Streams one layer blob through   network → [digest] → [raw sink] → decompress → tar → visitor.
 * The network side (RegistryClient, QNAM) stays on the thread that owns the job; hashing, inflate,
 * tar parsing and the visitor run on a worker thread behind a bounded queue (backpressure: the reply
 * is not read while the queue is full). An early stop by the visitor closes the connection and is a
 * success (stoppedEarly()). Memory is bounded whatever the layer size.
 */
class LayerPipeline : public Job
{
    Q_OBJECT
public:
    /** Worker-thread sink for the raw (compressed) bytes, with their blob offset. */
    using RawSink = std::function<Status(qint64 offset, const char *data, qint64 size)>;
    /** Makes the decompressor for the format the blob's first bytes show (worker thread). */
    using DecoderFactory = std::function<std::unique_ptr<Decompressor>(Decompressor::Format format)>;

    LayerPipeline(registry::RegistryClient *client, const LayerSource &source, QObject *parent = nullptr);
    ~LayerPipeline() override;

    void setPolicy(const FetchPolicy &policy) { m_policy = policy; }
    /** Called on the worker thread; must outlive the job's run. nullptr: no decoding (save). */
    void setVisitor(TarVisitor *visitor) { m_visitor = visitor; }
    void setRawSink(RawSink sink) { m_rawSink = std::move(sink); }
    /** Before start(): another decompressor than Decompressor::create()'s (checkpoint recording, a span read). */
    void setDecoderFactory(DecoderFactory factory) { m_decoderFactory = std::move(factory); }
    /** After finished(): the decompressor the pass used (nullptr if none was made); kept until destruction. */
    Decompressor *decoder() const { return m_decoder.get(); }
    /** Before start(): the uncompressed offset the first decompressed byte has (a read from a checkpoint), so
        tar entries carry their offsets in the whole layer. */
    void setTarStartOffset(qint64 offset) { m_tarStartOffset = offset; }
    /** Verify the sha256 of the whole blob (only when read from offset 0 to the end). Default on. */
    void setVerifyDigest(bool verify) { m_verifyDigest = verify; }
    bool verifiesDigest() const { return m_verifyDigest; }
    /**
     * After the visitor stops (a carve has its file), keep reading what was already asked for through the
     * digest and the decompressor (its output dropped) instead of closing the connection, so the answer can
     * be checked before it is trusted: a compressed member (gzip) that ends within those bytes has its
     * CRC32/ISIZE checked, and when the requests reach the layer's end its digest is checked too
     * (digestVerified()). No further request is made. A failed check fails the job (Error::DigestMismatch
     * preferred over the decoder's error when both are known). Default off.
     */
    void setCheckAfterStop(bool check) { m_checkAfterStop = check; }
    /** The whole blob was hashed and matched its digest (also after an early stop, see setCheckAfterStop). */
    bool digestVerified() const { return m_digestVerified.load(); }

    const LayerSource &source() const { return m_source; }
    registry::RegistryClient *client() const { return m_client; }
    const FetchPolicy &policy() const { return m_policy; }

    /** Network bytes that arrived for this layer (all requests, including unread ones after a stop). */
    qint64 bytesDownloaded() const;
    /** Bytes requested by Range requests (windowed) or expected (stream). */
    qint64 bytesRequested() const { return m_requestedEnd - m_policy.startOffset; }
    /** Compressed bytes consumed by the decompressor when it stopped (the physical bound of a carve). */
    qint64 compressedConsumed() const { return m_consumed.load(); }
    qint64 uncompressedProduced() const { return m_produced.load(); }
    int requestCount() const { return m_requests; }
    bool stoppedEarly() const { return m_stoppedEarly; }
    /** The byte limit ended the stream before the blob did (--partial). */
    bool isIncomplete() const { return m_incomplete; }
    Decompressor::Format format() const { return m_format; }
    /**
     * From a visitor callback (worker thread): the blob offset just past the compressed slice being
     * decompressed (slices are aligned in the blob), so an upper bound of the input the output seen so far
     * needed: TarEntry::compressedEnd.
     */
    qint64 feedEnd() const { return m_feedEnd.load(); }

protected:
    void doStart() override;
    void doCancel() override;
    /** Worker thread, after the last byte was handled and before finished() is posted (flush batches). */
    virtual void workerFinishing() { }

    /** Worker thread: the job is being cancelled, failed or destroyed (stop waiting on anything). */
    bool cancelRequested() const { return m_cancelFlag.load(); }
    /** Stops the network and joins the worker; derived classes call it first in their destructor. */
    void shutdown();

private:
    // main thread
    void issueRequest(qint64 start, qint64 end, bool alwaysRange = false);
    void resume();
    void onResponseStarted();
    void pump();
    void onCallFinished();
    void handleCallEnd();
    void reachedRequestEnd();
    void endOfInput();
    void maybeIssueNext();
    bool overlapping() const;
    void updateReadLimit();
    void onWorkerProgress();
    void onWorkerDone(const Error &error, bool stoppedEarly);
    void onVisitorStopped();
    void stopNetwork();
    void finishWithError(const Error &error);
    qint64 windowAllowance() const;
    qint64 callBytes(const registry::RegistryCall *call) const;
    qint64 blobEnd() const;

    // worker thread
    void workerRun();
    void postProgress();

    registry::RegistryClient *m_client;
    LayerSource m_source;
    FetchPolicy m_policy;
    TarVisitor *m_visitor = nullptr;
    RawSink m_rawSink;
    DecoderFactory m_decoderFactory;
    std::unique_ptr<Decompressor> m_decoder; // made and used by the worker; read after it ended
    qint64 m_tarStartOffset = 0;
    bool m_verifyDigest = true;
    bool m_checkAfterStop = false;
    bool m_draining = false; // the visitor stopped; reading on only to check (no new request)
    qint64 m_drainEnd = -1; // draining: read up to here

    std::unique_ptr<ChunkQueue> m_queue;
    std::shared_ptr<registry::RetryBudget> m_budget; // one for this layer: every request and resume draws on it
    QThread *m_worker = nullptr;
    QPointer<registry::RegistryCall> m_call;
    qint64 m_position = 0; // next blob offset handed to the queue
    qint64 m_requestedEnd = 0; // exclusive end of what was asked for so far (overlap: allowed to arrive)
    qint64 m_readLimit = 0; // overlap: blob offset the open request is read up to
    qint64 m_readBuffer = 0; // overlap: what the reply may buffer ahead of the reads
    qint64 m_skip = 0; // bytes to drop (a 200 answered a Range request)
    qint64 m_callStart = 0; // blob offset the current request starts at
    qint64 m_callEnd = -1; // exclusive end it asked for, -1: to the end
    qint64 m_callRead = 0; // body bytes read from the current call (skipped ones included)
    bool m_callDone = false; // finished() seen; the reply may still hold unread bytes
    bool m_whole = false; // the server ignored Range and sends the whole blob
    qint64 m_downloadedDone = 0; // bytes received by finished calls
    int m_requests = 0;
    int m_resumes = 0;
    bool m_networkDone = false;
    bool m_stoppedEarly = false;
    bool m_incomplete = false;
    bool m_cancelling = false;
    bool m_failed = false;
    Error m_pendingError;
    Decompressor::Format m_format = Decompressor::Format::Plain;

    std::atomic<qint64> m_consumed { 0 };
    std::atomic<qint64> m_feedEnd { 0 };
    std::atomic<qint64> m_produced { 0 };
    std::atomic<qint64> m_processed { 0 }; // raw bytes the worker has fully handled
    std::atomic<bool> m_workerEnded { false };
    std::atomic<bool> m_progressPosted { false };
    std::atomic<bool> m_cancelFlag { false };
    std::atomic<bool> m_limitReached { false };
    std::atomic<bool> m_digestVerified { false };
    std::atomic<bool> m_visitorStopped { false }; // checkAfterStop: no further request from now on
};

} // namespace ll::stream
