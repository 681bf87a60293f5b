#include "stream/LayerPipeline.h"

#include "common/Logging.h"
#include "common/Sha256.h"
#include "registry/RegistryClient.h"
#include "registry/RetryBudget.h"
#include "stream/ChunkQueue.h"
#include "stream/TarReader.h"

#include <QThread>
#include <QTimer>

namespace ll::stream {

namespace {

constexpr qint64 QueueCapacity = 8 * 1024 * 1024; // QT-NOTES: ~8 MB keeps the GUI responsive
constexpr qint64 ReadChunk = 256 * 1024;
constexpr qint64 StreamSlice = 64 * 1024; // inflater input slice for whole-blob passes
constexpr qint64 WindowedSlice = 8 * 1024; // finer slices make the carve's stop point (and bound) precise
constexpr qint64 MinWindowStep = 16 * 1024;
// Overlap: the reply's read buffer, counted in the allowance (what Qt buffered has arrived). Small at first so
// a stop near the start wastes little, a larger share of the slack later for fewer event-loop turns.
constexpr qint64 MinReadBuffer = 16 * 1024;
constexpr qint64 MaxReadBuffer = 1024 * 1024;

Error withContext(const LayerSource &source, const Error &e)
{
    Error out = e;
    out.message = source.label() + QStringLiteral(": ") + e.message;
    return out;
}

} // namespace

LayerPipeline::LayerPipeline(registry::RegistryClient *client, const LayerSource &source, QObject *parent)
    : Job(parent), m_client(client), m_source(source)
{
    setCancelIsAsync(true);
    setTitle(tr("Layer %1").arg(source.index));
}

LayerPipeline::~LayerPipeline()
{
    shutdown();
}

void LayerPipeline::shutdown()
{
    m_cancelFlag = true;
    if (m_queue)
        m_queue->abort();
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        delete m_call;
    }
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
    }
}

qint64 LayerPipeline::bytesDownloaded() const
{
    return m_downloadedDone + (m_call ? callBytes(m_call) : 0);
}

qint64 LayerPipeline::callBytes(const registry::RegistryCall *call) const
{
    // RegistryCall::bytesReceived() follows QNetworkReply::downloadProgress, which Qt emits at most every
    // 100 ms: it lags behind what was read. What was read plus what is buffered has surely arrived.
    return qMax(call->bytesReceived(), m_callRead + call->bytesAvailable());
}

qint64 LayerPipeline::blobEnd() const
{
    return m_source.layer.size >= 0 ? m_source.layer.size : std::numeric_limits<qint64>::max();
}

void LayerPipeline::doStart()
{
    m_queue = std::make_unique<ChunkQueue>(QueueCapacity);
    m_budget = std::make_shared<registry::RetryBudget>(m_client->maxRetries());
    m_position = m_policy.startOffset;
    m_requestedEnd = m_position;
    m_worker = QThread::create([this] { workerRun(); });
    m_worker->start();

    if (m_policy.mode == FetchPolicy::Mode::Stream) {
        qint64 end = -1;
        if (m_policy.byteLimit > 0 && m_policy.startOffset + m_policy.byteLimit < blobEnd())
            end = m_policy.startOffset + m_policy.byteLimit;
        if (m_source.layer.size >= 0 && m_position >= m_source.layer.size) {
            // Nothing left to fetch (a complete .part): let the worker finish.
            m_networkDone = true;
            m_queue->finish();
            return;
        }
        issueRequest(m_position, end);
    } else {
        maybeIssueNext();
    }
}

void LayerPipeline::doCancel()
{
    if (m_cancelling)
        return;
    m_cancelling = true;
    m_cancelFlag = true;
    stopNetwork();
    m_queue->abort(); // the worker sees Aborted and reports back; onWorkerDone() ends the job
}

