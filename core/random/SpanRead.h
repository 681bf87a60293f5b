#pragma once

#include "random/GzipCheckpoint.h"
#include "random/ZstdFrames.h"

#include <QPair>
#include <QVector>

#include <memory>

namespace ll::stream {
class LayerPipeline;
}

namespace ll::random {

/**
 * A read of part of a gzip layer from its checkpoints: one Range request from the piece holding the checkpoint at or
 * below the first byte needed to the first piece whose end brings the output past the last one, inflated by
 * GzipSpanReader, which checks each piece's SHA-256 before any of its bytes come out.
 */
class SpanRead
{
public:
    /** Uncompressed [start, end) of the layer's tar. Invalid (checkpoint() < 0) when the checkpoints do not cover
        it. */
    static SpanRead plan(std::shared_ptr<const GzipCheckpoints> checkpoints, qint64 start, qint64 end);
    /**
     * Several uncompressed [start, end) ranges (the members an extraction needs, any order) as the fewest reads:
     * the pieces each range needs, reads that overlap or touch merged into one (one Range request over contiguous
     * compressed bytes, inflated from the first one's checkpoint), in stream order. Each read starts at its first
     * range's start. Empty when the checkpoints do not cover every range.
     */
    static QVector<SpanRead> planRuns(
        const std::shared_ptr<const GzipCheckpoints> &checkpoints, QVector<QPair<qint64, qint64>> ranges);
    /** The same from a multi-frame zstd blob's frame checkpoints (decoded by a ZstdSpanReader; a span is checked
        whole, so its spans are the read's pieces). */
    static SpanRead plan(std::shared_ptr<const ZstdFrames> frames, qint64 start, qint64 end);
    static QVector<SpanRead> planRuns(
        const std::shared_ptr<const ZstdFrames> &frames, QVector<QPair<qint64, qint64>> ranges);

    bool isValid() const { return m_point >= 0; }
    /** The checkpoint inflate starts at. */
    int checkpoint() const { return m_point; }
    int firstPiece() const { return m_firstPiece; }
    int lastPiece() const { return m_lastPiece; }
    int pieceCount() const { return m_lastPiece - m_firstPiece + 1; }
    /** The compressed bytes [compressedStart, compressedEnd) the request asks for. */
    qint64 compressedStart() const;
    qint64 compressedEnd() const;
    /** Uncompressed offset the read's output starts at (its first range's start). */
    qint64 start() const { return m_start; }

    /**
     * Before the pipeline starts: one request for the range, decoded by a GzipSpanReader whose output starts at
     * the tar offset start (a member's header: the tar reader's offsets are the layer's).
     */
    void setUp(stream::LayerPipeline &pipeline) const;
    /** After the pipeline finished: pieces (zstd: spans) whose SHA-256 was checked. */
    static int piecesVerified(const stream::LayerPipeline &pipeline);

private:
    /** planRuns for either kind of checkpoints (the merge rule is one). */
    template<typename Points>
    static QVector<SpanRead> mergedRuns(
        const std::shared_ptr<const Points> &points, QVector<QPair<qint64, qint64>> ranges);

    std::shared_ptr<const GzipCheckpoints> m_points;
    std::shared_ptr<const ZstdFrames> m_frames; // a zstd read (m_points null)
    qint64 m_start = 0;
    int m_point = -1;
    int m_firstPiece = -1;
    int m_lastPiece = -1;
};

} // namespace ll::random
