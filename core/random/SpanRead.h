#pragma once

#include "random/GzipCheckpoint.h"

#include <QPair>
#include <QVector>

#include <memory>

namespace ll::stream {
class LayerPipeline;
}

namespace ll::random {

/**
 * A read of part of a gzip layer from its checkpoints: one Range request from the checkpoint at or below the
 * first byte needed to the end of the span holding the last one (the layer's end for the last span), inflated
 * by GzipSpanReader, which checks each span's SHA-256 before any of its bytes come out.
 */
class SpanRead
{
public:
    /** Uncompressed [start, end) of the layer's tar. Invalid (first < 0) when the checkpoints do not cover it. */
    static SpanRead plan(std::shared_ptr<const GzipCheckpoints> checkpoints, qint64 start, qint64 end);
    /**
     * Several uncompressed [start, end) ranges (the members an extraction needs, any order) as the fewest reads:
     * the spans each range needs, runs that overlap or touch merged into one read (one Range request over
     * contiguous compressed bytes), in stream order. Each read starts at its first range's start. Empty when
     * the checkpoints do not cover every range.
     */
    static QVector<SpanRead> planRuns(
        const std::shared_ptr<const GzipCheckpoints> &checkpoints, QVector<QPair<qint64, qint64>> ranges);

    bool isValid() const { return m_first >= 0; }
    int firstSpan() const { return m_first; }
    int lastSpan() const { return m_last; }
    /** The compressed bytes [compressedStart, compressedEnd) the request asks for. */
    qint64 compressedStart() const;
    qint64 compressedEnd() const;
    int spanCount() const { return m_last - m_first + 1; }
    /** Uncompressed offset the read's output starts at (its first range's start). */
    qint64 start() const { return m_start; }

    /**
     * Before the pipeline starts: one request for the range, decoded by a GzipSpanReader whose output starts at
     * the tar offset start (a member's header: the tar reader's offsets are the layer's).
     */
    void setUp(stream::LayerPipeline &pipeline) const;
    /** After the pipeline finished: spans whose SHA-256 was checked. */
    static int spansVerified(const stream::LayerPipeline &pipeline);

private:
    std::shared_ptr<const GzipCheckpoints> m_points;
    qint64 m_start = 0;
    int m_first = -1;
    int m_last = -1;
};

} // namespace ll::random
