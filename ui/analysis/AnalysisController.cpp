#include "analysis/AnalysisController.h"

#include "controllers/ImageController.h"
#include "models/ModelLogging.h"

namespace ll::ui {

AnalysisController::AnalysisController(ImageController *image, QObject *parent) : QObject(parent), m_image(image)
{
    connect(image, &ImageController::allLayersListed, this, &AnalysisController::compute);
    connect(image, &ImageController::aboutToClose, this, &AnalysisController::clear);
    connect(image, &ImageController::layerTreeReplaced, this, &AnalysisController::clear);
}

AnalysisController::~AnalysisController()
{
    if (m_job) {
        m_job->disconnect(this);
        m_job->stopAndWait();
    }
}

const analysis::ChangeTree *AnalysisController::changeTree(int layer) const
{
    if (!m_result || layer < 0 || size_t(layer) >= m_result->trees.size())
        return nullptr;
    return &m_result->trees[size_t(layer)];
}

void AnalysisController::compute()
{
    clear();
    const std::vector<const fs::LayerTree *> stack = m_image->listedStack();
    for (const fs::LayerTree *tree : stack) {
        if (!tree)
            return;
    }
    m_job = new analysis::AnalysisJob(stack, this);
    connect(m_job, &Job::finished, this, &AnalysisController::onFinished);
    if (m_tracker)
        m_tracker(m_job);
    m_job->start();
}

void AnalysisController::onFinished()
{
    auto *job = qobject_cast<analysis::AnalysisJob *>(sender());
    if (!job || job != m_job)
        return;
    m_job = nullptr;
    job->deleteLater();
    if (job->state() != Job::State::Succeeded)
        return;
    m_result = job->result();
    qCDebug(llUi) << "analysis ready:" << m_result->trees.size() << "layers";
    emit changed();
}

void AnalysisController::clear()
{
    if (m_job) {
        // The job reads the layer trees that are about to go: it must be done with them first.
        analysis::AnalysisJob *job = m_job;
        m_job = nullptr;
        job->disconnect(this);
        job->stopAndWait();
        job->deleteLater();
    }
    if (!m_result)
        return;
    // Views drop their pointers into the result on changed(): it goes only after that.
    const auto old = std::move(m_result);
    m_result.reset();
    emit changed();
}

} // namespace ll::ui
