#include "stream/GzipIsalDecompressor.h"

#include "common/Logging.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>

namespace ll::stream {

namespace {

    // isal_inflate takes 32-bit lengths.
    constexpr qint64 MaxInputPerCall = qint64(1) << 30;

    QString isalErrorName(int code)
    {
        switch (code) {
        case ISAL_INVALID_BLOCK:
            return QStringLiteral("invalid deflate block");
        case ISAL_INVALID_SYMBOL:
            return QStringLiteral("invalid deflate symbol");
        case ISAL_INVALID_LOOKBACK:
            return QStringLiteral("invalid lookback distance");
        case ISAL_INVALID_WRAPPER:
            return QStringLiteral("invalid gzip header");
        case ISAL_UNSUPPORTED_METHOD:
            return QStringLiteral("unsupported compression method");
        case ISAL_INCORRECT_CHECKSUM:
            return QStringLiteral("CRC32 or size mismatch");
        case ISAL_NEED_DICT:
            return QStringLiteral("dictionary required");
        }
        return QStringLiteral("isal_inflate error %1").arg(code);
    }

} // namespace

GzipIsalDecompressor::GzipIsalDecompressor()
    : m_state(std::make_unique<inflate_state>()), m_out(std::make_unique<unsigned char[]>(OutputBufferSize))
{ }

GzipIsalDecompressor::~GzipIsalDecompressor() = default;

Status GzipIsalDecompressor::fail(const QString &what, const QString &detail, qint64 offset)
{
    m_error = Error(Error::Code::Corrupt, QStringLiteral("%1 at compressed offset %2").arg(what).arg(offset), detail);
    qCDebug(llStream) << "gzip (isa-l):" << m_error.toString();
    return m_error;
}

Status GzipIsalDecompressor::feed(const char *data, qint64 size)
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
    while (left > 0) {
        switch (m_phase) {
        case Phase::Padding: {
            const unsigned char *end = p + left;
            const unsigned char *bad = std::find_if(p, end, [](unsigned char c) { return c != 0; });
            if (bad != end)
                return fail(QStringLiteral("trailing garbage after gzip stream"), {}, m_consumed + (bad - p));
            m_consumed += left;
            return {};
        }
        case Phase::BetweenMembers:
            if (*p == 0 && m_members > 0) {
                m_phase = Phase::Padding;
                continue;
            }
            isal_inflate_init(m_state.get());
            m_state->crc_flag = ISAL_GZIP;
            m_phase = Phase::InMember;
            continue;
        case Phase::InMember: {
            const qint64 chunk = std::min(left, MaxInputPerCall);
            inflate_state *s = m_state.get();
            s->next_in = const_cast<unsigned char *>(p);
            s->avail_in = uint32_t(chunk);
            bool memberDone = false;
            for (;;) {
                s->next_out = m_out.get();
                s->avail_out = uint32_t(OutputBufferSize);
                const uint32_t inBefore = s->avail_in;
                const int ret = isal_inflate(s);
                const qint64 produced = OutputBufferSize - s->avail_out;
                if (produced > 0 && !emitOutput(reinterpret_cast<const char *>(m_out.get()), produced))
                    return {};
                if (ret < 0)
                    return fail(
                        QStringLiteral("corrupt gzip data"), isalErrorName(ret), m_consumed + (chunk - s->avail_in));
                if (s->block_state == ISAL_BLOCK_FINISH) {
                    memberDone = true;
                    break;
                }
                if (s->avail_in == 0 && s->avail_out != 0)
                    break;
                if (produced == 0 && s->avail_in == inBefore)
                    return fail(
                        QStringLiteral("gzip decoder made no progress"), {}, m_consumed + (chunk - s->avail_in));
            }
            const qint64 used = chunk - s->avail_in;
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

Status GzipIsalDecompressor::finish()
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (m_phase == Phase::InMember || m_members == 0)
        return fail(QStringLiteral("truncated gzip stream"), {}, m_consumed);
    return {};
}

} // namespace ll::stream
