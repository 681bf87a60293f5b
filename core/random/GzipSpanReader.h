#pragma once

#include "common/Result.h"
#include "random/GzipCheckpoint.h"

#include <functional>
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
class GzipSpanReader
{
public:
    using Sink = std::function<bool(const char *data, qint64 size)>;

    GzipSpanReader(const GzipCheckpoints &checkpoints, int first);
    ~GzipSpanReader();
    GzipSpanReader(const GzipSpanReader &) = delete;
    GzipSpanReader &operator=(const GzipSpanReader &) = delete;

    /** Receives the output; return false to stop (feed() then returns Ok and isStopped() is true). */
    void setSink(Sink sink) { m_sink = std::move(sink); }
    Status feed(const char *data, qint64 size);
    /** The input ended: Ok when it ended on a span's end. */
    Status finish();

    bool isStopped() const { return m_stopped; }
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
    Sink m_sink;
    std::unique_ptr<z_stream_s> m_zs;
    std::unique_ptr<unsigned char[]> m_out;
    bool m_initialized = false;
    bool m_stopped = false;
    bool m_rawMode = false; // inside a member primed at a block boundary (no gzip header, trailer skipped)
    int m_trailerLeft = 0; // raw mode: trailer bytes still to skip after a member's end
    bool m_betweenMembers = false; // a member ended: the next byte starts one (or zero padding)
    bool m_padding = false;
    int m_verified = 0;
    Error m_error;
};

} // namespace ll::random
