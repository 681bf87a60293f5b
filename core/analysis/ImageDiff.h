#pragma once

#include "analysis/DiffEntry.h"

#include <QByteArray>

#include <functional>
#include <vector>

namespace ll::fs {
class LayerTree;
}

namespace ll::analysis {

/**
 * Compares the merged filesystems of two images, from their layer listings, without building either
 * merged tree: both stacks are merged directory by directory as the walk goes (overlayfs rules: whiteouts,
 * opaque and re-created dirs, a non-directory hiding what is below it), and a directory whose contributing
 * layer nodes are the same on both sides is skipped whole. So layers the images share (pass the same
 * LayerTree for both) cost nothing beyond what the other layers touch, and memory stays the layer trees.
 *
 * Differences come in path order (a directory before what is in it, names sorted by code unit); an added or
 * removed directory is followed by everything in it; a type change is a Changed entry followed by the old
 * side's contents as Removed and the new side's as Added.
 */
class ImageDiff
{
public:
    struct Options {
        /**
         * The content digest of a file node if it is known (its bytes were read), else empty. When both
         * sides' are known they decide Content; otherwise size and mtime do.
         */
        std::function<QByteArray(const fs::FileNode *)> contentDigest;
    };
    using Sink = std::function<void(const DiffEntry &)>;

    /** before/after: each image's layers bottom-up (layers[i]->layerIndex() == i). */
    static DiffSummary compare(const std::vector<const fs::LayerTree *> &before,
        const std::vector<const fs::LayerTree *> &after, const Sink &sink, const Options &options);
    static DiffSummary compare(const std::vector<const fs::LayerTree *> &before,
        const std::vector<const fs::LayerTree *> &after, const Sink &sink)
    {
        return compare(before, after, sink, Options());
    }

private:
    class Walk;
};

} // namespace ll::analysis
