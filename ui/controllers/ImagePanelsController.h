#pragma once

#include <QObject>

namespace ll::ui {

class BuildStepModel;
class ImageConfigView;
class ImageController;
class LayerListModel;

/**
 * Keeps the image panels in step with the ImageController: fills the layer list, the build steps and the
 * config view when an image resolves, clears them when it closes, and shows each layer's listing state and
 * progress in the layer list while layers stream.
 */
class ImagePanelsController : public QObject
{
    Q_OBJECT
public:
    ImagePanelsController(ImageController *image, LayerListModel *layers, BuildStepModel *steps,
        ImageConfigView *config, QObject *parent = nullptr);

private:
    void onResolved();
    void onClosing();
    void onLayerState(int layer);
    void onLayerProgress(int layer, qint64 done, qint64 total, int entries);

    ImageController *m_image;
    LayerListModel *m_layers;
    BuildStepModel *m_steps;
    ImageConfigView *m_config;
};

} // namespace ll::ui
