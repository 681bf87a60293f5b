#pragma once

#include "common/Result.h"
#include "fs/LayerTree.h"

#include <deque>
#include <vector>

namespace ll::oci {
struct Image;
}

namespace ll::cli {

class CliSession;

/**
 * The layer trees of an image, listed completely (from kept layer indexes when there are some: no download),
 * and what the listings cost. A tree may be borrowed from another listing (a layer two images share).
 */
class LayerListing
{
public:
    /**
     * Lists the layers of image from first on; layers below first are taken from shared (the same layers of
     * another image, already listed). Progress on stderr.
     */
    static Result<LayerListing> list(
        CliSession &session, const oci::Image &image, const LayerListing *shared = nullptr, int first = 0);

    /** Bottom-up, trees()[i]->layerIndex() == i. */
    const std::vector<const fs::LayerTree *> &trees() const { return m_trees; }
    /** Layer blob bytes received for these listings (0 for a layer from its index). */
    qint64 bytesDownloaded() const { return m_bytesDownloaded; }
    int layersFromIndex() const { return m_fromIndex; }

private:
    std::deque<fs::LayerTree> m_owned;
    std::vector<const fs::LayerTree *> m_trees;
    qint64 m_bytesDownloaded = 0;
    int m_fromIndex = 0;
};

} // namespace ll::cli
