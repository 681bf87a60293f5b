#pragma once

#include "stream/Decompressor.h"

#include <memory>

struct z_stream_s;

namespace ll::stream {

/**
 * Gzip through zlib's inflate (windowBits 15+16): the portable fallback and the reference for
 * GzipIsalDecompressor. Same member handling: concatenated members, zero padding after the last one.
 */
class GzipZlibDecompressor : public Decompressor
{
public:
    GzipZlibDecompressor();
    ~GzipZlibDecompressor() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Gzip; }

    /** Complete members decoded so far. */
    int memberCount() const { return m_members; }

protected:
    /** blockBoundaries: inflate with Z_BLOCK and report each deflate block boundary (checkpoint builders). */
    explicit GzipZlibDecompressor(bool blockBoundaries);
    /** A gzip member begins at this compressed offset (its header not yet read). */
    virtual void memberStarting(qint64 /*offset*/) { }
    /** Output is about to be emitted (every byte inflate produced, in order). */
    virtual void produced(const unsigned char * /*data*/, qint64 /*size*/) { }
    /** blockBoundaries: inflate stopped between two blocks of a member (not after its last one): the next block
        starts at compressed offset (less bits of the byte before it, zlib's inflatePrime count). */
    virtual void blockBoundary(qint64 /*offset*/, int /*bits*/) { }
    /** Compressed bytes handled so far. */
    qint64 consumed() const { return m_consumed; }

private:
    enum class Phase { BetweenMembers, InMember, Padding, Trailing };
    Status fail(const QString &what, const QString &detail, qint64 offset);
    void startTrailing(qint64 offset);

    std::unique_ptr<z_stream_s> m_zs;
    std::unique_ptr<unsigned char[]> m_out;
    Phase m_phase = Phase::BetweenMembers;
    bool m_heldMagic = false; // a member's first byte (0x1f) seen at a chunk's end, not yet given to zlib
    bool m_initialized = false;
    bool m_blockBoundaries = false;
    qint64 m_consumed = 0;
    int m_members = 0;
    Error m_error;
};

} // namespace ll::stream
