#pragma once

#include "analysis/DiffEntry.h"

#include <QString>

#include <vector>

namespace ll::analysis {

/**
 * The differences between two images (ImageDiff's entries) as a tree a view can walk: each differing path and
 * the directories on the way to it. Nodes are plain structs in one vector (index 0 the root) knowing their
 * parent and row. Entries point into both images' layer trees: those must outlive the tree.
 */
class DiffTree
{
public:
    struct Node {
        QString name;
        int entry = -1; // index in entries(); -1 for a directory on the way to differences
        int parent = -1;
        int row = 0;
        std::vector<int> children;
        int differencesBelow = 0; // in the subtree, this node's own included
    };

    DiffTree();
    /** entries: in ImageDiff's order (a directory before what is in it) or any order. */
    static DiffTree build(std::vector<DiffEntry> entries);

    int size() const { return int(m_nodes.size()); }
    const Node &node(int i) const { return m_nodes[size_t(i)]; }
    const std::vector<DiffEntry> &entries() const { return m_entries; }
    /** The entry of node i, nullptr for a directory on the way. */
    const DiffEntry *entryOf(int i) const;
    /** Path relative to the image root; O(depth). */
    QString path(int i) const;

private:
    std::vector<DiffEntry> m_entries;
    std::vector<Node> m_nodes;
};

} // namespace ll::analysis