void LayerPipeline::issueRequest(qint64 start, qint64 end, bool alwaysRange)
{
    registry::RegistryRequest r;
    r.registry = m_source.registry;
    r.repository = m_source.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(m_source.repository, m_source.layer.digest);
    r.streaming = true;
    // An open request's buffer counts in its allowance (updateReadLimit); an exact range bounds itself.
    r.readBufferSize = overlapping() && end < 0 ? qMax(m_readBuffer, MinReadBuffer) : 1 << 20;
    r.retryBudget = m_budget;
    if (start > 0 || end >= 0 || alwaysRange) {
        r.rangeStart = start;
        r.rangeEnd = end >= 0 ? end - 1 : -1;
    }
    m_callStart = start;
    m_callEnd = end;
    m_callDone = false;
    m_callRead = 0;
    if (!overlapping()) // overlap: what may arrive is set by the read limit (updateReadLimit)
        m_requestedEnd = end >= 0 ? end : blobEnd();
    ++m_requests;
    qCDebug(llStream) << m_source.label() << "GET bytes" << start << "-" << end;
    m_call = m_client->send(r);
    connect(m_call, &registry::RegistryCall::responseStarted, this, &LayerPipeline::onResponseStarted);
    connect(m_call, &registry::RegistryCall::readyRead, this, &LayerPipeline::pump);
    connect(m_call, &registry::RegistryCall::finished, this, &LayerPipeline::onCallFinished);
}

void LayerPipeline::onResponseStarted()
{
    const int status = m_call->httpStatus();
    if (status == 206) {
        // "bytes a-b/total": the server must start where we asked.
        const QByteArray range = m_call->rawHeader("Content-Range");
        qint64 first = -1;
        if (range.startsWith("bytes ")) {
            const int dash = range.indexOf('-');
            if (dash > 6)
                first = range.mid(6, dash - 6).toLongLong();
        }
        if (first != m_callStart) {
            finishWithError(Error(Error::Code::Protocol,
                tr("the registry answered a range request with the wrong range"), QString::fromLatin1(range), status));
            return;
        }
    } else if (status == 200) {
        // Some registries and proxies ignore Range: the whole blob comes; drop what we already have.
        m_skip = m_callStart;
        m_whole = true;
        if (m_callStart > 0)
            qCDebug(llStream) << m_source.label() << "range ignored by the server; skipping" << m_callStart << "bytes";
    }
}

void LayerPipeline::pump()
{
    if (!m_call || m_cancelling || (m_stoppedEarly && !m_draining))
        return;
    while (m_queue->hasRoom()) {
        const qint64 avail = m_call->bytesAvailable();
        if (avail <= 0)
            break;
        qint64 want = qMin(avail, ReadChunk);
        if (m_skip > 0) {
            const qint64 n = qMin(want, m_skip);
            m_callRead += m_call->read(n).size(); // dropped
            m_skip -= n;
            continue;
        }
        qint64 limit = m_callEnd;
        if (overlapping()) // an open request: read as far as the allowance goes (a 200 answer: its end too)
            limit = m_callEnd >= 0 && !m_whole ? qMin(m_callEnd, m_readLimit) : m_readLimit;
        if (m_draining && m_drainEnd >= 0)
            limit = m_drainEnd;
        if (limit >= 0) {
            // A whole-blob (200) answer, or an open request, is read only as far as the window allows; the rest
            // waits in the reply's bounded buffer and the socket (backpressure) until the window grows.
            const qint64 left = limit - m_position;
            if (left <= 0)
                break;
            want = qMin(want, left);
        }
        QByteArray chunk = m_call->read(want);
        if (chunk.isEmpty())
            break;
        m_callRead += chunk.size();
        m_position += chunk.size();
        if (!m_queue->push(std::move(chunk)))
            return;
    }
    if (m_draining && m_drainEnd >= 0 && m_position >= m_drainEnd && m_drainEnd < blobEnd()) {
        stopNetwork(); // what was allowed is read: the worker checks it
        endOfInput();
        return;
    }
    if (m_callDone && m_call->bytesAvailable() <= 0)
        handleCallEnd();
    else if (m_whole && m_callEnd >= 0 && m_position >= m_callEnd)
        reachedRequestEnd();
}

void LayerPipeline::onCallFinished()
{
    m_callDone = true;
    pump();
}

void LayerPipeline::reachedRequestEnd()
{
    // A 200 answer to a windowed range: we hold the connection and read on when the window grows.
    if (m_position >= blobEnd() || (m_policy.mode == FetchPolicy::Mode::Stream && m_callEnd >= 0)) {
        if (m_policy.byteLimit > 0 && m_position < blobEnd())
            m_limitReached = true;
        stopNetwork();
        endOfInput();
    }
}

