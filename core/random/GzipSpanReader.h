#pragma once

#include "common/Result.h"
#include "random/GzipCheckpoint.h"
#include "stream/Decompressor.h"

#include <memory>

struct z_stream_s;

namespace ll::random {

/**
 * Inflates a gzip blob from one of its checkpoints: fed the compressed bytes from the start of the piece holding
 * that checkpoint's spanStart() on (one Range request), it primes zlib (inflatePrime with the boundary's bits,
 * then inflateSetDictionary with the window) and hands out the output from the checkpoint's uncompressed offset.
 *
 * Nothing is trusted before it is checked: the bytes of each piece are held until the piece is whole and its
 * SHA-256 matches the index's; only then are they inflated. A piece that does not match fails with
 * Error::DigestMismatch (what the registry sent is not what the index was made from) and nothing of it comes
 * out. Feed whole pieces: finish() refuses a piece left incomplete. Data after the last member (zero padding or
 * anything else) ends the stream as the streaming decoder has it (Decompressor::noteTrailingData). Memory: one
 * piece of compressed bytes.
 */
class GzipSpanReader : public stream::Decompressor
{
public:
    GzipSpanReader(const GzipCheckpoints &checkpoints, int first);
    ~GzipSpanReader() override;
    GzipSpanReader(const GzipSpanReader &) = delete;
    GzipSpanReader &operator=(const GzipSpanReader &) = delete;

    Status feed(const char *data, qint64 size) override;
    /** The input ended: Ok when it ended on a piece's end. */
    Status finish() override;
    Format format() const override { return Format::Gzip; }
    /** Output below this uncompressed offset is dropped (a read that starts at a member's header). */
    void setOutputStart(qint64 uncompressedOffset) { m_outputStart = uncompressedOffset; }
    /** Blob offset the input starts at (the start of the piece holding the first checkpoint's spanStart()). */
    qint64 compressedStart() const;
    /** Uncompressed offset of the first output byte. */
    qint64 uncompressedStart() const;
    /** Pieces checked so far. */
    int piecesVerified() const { return m_verified; }

private:
    Status takePiece();
    Status inflateBytes(const unsigned char *data, qint64 size);
    Status start(const unsigned char *data);
    bool deliver(const char *data, qint64 size);

    const GzipCheckpoints &m_points;
    int m_first;
    int m_piece; // the piece being collected
    QByteArray m_buffer; // its bytes so far

    qint64 m_outPos = 0; // uncompressed offset of the next output byte
    qint64 m_outputStart = 0;
    std::unique_ptr<z_stream_s> m_zs;
    std::unique_ptr<unsigned char[]> m_out;
    bool m_initialized = false;
    bool m_rawMode = false; // inside a member primed at a block boundary (no gzip header, trailer skipped)
    int m_trailerLeft = 0; // raw mode: trailer bytes still to skip after a member's end
    bool m_betweenMembers = false; // a member ended: the next byte starts one, or what follows the stream
    bool m_heldMagic = false; // between members: a 0x1f ended the input, the next byte tells which
    bool m_trailing = false; // after the stream: padding or other data, ignored
    int m_verified = 0;
    Error m_error;
};

} // namespace ll::random
