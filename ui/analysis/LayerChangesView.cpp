#include "analysis/LayerChangesView.h"

#include "analysis/AnalysisController.h"
#include "analysis/ChangeTree.h"
#include "analysis/LayerChanges.h"
#include "analysis/LayerChangesProxy.h"
#include "analysis/LayerChangesTreeModel.h"
#include "common/HumanSize.h"
#include "fs/FileNode.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace ll::ui {

LayerChangesView::LayerChangesView(AnalysisController *analysis, QWidget *parent)
    : QWidget(parent)
    , m_analysis(analysis)
    , m_model(new LayerChangesTreeModel(this))
    , m_proxy(new LayerChangesProxy(
          LayerChangesTreeModel::IsDirRole, LayerChangesTreeModel::SortRole, LayerChangesTreeModel::PathRole, this))
{
    setObjectName(QStringLiteral("layerChangesView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("changesSummary"));
    m_summary->setContentsMargins(6, 0, 6, 0);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(LayerChangesTreeModel::SortRole);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("changesTree"));
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->setModel(m_proxy);
    m_view->sortByColumn(LayerChangesTreeModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(40);
    header->resizeSection(LayerChangesTreeModel::ChangeColumn, 100);
    header->resizeSection(LayerChangesTreeModel::SizeColumn, 90);
    header->resizeSection(LayerChangesTreeModel::SizeBeforeColumn, 90);
    header->resizeSection(LayerChangesTreeModel::TypeColumn, 70);
    header->resizeSection(LayerChangesTreeModel::LayerBeforeColumn, 80);
    header->setSectionResizeMode(LayerChangesTreeModel::NameColumn, QHeaderView::Stretch);
    layout->addWidget(m_view, 1);

    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const fs::FileNode *node = LayerChangesTreeModel::nodeOf(index);
        if (node && !node->isDir())
            emit fileActivated(node);
    });
    connect(
        m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LayerChangesView::selectionChanged);
    connect(analysis, &AnalysisController::changed, this, &LayerChangesView::apply);
    apply();
}

void LayerChangesView::showLayer(int layer)
{
    if (layer == m_layer && m_model->changeTree() == m_analysis->changeTree(layer))
        return;
    m_layer = layer;
    apply();
}

void LayerChangesView::apply()
{
    const analysis::ChangeTree *tree = m_analysis->changeTree(m_layer);
    if (tree != m_model->changeTree()) {
        m_model->setChangeTree(tree);
        m_model->setFetchAll(m_proxy->isFiltering());
    }
    if (m_layer < 0) {
        m_summary->setText(tr("Pick a layer: its changes are shown here."));
    } else if (!tree) {
        m_summary->setText(m_analysis->isRunning()
                ? tr("Layer %1: analysing the layers…").arg(m_layer)
                : tr("Layer %1: changes are shown once every layer is listed.").arg(m_layer));
    } else {
        const analysis::LayerChanges &c = *tree->changes();
        m_summary->setText(tr("Layer %1: <span style='color:#1b7f2a'>+%2 added (%3)</span> · "
                              "<span style='color:#a06200'>~%4 modified (%5)</span> · "
                              "<span style='color:#b01c1c'>−%6 deleted (%7 hidden)</span>")
                               .arg(m_layer)
                               .arg(groupedNumber(c.added), humanSize(c.addedBytes), groupedNumber(c.modified),
                                   humanSize(c.modifiedBytes), groupedNumber(c.deleted), humanSize(c.deletedBytes)));
        if (c.added + c.modified + c.deleted < 200)
            m_view->expandAll(); // a few changes: all in sight
    }
}

void LayerChangesView::setFilterText(const QString &text)
{
    m_model->setFetchAll(!text.isEmpty());
    m_proxy->setFilterText(text);
    if (!text.isEmpty() && m_proxy->rowCount() > 0 && m_proxy->rowCount() < 500)
        m_view->expandAll();
}

QList<const fs::FileNode *> LayerChangesView::selectedNodes() const
{
    QList<const fs::FileNode *> nodes;
    QModelIndexList rows = m_view->selectionModel()->selectedRows(LayerChangesTreeModel::NameColumn);
    if (rows.isEmpty() && m_view->currentIndex().isValid())
        rows << m_view->currentIndex().siblingAtColumn(LayerChangesTreeModel::NameColumn);
    std::sort(rows.begin(), rows.end(), [this](const QModelIndex &a, const QModelIndex &b) {
        return m_view->visualRect(a).top() < m_view->visualRect(b).top();
    });
    for (const QModelIndex &index : std::as_const(rows)) {
        if (const fs::FileNode *node = LayerChangesTreeModel::nodeOf(index))
            nodes << node;
    }
    return nodes;
}

const fs::FileNode *LayerChangesView::currentNode() const
{
    return LayerChangesTreeModel::nodeOf(m_view->currentIndex());
}

QString LayerChangesView::summaryText() const
{
    return m_summary->text();
}

} // namespace ll::ui
