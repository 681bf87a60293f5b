#include "random/SpanRead.h"

#include "random/GzipSpanReader.h"
#include "random/ZstdSpanReader.h"
#include "stream/LayerPipeline.h"

#include <algorithm>

namespace ll::random {

SpanRead SpanRead::plan(std::shared_ptr<const GzipCheckpoints> checkpoints, qint64 start, qint64 end)
{
    SpanRead r;
    if (!checkpoints || checkpoints->isEmpty() || checkpoints->pieces.isEmpty() || start < 0 || end <= start
        || end > checkpoints->uncompressedSize)
        return r;
    const int point = checkpoints->indexAt(start);
    if (point < 0)
        return r;
    r.m_point = point;
    r.m_firstPiece = checkpoints->pieceAt(checkpoints->points.at(point).spanStart());
    r.m_lastPiece = checkpoints->pieceReaching(end, r.m_firstPiece);
    r.m_start = start;
    r.m_points = std::move(checkpoints);
    return r;
}

SpanRead SpanRead::plan(std::shared_ptr<const ZstdFrames> frames, qint64 start, qint64 end)
{
    SpanRead r;
    if (!frames || frames->isEmpty() || start < 0 || end <= start || end > frames->uncompressedSize)
        return r;
    // A zstd span is checked whole: its spans are the read's pieces.
    const int first = frames->indexAt(start);
    const int last = frames->indexAt(end - 1);
    if (first < 0 || last < first)
        return r;
    r.m_point = r.m_firstPiece = first;
    r.m_lastPiece = last;
    r.m_start = start;
    r.m_frames = std::move(frames);
    return r;
}

template<typename Points>
QVector<SpanRead> SpanRead::mergedRuns(
    const std::shared_ptr<const Points> &points, QVector<QPair<qint64, qint64>> ranges)
{
    std::sort(ranges.begin(), ranges.end());
    QVector<SpanRead> runs;
    for (const QPair<qint64, qint64> &r : std::as_const(ranges)) {
        const SpanRead one = plan(points, r.first, r.second);
        if (!one.isValid())
            return {};
        // Touching or overlapping pieces: the earlier read decodes on through them (one request).
        if (!runs.isEmpty() && one.m_firstPiece <= runs.last().m_lastPiece + 1)
            runs.last().m_lastPiece = qMax(runs.last().m_lastPiece, one.m_lastPiece);
        else
            runs.append(one);
    }
    return runs;
}

QVector<SpanRead> SpanRead::planRuns(
    const std::shared_ptr<const GzipCheckpoints> &checkpoints, QVector<QPair<qint64, qint64>> ranges)
{
    return mergedRuns(checkpoints, std::move(ranges));
}

QVector<SpanRead> SpanRead::planRuns(
    const std::shared_ptr<const ZstdFrames> &frames, QVector<QPair<qint64, qint64>> ranges)
{
    return mergedRuns(frames, std::move(ranges));
}

qint64 SpanRead::compressedStart() const
{
    if (m_frames)
        return m_frames->spanStart(m_firstPiece);
    return m_points->pieceStart(m_firstPiece);
}

qint64 SpanRead::compressedEnd() const
{
    if (m_frames)
        return m_frames->spanEnd(m_lastPiece);
    return m_points->pieceEnd(m_lastPiece);
}

void SpanRead::setUp(stream::LayerPipeline &pipeline) const
{
    stream::FetchPolicy policy;
    policy.mode = stream::FetchPolicy::Mode::Stream;
    policy.startOffset = compressedStart();
    policy.byteLimit = compressedEnd() - compressedStart();
    policy.maxResumes = pipeline.policy().maxResumes;
    pipeline.setPolicy(policy);
    pipeline.setTarStartOffset(m_start);
    // The factory (and the checkpoints it holds) lives as long as the pipeline, longer than the reader it makes.
    if (m_frames) {
        pipeline.setDecoderFactory([frames = m_frames, first = m_point, start = m_start](stream::Decompressor::Format) {
            auto reader = std::make_unique<ZstdSpanReader>(*frames, first);
            reader->setOutputStart(start);
            return std::unique_ptr<stream::Decompressor>(std::move(reader));
        });
        return;
    }
    const std::shared_ptr<const GzipCheckpoints> points = m_points;
    const int first = m_point;
    const qint64 start = m_start;
    pipeline.setDecoderFactory([points, first, start](stream::Decompressor::Format) {
        auto reader = std::make_unique<GzipSpanReader>(*points, first);
        reader->setOutputStart(start);
        return std::unique_ptr<stream::Decompressor>(std::move(reader));
    });
}

int SpanRead::piecesVerified(const stream::LayerPipeline &pipeline)
{
    if (const auto *zstd = dynamic_cast<const ZstdSpanReader *>(pipeline.decoder()))
        return zstd->spansVerified();
    const auto *reader = dynamic_cast<const GzipSpanReader *>(pipeline.decoder());
    return reader ? reader->piecesVerified() : 0;
}

} // namespace ll::random
