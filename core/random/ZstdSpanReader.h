#pragma once

#include "common/Result.h"
#include "random/ZstdFrames.h"
#include "stream/Decompressor.h"

#include <memory>

struct ZSTD_DCtx_s;

namespace ll::random {

/**
 * Decodes a multi-frame zstd blob from one of its frame checkpoints: fed the compressed bytes from that
 * checkpoint on (one Range request), it decodes with a fresh context (frames are independent) and hands out the
 * output from the checkpoint's uncompressed offset.
 *
 * Nothing is trusted before it is checked: the bytes of each span are held until the span is whole and its
 * SHA-256 matches the index's; only then are they decoded. A span that does not match fails with
 * Error::DigestMismatch and nothing of it comes out. Feed whole spans: finish() refuses a span left incomplete or
 * a read that does not end on a frame's end. Memory: one span of compressed bytes.
 */
class ZstdSpanReader : public stream::Decompressor
{
public:
    ZstdSpanReader(const ZstdFrames &frames, int first);
    ~ZstdSpanReader() override;
    ZstdSpanReader(const ZstdSpanReader &) = delete;
    ZstdSpanReader &operator=(const ZstdSpanReader &) = delete;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Zstd; }
    /** Output below this uncompressed offset is dropped (a read that starts at a member's header). */
    void setOutputStart(qint64 uncompressedOffset) { m_outputStart = uncompressedOffset; }
    /** Spans checked so far. */
    int spansVerified() const { return m_verified; }

private:
    Status takeSpan();
    Status decode(const char *data, qint64 size);
    bool deliver(const char *data, qint64 size);

    const ZstdFrames &m_frames;
    int m_span; // the span being collected
    QByteArray m_buffer; // its bytes so far
    qint64 m_outPos = 0; // uncompressed offset of the next output byte
    qint64 m_outputStart = 0;
    ZSTD_DCtx_s *m_ctx = nullptr;
    std::unique_ptr<char[]> m_out;
    bool m_atFrameEnd = true;
    int m_verified = 0;
    Error m_error;
};

} // namespace ll::random
