#include "random/SpanRead.h"

#include "random/GzipSpanReader.h"
#include "stream/LayerPipeline.h"

#include <algorithm>

namespace ll::random {

SpanRead SpanRead::plan(std::shared_ptr<const GzipCheckpoints> checkpoints, qint64 start, qint64 end)
{
    SpanRead r;
    if (!checkpoints || checkpoints->isEmpty() || start < 0 || end <= start || end > checkpoints->uncompressedSize)
        return r;
    r.m_first = checkpoints->indexAt(start);
    r.m_last = checkpoints->indexAt(end - 1);
    r.m_start = start;
    r.m_points = std::move(checkpoints);
    if (r.m_first < 0 || r.m_last < r.m_first)
        r.m_first = r.m_last = -1;
    return r;
}

QVector<SpanRead> SpanRead::planRuns(
    const std::shared_ptr<const GzipCheckpoints> &checkpoints, QVector<QPair<qint64, qint64>> ranges)
{
    std::sort(ranges.begin(), ranges.end());
    QVector<SpanRead> runs;
    for (const QPair<qint64, qint64> &r : std::as_const(ranges)) {
        const SpanRead one = plan(checkpoints, r.first, r.second);
        if (!one.isValid())
            return {};
        if (!runs.isEmpty() && one.m_first <= runs.last().m_last + 1)
            runs.last().m_last = qMax(runs.last().m_last, one.m_last);
        else
            runs.append(one);
    }
    return runs;
}

qint64 SpanRead::compressedStart() const
{
    return m_points->points.at(m_first).spanStart();
}

qint64 SpanRead::compressedEnd() const
{
    return m_points->spanEnd(m_last);
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
    const std::shared_ptr<const GzipCheckpoints> points = m_points;
    const int first = m_first;
    const qint64 start = m_start;
    pipeline.setDecoderFactory([points, first, start](stream::Decompressor::Format) {
        auto reader = std::make_unique<GzipSpanReader>(*points, first);
        reader->setOutputStart(start);
        return std::unique_ptr<stream::Decompressor>(std::move(reader));
    });
}

int SpanRead::spansVerified(const stream::LayerPipeline &pipeline)
{
    const auto *reader = dynamic_cast<const GzipSpanReader *>(pipeline.decoder());
    return reader ? reader->spansVerified() : 0;
}

} // namespace ll::random
