#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace ll::ui {

class AnalysisController;
class LayerChangesModel;
class WastedFilesModel;

/**
 * The "Layer Changes & Efficiency" dock: the efficiency score, wasted and total bytes, what each layer added,
 * modified and deleted, and the wasted files (most bytes first). Activating a wasted file asks for it to be
 * shown in the file view (openPath()).
 */
class EfficiencyPanel : public QWidget
{
    Q_OBJECT
public:
    explicit EfficiencyPanel(AnalysisController *controller, QWidget *parent = nullptr);

    QString summaryText() const;
    LayerChangesModel *layerModel() const { return m_layers; }
    WastedFilesModel *wastedModel() const { return m_wasted; }
    QTableView *wastedView() const { return m_wastedView; }
    QTableView *layersView() const { return m_layersView; }

signals:
    void openPath(const QString &path);

private:
    void refresh();

    AnalysisController *m_controller;
    LayerChangesModel *m_layers;
    WastedFilesModel *m_wasted;
    QLabel *m_summary;
    QTableView *m_layersView;
    QTableView *m_wastedView;
};

} // namespace ll::ui
