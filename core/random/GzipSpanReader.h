#pragma once

#include "common/Result.h"
#include "random/GzipCheckpoint.h"
#include "stream/Decompressor.h"

#include <memory>

struct z_stream_s;

namespace ll::random {

/**
 * Inflates a gzip blob from one of its checkpoints: fed the compressed bytes from that checkpoint's
 * spanStart() on (one Range request), it primes zlib (inflatePrime with the boundary's bits, then
 * inflateSetDictionary with the window) and hands out the output from the checkpoint's uncompressed offset.
 *
 * Nothing is trusted before it is checked: the bytes of each span are held until the span is whole and its
 * SHA-256 matches the checkpoint's; only then are they inflated. A span that does not match fails with
 * Error::DigestMismatch (what the registry sent is not what the index was made from) and nothing of it comes
 * out. Feed whole spans: finish() refuses a span left incomplete. Memory: one span of compressed bytes.
 */
class GzipSpanReader : public stream::Decompressor
{
public:
    GzipSpanReader(const GzipCheckpoints &checkpoints, int first);
    ~GzipSpanReader() override;
    GzipSpanReader(const GzipSpanReader &) = delete;
    GzipSpanReader &operator=(const GzipSpanReader &) = delete;

    Status feed(const char *data, qint64 size) override;
    /** The input ended: Ok when it ended on a span's end. */
    Status finish() override;
    Format format() const override { return Format::Gzip; }
    /** Output below this uncompressed offset is dropped (a read that starts at a member's header). */
    void setOutputStart(qint64 uncompressedOffset) { m_outputStart = uncompressedOffset; }
    /** Blob offset the input starts at (the first checkpoint's spanStart()). */
    qint64 compressedStart() const;
    /** Uncompressed offset of the first output byte. */
    qint64 uncompressedStart() const;
    /** Spans checked so far. */
    int spansVerified() const { return m_verified; }

private:
    Status takeSpan();
    Status inflateSpan(const unsigned char *data, qint64 size);
    Status start(const unsigned char *data, qint64 size);

    const GzipCheckpoints &m_points;
    int m_first;
    int m_span; // the span being collected
    QByteArray m_buffer; // its bytes so far
    bool deliver(const char *data, qint64 size);

    qint64 m_outPos = 0; // uncompressed offset of the next output byte
    qint64 m_outputStart = 0;
    std::unique_ptr<z_stream_s> m_zs;
    std::unique_ptr<unsigned char[]> m_out;
    bool m_initialized = false;
    bool m_rawMode = false; // inside a member primed at a block boundary (no gzip header, trailer skipped)
    int m_trailerLeft = 0; // raw mode: trailer bytes still to skip after a member's end
    bool m_betweenMembers = false; // a member ended: the next byte starts one (or zero padding)
    bool m_padding = false;
    int m_verified = 0;
    Error m_error;
};

} // namespace ll::random
