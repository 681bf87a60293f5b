#include "analysis/LayerChangesModel.h"

#include "analysis/ChangeColours.h"
#include "analysis/LayerChanges.h"
#include "common/HumanSize.h"

#include <QBrush>
#include <QColor>

namespace ll::ui {

LayerChangesModel::LayerChangesModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void LayerChangesModel::setLayers(const std::vector<analysis::LayerChanges> *layers)
{
    beginResetModel();
    m_layers = layers;
    endResetModel();
}

int LayerChangesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_layers ? 0 : int(m_layers->size());
}

int LayerChangesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerChangesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_layers)
        return {};
    const analysis::LayerChanges &l = (*m_layers)[size_t(index.row())];
    const qint64 raw[] = { l.layer, l.added, l.modified, l.deleted, l.addedBytes, l.deletedBytes };
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == AddedBytesColumn || index.column() == DeletedBytesColumn)
            return humanSize(raw[index.column()]);
        if (index.column() == AddedColumn || index.column() == ModifiedColumn || index.column() == DeletedColumn)
            return groupedNumber(raw[index.column()]);
        return QString::number(raw[index.column()]);
    case SortRole:
        return raw[index.column()];
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        // The colours of the marks in the file view: added green, modified amber, deleted red.
        if (raw[index.column()] == 0 || index.column() == LayerColumn)
            return {};
        if (index.column() == AddedColumn || index.column() == AddedBytesColumn)
            return QBrush(changeColour(analysis::Change::Kind::Added));
        if (index.column() == ModifiedColumn)
            return QBrush(changeColour(analysis::Change::Kind::Modified));
        return QBrush(changeColour(analysis::Change::Kind::Deleted));
    default:
        return {};
    }
}

QVariant LayerChangesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LayerColumn:
        return tr("Layer");
    case AddedColumn:
        return tr("Added");
    case ModifiedColumn:
        return tr("Modified");
    case DeletedColumn:
        return tr("Deleted");
    case AddedBytesColumn:
        return tr("Added bytes");
    case DeletedBytesColumn:
        return tr("Deleted bytes");
    default:
        return {};
    }
}

} // namespace ll::ui
