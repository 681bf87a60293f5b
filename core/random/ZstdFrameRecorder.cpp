#include "random/ZstdFrameRecorder.h"

#include "common/Logging.h"
#include "common/Sha256.h"

namespace ll::random {

namespace {

constexpr quint32 FrameMagic = 0xFD2FB528u;
constexpr quint32 SkippableMask = 0xFFFFFFF0u;
constexpr quint32 SkippableMagic = 0x184D2A50u;

quint32 le(const QByteArray &b, int at, int n)
{
    quint32 v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | quint8(b.at(at + i));
    return v;
}

} // namespace

ZstdFrameRecorder::ZstdFrameRecorder(qint64 minSpan)
    : m_minSpan(qMax<qint64>(1, minSpan)), m_spanHash(std::make_unique<Sha256>())
{
    m_frames.points.append(ZstdFrame {}); // offset 0: the blob's start (a frame, or a skippable one)
}

ZstdFrameRecorder::~ZstdFrameRecorder() = default;

void ZstdFrameRecorder::frameEnded(qint64 compressedOffset)
{
    m_ends.append({ compressedOffset, totalOut() });
}

Status ZstdFrameRecorder::feed(const char *data, qint64 size)
{
    if (size <= 0 || isStopped())
        return ZstdDecompressor::feed(data, size);
    const qint64 base = totalIn();
    m_ends.clear();
    const Status s = ZstdDecompressor::feed(data, size);
    if (!s || isStopped() || !m_refusal.isEmpty())
        return s;
    // The bytes up to each frame end, then the next frame's header from there.
    for (const QPair<qint64, qint64> &end : std::as_const(m_ends)) {
        take(data + (m_taken - base), end.first - m_taken);
        if (m_frameStart >= 0) // a frame shorter than its header fields (only a skippable frame can be)
            decideFrame(true);
        m_frameStart = end.first;
        m_frameOut = end.second;
        m_header.clear();
    }
    take(data + (m_taken - base), base + size - m_taken);
    return s;
}

void ZstdFrameRecorder::take(const char *data, qint64 size)
{
    if (size <= 0)
        return;
    m_taken += size;
    if (m_frameStart < 0) {
        hash(data, size);
        return;
    }
    const qint64 n = qMin<qint64>(size, 18 - m_header.size()); // ZSTD_FRAMEHEADERSIZE_MAX
    m_header.append(data, int(n));
    decideFrame();
    if (m_frameStart < 0)
        hash(data + n, size - n);
    else
        Q_ASSERT(n == size);
}

void ZstdFrameRecorder::decideFrame(bool force)
{
    // Enough of the header to tell what the frame is: its magic, then (a zstd frame) whether it names a
    // dictionary. m_header holds up to 18 bytes; a frame ending sooner (force) is no checkpoint.
    const QByteArray &h = m_header;
    bool checkpoint = false;
    bool decided = false;
    if (h.size() >= 4) {
        const quint32 magic = le(h, 0, 4);
        if ((magic & SkippableMask) == SkippableMagic) {
            decided = true; // never a checkpoint; its bytes stay in the current span
        } else if (magic != FrameMagic) {
            m_refusal = QStringLiteral("unknown zstd frame at offset %1").arg(m_frameStart);
        } else if (h.size() >= 5) {
            const quint8 fhd = quint8(h.at(4));
            const int dictBytes = (fhd & 3) == 3 ? 4 : (fhd & 3);
            const int at = 5 + ((fhd & 0x20) ? 0 : 1); // a window descriptor unless single-segment
            if (h.size() >= at + dictBytes) {
                decided = true;
                if (dictBytes && le(h, at, dictBytes) != 0)
                    m_refusal = QStringLiteral("zstd frame at offset %1 needs dictionary %2")
                                    .arg(m_frameStart)
                                    .arg(le(h, at, dictBytes));
                else
                    checkpoint = true;
            }
        }
    }
    if (!m_refusal.isEmpty()) {
        qCDebug(llRandom).noquote() << "no frame checkpoints:" << m_refusal;
        m_frames.points.clear();
        m_frameStart = -1;
        return;
    }
    if (!decided && !force && h.size() < 18)
        return; // more header bytes to come
    const ZstdFrame &last = m_frames.points.constLast();
    if (checkpoint && m_frameStart - last.compressedOffset >= m_minSpan && m_frameOut > last.uncompressedOffset) {
        m_frames.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
        m_spanHash->reset();
        m_frames.points.append(ZstdFrame { m_frameStart, m_frameOut, {} });
    }
    m_frameStart = -1;
    hash(h.constData(), h.size());
}

void ZstdFrameRecorder::hash(const char *data, qint64 size)
{
    if (size > 0 && m_refusal.isEmpty())
        m_spanHash->addData(data, size);
}

Status ZstdFrameRecorder::finish()
{
    const Status s = ZstdDecompressor::finish();
    if (!s || isStopped() || !m_refusal.isEmpty())
        return s;
    // The last frame ended at the blob's end: m_header is empty (nothing after it). Anything held is hashed.
    hash(m_header.constData(), m_header.size());
    m_header.clear();
    m_frameStart = -1;
    if (m_taken != totalIn()) // every byte fed went through take()
        return s;
    m_frames.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
    m_frames.compressedSize = totalIn();
    m_frames.uncompressedSize = totalOut();
    m_finished = true;
    return s;
}

ZstdFrames ZstdFrameRecorder::takeFrames()
{
    // One frame: nothing worth keeping (one span = the layer). A last checkpoint before empty frames only (pzstd
    // closes with one) holds no output: it does not count.
    const int useful = int(m_frames.points.size())
        - (!m_frames.points.isEmpty() && m_frames.points.constLast().uncompressedOffset == totalOut() ? 1 : 0);
    if (!m_finished || useful < 2)
        return {};
    return std::move(m_frames);
}

} // namespace ll::random
