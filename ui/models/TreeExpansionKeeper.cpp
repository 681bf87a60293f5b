#include "models/TreeExpansionKeeper.h"

#include "models/FileTreeModel.h"

#include <QAbstractProxyModel>
#include <QTreeView>

#include <algorithm>

namespace ll::ui {

TreeExpansionKeeper::TreeExpansionKeeper(QTreeView *view, FileTreeModel *model, QObject *parent)
    : QObject(parent ? parent : view), m_view(view), m_model(model)
{
    rebind();
}

TreeExpansionKeeper::~TreeExpansionKeeper() = default;

void TreeExpansionKeeper::rebind()
{
    if (m_bound)
        disconnect(m_bound, nullptr, this, nullptr);
    m_bound = m_view ? m_view->model() : nullptr;
    if (!m_bound)
        return;
    connect(m_bound, &QAbstractItemModel::modelAboutToBeReset, this, &TreeExpansionKeeper::save);
    connect(m_bound, &QAbstractItemModel::modelReset, this, &TreeExpansionKeeper::restore);
}

QStringList TreeExpansionKeeper::expandedPaths() const
{
    QStringList out;
    if (!m_view || !m_view->model())
        return out;
    QAbstractItemModel *model = m_view->model();
    // Only expanded branches are walked: cost follows what is open, not the tree size.
    std::vector<QModelIndex> stack { QModelIndex() };
    while (!stack.empty() && out.size() < m_limit) {
        const QModelIndex parent = stack.back();
        stack.pop_back();
        const int rows = model->rowCount(parent);
        for (int r = 0; r < rows; ++r) {
            const QModelIndex child = model->index(r, 0, parent);
            if (m_view->isExpanded(child) && out.size() < m_limit) {
                out.append(child.data(FileTreeModel::PathRole).toString());
                stack.push_back(child);
            }
        }
    }
    std::sort(out.begin(), out.end()); // "a" before "a/b": parents expand first
    return out;
}

QModelIndex TreeExpansionKeeper::viewIndexForPath(const QString &path) const
{
    if (!m_model || !m_view || !m_view->model())
        return QModelIndex();
    QModelIndex index = m_model->indexForPath(path);
    if (!index.isValid())
        return index;
    // Map up through the proxy chain between the view and the file model.
    std::vector<QAbstractProxyModel *> chain;
    for (QAbstractItemModel *m = m_view->model(); m && m != m_model;) {
        auto *proxy = qobject_cast<QAbstractProxyModel *>(m);
        if (!proxy)
            return QModelIndex();
        chain.push_back(proxy);
        m = proxy->sourceModel();
    }
    for (auto it = chain.rbegin(); it != chain.rend() && index.isValid(); ++it)
        index = (*it)->mapFromSource(index);
    return index;
}

void TreeExpansionKeeper::expandPaths(const QStringList &paths)
{
    if (!m_view)
        return;
    for (const QString &path : paths) {
        const QModelIndex index = viewIndexForPath(path);
        if (index.isValid())
            m_view->expand(index);
    }
}

void TreeExpansionKeeper::save()
{
    m_expanded = expandedPaths();
    const QModelIndex current = m_view ? m_view->currentIndex() : QModelIndex();
    m_current = current.isValid() ? current.data(FileTreeModel::PathRole).toString() : QString();
}

void TreeExpansionKeeper::restore()
{
    expandPaths(m_expanded);
    if (!m_current.isEmpty() && m_view) {
        const QModelIndex current = viewIndexForPath(m_current);
        if (current.isValid())
            m_view->setCurrentIndex(current);
    }
    m_expanded.clear();
    m_current.clear();
}

} // namespace ll::ui
