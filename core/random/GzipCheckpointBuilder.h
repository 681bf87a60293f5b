#pragma once

#include "random/GzipCheckpoint.h"
#include "stream/Decompressor.h"

#include <memory>

struct z_stream_s;

namespace ll {
class Sha256;
}

namespace ll::random {

/**
 * A gzip decompressor (stream::Decompressor) that also records checkpoints for random access: every
 * span bytes of output, at the next deflate block boundary (zlib's inflate with Z_BLOCK), the compressed
 * offset and bit offset, the uncompressed offset and the 32 KiB window; and the SHA-256 of each span's
 * compressed bytes. Concatenated members and zero padding are handled as GzipZlibDecompressor does; each
 * member's start is a checkpoint too (no window needed there).
 *
 * zlib, not ISA-L: ISA-L's streaming inflate cannot stop at block boundaries. Used by the passes that keep a
 * layer index; their checkpoints are complete only after finish() succeeded on the whole blob.
 */
class GzipCheckpointBuilder : public stream::Decompressor
{
public:
    static constexpr qint64 DefaultSpan = 4 * 1024 * 1024;
    static constexpr int WindowSize = 32 * 1024;

    explicit GzipCheckpointBuilder(qint64 span = DefaultSpan);
    ~GzipCheckpointBuilder() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Gzip; }

    /** After a successful finish(): the checkpoints, each span hashed (empty otherwise). */
    GzipCheckpoints takeCheckpoints();

private:
    enum class Phase { BetweenMembers, InMember, Padding };
    Status fail(const QString &what, const QString &detail, qint64 offset);
    void addPoint(qint64 compressedOffset, int bits, bool memberStart);
    void hashUpTo(qint64 offset);
    void remember(const unsigned char *data, qint64 size);
    QByteArray window() const;

    qint64 m_span;
    std::unique_ptr<z_stream_s> m_zs;
    std::unique_ptr<unsigned char[]> m_out;
    std::unique_ptr<unsigned char[]> m_ring; // the last WindowSize bytes of output
    qint64 m_ringPos = 0;
    qint64 m_memberOut = 0; // output of the current member (its window can not reach further back)
    Phase m_phase = Phase::BetweenMembers;
    bool m_initialized = false;
    bool m_finished = false;
    qint64 m_consumed = 0;
    int m_members = 0;
    Error m_error;

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
