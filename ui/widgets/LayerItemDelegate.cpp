#include "widgets/LayerItemDelegate.h"

#include "models/LayerListModel.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace ll::ui {

LayerItemDelegate::LayerItemDelegate(QObject *parent) : QStyledItemDelegate(parent)
{ }

void LayerItemDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.column() == LayerListModel::SizeColumn) {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString text = opt.text;
        opt.text.clear();
        QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        const double fraction = qBound(0.0, index.data(LayerListModel::SizeFractionRole).toDouble(), 1.0);
        const QRect r = opt.rect.adjusted(3, 3, -3, -3);
        if (fraction > 0 && r.width() > 4) {
            QRect bar = r;
            bar.setWidth(qMax(2, int(r.width() * fraction)));
            QColor c = opt.palette.color(QPalette::Highlight);
            c.setAlpha(opt.state & QStyle::State_Selected ? 110 : 60);
            painter->save();
            painter->setRenderHint(QPainter::Antialiasing);
            painter->setPen(Qt::NoPen);
            painter->setBrush(c);
            painter->drawRoundedRect(bar, 2, 2);
            painter->restore();
        }
        painter->save();
        painter->setPen(
            opt.palette.color(opt.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
        painter->drawText(r.adjusted(3, 0, -3, 0), Qt::AlignVCenter | Qt::AlignRight, text);
        painter->restore();
        return;
    }
    if (index.column() == LayerListModel::StateColumn
        && index.data(LayerListModel::StateRole).toInt() == int(LayerListModel::LoadState::Loading)) {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        const QString text = opt.text;
        opt.text.clear();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        QStyleOptionProgressBar bar;
        bar.rect = opt.rect.adjusted(2, 2, -2, -2);
        bar.minimum = 0;
        const int progress = index.data(LayerListModel::ProgressRole).toInt();
        bar.maximum = progress < 0 ? 0 : 100;
        bar.progress = qMax(0, progress);
        bar.text = text;
        bar.textVisible = true;
        bar.state = QStyle::State_Enabled | QStyle::State_Horizontal;
        bar.palette = opt.palette;
        bar.fontMetrics = opt.fontMetrics;
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, opt.widget);
        return;
    }
    QStyledItemDelegate::paint(painter, option, index);
}

QSize LayerItemDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == LayerListModel::SizeColumn)
        s.setWidth(qMax(s.width() + 24, 90));
    return s;
}

} // namespace ll::ui
