#pragma once

#include <QByteArray>

#include <condition_variable>
#include <deque>
#include <mutex>

namespace ll::stream {

/**
 * Bounded hand-off of network chunks from the main thread (producer, never blocks) to the
 * pipeline worker (consumer, blocks). The producer stops reading the reply while the queue is
 * full, so Qt's bounded read buffer turns into TCP backpressure.
 */
class ChunkQueue
{
public:
    explicit ChunkQueue(qint64 capacityBytes) : m_capacity(capacityBytes) { }

    enum class Pop { Chunk, End, Aborted };

    /** Producer: enqueue (moves, no copy of the bytes). false when aborted. */
    bool push(QByteArray chunk);
    /** Producer: no more chunks will come. */
    void finish();
    /** Either side: stop everything; pop() returns Aborted. */
    void abort();

    /** Consumer: waits for the next chunk, the end, or an abort. */
    Pop pop(QByteArray *chunk);

    bool hasRoom() const;
    /** Memory held by the queued chunks (their allocations, which may exceed their sizes). */
    qint64 queuedBytes() const;
    bool isAborted() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cond;
    std::deque<QByteArray> m_chunks;
    qint64 m_capacity;
    qint64 m_bytes = 0;
    bool m_finished = false;
    bool m_aborted = false;
};

} // namespace ll::stream
