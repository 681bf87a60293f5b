#include "random/ZstdSpanReader.h"

#include "common/Logging.h"
#include "common/Sha256.h"

#include <zstd.h>

namespace ll::random {

ZstdSpanReader::ZstdSpanReader(const ZstdFrames &frames, int first)
    : m_frames(frames)
    , m_span(first)
    , m_outPos(frames.points.at(first).uncompressedOffset)
    , m_ctx(ZSTD_createDCtx())
    , m_out(std::make_unique<char[]>(OutputBufferSize))
{ }

ZstdSpanReader::~ZstdSpanReader()
{
    ZSTD_freeDCtx(m_ctx);
}

bool ZstdSpanReader::deliver(const char *data, qint64 size)
{
    const qint64 skip = qBound<qint64>(0, m_outputStart - m_outPos, size);
    m_outPos += size;
    if (skip == size)
        return true;
    return emitOutput(data + skip, size - skip);
}

Status ZstdSpanReader::feed(const char *data, qint64 size)
{
    if (m_error)
        return m_error;
    m_totalIn += qMax<qint64>(0, size);
    while (size > 0 && !m_stopped) {
        if (m_span >= m_frames.points.size()) {
            m_error = Error(Error::Code::Corrupt, QStringLiteral("more bytes than the indexed blob holds"));
            return m_error;
        }
        const qint64 need = m_frames.spanEnd(m_span) - m_frames.spanStart(m_span) - m_buffer.size();
        const qint64 n = qMin(need, size);
        m_buffer.append(data, int(n));
        data += n;
        size -= n;
        if (n == need) {
            if (const Status s = takeSpan(); !s)
                return s;
        }
    }
    return {};
}

Status ZstdSpanReader::finish()
{
    if (m_error)
        return m_error;
    if (m_stopped)
        return {};
    if (!m_buffer.isEmpty()) {
        m_error = Error(Error::Code::Corrupt,
            QStringLiteral("the read ended inside span %1 (%2 of %3 bytes)")
                .arg(m_span)
                .arg(m_buffer.size())
                .arg(m_frames.spanEnd(m_span) - m_frames.spanStart(m_span)));
        return m_error;
    }
    if (!m_atFrameEnd) {
        m_error = Error(Error::Code::Corrupt, QStringLiteral("a zstd frame runs past the end of the spans read"));
        return m_error;
    }
    return {};
}

Status ZstdSpanReader::takeSpan()
{
    const ZstdFrame &p = m_frames.points.at(m_span);
    Sha256 sha;
    sha.addData(m_buffer);
    const QByteArray actual = QByteArray::fromHex(sha.hexResult());
    if (actual != p.spanSha256) {
        m_error = Error(Error::Code::DigestMismatch,
            QStringLiteral("compressed bytes %1-%2 do not match the layer index (zstd span %3)")
                .arg(p.compressedOffset)
                .arg(m_frames.spanEnd(m_span))
                .arg(m_span),
            QStringLiteral("expected sha256 %1, got %2")
                .arg(QString::fromLatin1(p.spanSha256.toHex()), QString::fromLatin1(actual.toHex())));
        qCWarning(llRandom).noquote() << m_error.toString();
        return m_error;
    }
    ++m_verified;
    ++m_span;
    const QByteArray bytes = std::move(m_buffer);
    m_buffer = QByteArray();
    return decode(bytes.constData(), bytes.size());
}

Status ZstdSpanReader::decode(const char *data, qint64 size)
{
    if (!m_ctx) {
        m_error = Error(Error::Code::Internal, QStringLiteral("ZSTD_createDCtx failed"));
        return m_error;
    }
    ZSTD_inBuffer in { data, size_t(size), 0 };
    bool outputFull = false;
    while ((in.pos < in.size || outputFull) && !m_stopped) {
        ZSTD_outBuffer out { m_out.get(), size_t(OutputBufferSize), 0 };
        const size_t before = in.pos;
        const size_t ret = ZSTD_decompressStream(m_ctx, &out, &in);
        if (ZSTD_isError(ret)) {
            m_error = Error(Error::Code::Corrupt, QStringLiteral("corrupt zstd data after a frame checkpoint"),
                QString::fromLatin1(ZSTD_getErrorName(ret)));
            return m_error;
        }
        if (in.pos != before || out.pos > 0)
            m_atFrameEnd = ret == 0;
        outputFull = out.pos == out.size;
        if (out.pos > 0)
            deliver(m_out.get(), qint64(out.pos));
        if (!outputFull && in.pos == before && out.pos == 0)
            break;
    }
    return {};
}

} // namespace ll::random
