#pragma once

#include "random/GzipCheckpoint.h"
#include "stream/GzipZlibDecompressor.h"

#include <memory>

namespace ll {
class Sha256;
}

namespace ll::random {

class WindowProbe;

/**
 * A gzip decompressor (zlib, stream::GzipZlibDecompressor's member handling) that also records what random access
 * needs, in one pass:
 * - checkpoints at deflate block boundaries (inflate with Z_BLOCK): one once a compressed span has passed (so a
 *   read from the nearest checkpoint fetches at most about that much before the bytes it wants), and one at the
 *   latest every output span; each member's start is one too (no window needed);
 * - each checkpoint's window, cut to the bytes something after it copies (WindowProbe), so checkpoints in
 *   incompressible data cost almost nothing; a checkpoint placed for the compressed span is dropped when the
 *   windows would exceed the budget (0.8 % of the output), which keeps the index under 1 % of the tar;
 * - the SHA-256 of every fixed-size piece of the compressed blob with the output reached at its end.
 *
 * zlib, not ISA-L: ISA-L's streaming inflate cannot stop at block boundaries. Used by the passes that keep a
 * layer index; their checkpoints are complete only after finish() succeeded on the whole blob.
 */
class GzipCheckpointBuilder : public stream::GzipZlibDecompressor
{
public:
    static constexpr qint64 DefaultSpan = 4 * 1024 * 1024;
    static constexpr qint64 DefaultCompressedSpan = 1024 * 1024;
    static constexpr int WindowSize = 32 * 1024;
    /** Windows of checkpoints placed for the compressed span may take this share of the output. */
    static constexpr double WindowBudget = 0.008;

    /** span: output between two checkpoints at most; compressedSpan: compressed bytes after which one is placed
        when the budget allows (0: never); pieceSize: the hashed pieces. */
    explicit GzipCheckpointBuilder(qint64 span = DefaultSpan, qint64 compressedSpan = DefaultCompressedSpan,
        qint64 pieceSize = GzipCheckpoints::DefaultPieceSize);
    ~GzipCheckpointBuilder() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;

    /** After a successful finish(): the checkpoints and pieces (empty otherwise). */
    GzipCheckpoints takeCheckpoints();
    /** Checkpoints dropped for the budget (diagnostics, tests). */
    int droppedForBudget() const { return m_dropped; }

protected:
    void memberStarting(qint64 offset) override;
    void produced(const unsigned char *data, qint64 size) override;
    void blockBoundary(qint64 offset, int bits) override;

private:
    void feedSlice(const char *data, qint64 size);
    void settleProbe();
    QByteArray lastOutput() const;

    qint64 m_span;
    qint64 m_compressedSpan;
    qint64 m_pieceSize;
    std::unique_ptr<unsigned char[]> m_ring; // the last WindowSize bytes of output
    qint64 m_ringPos = 0;
    qint64 m_memberOut = 0; // output of the current member (its window can not reach further back)
    qint64 m_out = 0; // output so far (produced() runs before the base class counts it)
    bool m_finished = false;
    int m_dropped = 0;

    GzipCheckpoints m_points;
    qint64 m_windowBytes = 0;
    qint64 m_lastPointOut = 0;
    qint64 m_lastPointIn = 0;
    qint64 m_nextTryIn = 0; // a checkpoint dropped for the budget: the next try one compressed span later
    std::unique_ptr<WindowProbe> m_probe; // the checkpoint whose window is being cut (not yet in m_points)
    GzipCheckpoint m_pending;
    bool m_pendingForced = false;

    std::unique_ptr<Sha256> m_pieceHash;
    qint64 m_fed = 0; // compressed bytes fed (the blob offset of the next one)
    const unsigned char *m_buf = nullptr; // the slice being fed
    qint64 m_bufBase = 0; // its blob offset
    qint64 m_bufSize = 0;
    unsigned char m_prevByte = 0; // the last byte of the previous slice
};

} // namespace ll::random
