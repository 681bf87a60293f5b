#include "analysis/DiffJob.h"

#include "analysis/ImageDiff.h"

namespace ll::analysis {

DiffJob::DiffJob(std::vector<const fs::LayerTree *> before, std::vector<const fs::LayerTree *> after, QObject *parent)
    : WorkerJob(parent), m_before(std::move(before)), m_after(std::move(after))
{
    setTitle(tr("Compare images"));
    setProgressUnit(ProgressUnit::Items);
}

DiffJob::~DiffJob()
{
    joinWorker(); // run() reads this object's members
}

void DiffJob::run()
{
    std::vector<DiffEntry> entries;
    bool stopped = false;
    const DiffSummary summary = ImageDiff::compare(m_before, m_after, [this, &entries, &stopped](const DiffEntry &e) {
        // The walk cannot stop early: once cancelled, entries are no longer kept.
        if (stopped || (entries.size() % 4096 == 0 && isCancelling())) {
            stopped = true;
            return;
        }
        entries.push_back(e);
    });
    if (stopped || isCancelling())
        return;
    reportProgress(1, 2);
    auto result = std::make_shared<DiffResult>();
    result->summary = summary;
    result->tree = DiffTree::build(std::move(entries));
    reportProgress(2, 2);
    m_result = std::move(result);
}

} // namespace ll::analysis
