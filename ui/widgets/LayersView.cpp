#include "widgets/LayersView.h"

#include "models/LayerListModel.h"
#include "widgets/LayerItemDelegate.h"

#include <QHeaderView>

#include <algorithm>

namespace ll::ui {

LayersView::LayersView(LayerListModel *model, QWidget *parent) : QTreeView(parent)
{
    setObjectName(QStringLiteral("layersView"));
    setModel(model);
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setItemDelegate(new LayerItemDelegate(this));
    setContextMenuPolicy(Qt::ActionsContextMenu);
    QHeaderView *h = header();
    h->resizeSection(LayerListModel::IndexColumn, 30);
    h->resizeSection(LayerListModel::DigestColumn, 100);
    h->resizeSection(LayerListModel::SizeColumn, 90);
    h->resizeSection(LayerListModel::StateColumn, 130);
    h->resizeSection(LayerListModel::MediaTypeColumn, 100);
    h->resizeSection(LayerListModel::StepColumn, 260);
    // What matters first: size, listing state, then the step and the media type.
    h->moveSection(h->visualIndex(LayerListModel::StateColumn), LayerListModel::SizeColumn + 1);
    // What the layer changed, once analysed, right after its listing state.
    h->resizeSection(LayerListModel::ChangesColumn, 160);
    h->moveSection(h->visualIndex(LayerListModel::ChangesColumn), h->visualIndex(LayerListModel::StateColumn) + 1);
}

QList<int> LayersView::selectedLayers() const
{
    QList<int> layers;
    const auto rows = selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        layers << index.row();
    std::sort(layers.begin(), layers.end());
    return layers;
}

int LayersView::currentLayer() const
{
    const QModelIndex current = currentIndex();
    return current.isValid() ? current.row() : -1;
}

} // namespace ll::ui
