#pragma once

#include "random/GzipCheckpoint.h"
#include "random/ZstdFrames.h"

namespace ll::stream {
class LayerPipeline;
}

namespace ll::random {

/**
 * Has a whole-layer pass that keeps a layer index record gzip checkpoints on the way (GzipCheckpointBuilder:
 * zlib with Z_BLOCK in place of ISA-L for that pass), so the index it keeps gives random access.
 */
class CheckpointRecorder
{
public:
    /**
     * Layers smaller than this keep no checkpoints: one request fetches them whole, and recording costs the
     * pass ISA-L's speed (zlib + checkpoints ~200 MB/s of output vs ISA-L ~950 MB/s, bench_inflate).
     */
    static constexpr qint64 MinLayerSize = 8 * 1024 * 1024;

    /** Before the pipeline starts; a no-op for a layer under MinLayerSize (or of unknown size). zstd layers
        record their frame starts (ZstdFrameRecorder); plain tar is decoded as usual. */
    static void enable(stream::LayerPipeline &pipeline);
    /** After the pipeline finished: the checkpoints, complete only when the pass read the whole gzip blob
        without error (empty otherwise); check the digest before keeping them. */
    static GzipCheckpoints take(const stream::LayerPipeline &pipeline);
    /** The same for a multi-frame zstd layer: its frame checkpoints (empty for one frame, or unless complete). */
    static ZstdFrames takeFrames(const stream::LayerPipeline &pipeline);
};

} // namespace ll::random
