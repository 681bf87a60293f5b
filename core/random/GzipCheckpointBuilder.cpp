#include "random/GzipCheckpointBuilder.h"

#include "common/Sha256.h"

#include <zlib.h>

#include <cstring>

namespace ll::random {

GzipCheckpointBuilder::GzipCheckpointBuilder(qint64 span)
    : stream::GzipZlibDecompressor(true)
    , m_span(qMax<qint64>(WindowSize, span))
    , m_ring(std::make_unique<unsigned char[]>(WindowSize))
    , m_spanHash(std::make_unique<Sha256>())
{ }

GzipCheckpointBuilder::~GzipCheckpointBuilder() = default;

void GzipCheckpointBuilder::hashUpTo(qint64 offset)
{
    if (offset <= m_hashed)
        return;
    if (m_hashed < m_bufBase) { // the held byte (m_hashed == m_bufBase - 1)
        m_spanHash->addData(reinterpret_cast<const char *>(&m_held), 1);
        ++m_hashed;
    }
    const qint64 end = qMin(offset, m_bufBase + m_bufSize);
    if (end > m_hashed)
        m_spanHash->addData(reinterpret_cast<const char *>(m_buf + (m_hashed - m_bufBase)), end - m_hashed);
    m_hashed = qMax(m_hashed, end);
}

void GzipCheckpointBuilder::produced(const unsigned char *data, qint64 size)
{
    m_out += size;
    m_memberOut += size;
    if (size >= WindowSize) {
        std::memcpy(m_ring.get(), data + size - WindowSize, WindowSize);
        m_ringPos = 0;
        return;
    }
    const qint64 first = qMin(size, WindowSize - m_ringPos);
    std::memcpy(m_ring.get() + m_ringPos, data, size_t(first));
    std::memcpy(m_ring.get(), data + first, size_t(size - first));
    m_ringPos = (m_ringPos + size) % WindowSize;
}

QByteArray GzipCheckpointBuilder::window() const
{
    const qint64 n = qMin<qint64>(m_memberOut, WindowSize);
    QByteArray raw(int(n), Qt::Uninitialized);
    // The last n bytes, oldest first: they end just before m_ringPos.
    const qint64 start = (m_ringPos - n + WindowSize) % WindowSize;
    const qint64 first = qMin(n, WindowSize - start);
    std::memcpy(raw.data(), m_ring.get() + start, size_t(first));
    std::memcpy(raw.data() + first, m_ring.get(), size_t(n - first));
    uLongf bound = compressBound(uLong(n));
    QByteArray packed(int(bound), Qt::Uninitialized);
    if (compress2(reinterpret_cast<Bytef *>(packed.data()), &bound, reinterpret_cast<const Bytef *>(raw.constData()),
            uLong(n), 6)
        != Z_OK)
        return {};
    packed.resize(int(bound));
    return packed;
}

void GzipCheckpointBuilder::addPoint(qint64 compressedOffset, int bits, bool memberStart)
{
    GzipCheckpoint p;
    p.compressedOffset = compressedOffset;
    p.bits = bits;
    p.uncompressedOffset = m_out;
    p.memberStart = memberStart;
    if (!memberStart)
        p.window = window();
    if (!m_points.points.isEmpty()) {
        hashUpTo(p.spanStart());
        m_points.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
        m_spanHash->reset();
    }
    m_points.points.append(p);
    m_lastPointOut = m_out;
}

void GzipCheckpointBuilder::memberStarting(qint64 offset)
{
    m_memberOut = 0;
    m_ringPos = 0;
    if (m_points.points.isEmpty() || m_out - m_lastPointOut >= m_span)
        addPoint(offset, 0, true);
}

void GzipCheckpointBuilder::blockBoundary(qint64 offset, int bits)
{
    // Once a span of output has come: a checkpoint (none at a member's very start: memberStarting has it).
    if (m_memberOut > 0 && m_out - m_lastPointOut >= m_span)
        addPoint(offset, bits, false);
}

Status GzipCheckpointBuilder::feed(const char *data, qint64 size)
{
    if (size <= 0 || isStopped())
        return GzipZlibDecompressor::feed(data, size);
    m_buf = reinterpret_cast<const unsigned char *>(data);
    m_bufBase = consumed();
    m_bufSize = size;
    const Status s = GzipZlibDecompressor::feed(data, size);
    if (s) {
        // Hash all but the last byte: the next boundary may begin inside it.
        hashUpTo(m_bufBase + m_bufSize - 1);
        if (m_hashed == m_bufBase + m_bufSize - 1)
            m_held = m_buf[m_bufSize - 1];
    }
    m_buf = nullptr;
    m_bufSize = 0;
    m_bufBase = consumed();
    return s;
}

Status GzipCheckpointBuilder::finish()
{
    const Status s = GzipZlibDecompressor::finish();
    if (!s || isStopped())
        return s;
    m_bufBase = consumed();
    hashUpTo(consumed()); // the held byte
    if (!m_points.points.isEmpty())
        m_points.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
    m_points.compressedSize = consumed();
    m_points.uncompressedSize = m_out;
    m_finished = true;
    return {};
}

GzipCheckpoints GzipCheckpointBuilder::takeCheckpoints()
{
    if (!m_finished)
        return {};
    return std::move(m_points);
}

} // namespace ll::random