void LayerPipeline::handleCallEnd()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    const Error err = call->error();
    m_downloadedDone += callBytes(call);
    call->disconnect(this);
    call->deleteLater();
    if (m_cancelling || (m_stoppedEarly && !m_draining))
        return;
    if (m_draining && !err.isError() && m_position >= (m_callEnd >= 0 ? m_callEnd : blobEnd())) {
        endOfInput(); // what was asked for is in: the worker checks it
        return;
    }

    const qint64 expectedEnd = m_callEnd >= 0 ? m_callEnd : blobEnd();
    const bool sizeKnown = m_source.layer.size >= 0;
    if (!err.isError() && (m_position >= expectedEnd || (!sizeKnown && m_callEnd < 0))) {
        if (sizeKnown && m_position > m_source.layer.size) {
            finishWithError(Error(Error::Code::Protocol, tr("the registry sent more bytes than the layer's size")));
            return;
        }
        if (m_position >= blobEnd() || m_callEnd < 0 || m_policy.mode == FetchPolicy::Mode::Stream) {
            if (m_policy.byteLimit > 0 && m_position < blobEnd())
                m_limitReached = true;
            endOfInput();
            return;
        }
        maybeIssueNext();
        return;
    }

    // A dropped connection, a short body (wrong Content-Length) or a network error: resume from the
    // last byte we have, a bounded number of times.
    // Only a dropped connection or a short body is worth resuming; a refused redirect, a 4xx or the request's
    // own retries spent (its error says after how many attempts) are final.
    const bool resumable = !err.isError() || (err.code == Error::Code::Network && err.httpStatus == 0);
    if (m_draining) {
        endOfInput(); // the answer is complete; only its check is lost (not verified)
        return;
    }
    if (resumable && m_resumes < m_policy.maxResumes && m_budget->canRetry()) {
        ++m_resumes;
        // The first resume goes at once (a drop in the middle of a body is usually a one-off, and the pool's
        // next connection is fresh); later ones back off.
        const qint64 wait = m_resumes == 1 ? 0 : m_client->backoffDelay(m_budget->retriesUsed());
        m_budget->take();
        qCWarning(llStream) << m_source.label() << "connection dropped at offset" << m_position << "; resuming in"
                            << wait << "ms (attempt" << m_budget->attempts() << "of" << m_budget->maxRetries() + 1
                            << ")";
        setStatus(tr("Connection dropped at %1; resuming").arg(m_position));
        QTimer::singleShot(wait, this, &LayerPipeline::resume);
        return;
    }
    if (err.isError()) {
        Error e = err;
        e.detail = (e.detail.isEmpty() ? QString() : e.detail + QStringLiteral("; "))
            + QStringLiteral("at blob offset %1").arg(m_position);
        finishWithError(e);
    } else {
        finishWithError(Error(Error::Code::Network,
            tr("the registry closed the connection at offset %1 of %2%3")
                .arg(m_position)
                .arg(expectedEnd)
                .arg(m_budget->attempts() > 1 ? tr(" after %1 attempts").arg(m_budget->attempts()) : QString())));
    }
}

void LayerPipeline::resume()
{
    if (m_cancelling || m_failed || m_call)
        return;
    issueRequest(m_position, m_callEnd);
}

void LayerPipeline::endOfInput()
{
    m_networkDone = true;
    m_queue->finish();
}

qint64 LayerPipeline::windowAllowance() const
{
    const qint64 consumedTotal = m_policy.consumedBefore + m_consumed.load();
    const qint64 allowedTotal = qint64(m_policy.growth * double(consumedTotal)) + m_policy.firstChunk;
    return allowedTotal - m_policy.requestedBefore; // blob offset this layer may request up to
}

bool LayerPipeline::overlapping() const
{
    return m_policy.mode == FetchPolicy::Mode::Windowed && m_policy.overlap;
}

void LayerPipeline::updateReadLimit()
{
    if (!overlapping() || m_workerEnded.load() || m_visitorStopped.load())
        return;
    const qint64 consumedTotal = m_policy.consumedBefore + m_consumed.load();
    const qint64 buffer = qBound(MinReadBuffer, consumedTotal / 16, MaxReadBuffer);
    qint64 limit = windowAllowance() - buffer;
    if (m_processed.load() >= m_position)
        limit = qMax(limit, m_position + MinWindowStep); // everything read was consumed: always some progress
    if (m_source.layer.size >= 0) {
        if (m_source.layer.size - limit < qMin<qint64>(m_policy.firstChunk, 64 * 1024) / 2)
            limit = m_source.layer.size; // no tiny tail left behind
        limit = qMin(limit, m_source.layer.size);
    }
    if (limit > m_readLimit) {
        m_readLimit = limit;
        m_requestedEnd = qMax(m_requestedEnd, qMin(limit + buffer, blobEnd()));
    }
    if (buffer >= 2 * m_readBuffer || m_readBuffer == 0) {
        m_readBuffer = buffer;
        if (m_call && m_callEnd < 0)
            m_call->setReadBufferSize(buffer);
    }
}

