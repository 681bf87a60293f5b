#include "analysis/WastedFilesModel.h"

#include "analysis/Efficiency.h"
#include "common/HumanSize.h"

#include <QStringList>

namespace ll::ui {

WastedFilesModel::WastedFilesModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void WastedFilesModel::setPaths(const std::vector<analysis::WastedPath> *paths)
{
    beginResetModel();
    m_paths = paths;
    m_shown = qMin(totalCount(), PageSize);
    // A view (or QAbstractItemModelTester) asking for more from inside a change notification gets nothing:
    // rows inserted while a change is being announced would break its bookkeeping (and nest inserts).
    m_busy = true;
    endResetModel();
    m_busy = false;
}

int WastedFilesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

int WastedFilesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool WastedFilesModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_busy && m_shown < totalCount();
}

void WastedFilesModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const int more = qMin(PageSize, totalCount() - m_shown);
    m_busy = true;
    beginInsertRows(QModelIndex(), m_shown, m_shown + more - 1);
    m_shown += more;
    endInsertRows();
    m_busy = false;
}

QVariant WastedFilesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_paths)
        return {};
    const analysis::WastedPath &w = (*m_paths)[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case BytesColumn:
            return humanSize(w.bytes);
        case LayersColumn: {
            QStringList layers;
            for (int l : w.layers)
                layers << QString::number(l);
            return layers.join(QStringLiteral(", "));
        }
        case PathColumn:
            return w.path;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return tr("%1: %2 bytes over %3 layers (smallest copy %4 bytes)")
            .arg(w.path)
            .arg(w.bytes)
            .arg(w.layers.size())
            .arg(w.minBytes);
    case Qt::TextAlignmentRole:
        return index.column() == BytesColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case PathRole:
        return w.path;
    default:
        return {};
    }
}

QVariant WastedFilesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case BytesColumn:
        return tr("Bytes");
    case LayersColumn:
        return tr("Layers");
    case PathColumn:
        return tr("Path");
    default:
        return {};
    }
}

} // namespace ll::ui
