#pragma once

#include <QObject>

namespace ll::ui {

class BuildStepModel;
class BuildStepsView;
class FileBrowser;
class LayerListModel;
class LayersView;

/**
 * Keeps the three views of "which layer" in step: picking a layer in the Layers list shows it in the file
 * browser and selects the build step that made it; picking a step selects its layer; switching the browser
 * (view switch, Ctrl+M) selects the layer row or clears the selection for the merged view.
 */
class LayerSelectionSync : public QObject
{
    Q_OBJECT
public:
    LayerSelectionSync(FileBrowser *browser, LayersView *layers, BuildStepsView *steps, QObject *parent = nullptr);

signals:
    /** The layer shown or the selection changed (the window updates its actions). */
    void changed();
    /** A one-line note for the status bar. */
    void message(const QString &text);

private:
    void fromBrowser(int layer);
    void fromLayers();
    void fromSteps();

    FileBrowser *m_browser;
    LayersView *m_layers;
    BuildStepsView *m_steps;
    LayerListModel *m_layerModel;
    BuildStepModel *m_stepModel;
    bool m_syncing = false;
};

} // namespace ll::ui
