#pragma once

#include "analysis/Efficiency.h"
#include "analysis/LayerChanges.h"

#include <functional>
#include <vector>

namespace ll::fs {
class LayerTree;
}

namespace ll::analysis {

/**
 * Per-layer changes and the image's efficiency, from the layers' listings (no file content).
 *
 * One pass bottom-up: each layer's tree is walked against the merged view of the layers below it (built
 * on the way, overlayfs rules as fs::MergedTree), so the cost is linear in the entries plus the size of
 * what deletions remove. The layer trees must outlive the result (changes point at their nodes).
 */
class ImageAnalysis
{
public:
    /**
     * layers: bottom-up, layers[i]->layerIndex() == i. afterLayer (optional) is called with the number of
     * layers done after each one; returning false stops there (the result is then incomplete: discard it).
     */
    static ImageAnalysis analyze(
        const std::vector<const fs::LayerTree *> &layers, const std::function<bool(int layersDone)> &afterLayer = {});

    const std::vector<LayerChanges> &layers() const { return m_layers; }
    const Efficiency &efficiency() const { return m_efficiency; }

private:
    class Walker;
    std::vector<LayerChanges> m_layers;
    Efficiency m_efficiency;
};

} // namespace ll::analysis
