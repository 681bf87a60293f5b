#pragma once

#include "common/Result.h"

#include <functional>
#include <memory>

namespace ll::stream {

/**
 * A streaming decompressor stage: compressed chunks in (any boundaries), decompressed chunks out
 * through a sink. The sink views the decompressor's own buffer (valid only during the call) and
 * returns false to stop early (carve found its answer): feed() then returns Ok and isStopped() is true.
 * Corrupt or truncated input: Error::Corrupt, message "... at compressed offset N", library detail in detail;
 * errors are sticky. Implementations: GzipIsalDecompressor, GzipZlibDecompressor, ZstdDecompressor, PlainDecompressor.
 */
class Decompressor
{
public:
    enum class Format { Plain, Gzip, Zstd };
    using Sink = std::function<bool(const char *data, qint64 size)>;

    virtual ~Decompressor() = default;

    /** Sniffs magic bytes (1f 8b: gzip, 28 b5 2f fd or a zstd skippable frame 5? 2a 4d 18: zstd, else plain).
        Needs >= 4 bytes for zstd. */
    static Format detect(const char *data, qint64 size);
    /** Gzip uses ISA-L (zlib when preferZlib); multi-member gzip streams are handled. */
    static std::unique_ptr<Decompressor> create(Format format, bool preferZlib = false);
    static QString formatName(Format format);

    void setSink(Sink sink) { m_sink = std::move(sink); }
    virtual Status feed(const char *data, qint64 size) = 0;
    /** End of input: Error::Corrupt when the stream is truncated (not at a member/frame end). */
    virtual Status finish() = 0;
    /** The format this instance decodes. */
    virtual Format format() const = 0;

    qint64 totalIn() const { return m_totalIn; }
    qint64 totalOut() const { return m_totalOut; }
    bool isStopped() const { return m_stopped; }
    /** Compressed offset where bytes that are not a gzip member begin after the last member (ignored, as
        gzip -t does: "decompression OK, trailing garbage ignored"), or -1. */
    qint64 trailingDataOffset() const { return m_trailingOffset; }

    /** Size of the output buffer each decompressor owns (the sink sees at most this much per call). */
    static constexpr qint64 OutputBufferSize = 256 * 1024;

protected:
    /** Bytes that are not a gzip member follow the last one at offset: ignored with a warning, as gzip -t does
        ("decompression OK, trailing garbage ignored"); the stream is complete. */
    void noteTrailingData(qint64 offset);

    /** Hands out a decompressed chunk; returns false (and marks stopped) when the sink wants no more. */
    bool emitOutput(const char *data, qint64 size)
    {
        m_totalOut += size;
        if (size > 0 && m_sink && !m_sink(data, size))
            m_stopped = true;
        return !m_stopped;
    }

    Sink m_sink;
    qint64 m_totalIn = 0;
    qint64 m_totalOut = 0;
    bool m_stopped = false;
    qint64 m_trailingOffset = -1;
};

} // namespace ll::stream
