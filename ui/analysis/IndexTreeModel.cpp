#include "analysis/IndexTreeModel.h"

namespace ll::ui {

IndexTreeModel::IndexTreeModel(QObject *parent) : QAbstractItemModel(parent)
{ }

IndexTreeModel::~IndexTreeModel() = default;

void IndexTreeModel::beginSetTree()
{
    // Nothing is fetched from inside a change notification (a view or a model tester asking then would nest
    // inserts and break its bookkeeping).
    m_busy = true;
    beginResetModel();
}

void IndexTreeModel::endSetTree()
{
    m_fetched.assign(size_t(nodeCount()), 0);
    if (nodeCount() > 0)
        m_fetched[0] = qMin(BatchSize, int(childrenOf(0).size()));
    endResetModel();
    m_busy = false;
}

void IndexTreeModel::setFetchAll(bool all)
{
    if (m_fetchAll == all)
        return;
    if (!all) {
        // Rows shown stay shown.
        for (int i = 0; i < nodeCount(); ++i)
            m_fetched[size_t(i)] = int(childrenOf(i).size());
        m_fetchAll = false;
        return;
    }
    // Rows appear in every directory: one reset is cheaper than an insert per directory.
    m_busy = true;
    beginResetModel();
    m_fetchAll = true;
    endResetModel();
    m_busy = false;
}

int IndexTreeModel::shown(int node) const
{
    const int all = int(childrenOf(node).size());
    return m_fetchAll ? all : qMin(all, m_fetched[size_t(node)]);
}

QModelIndex IndexTreeModel::indexOfNode(int node)
{
    if (node <= 0 || node >= nodeCount())
        return {};
    const QModelIndex parent = indexOfNode(parentOf(node));
    const int row = rowOf(node);
    while (row >= shown(nodeOfIndex(parent)) && canFetchMore(parent))
        fetchMore(parent);
    return index(row, 0, parent);
}

QModelIndex IndexTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (nodeCount() == 0 || column < 0 || column >= columnCount(parent) || row < 0)
        return {};
    const int p = nodeOfIndex(parent);
    if (row >= shown(p))
        return {};
    return createIndex(row, column, quintptr(childrenOf(p)[size_t(row)]));
}

QModelIndex IndexTreeModel::parent(const QModelIndex &child) const
{
    if (nodeCount() == 0 || !child.isValid())
        return {};
    const int p = parentOf(int(child.internalId()));
    if (p <= 0)
        return {};
    return createIndex(rowOf(p), 0, quintptr(p));
}

int IndexTreeModel::rowCount(const QModelIndex &parent) const
{
    if (nodeCount() == 0 || (parent.isValid() && parent.column() != 0))
        return 0;
    return shown(nodeOfIndex(parent));
}

bool IndexTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (nodeCount() == 0 || (parent.isValid() && parent.column() != 0))
        return false;
    return !childrenOf(nodeOfIndex(parent)).empty();
}

bool IndexTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (nodeCount() == 0 || m_fetchAll || m_busy || (parent.isValid() && parent.column() != 0))
        return false;
    const int p = nodeOfIndex(parent);
    return m_fetched[size_t(p)] < int(childrenOf(p).size());
}

void IndexTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const int p = nodeOfIndex(parent);
    const int from = m_fetched[size_t(p)];
    const int to = qMin(from + BatchSize, int(childrenOf(p).size()));
    m_busy = true;
    beginInsertRows(parent, from, to - 1);
    m_fetched[size_t(p)] = to;
    endInsertRows();
    m_busy = false;
}

} // namespace ll::ui
