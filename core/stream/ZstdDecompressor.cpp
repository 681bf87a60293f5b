#include "stream/ZstdDecompressor.h"

#include "common/Logging.h"

#include <zstd.h>
#include <zstd_errors.h>

namespace ll::stream {

ZstdDecompressor::ZstdDecompressor() : m_ctx(ZSTD_createDCtx()), m_out(std::make_unique<char[]>(OutputBufferSize))
{ }

ZstdDecompressor::~ZstdDecompressor()
{
    ZSTD_freeDCtx(m_ctx);
}

Status ZstdDecompressor::fail(const QString &what, const QString &detail, qint64 offset)
{
    m_error = Error(Error::Code::Corrupt, QStringLiteral("%1 at compressed offset %2").arg(what).arg(offset), detail);
    qCDebug(llStream) << "zstd:" << m_error.toString();
    return m_error;
}

Status ZstdDecompressor::feed(const char *data, qint64 size)
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (!m_ctx) {
        m_error = Error(Error::Code::Internal, QStringLiteral("ZSTD_createDCtx failed"));
        return m_error;
    }
    if (size <= 0)
        return {};
    m_totalIn += size;

    ZSTD_inBuffer in { data, size_t(size), 0 };
    bool outputFull = false;
    while (in.pos < in.size || outputFull) {
        ZSTD_outBuffer out { m_out.get(), size_t(OutputBufferSize), 0 };
        const size_t before = in.pos;
        const size_t ret = ZSTD_decompressStream(m_ctx, &out, &in);
        if (ZSTD_isError(ret)) {
            if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
                return fail(QStringLiteral("zstd frame needs a window larger than %1 MiB (written with --long or "
                                           "--ultra); such layers are not supported")
                                .arg(128), // ZSTD_WINDOWLOG_LIMIT_DEFAULT: 2^27
                    QString::fromLatin1(ZSTD_getErrorName(ret)), m_consumed + qint64(in.pos));
            return fail(QStringLiteral("corrupt zstd data"), QString::fromLatin1(ZSTD_getErrorName(ret)),
                m_consumed + qint64(in.pos));
        }
        const bool progress = in.pos != before || out.pos > 0;
        if (progress)
            m_atFrameEnd = (ret == 0);
        outputFull = out.pos == out.size;
        if (out.pos > 0 && !emitOutput(m_out.get(), qint64(out.pos)))
            return {};
        if (progress && ret == 0)
            frameEnded(m_consumed + qint64(in.pos));
        if (!outputFull && in.pos == before && out.pos == 0)
            break; // needs more input
    }
    m_consumed += qint64(in.pos);
    return {};
}

Status ZstdDecompressor::finish()
{
    if (m_stopped)
        return {};
    if (m_error)
        return m_error;
    if (!m_atFrameEnd || m_totalIn == 0)
        return fail(QStringLiteral("truncated zstd stream"), {}, m_consumed);
    return {};
}

} // namespace ll::stream
