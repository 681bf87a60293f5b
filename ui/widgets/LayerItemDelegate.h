#pragma once

#include <QStyledItemDelegate>

namespace ll::ui {

/**
 * Paints the layer list: a size bar behind the size column (LayerListModel::SizeFractionRole, the share of
 * the largest layer) and a progress bar in the state column while a layer is listing
 * (LayerListModel::ProgressRole).
 */
class LayerItemDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit LayerItemDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace ll::ui
