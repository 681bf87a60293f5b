#include "controllers/LayerSelectionSync.h"

#include "models/BuildStepModel.h"
#include "models/LayerListModel.h"
#include "widgets/BuildStepsView.h"
#include "widgets/FileBrowser.h"
#include "widgets/LayersView.h"

#include <QItemSelectionModel>

namespace ll::ui {

LayerSelectionSync::LayerSelectionSync(FileBrowser *browser, LayersView *layers, BuildStepsView *steps, QObject *parent)
    : QObject(parent)
    , m_browser(browser)
    , m_layers(layers)
    , m_steps(steps)
    , m_layerModel(static_cast<LayerListModel *>(layers->model()))
    , m_stepModel(static_cast<BuildStepModel *>(steps->model()))
{
    connect(m_browser, &FileBrowser::currentLayerChanged, this, &LayerSelectionSync::fromBrowser);
    connect(m_layers->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LayerSelectionSync::fromLayers);
    connect(m_layers->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LayerSelectionSync::changed);
    connect(m_steps->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LayerSelectionSync::fromSteps);
}

void LayerSelectionSync::fromBrowser(int layer)
{
    if (m_syncing)
        return;
    m_syncing = true;
    if (layer >= 0)
        m_layers->setCurrentIndex(m_layerModel->index(layer, 0));
    else
        m_layers->clearSelection();
    m_syncing = false;
    emit changed();
}

void LayerSelectionSync::fromLayers()
{
    if (m_syncing)
        return;
    const int layer = m_layers->currentLayer();
    // Tabbing into the list makes its first row current without selecting it: that is not a pick.
    if (layer < 0 || !m_layers->selectionModel()->isRowSelected(layer, QModelIndex()))
        return;
    m_syncing = true;
    m_browser->showLayer(layer);
    const int step = m_stepModel->stepForLayer(layer);
    if (step >= 0)
        m_steps->setCurrentIndex(m_stepModel->index(step, 0));
    m_syncing = false;
    emit changed();
}

void LayerSelectionSync::fromSteps()
{
    if (m_syncing)
        return;
    const QModelIndex current = m_steps->currentIndex();
    if (!current.isValid())
        return;
    const int layer = m_stepModel->layerForStep(current.row());
    if (layer < 0) {
        emit message(tr("Step %1 only changed metadata; it made no layer").arg(current.row()));
        return;
    }
    m_layers->setCurrentIndex(m_layerModel->index(layer, 0)); // syncs the tree
}

} // namespace ll::ui
