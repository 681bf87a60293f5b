#include "controllers/ImagePanelsController.h"

#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "models/BuildStepModel.h"
#include "models/LayerListModel.h"
#include "widgets/ImageConfigView.h"

namespace ll::ui {

ImagePanelsController::ImagePanelsController(
    ImageController *image, LayerListModel *layers, BuildStepModel *steps, ImageConfigView *config, QObject *parent)
    : QObject(parent), m_image(image), m_layers(layers), m_steps(steps), m_config(config)
{
    connect(m_image, &ImageController::imageResolved, this, &ImagePanelsController::onResolved);
    connect(m_image, &ImageController::aboutToClose, this, &ImagePanelsController::onClosing);
    connect(m_image, &ImageController::layerStateChanged, this, &ImagePanelsController::onLayerState);
    connect(m_image, &ImageController::layerProgress, this, &ImagePanelsController::onLayerProgress);
}

void ImagePanelsController::onResolved()
{
    const oci::Image &image = m_image->image();
    m_layers->setImage(image);
    m_steps->setImage(image);
    m_config->setImage(image);
}

void ImagePanelsController::onClosing()
{
    m_layers->clear();
    m_steps->clear();
    m_config->clearImage();
}

void ImagePanelsController::onLayerState(int layer)
{
    switch (m_image->layerState(layer)) {
    case ImageController::LayerState::Listed: {
        const auto *tree = m_image->layerTree(layer);
        m_layers->setRandomAccess(layer, m_image->layerCheckpoints(layer), m_image->layerTocFormat(layer));
        m_layers->setListed(
            layer, tree ? tree->entryCount() : 0, tree ? tree->rejectedCount() : 0, m_image->rejectedEntries(layer));
        break;
    }
    case ImageController::LayerState::Failed:
        m_layers->setFailed(layer, tr("listing failed, incomplete (see Jobs)"));
        break;
    case ImageController::LayerState::Cancelled: {
        const auto *tree = m_image->layerTree(layer);
        m_layers->setFailed(layer, tr("cancelled, incomplete (%1 entries listed)").arg(tree ? tree->entryCount() : 0));
        break;
    }
    case ImageController::LayerState::Listing:
        m_layers->setLoading(layer, 0, m_image->image().manifest.layers.value(layer).size, 0);
        break;
    case ImageController::LayerState::Pending:
        m_layers->setNotLoaded(layer);
        break;
    }
}

void ImagePanelsController::onLayerProgress(int layer, qint64 done, qint64 total, int entries)
{
    if (m_image->layerState(layer) == ImageController::LayerState::Listing)
        m_layers->setLoading(layer, done, total, entries);
}

} // namespace ll::ui
