#pragma once

#include <QString>

#include <vector>

namespace ll::analysis {

/** A path whose bytes were spent more than once (written in several layers, or written then deleted). */
struct WastedPath {
    QString path;
    /** dive's CumulativeSize: the sizes of every copy of the path in every layer (deletions add 0). */
    qint64 bytes = 0;
    /** The smallest copy (0 when a layer deleted the path): dive's minDiscoveredSize. */
    qint64 minBytes = 0;
    /** Layers that wrote or deleted the path, bottom-up. */
    std::vector<int> layers;
};

/**
 * dive's efficiency, from listings only (see README "Layer changes and efficiency"). Over every
 * non-directory path of every layer:
 *   totalBytes  = sum of the sizes of all copies in all layers,
 *   wastedBytes = sum of WastedPath::bytes over the paths with two or more events (copies or deletions),
 *   score       = sum over paths of their smallest copy / totalBytes (1 when totalBytes is 0).
 */
struct Efficiency {
    qint64 totalBytes = 0;
    qint64 wastedBytes = 0;
    double score = 1.0;
    /** Every wasted path, most bytes first (then by path). */
    std::vector<WastedPath> wasted;
};

} // namespace ll::analysis