void LayerPipeline::maybeIssueNext()
{
    if (m_policy.mode != FetchPolicy::Mode::Windowed || m_networkDone || m_stoppedEarly || m_cancelling || m_draining)
        return;
    if (overlapping()) {
        if (m_workerEnded.load() || m_visitorStopped.load())
            return;
        updateReadLimit();
        if (m_call) {
            pump();
            return;
        }
        // Between requests (the first window was read): ask for more only once the worker wants it.
        if (m_processed.load() < m_position)
            return;
        if (m_position >= blobEnd()) {
            endOfInput();
            return;
        }
        if (m_requests == 0) {
            // The first window is an exact Range (the index's end, or the allowance): a file inside it costs
            // nothing beyond, where an open request would have filled the sockets' buffers (measured at the
            // proxy: up to ~4 MB sent beyond the stop on loopback) before the close.
            qint64 end = m_policy.endHint > m_position ? m_policy.endHint
                                                       : qMax(windowAllowance(), m_position + MinWindowStep);
            if (m_source.layer.size >= 0) {
                if (m_source.layer.size - end < qMin<qint64>(m_policy.firstChunk, 64 * 1024) / 2)
                    end = m_source.layer.size;
                end = qMin(end, m_source.layer.size);
            }
            m_readLimit = end;
            issueRequest(m_position, end, true);
            m_requestedEnd = qMax(m_requestedEnd, end);
            return;
        }
        issueRequest(m_position, -1, true);
        m_requestedEnd = qMax(m_requestedEnd, qMin(m_readLimit + m_readBuffer, blobEnd()));
        return;
    }
    // Only decide once the worker has consumed everything delivered: the consumed count is then final. A
    // worker that ended (a visitor's stop, an error) wants nothing more: its report is on the way.
    if (m_workerEnded.load() || m_visitorStopped.load() || m_processed.load() < m_position)
        return;
    qint64 end = qMax(windowAllowance(), m_position + MinWindowStep);
    if (m_source.layer.size >= 0) {
        if (m_source.layer.size - end < qMin<qint64>(m_policy.firstChunk, 64 * 1024) / 2)
            end = m_source.layer.size; // no tiny tail request (a big first chunk must not swallow a big tail)
        end = qMin(end, m_source.layer.size);
    }
    if (m_call) {
        // A server that ignored Range: widen what we read from the open response.
        if (m_whole && end > m_callEnd) {
            m_callEnd = end;
            m_requestedEnd = end;
            pump();
        }
        return;
    }
    if (m_position >= blobEnd()) {
        endOfInput();
        return;
    }
    issueRequest(m_position, end);
}

void LayerPipeline::onWorkerProgress()
{
    m_progressPosted = false;
    setProgress(m_processed.load() - m_policy.startOffset,
        m_source.layer.size >= 0 ? m_source.layer.size - m_policy.startOffset : -1);
    updateReadLimit();
    pump();
    maybeIssueNext();
}

void LayerPipeline::onVisitorStopped()
{
    if (m_cancelling || m_failed || m_networkDone)
        return;
    m_draining = true;
    // The digest can be checked only when the requests made so far reach the layer's end: then read them
    // to the end. Otherwise only what already arrived is checked (a gzip member ending in it).
    const bool reachesEnd = m_source.layer.size >= 0 && m_requestedEnd >= m_source.layer.size;
    if (reachesEnd && m_call) {
        qCDebug(llStream) << m_source.label() << "visitor stopped; reading on to the layer's end to check it";
        m_drainEnd = blobEnd();
        pump();
        return;
    }
    if (overlapping() && m_call && m_call->bytesAvailable() > 0) {
        // An open request is read as the allowance grows: what already arrived (the reply's buffer) is checked
        // too, as a window's bytes would be; then the connection closes.
        m_drainEnd = qMin(m_requestedEnd, m_position + m_call->bytesAvailable());
        pump();
        if (m_networkDone || (m_call && m_position < m_drainEnd))
            return; // done by pump(), or the queue is full: pump() goes on as the worker drains it
        stopNetwork();
        endOfInput();
        return;
    }
    stopNetwork();
    endOfInput();
}

