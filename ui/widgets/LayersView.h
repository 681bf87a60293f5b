#pragma once

#include <QTreeView>

namespace ll::ui {

class LayerListModel;

/**
 * The Layers dock's list: one row per layer of a LayerListModel (size bars and listing progress drawn by
 * LayerItemDelegate), several rows selectable (Save Layer Blob), columns in the order that matters first:
 * index, digest, size, listing state, then media type and the build step.
 */
class LayersView : public QTreeView
{
    Q_OBJECT
public:
    explicit LayersView(LayerListModel *model, QWidget *parent = nullptr);

    /** The selected layers' indexes, ascending. */
    QList<int> selectedLayers() const;
    /** The current row's layer, -1 when none. */
    int currentLayer() const;
};

} // namespace ll::ui
