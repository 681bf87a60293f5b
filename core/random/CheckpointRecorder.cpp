#include "random/CheckpointRecorder.h"

#include "random/GzipCheckpointBuilder.h"
#include "random/ZstdFrameRecorder.h"
#include "stream/LayerPipeline.h"

namespace ll::random {

void CheckpointRecorder::enable(stream::LayerPipeline &pipeline)
{
    if (pipeline.source().layer.size < MinLayerSize)
        return;
    pipeline.setDecoderFactory([](stream::Decompressor::Format format) -> std::unique_ptr<stream::Decompressor> {
        if (format == stream::Decompressor::Format::Gzip)
            return std::make_unique<GzipCheckpointBuilder>();
        if (format == stream::Decompressor::Format::Zstd)
            return std::make_unique<ZstdFrameRecorder>();
        return stream::Decompressor::create(format);
    });
}

GzipCheckpoints CheckpointRecorder::take(const stream::LayerPipeline &pipeline)
{
    auto *builder = dynamic_cast<GzipCheckpointBuilder *>(pipeline.decoder());
    return builder ? builder->takeCheckpoints() : GzipCheckpoints();
}

ZstdFrames CheckpointRecorder::takeFrames(const stream::LayerPipeline &pipeline)
{
    auto *recorder = dynamic_cast<ZstdFrameRecorder *>(pipeline.decoder());
    return recorder ? recorder->takeFrames() : ZstdFrames();
}

} // namespace ll::random
