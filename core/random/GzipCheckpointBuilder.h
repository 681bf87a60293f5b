#pragma once

#include "random/GzipCheckpoint.h"
#include "stream/GzipZlibDecompressor.h"

#include <memory>

namespace ll {
class Sha256;
}

namespace ll::random {

/**
 * A gzip decompressor (zlib, stream::GzipZlibDecompressor's member handling) that also records checkpoints for
 * random access: every span bytes of output, at the next deflate block boundary (inflate with Z_BLOCK), the
 * compressed offset and bit offset, the uncompressed offset and the 32 KiB window; and the SHA-256 of each
 * span's compressed bytes. Each member's start is a checkpoint too once a span has passed (no window needed).
 *
 * zlib, not ISA-L: ISA-L's streaming inflate cannot stop at block boundaries. Used by the passes that keep a
 * layer index; their checkpoints are complete only after finish() succeeded on the whole blob.
 */
class GzipCheckpointBuilder : public stream::GzipZlibDecompressor
{
public:
    static constexpr qint64 DefaultSpan = 4 * 1024 * 1024;
    static constexpr int WindowSize = 32 * 1024;

    explicit GzipCheckpointBuilder(qint64 span = DefaultSpan);
    ~GzipCheckpointBuilder() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;

    /** After a successful finish(): the checkpoints, each span hashed (empty otherwise). */
    GzipCheckpoints takeCheckpoints();

protected:
    void memberStarting(qint64 offset) override;
    void produced(const unsigned char *data, qint64 size) override;
    void blockBoundary(qint64 offset, int bits) override;

private:
    void addPoint(qint64 compressedOffset, int bits, bool memberStart);
    void hashUpTo(qint64 offset);
    QByteArray window() const;

    qint64 m_span;
    std::unique_ptr<unsigned char[]> m_ring; // the last WindowSize bytes of output
    qint64 m_ringPos = 0;
    qint64 m_memberOut = 0; // output of the current member (its window can not reach further back)
    qint64 m_out = 0; // output so far (produced() runs before the base class counts it)
    bool m_finished = false;

    GzipCheckpoints m_points;
    qint64 m_lastPointOut = 0;
    std::unique_ptr<Sha256> m_spanHash;
    // Span hashing lags one byte behind the input: a boundary's first byte may be the previous feed's last.
    const unsigned char *m_buf = nullptr; // the current feed's bytes
    qint64 m_bufBase = 0; // their blob offset
    qint64 m_bufSize = 0;
    qint64 m_hashed = 0; // the current span is hashed up to here
    unsigned char m_held = 0; // the byte at m_hashed when it lies before m_bufBase
};

} // namespace ll::random
