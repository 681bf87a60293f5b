#pragma once

#include <QString>

#include <vector>

namespace ll::fs {
class LayerTree;
struct FileNode;
} // namespace ll::fs

namespace ll::analysis {

struct LayerChanges;

/**
 * What one layer changed, as a tree a view can walk: every path the layer added, modified or deleted, with the
 * directories on the way to them (which the layer may list unchanged). Nodes are plain structs in one vector
 * (index 0 the root), each knowing its parent and row, so a model answers parent()/row() in O(1).
 *
 * Built from the layer's LayerChanges and its LayerTree in O(changes + their ancestors); both must outlive it.
 */
class ChangeTree
{
public:
    struct Node {
        /** The layer tree's node at this path (a whiteout marker for a deletion named by one); nullptr for a path
         *  an opaque or re-created directory hid (no node of its own in this layer). */
        const fs::FileNode *node = nullptr;
        QString hiddenName; // the name when node is nullptr
        int change = -1; // index in LayerChanges::changes; -1 for a directory on the way to changes
        int parent = -1;
        int row = 0;
        std::vector<int> children;
        int changesBelow = 0; // changes in the subtree, this node's own included
    };

    ChangeTree();
    static ChangeTree build(const fs::LayerTree &tree, const LayerChanges &changes);

    int layer() const { return m_layer; }
    int size() const { return int(m_nodes.size()); }
    const Node &node(int i) const { return m_nodes[size_t(i)]; }
    const LayerChanges *changes() const { return m_changes; }
    QString name(int i) const;
    /** Path relative to the image root; O(depth). */
    QString path(int i) const;

private:
    int m_layer = -1;
    const LayerChanges *m_changes = nullptr;
    std::vector<Node> m_nodes;
};

} // namespace ll::analysis