void LayerPipeline::stopNetwork()
{
    if (!m_call)
        return;
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    const qint64 received = callBytes(call); // before abort() drops the buffer
    call->disconnect(this);
    call->abort(); // closes the connection: an early stop downloads nothing more
    m_downloadedDone += qMax(received, call->bytesReceived());
    call->deleteLater();
}

void LayerPipeline::finishWithError(const Error &error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_pendingError = withContext(m_source, error);
    stopNetwork();
    m_cancelFlag = true;
    m_queue->abort(); // onWorkerDone() reports m_pendingError
}

void LayerPipeline::onWorkerDone(const Error &error, bool stoppedEarly)
{
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
    }
    if (stoppedEarly) {
        m_stoppedEarly = true;
        stopNetwork();
    }
    if (m_failed) {
        fail(m_pendingError);
        return;
    }
    if (m_cancelling) {
        cancelled();
        return;
    }
    if (error.isError()) {
        stopNetwork();
        fail(withContext(m_source, error));
        return;
    }
    m_incomplete = m_limitReached.load();
    setProgress(m_processed.load() - m_policy.startOffset,
        m_source.layer.size >= 0 ? m_source.layer.size - m_policy.startOffset : -1);
    succeed();
}

// ---------------------------------------------------------------- worker thread

namespace {

/** Feeds decompressed bytes to the tar reader; remembers why it stopped. */
struct TarStage {
    TarReader *tar = nullptr;
    Error error;
    bool stopped = false;
    bool drain = false; // after a stop, drop the output but let the decompressor go on (its checks)
    std::atomic<qint64> *produced = nullptr;

    bool operator()(const char *data, qint64 size)
    {
        if (stopped)
            return drain;
        *produced += size;
        if (tar->isDone())
            return true; // zero padding after the end-of-archive blocks
        const Status s = tar->feed(data, size);
        if (!s) {
            error = s.error();
            return false;
        }
        if (tar->isStopped()) {
            stopped = true;
            return drain;
        }
        return true;
    }
};

} // namespace

void LayerPipeline::postProgress()
{
    if (!m_progressPosted.exchange(true))
        QMetaObject::invokeMethod(this, &LayerPipeline::onWorkerProgress, Qt::QueuedConnection);
}

