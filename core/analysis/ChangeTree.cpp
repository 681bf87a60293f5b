#include "analysis/ChangeTree.h"

#include "analysis/LayerChanges.h"
#include "fs/LayerTree.h"

#include <QHash>

namespace ll::analysis {

ChangeTree::ChangeTree() = default;

ChangeTree ChangeTree::build(const fs::LayerTree &tree, const LayerChanges &changes)
{
    ChangeTree out;
    out.m_layer = changes.layer;
    out.m_changes = &changes;
    out.m_nodes.reserve(changes.changes.size() + 16);
    out.m_nodes.push_back({ tree.root(), {}, -1, -1, 0, {}, 0 });
    QHash<const fs::FileNode *, int> at;
    at.reserve(qsizetype(changes.changes.size()) + 16);
    at.insert(tree.root(), 0);

    const auto append = [&out](int parent, const fs::FileNode *node, QString hidden) {
        const int index = int(out.m_nodes.size());
        Node n;
        n.node = node;
        n.hiddenName = std::move(hidden);
        n.parent = parent;
        n.row = int(out.m_nodes[size_t(parent)].children.size());
        out.m_nodes.push_back(std::move(n));
        out.m_nodes[size_t(parent)].children.push_back(index);
        return index;
    };
    // The index of a layer node, creating it and the ancestors not made yet (iteratively: paths may be deep).
    std::vector<const fs::FileNode *> chain;
    const auto ensure = [&](const fs::FileNode *node) {
        chain.clear();
        auto it = at.constFind(node);
        while (it == at.cend()) {
            chain.push_back(node);
            node = node->parent;
            it = at.constFind(node);
        }
        int index = *it;
        for (auto c = chain.rbegin(); c != chain.rend(); ++c) {
            index = append(index, *c, {});
            at.insert(*c, index);
        }
        return index;
    };

    for (size_t i = 0; i < changes.changes.size(); ++i) {
        const Change &ch = changes.changes[i];
        int index;
        if (ch.node) {
            index = ensure(ch.node);
        } else {
            // Hidden by an opaque or re-created directory of this layer: that directory is its parent.
            const qsizetype slash = ch.deletedPath.lastIndexOf(QLatin1Char('/'));
            const fs::FileNode *dir = slash < 0 ? tree.root() : tree.find(QStringView(ch.deletedPath).left(slash));
            if (!dir)
                dir = tree.root(); // cannot happen with a change list made from this tree; keep the path visible
            index = append(ensure(dir), nullptr, slash < 0 ? ch.deletedPath : ch.deletedPath.mid(slash + 1));
        }
        out.m_nodes[size_t(index)].change = int(i);
        for (int p = index; p >= 0; p = out.m_nodes[size_t(p)].parent)
            ++out.m_nodes[size_t(p)].changesBelow;
    }
    return out;
}

QString ChangeTree::name(int i) const
{
    const Node &n = m_nodes[size_t(i)];
    return n.node ? n.node->name : n.hiddenName;
}

QString ChangeTree::path(int i) const
{
    QStringList parts;
    for (int p = i; p > 0; p = m_nodes[size_t(p)].parent)
        parts.prepend(name(p));
    return parts.join(QLatin1Char('/'));
}

} // namespace ll::analysis
