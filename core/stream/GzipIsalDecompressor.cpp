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

namespace {

constexpr qint64 HeaderIncomplete = -1;
constexpr qint64 HeaderNotGzip = -2;
constexpr qint64 MaxBufferedHeader = qint64(1) << 20;

/** Length of the gzip member header at p (RFC 1952: FEXTRA, FNAME, FCOMMENT, FHCRC), or HeaderIncomplete. */
qint64 gzipHeaderLength(const unsigned char *p, qint64 n)
{
    if ((n >= 1 && p[0] != 0x1f) || (n >= 2 && p[1] != 0x8b) || (n >= 3 && p[2] != 8))
        return HeaderNotGzip;
    if (n < 10)
        return HeaderIncomplete;
    const unsigned char flags = p[3];
    qint64 pos = 10;
    if (flags & 0x04) {
        if (n < pos + 2)
            return HeaderIncomplete;
        pos += 2 + (qint64(p[pos]) | (qint64(p[pos + 1]) << 8));
    }
    for (const unsigned char bit : { 0x08, 0x10 }) { // zero-terminated name, comment
        if (!(flags & bit))
            continue;
        if (pos >= n)
            return HeaderIncomplete;
        const void *nul = std::memchr(p + pos, 0, size_t(n - pos));
        if (!nul)
            return HeaderIncomplete;
        pos = static_cast<const unsigned char *>(nul) - p + 1;
    }
    if (flags & 0x02)
        pos += 2;
    return pos <= n ? pos : HeaderIncomplete;
}

} // namespace

Status GzipIsalDecompressor::inflateSome(
    const unsigned char *p, qint64 n, qint64 baseOffset, qint64 *used, bool *memberDone)
{
    inflate_state *s = m_state.get();
    s->next_in = const_cast<unsigned char *>(p);
    s->avail_in = uint32_t(n);
    *memberDone = false;
    for (;;) {
        s->next_out = m_out.get();
        s->avail_out = uint32_t(OutputBufferSize);
        const uint32_t inBefore = s->avail_in;
        const int ret = isal_inflate(s);
        const qint64 produced = OutputBufferSize - s->avail_out;
        *used = n - s->avail_in;
        if (produced > 0 && !emitOutput(reinterpret_cast<const char *>(m_out.get()), produced))
            return {};
        if (ret < 0)
            return fail(QStringLiteral("corrupt gzip data"), isalErrorName(ret), baseOffset + *used);
        if (s->block_state == ISAL_BLOCK_FINISH) {
            *memberDone = true;
            return {};
        }
        if (s->avail_in == 0 && s->avail_out != 0)
            return {};
        if (produced == 0 && s->avail_in == inBefore)
            return fail(QStringLiteral("gzip decoder made no progress"), {}, baseOffset + *used);
    }
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
            if (m_members > 0 && (p[0] != 0x1f || (left > 1 && p[1] != 0x8b))) {
                startTrailing(m_consumed);
                continue;
            }
            isal_inflate_init(m_state.get());
            m_state->crc_flag = ISAL_GZIP;
            m_header.clear();
            m_phase = Phase::Header;
            continue;
        case Phase::Header: {
            // ISA-L mis-checks FHCRC when the member header arrives in pieces: hand it the header in one call.
            if (m_header.isEmpty()) {
                if (gzipHeaderLength(p, left) != HeaderIncomplete) {
                    m_phase = Phase::InMember; // complete here (or not gzip at all: ISA-L reports it)
                    continue;
                }
                if (left > MaxBufferedHeader)
                    return fail(QStringLiteral("oversized gzip header"), {}, m_consumed);
                m_header.append(reinterpret_cast<const char *>(p), qsizetype(left));
                m_consumed += left;
                return {};
            }
            const qint64 before = m_header.size();
            const qint64 take = std::min(left, MaxBufferedHeader + 1 - before);
            m_header.append(reinterpret_cast<const char *>(p), qsizetype(take));
            const auto *h = reinterpret_cast<const unsigned char *>(m_header.constData());
            if (m_members > 0 && h[1] != 0x8b) { // a lone 0x1f ended the last chunk: not a member after all
                m_header.clear();
                startTrailing(m_consumed - before);
                continue;
            }
            qint64 length = gzipHeaderLength(h, m_header.size());
            if (length == HeaderIncomplete) {
                if (m_header.size() > MaxBufferedHeader)
                    return fail(QStringLiteral("oversized gzip header"), {}, m_consumed);
                p += take;
                left -= take;
                m_consumed += take;
                continue;
            }
            if (length == HeaderNotGzip)
                length = m_header.size();
            const qint64 memberStart = m_consumed - before;
            qint64 used = 0;
            bool memberDone = false;
            if (Status st = inflateSome(h, length, memberStart, &used, &memberDone); !st || m_stopped)
                return st;
            p += length - before;
            left -= length - before;
            m_consumed += length - before;
            m_header.clear();
            m_phase = Phase::InMember;
            break;
        }
        case Phase::InMember: {
            const qint64 chunk = std::min(left, MaxInputPerCall);
            qint64 used = 0;
            bool memberDone = false;
            if (Status st = inflateSome(p, chunk, m_consumed, &used, &memberDone); !st || m_stopped)
                return st;
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

void GzipIsalDecompressor::startTrailing(qint64 offset)
{
    m_phase = Phase::Trailing;
    noteTrailingData(offset);
}

Status GzipIsalDecompressor::finish()
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (m_phase == Phase::InMember || m_phase == Phase::Header || m_members == 0)
        return fail(QStringLiteral("truncated gzip stream"), {}, m_consumed);
    return {};
}

} // namespace ll::stream
