#pragma once

#include <QByteArray>
#include <QVector>

namespace ll::random {

/**
 * A place in a gzip stream where inflate can start again (zran-style): a deflate block boundary, with the
 * 32 KiB of output before it (the window back-references may reach into), plus the SHA-256 of the compressed
 * bytes up to the next checkpoint (its span), so bytes fetched from there can be checked before they are
 * trusted.
 */
struct GzipCheckpoint {
    /** First byte inflate had not consumed at the boundary. */
    qint64 compressedOffset = 0;
    /** Bits of byte compressedOffset - 1 that still belong to the next block (0-7; zlib's inflatePrime). */
    int bits = 0;
    qint64 uncompressedOffset = 0;
    /** At a gzip member's header (offset 0, a member start): inflate parses the header; no window. */
    bool memberStart = false;
    /** The 32 KiB (or fewer, near the start) of output before the boundary, raw-deflate compressed. */
    QByteArray window;
    /** Raw SHA-256 (32 bytes) of the compressed bytes [spanStart(), the next checkpoint's spanStart()). */
    QByteArray spanSha256;

    /** The first compressed byte a read from here needs. */
    qint64 spanStart() const { return compressedOffset - (bits ? 1 : 0); }
};

/** The checkpoints of one gzip blob, in stream order; the first is at offset 0. */
struct GzipCheckpoints {
    QVector<GzipCheckpoint> points;
    qint64 compressedSize = 0;
    qint64 uncompressedSize = 0;

    bool isEmpty() const { return points.isEmpty(); }
    /** The last checkpoint at or below uncompressed offset (-1 when empty). */
    int indexAt(qint64 uncompressedOffset) const;
    /** Exclusive compressed end of span i (the next checkpoint's spanStart, or the blob's end). */
    qint64 spanEnd(int i) const;
    /** Exclusive uncompressed end of span i. */
    qint64 uncompressedEnd(int i) const;
    /** Bytes the checkpoints take (windows, hashes, offsets): the index overhead. */
    qint64 storageSize() const;
};

} // namespace ll::random
