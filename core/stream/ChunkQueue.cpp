#include "stream/ChunkQueue.h"

namespace ll::stream {

namespace {

// What a queued chunk costs in memory: a chunk handed over without a copy (QIODevice's own buffer) may sit
// in a bigger allocation than the bytes it holds, and the bound is about memory.
qint64 footprint(const QByteArray &chunk)
{
    return qMax<qint64>(chunk.size(), chunk.capacity());
}

} // namespace

bool ChunkQueue::push(QByteArray chunk)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_aborted)
            return false;
        m_bytes += footprint(chunk);
        m_chunks.push_back(std::move(chunk));
    }
    m_cond.notify_one();
    return true;
}

void ChunkQueue::finish()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_finished = true;
    }
    m_cond.notify_all();
}

void ChunkQueue::abort()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_aborted = true;
        m_chunks.clear();
        m_bytes = 0;
    }
    m_cond.notify_all();
}

ChunkQueue::Pop ChunkQueue::pop(QByteArray *chunk)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cond.wait(lock, [this] { return m_aborted || !m_chunks.empty() || m_finished; });
    if (m_aborted)
        return Pop::Aborted;
    if (m_chunks.empty())
        return Pop::End;
    *chunk = std::move(m_chunks.front());
    m_chunks.pop_front();
    m_bytes -= footprint(*chunk);
    return Pop::Chunk;
}

bool ChunkQueue::hasRoom() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_bytes < m_capacity;
}

qint64 ChunkQueue::queuedBytes() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_bytes;
}

bool ChunkQueue::isAborted() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_aborted;
}

} // namespace ll::stream
