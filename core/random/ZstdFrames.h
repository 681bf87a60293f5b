#pragma once

#include <QByteArray>
#include <QVector>

namespace ll::random {

/**
 * A place in a zstd blob where decoding can start again: the start of a frame. Zstandard frames are independent
 * (no window reaches back into an earlier frame, unless a dictionary is used: such layers keep none), so a
 * frame start needs nothing but its offsets. The SHA-256 of the compressed bytes up to the next one (its span)
 * lets bytes fetched from there be checked before they are trusted.
 */
struct ZstdFrame {
    qint64 compressedOffset = 0;
    qint64 uncompressedOffset = 0;
    /** Raw SHA-256 (32 bytes) of the compressed bytes [compressedOffset, the next frame start's). */
    QByteArray spanSha256;
};

/**
 * The frame starts of one multi-frame zstd blob kept as checkpoints (pzstd's output, or any writer that cuts its
 * input into frames), in stream order: the first at offset 0 (which may be a skippable frame: decoding skips it),
 * then the start of each (non-skippable) frame at least MinSpan compressed bytes after the previous checkpoint.
 * Skippable frames are never checkpoints; their bytes belong to the span they lie in.
 */
struct ZstdFrames {
    /**
     * At least this many compressed bytes between two checkpoints: frame starts closer than that are skipped
     * (one more span read costs a few KiB at most; a 48-byte record per span is then < 0.005 % of the tar).
     */
    static constexpr qint64 MinSpan = 1024 * 1024;

    QVector<ZstdFrame> points;
    qint64 compressedSize = 0;
    qint64 uncompressedSize = 0;

    bool isEmpty() const { return points.isEmpty(); }
    /** The last checkpoint at or below uncompressed offset (-1 when empty). */
    int indexAt(qint64 uncompressedOffset) const;
    /** Compressed [spanStart(i), spanEnd(i)) of span i. */
    qint64 spanStart(int i) const { return points.at(i).compressedOffset; }
    qint64 spanEnd(int i) const;
    /** Exclusive uncompressed end of span i (the last span may hold empty frames only: pzstd ends with one). */
    qint64 uncompressedEnd(int i) const;
    /** Bytes the checkpoints take in the index (offsets and hashes): the index overhead. */
    qint64 storageSize() const { return qint64(points.size()) * (8 + 8 + 32); }
};

} // namespace ll::random
