#pragma once

#include <QByteArray>
#include <QVector>

namespace ll::random {

/**
 * A place in a gzip stream where inflate can start again (zran-style): a deflate block boundary, with the
 * window of output before it that back-references after it reach into. Only the window bytes something after the
 * checkpoint actually copies are kept (the others are zero: they never reach the output), so a checkpoint in
 * incompressible data costs a few bytes instead of 32 KiB.
 */
struct GzipCheckpoint {
    /** First byte inflate had not consumed at the boundary. */
    qint64 compressedOffset = 0;
    /** Bits of byte compressedOffset - 1 that still belong to the next block (0-7; zlib's inflatePrime count). */
    int bits = 0;
    qint64 uncompressedOffset = 0;
    /** At a gzip member's header (offset 0, a member start): inflate parses the header; no window. */
    bool memberStart = false;
    /** The (up to) 32 KiB of output before the boundary, unused bytes zeroed, raw-deflate compressed. */
    QByteArray window;

    /** The first compressed byte a read from here needs. */
    qint64 spanStart() const { return compressedOffset - (bits ? 1 : 0); }
};

/**
 * A fixed-size piece of the compressed blob, hashed: bytes [k * pieceSize, (k + 1) * pieceSize) (the last one
 * shorter). A read checks each piece it fetched before inflating any of its bytes, so it may start at any
 * checkpoint and stop at any piece's end, not at the next checkpoint.
 */
struct GzipPiece {
    /** Raw SHA-256 (32 bytes) of the piece's compressed bytes. */
    QByteArray sha256;
    /** Output inflate had produced once the blob was consumed up to the piece's end: a read that needs
        uncompressed bytes up to outEnd stops at this piece. */
    qint64 outEnd = 0;
};

/** The checkpoints of one gzip blob, in stream order (the first is at offset 0), and its hashed pieces. */
struct GzipCheckpoints {
    static constexpr qint64 DefaultPieceSize = 64 * 1024;

    QVector<GzipCheckpoint> points;
    QVector<GzipPiece> pieces;
    qint64 pieceSize = DefaultPieceSize;
    qint64 compressedSize = 0;
    qint64 uncompressedSize = 0;

    bool isEmpty() const { return points.isEmpty(); }
    /** The last checkpoint at or below uncompressed offset (-1 when empty). */
    int indexAt(qint64 uncompressedOffset) const;
    /** The compressed end of checkpoint i's span (the next checkpoint's spanStart, or the blob's end). */
    qint64 spanEnd(int i) const;
    /** Exclusive uncompressed end of span i. */
    qint64 uncompressedEnd(int i) const;

    /** The piece holding compressed offset (clamped to the last piece). */
    int pieceAt(qint64 compressedOffset) const;
    qint64 pieceStart(int k) const { return qint64(k) * pieceSize; }
    qint64 pieceEnd(int k) const { return qMin(compressedSize, qint64(k + 1) * pieceSize); }
    /** The first piece at or after `from` whose end brings the output up to uncompressedOffset (the last piece
        when none does). */
    int pieceReaching(qint64 uncompressedOffset, int from = 0) const;

    /** Bytes the checkpoints take (windows, hashes, offsets): the index overhead. */
    qint64 storageSize() const;
    /** Structural checks a reader relies on (pieces cover the blob, offsets ordered); the why, or empty. */
    QString validate() const;
};

} // namespace ll::random
