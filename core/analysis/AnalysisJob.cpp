#include "analysis/AnalysisJob.h"

namespace ll::analysis {

AnalysisJob::AnalysisJob(std::vector<const fs::LayerTree *> layers, QObject *parent)
    : WorkerJob(parent), m_layers(std::move(layers))
{
    setTitle(tr("Analyse %n layer(s)", nullptr, int(m_layers.size())));
    setProgressUnit(ProgressUnit::Items);
}

AnalysisJob::~AnalysisJob()
{
    joinWorker(); // run() reads this object's members
}

void AnalysisJob::run()
{
    const qint64 total = qint64(m_layers.size()) * 2;
    auto result = std::make_shared<AnalysisResult>();
    result->analysis = ImageAnalysis::analyze(m_layers, [this, total](int done) {
        reportProgress(done, total);
        return !isCancelling();
    });
    if (isCancelling())
        return;
    result->trees.reserve(m_layers.size());
    for (size_t i = 0; i < m_layers.size(); ++i) {
        if (isCancelling())
            return;
        result->trees.push_back(ChangeTree::build(*m_layers[i], result->analysis.layers()[i]));
        reportProgress(qint64(m_layers.size() + i + 1), total);
    }
    m_result = std::move(result);
}

} // namespace ll::analysis
