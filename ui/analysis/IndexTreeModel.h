#pragma once

#include <QAbstractItemModel>

#include <vector>

namespace ll::ui {

/**
 * Base of the models over a tree kept as nodes in one vector (analysis::ChangeTree, analysis::DiffTree): node 0
 * is the root, each node knows its parent, its row and its children's node numbers; internalId is the node
 * number. Lazy: a directory shows its children a batch at a time (fetchMore), every one of them while
 * setFetchAll(true) (a filter must see them all). Subclasses answer the structure and data().
 */
class IndexTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    static constexpr int BatchSize = 1000;

    explicit IndexTreeModel(QObject *parent = nullptr);
    ~IndexTreeModel() override;

    void setFetchAll(bool all);
    /** The model index of a node (fetching what is needed on the way); invalid when absent. */
    QModelIndex indexOfNode(int node);

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

protected:
    /** Nodes in the tree; 0 when there is none. */
    virtual int nodeCount() const = 0;
    virtual const std::vector<int> &childrenOf(int node) const = 0;
    virtual int parentOf(int node) const = 0;
    virtual int rowOf(int node) const = 0;

    /** Subclasses set their tree between these (a reset; the root shows its first batch). */
    void beginSetTree();
    void endSetTree();
    /** The node of an index (0, the root, for an invalid one). */
    static int nodeOfIndex(const QModelIndex &index) { return index.isValid() ? int(index.internalId()) : 0; }

private:
    int shown(int node) const;

    std::vector<int> m_fetched; // children shown per node
    bool m_fetchAll = false;
    bool m_busy = false; // inside a change notification
};

/**
 * IndexTreeModel over a Tree with size() and node(i) giving .children, .parent and .row (analysis::ChangeTree,
 * analysis::DiffTree); the subclass sets m_tree between beginSetTree() and endSetTree().
 */
template<class Tree> class IndexTreeModelOf : public IndexTreeModel
{
public:
    using IndexTreeModel::IndexTreeModel;

protected:
    int nodeCount() const override { return m_tree ? m_tree->size() : 0; }
    const std::vector<int> &childrenOf(int node) const override { return m_tree->node(node).children; }
    int parentOf(int node) const override { return m_tree->node(node).parent; }
    int rowOf(int node) const override { return m_tree->node(node).row; }

    const Tree *m_tree = nullptr;
};

} // namespace ll::ui
