#include "analysis/EfficiencyPanel.h"

#include "widgets/RowTable.h"

#include "analysis/AnalysisController.h"
#include "analysis/LayerChangesModel.h"
#include "analysis/WastedFilesModel.h"
#include "common/HumanSize.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace ll::ui {

EfficiencyPanel::EfficiencyPanel(AnalysisController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_layers(new LayerChangesModel(this))
    , m_wasted(new WastedFilesModel(this))
{
    setObjectName(QStringLiteral("efficiencyPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("efficiencySummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_layersView = makeRowTable(m_layers, split);
    m_layersView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layersView->setObjectName(QStringLiteral("layerChangesView"));
    m_wastedView = makeRowTable(m_wasted, split);
    m_wastedView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_wastedView->setObjectName(QStringLiteral("wastedFilesView"));
    m_wastedView->setToolTip(tr("Files written in more than one layer, or written and then deleted: every copy "
                                "counts (as dive counts). Double-click to show one in the file view."));
    split->addWidget(m_layersView);
    split->addWidget(m_wastedView);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_wastedView, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        const QString path
            = index.siblingAtColumn(WastedFilesModel::PathColumn).data(WastedFilesModel::PathRole).toString();
        if (!path.isEmpty())
            emit openPath(path);
    });
    connect(controller, &AnalysisController::changed, this, &EfficiencyPanel::refresh);
    refresh();
}

QString EfficiencyPanel::summaryText() const
{
    return m_summary->text();
}

void EfficiencyPanel::refresh()
{
    if (!m_controller->isAvailable()) {
        m_layers->setLayers(nullptr);
        m_wasted->setPaths(nullptr);
        m_summary->setText(tr("Shown once every layer is listed."));
        return;
    }
    const analysis::ImageAnalysis &a = m_controller->analysis();
    const analysis::Efficiency &e = a.efficiency();
    m_layers->setLayers(&a.layers());
    m_wasted->setPaths(&e.wasted);
    m_summary->setText(tr("Efficiency %1 %  ·  wasted %2 of %3 in all layers  ·  %4 wasted file(s)")
                           .arg(e.score * 100.0, 0, 'f', 2)
                           .arg(humanSize(e.wastedBytes), humanSize(e.totalBytes))
                           .arg(e.wasted.size()));
    m_layersView->resizeColumnsToContents();
    m_wastedView->resizeColumnToContents(WastedFilesModel::BytesColumn);
    m_wastedView->resizeColumnToContents(WastedFilesModel::LayersColumn);
}

} // namespace ll::ui
