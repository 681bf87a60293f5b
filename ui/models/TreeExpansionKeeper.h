#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class QAbstractItemModel;
class QModelIndex;
class QTreeView;

namespace ll::ui {

class FileTreeModel;

/**
 * Keeps a tree view's expanded directories and current item across model resets (the merged view resets after
 * each layer; FileTreeModel::refresh() resets when rows vanished). Rows are remembered by path.
 *
 * Create it after view->setModel(): the view's model must be model itself or a chain of QAbstractProxyModels
 * over it. Call rebind() after giving the view another model.
 */
class TreeExpansionKeeper : public QObject
{
    Q_OBJECT
public:
    TreeExpansionKeeper(QTreeView *view, FileTreeModel *model, QObject *parent = nullptr);
    ~TreeExpansionKeeper() override;

    /** Re-attach to view->model(). */
    void rebind();

    /** At most this many expanded paths are kept (restoring is ~O(paths); default 500). */
    void setLimit(int paths) { m_limit = paths; }

    /** Paths of the expanded directories, parents before children (at most the limit). */
    QStringList expandedPaths() const;
    /** Expands these paths (those that exist in the model now). */
    void expandPaths(const QStringList &paths);

    /** The view index of path (through the view's proxies), exposing pages as needed; invalid if absent. */
    QModelIndex viewIndexForPath(const QString &path) const;

private:
    void save();
    void restore();

    QPointer<QTreeView> m_view;
    QPointer<FileTreeModel> m_model;
    QPointer<QAbstractItemModel> m_bound;
    QStringList m_expanded;
    QString m_current;
    int m_limit = 500;
};

} // namespace ll::ui
