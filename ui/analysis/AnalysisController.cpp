#include "analysis/AnalysisController.h"

#include "controllers/ImageController.h"
#include "models/ModelLogging.h"

#include <QElapsedTimer>

namespace ll::ui {

AnalysisController::AnalysisController(ImageController *image, QObject *parent) : QObject(parent), m_image(image)
{
    connect(image, &ImageController::allLayersListed, this, &AnalysisController::compute);
    connect(image, &ImageController::aboutToClose, this, &AnalysisController::clear);
    connect(image, &ImageController::layerTreeReplaced, this, &AnalysisController::clear);
}

void AnalysisController::compute()
{
    const std::vector<const fs::LayerTree *> stack = m_image->listedStack();
    for (const fs::LayerTree *tree : stack) {
        if (!tree) {
            clear();
            return;
        }
    }
    QElapsedTimer timer;
    timer.start();
    m_analysis = analysis::ImageAnalysis::analyze(stack);
    qCDebug(llUi) << "analysis of" << stack.size() << "layers:" << timer.elapsed() << "ms";
    emit changed();
}

void AnalysisController::clear()
{
    if (!m_analysis)
        return;
    m_analysis.reset();
    emit changed();
}

} // namespace ll::ui
