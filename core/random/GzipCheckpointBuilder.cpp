#include "random/GzipCheckpointBuilder.h"

#include "common/Logging.h"
#include "common/Sha256.h"
#include "random/WindowProbe.h"

#include <zlib.h>

#include <cstring>

namespace ll::random {

namespace {
/** Per-checkpoint bytes besides the window (offsets, bits, flag, length), as GzipCheckpoints::storageSize. */
constexpr qint64 PointOverhead = 8 + 1 + 8 + 1 + 4;
} // namespace

GzipCheckpointBuilder::GzipCheckpointBuilder(qint64 span, qint64 compressedSpan, qint64 pieceSize)
    : stream::GzipZlibDecompressor(true)
    , m_span(qMax<qint64>(WindowSize, span))
    , m_compressedSpan(compressedSpan > 0 ? qMax<qint64>(WindowSize, compressedSpan) : 0)
    , m_pieceSize(qBound<qint64>(512, pieceSize, qint64(1) << 24))
    , m_ring(std::make_unique<unsigned char[]>(WindowSize))
    , m_pieceHash(std::make_unique<Sha256>())
{
    m_points.pieceSize = m_pieceSize;
}

GzipCheckpointBuilder::~GzipCheckpointBuilder() = default;

void GzipCheckpointBuilder::produced(const unsigned char *data, qint64 size)
{
    if (m_probe && !m_probe->isDone()) {
        m_probe->takeOutput(data, size);
        if (m_probe->isDone())
            settleProbe();
    }
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

QByteArray GzipCheckpointBuilder::lastOutput() const
{
    const qint64 n = qMin<qint64>(m_memberOut, WindowSize);
    QByteArray raw(int(n), Qt::Uninitialized);
    // The last n bytes, oldest first: they end just before m_ringPos.
    const qint64 start = (m_ringPos - n + WindowSize) % WindowSize;
    const qint64 first = qMin(n, WindowSize - start);
    std::memcpy(raw.data(), m_ring.get() + start, size_t(first));
    std::memcpy(raw.data() + first, m_ring.get(), size_t(n - first));
    return raw;
}

void GzipCheckpointBuilder::settleProbe()
{
    if (!m_probe)
        return;
    const QByteArray raw = m_probe->cutWindow();
    const int used = m_probe->usedBytes();
    m_probe.reset();
    uLongf bound = compressBound(uLong(raw.size()));
    QByteArray packed(int(bound), Qt::Uninitialized);
    if (compress2(reinterpret_cast<Bytef *>(packed.data()), &bound, reinterpret_cast<const Bytef *>(raw.constData()),
            uLong(raw.size()), 6)
        != Z_OK)
        return; // no checkpoint here (zlib failed to allocate): the next one will do
    packed.resize(int(bound));
    const qint64 cost = packed.size() + PointOverhead;
    if (!m_pendingForced && double(m_windowBytes + cost) > WindowBudget * double(m_pending.uncompressedOffset)) {
        ++m_dropped;
        m_nextTryIn = m_pending.spanStart() + m_compressedSpan;
        return;
    }
    qCDebug(llRandom).nospace() << "checkpoint at " << m_pending.compressedOffset << "/" << m_pending.uncompressedOffset
                                << ": window " << used << " of " << raw.size() << " bytes used, " << packed.size()
                                << " stored";
    m_pending.window = std::move(packed);
    m_windowBytes += cost;
    m_lastPointOut = m_pending.uncompressedOffset;
    m_lastPointIn = m_pending.spanStart();
    m_points.points.append(std::move(m_pending));
    m_pending = GzipCheckpoint();
}

void GzipCheckpointBuilder::memberStarting(qint64 offset)
{
    if (m_probe) { // the member ended: the probe saw everything that could copy its window
        m_probe->memberEnded();
        settleProbe();
    }
    m_memberOut = 0;
    m_ringPos = 0;
    if (m_points.points.isEmpty() || m_out - m_lastPointOut >= m_span
        || (m_compressedSpan > 0 && offset - m_lastPointIn >= m_compressedSpan)) {
        GzipCheckpoint p; // a member's start needs no window: free
        p.compressedOffset = offset;
        p.uncompressedOffset = m_out;
        p.memberStart = true;
        m_windowBytes += PointOverhead;
        m_lastPointOut = m_out;
        m_lastPointIn = offset;
        m_points.points.append(p);
    }
}

void GzipCheckpointBuilder::blockBoundary(qint64 offset, int bits)
{
    // None at a member's very start (memberStarting has it), none while a window is being cut.
    if (m_memberOut == 0 || m_probe)
        return;
    const bool forced = m_out - m_lastPointOut >= m_span;
    const bool compressed = m_compressedSpan > 0 && offset - m_lastPointIn >= m_compressedSpan && offset >= m_nextTryIn;
    if (!forced && !compressed)
        return;
    m_pending = GzipCheckpoint();
    m_pending.compressedOffset = offset;
    m_pending.bits = bits;
    m_pending.uncompressedOffset = m_out;
    m_pendingForced = forced;
    unsigned char prime = 0;
    if (bits) {
        const qint64 at = offset - 1;
        prime = at >= m_bufBase ? m_buf[at - m_bufBase] : m_prevByte;
    }
    m_probe = std::make_unique<WindowProbe>(lastOutput(), bits, prime);
    // The shadows start with the rest of this slice; later slices are added as they come.
    if (offset < m_bufBase + m_bufSize)
        m_probe->addInput(m_buf + (offset - m_bufBase), m_bufBase + m_bufSize - offset);
    if (m_probe->isDone())
        settleProbe();
}

void GzipCheckpointBuilder::feedSlice(const char *data, qint64 size)
{
    m_buf = reinterpret_cast<const unsigned char *>(data);
    m_bufBase = m_fed;
    m_bufSize = size;
    if (m_probe)
        m_probe->addInput(m_buf, size);
}

Status GzipCheckpointBuilder::feed(const char *data, qint64 size)
{
    if (size <= 0 || isStopped())
        return GzipZlibDecompressor::feed(data, size);
    while (size > 0) {
        // Slices end at piece boundaries: each piece's hash and the output reached at its end.
        const qint64 pieceEnd = (qint64(m_points.pieces.size()) + 1) * m_pieceSize;
        const qint64 n = qMin(size, pieceEnd - m_fed);
        feedSlice(data, n);
        const Status s = GzipZlibDecompressor::feed(data, n);
        m_buf = nullptr;
        if (!s || isStopped())
            return s;
        m_pieceHash->addData(data, n);
        m_fed += n;
        m_prevByte = static_cast<unsigned char>(data[n - 1]);
        if (m_fed == pieceEnd) {
            GzipPiece piece;
            piece.sha256 = QByteArray::fromHex(m_pieceHash->hexResult());
            piece.outEnd = m_out;
            m_points.pieces.append(piece);
            m_pieceHash->reset();
        }
        data += n;
        size -= n;
    }
    return {};
}

Status GzipCheckpointBuilder::finish()
{
    const Status s = GzipZlibDecompressor::finish();
    if (!s || isStopped())
        return s;
    if (m_probe) { // the stream ended: nothing more copies the window
        m_probe->memberEnded();
        settleProbe();
    }
    if (m_fed > qint64(m_points.pieces.size()) * m_pieceSize) {
        GzipPiece piece;
        piece.sha256 = QByteArray::fromHex(m_pieceHash->hexResult());
        piece.outEnd = m_out;
        m_points.pieces.append(piece);
    }
    m_points.compressedSize = m_fed;
    m_points.uncompressedSize = m_out;
    if (const QString why = m_points.validate(); !why.isEmpty()) {
        qCWarning(llRandom).noquote() << "checkpoints not kept:" << why;
        return {};
    }
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