void LayerPipeline::workerRun()
{
    const bool hashing = m_verifyDigest && m_policy.startOffset == 0 && m_policy.byteLimit < 0
        && Sha256::isValidDigest(m_source.layer.digest);
    Sha256 sha;
    std::unique_ptr<TarReader> tar;
    std::unique_ptr<Decompressor> &decompressor = m_decoder;
    TarStage stage;
    stage.produced = &m_produced;
    stage.drain = m_checkAfterStop;
    if (m_visitor) {
        tar = std::make_unique<TarReader>(m_visitor);
        tar->setStartOffset(m_tarStartOffset);
        stage.tar = tar.get();
    }
    const qint64 slice = m_policy.mode == FetchPolicy::Mode::Windowed ? WindowedSlice : StreamSlice;

    qint64 offset = m_policy.startOffset;
    qint64 consumedBase = 0;
    Error error;
    bool stopped = false;
    bool draining = false; // checkAfterStop: the visitor stopped, the rest is only checked
    Error drainError; // the decoder failed while draining: reported unless the digest says more
    QByteArray head; // the first bytes, until the format is known
    auto feedDecoder = [&](const char *data, qint64 size) -> bool {
        if (draining) {
            if (drainError.isError())
                return true; // only hashed now
            const Status s = decompressor->feed(data, size);
            if (!s)
                drainError = s.error();
            return true;
        }
        for (qint64 done = 0, n = 0; done < size; done += n) {
            if (m_cancelFlag.load())
                return false;
            // Slices end on multiples of the slice size in the blob, however the network cut the chunks, and
            // what a visitor sees during a slice is said to come out of below the slice's end: the stop
            // points (an index's compressedEnd) are the same on every run.
            n = qMin(slice - consumedBase % slice, size - done);
            const qint64 sliceEnd = m_policy.startOffset + (consumedBase / slice + 1) * slice;
            m_feedEnd = m_source.layer.size >= 0 ? qMin(sliceEnd, m_source.layer.size) : sliceEnd;
            const Status s = decompressor->feed(data + done, n);
            consumedBase += n;
            m_consumed = consumedBase;
            if (!s) {
                error = s.error();
                return false;
            }
            if (stage.error.isError()) {
                error = stage.error;
                return false;
            }
            if (stage.stopped || decompressor->isStopped()) {
                stopped = true;
                if (stage.drain && !decompressor->isStopped()) {
                    // Check the rest of what is read: the decoder goes on with the rest of this chunk.
                    draining = true;
                    m_visitorStopped = true; // before the main thread may ask for more
                    QMetaObject::invokeMethod(this, &LayerPipeline::onVisitorStopped, Qt::QueuedConnection);
                    if (done + n < size) {
                        const Status rest = decompressor->feed(data + done + n, size - done - n);
                        if (!rest)
                            drainError = rest.error();
                    }
                    return true;
                }
                return false;
            }
        }
        return true;
    };
    auto startDecoder = [&](const char *data, qint64 size) -> bool {
        m_format = Decompressor::detect(data, size);
        decompressor = m_decoderFactory ? m_decoderFactory(m_format) : Decompressor::create(m_format);
        decompressor->setSink([&stage](const char *d, qint64 n) { return stage(d, n); });
        return feedDecoder(data, size);
    };

    for (;;) {
        QByteArray chunk;
        const ChunkQueue::Pop pop = m_queue->pop(&chunk);
        if (pop == ChunkQueue::Pop::Aborted || m_cancelFlag.load())
            break;
        if (pop == ChunkQueue::Pop::End) {
            if (tar) {
                if (!decompressor && !head.isEmpty() && !startDecoder(head.constData(), head.size())) {
                    // error or stop reported below
                } else if (!decompressor) {
                    error = Error(Error::Code::Corrupt, tr("the layer blob is empty"));
                }
                if (!error.isError() && !stopped && decompressor && !m_limitReached.load()) {
                    Status s = decompressor->finish();
                    if (s && stage.error.isError())
                        s = stage.error;
                    if (s && !tar->isDone())
                        s = tar->finish();
                    if (!s)
                        error = s.error();
                }
            }
            const bool whole = offset == m_source.layer.size;
            if (draining && whole && !drainError.isError()) {
                const Status s = decompressor->finish(); // a truncated stream is caught here
                if (!s)
                    drainError = s.error();
            }
            if (!error.isError() && (!stopped || draining) && hashing && whole) {
                const QString actual = sha.digestString();
                if (actual != m_source.layer.digest)
                    error = Error(Error::Code::DigestMismatch, tr("content does not match its digest"),
                        tr("expected %1, got %2").arg(m_source.layer.digest, actual));
                else if (!drainError.isError())
                    m_digestVerified = true;
            }
            if (!error.isError() && drainError.isError())
                error = drainError;
            break;
        }

        const char *data = chunk.constData();
        const qint64 size = chunk.size();
        if (hashing)
            sha.addData(data, size);
        if (m_rawSink) {
            const Status s = m_rawSink(offset, data, size);
            if (!s) {
                error = s.error();
                break;
            }
        }
        offset += size;
        if (tar) {
            bool go = true;
            if (decompressor) {
                go = feedDecoder(data, size);
            } else if (head.isEmpty() && size >= 4) {
                go = startDecoder(data, size);
            } else {
                head.append(chunk);
                if (head.size() >= 4) {
                    go = startDecoder(head.constData(), head.size());
                    head.clear();
                }
            }
            if (!go && (error.isError() || stopped))
                break;
            if (!go)
                break; // cancelled
        }
        m_processed = offset;
        postProgress();
    }
    if (decompressor)
        decompressor->setSink({}); // its sink refers to this function's stage
    m_workerEnded = true; // before m_processed moves: a pending progress event must not ask for more
    m_processed = offset;
    workerFinishing();
    const bool stoppedEarly = stopped;
    QMetaObject::invokeMethod(
        this, [this, error, stoppedEarly]() { onWorkerDone(error, stoppedEarly); }, Qt::QueuedConnection);
}

} // namespace ll::stream
