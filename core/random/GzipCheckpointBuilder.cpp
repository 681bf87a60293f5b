#include "random/GzipCheckpointBuilder.h"

#include "common/Logging.h"
#include "common/Sha256.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace ll::random {

namespace {
constexpr qint64 MaxInputPerCall = qint64(1) << 30; // zlib's uInt lengths
}

GzipCheckpointBuilder::GzipCheckpointBuilder(qint64 span)
    : m_span(qMax<qint64>(WindowSize, span))
    , m_zs(std::make_unique<z_stream_s>())
    , m_out(std::make_unique<unsigned char[]>(OutputBufferSize))
    , m_ring(std::make_unique<unsigned char[]>(WindowSize))
    , m_spanHash(std::make_unique<Sha256>())
{ }

GzipCheckpointBuilder::~GzipCheckpointBuilder()
{
    if (m_initialized)
        inflateEnd(m_zs.get());
}

Status GzipCheckpointBuilder::fail(const QString &what, const QString &detail, qint64 offset)
{
    m_error = Error(Error::Code::Corrupt, QStringLiteral("%1 at compressed offset %2").arg(what).arg(offset), detail);
    qCDebug(llRandom) << "gzip checkpoints:" << m_error.toString();
    return m_error;
}

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

void GzipCheckpointBuilder::remember(const unsigned char *data, qint64 size)
{
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
    p.uncompressedOffset = m_totalOut;
    p.memberStart = memberStart;
    if (!memberStart)
        p.window = window();
    if (!m_points.points.isEmpty()) {
        hashUpTo(p.spanStart());
        m_points.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
        m_spanHash->reset();
    }
    m_points.points.append(p);
    m_lastPointOut = m_totalOut;
}

Status GzipCheckpointBuilder::feed(const char *data, qint64 size)
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (size <= 0)
        return {};
    m_totalIn += size;

    const auto *p = reinterpret_cast<const unsigned char *>(data);
    m_buf = p;
    m_bufBase = m_consumed;
    m_bufSize = size;
    qint64 left = size;
    z_stream *zs = m_zs.get();
    while (left > 0) {
        switch (m_phase) {
        case Phase::Padding: {
            const unsigned char *end = p + left;
            const unsigned char *bad = std::find_if(p, end, [](unsigned char c) { return c != 0; });
            if (bad != end)
                return fail(QStringLiteral("trailing garbage after gzip stream"), {}, m_consumed + (bad - p));
            m_consumed += left;
            left = 0;
            break;
        }
        case Phase::BetweenMembers:
            if (*p == 0 && m_members > 0) {
                m_phase = Phase::Padding;
                continue;
            }
            if (!m_initialized) {
                *zs = z_stream {};
                if (inflateInit2(zs, 15 + 16) != Z_OK) {
                    m_error = Error(Error::Code::Internal, QStringLiteral("zlib inflateInit2 failed"));
                    return m_error;
                }
                m_initialized = true;
            } else {
                inflateReset(zs);
            }
            m_memberOut = 0;
            m_ringPos = 0;
            if (m_points.points.isEmpty() || m_totalOut - m_lastPointOut >= m_span)
                addPoint(m_consumed, 0, true);
            m_phase = Phase::InMember;
            continue;
        case Phase::InMember: {
            const qint64 chunk = std::min(left, MaxInputPerCall);
            zs->next_in = const_cast<unsigned char *>(p);
            zs->avail_in = uInt(chunk);
            bool memberDone = false;
            for (;;) {
                zs->next_out = m_out.get();
                zs->avail_out = uInt(OutputBufferSize);
                const int ret = inflate(zs, Z_BLOCK);
                const qint64 produced = OutputBufferSize - zs->avail_out;
                if (produced > 0) {
                    remember(m_out.get(), produced);
                    if (!emitOutput(reinterpret_cast<const char *>(m_out.get()), produced))
                        return {};
                }
                if (ret == Z_STREAM_END) {
                    memberDone = true;
                    break;
                }
                if (ret != Z_OK && ret != Z_BUF_ERROR)
                    return fail(QStringLiteral("corrupt gzip data"),
                        zs->msg ? QString::fromLatin1(zs->msg) : QStringLiteral("zlib error %1").arg(ret),
                        m_consumed + (chunk - zs->avail_in));
                // At a block boundary (not after the last block) once a span of output has come: a checkpoint.
                if ((zs->data_type & 128) && !(zs->data_type & 64) && m_memberOut > 0
                    && m_totalOut - m_lastPointOut >= m_span)
                    addPoint(m_consumed + (chunk - zs->avail_in), zs->data_type & 7, false);
                if (ret == Z_BUF_ERROR || (zs->avail_in == 0 && zs->avail_out != 0))
                    break; // all input taken (or no progress possible without more)
            }
            const qint64 used = chunk - zs->avail_in;
            p += used;
            left -= used;
            m_consumed += used;
            if (memberDone) {
                ++m_members;
                m_phase = Phase::BetweenMembers;
            }
            break;
        }
        }
    }
    // Hash all but the last byte: the next boundary may begin inside it.
    hashUpTo(m_bufBase + m_bufSize - 1);
    if (m_hashed == m_bufBase + m_bufSize - 1)
        m_held = m_buf[m_bufSize - 1];
    m_buf = nullptr;
    m_bufSize = 0;
    m_bufBase = m_consumed;
    return {};
}

Status GzipCheckpointBuilder::finish()
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (m_phase == Phase::InMember || m_members == 0)
        return fail(QStringLiteral("truncated gzip stream"), {}, m_consumed);
    hashUpTo(m_consumed); // the held byte
    if (!m_points.points.isEmpty())
        m_points.points.last().spanSha256 = QByteArray::fromHex(m_spanHash->hexResult());
    m_points.compressedSize = m_consumed;
    m_points.uncompressedSize = m_totalOut;
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
