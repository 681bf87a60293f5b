#include "stream/GzipZlibDecompressor.h"

#include "common/Logging.h"

#include <zlib.h>

#include <algorithm>

namespace ll::stream {

namespace {
constexpr qint64 MaxInputPerCall = qint64(1) << 30; // zlib's uInt lengths
}

GzipZlibDecompressor::GzipZlibDecompressor() : GzipZlibDecompressor(false)
{ }

GzipZlibDecompressor::GzipZlibDecompressor(bool blockBoundaries)
    : m_zs(std::make_unique<z_stream_s>())
    , m_out(std::make_unique<unsigned char[]>(OutputBufferSize))
    , m_blockBoundaries(blockBoundaries)
{ }

GzipZlibDecompressor::~GzipZlibDecompressor()
{
    if (m_initialized)
        inflateEnd(m_zs.get());
}

Status GzipZlibDecompressor::fail(const QString &what, const QString &detail, qint64 offset)
{
    m_error = Error(Error::Code::Corrupt, QStringLiteral("%1 at compressed offset %2").arg(what).arg(offset), detail);
    qCDebug(llStream) << "gzip (zlib):" << m_error.toString();
    return m_error;
}

Status GzipZlibDecompressor::feed(const char *data, qint64 size)
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (size <= 0)
        return {};
    m_totalIn += size;

    const auto *p = reinterpret_cast<const unsigned char *>(data);
    qint64 left = size;
    z_stream *zs = m_zs.get();
    while (left > 0) {
        switch (m_phase) {
        case Phase::Padding: {
            const unsigned char *end = p + left;
            const unsigned char *bad = std::find_if(p, end, [](unsigned char c) { return c != 0; });
            if (bad != end) {
                startTrailing(m_consumed + (bad - p));
                continue;
            }
            m_consumed += left;
            return {};
        }
        case Phase::Trailing:
            m_consumed += left;
            return {};
        case Phase::BetweenMembers:
            if (*p == 0 && m_members > 0) {
                m_phase = Phase::Padding;
                continue;
            }
            if (m_heldMagic && p[0] != 0x8b) {
                m_heldMagic = false;
                startTrailing(m_consumed - 1);
                continue;
            }
            if (m_members > 0 && !m_heldMagic && (p[0] != 0x1f || (left > 1 && p[1] != 0x8b))) {
                startTrailing(m_consumed);
                continue;
            }
            if (m_members > 0 && !m_heldMagic && left == 1) {
                m_heldMagic = true; // a 0x1f ends this chunk: the next byte tells a member from trailing data
                m_consumed += 1;
                return {};
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
            memberStarting(m_heldMagic ? m_consumed - 1 : m_consumed);
            if (m_heldMagic) {
                static const unsigned char magic = 0x1f;
                zs->next_in = const_cast<unsigned char *>(&magic);
                zs->avail_in = 1;
                zs->next_out = m_out.get();
                zs->avail_out = uInt(OutputBufferSize);
                inflate(zs, Z_NO_FLUSH); // header byte only: no output, no error yet
                m_heldMagic = false;
            }
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
                const int ret = inflate(zs, m_blockBoundaries ? Z_BLOCK : Z_NO_FLUSH);
                const qint64 out = OutputBufferSize - zs->avail_out;
                if (out > 0) {
                    produced(m_out.get(), out);
                    if (!emitOutput(reinterpret_cast<const char *>(m_out.get()), out))
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
                // Z_BLOCK returns at each block boundary (bit 128 of data_type; 64: after the member's last block).
                if (m_blockBoundaries && (zs->data_type & 128) && !(zs->data_type & 64))
                    blockBoundary(m_consumed + (chunk - zs->avail_in), zs->data_type & 7);
                if (zs->avail_out != 0 || ret == Z_BUF_ERROR)
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
    return {};
}

void GzipZlibDecompressor::startTrailing(qint64 offset)
{
    m_phase = Phase::Trailing;
    noteTrailingData(offset);
}

Status GzipZlibDecompressor::finish()
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (m_phase == Phase::InMember || m_members == 0 || m_heldMagic)
        return fail(QStringLiteral("truncated gzip stream"), {}, m_consumed);
    return {};
}

} // namespace ll::stream
