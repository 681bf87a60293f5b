#pragma once

#include "analysis/DiffTree.h"
#include "common/WorkerJob.h"

#include <memory>
#include <vector>

namespace ll::fs {
class LayerTree;
}

namespace ll::analysis {

/** A comparison's differences as a tree, and its counts. */
struct DiffResult {
    DiffTree tree;
    DiffSummary summary;
};

/**
 * Compares two images' listed layers (ImageDiff::compare) and builds the DiffTree on a worker thread. Layers
 * the images share should be passed as the same LayerTree on both sides (the walk skips them). The trees must
 * stay unchanged until the job finished (or stopAndWait() returned); the result points into them.
 */
class DiffJob : public WorkerJob
{
    Q_OBJECT
public:
    DiffJob(
        std::vector<const fs::LayerTree *> before, std::vector<const fs::LayerTree *> after, QObject *parent = nullptr);
    ~DiffJob() override;

    std::shared_ptr<const DiffResult> result() const { return m_result; }

protected:
    void run() override;

private:
    std::vector<const fs::LayerTree *> m_before;
    std::vector<const fs::LayerTree *> m_after;
    std::shared_ptr<DiffResult> m_result;
};

} // namespace ll::analysis
