#include "analysis/DiffTree.h"

#include <QHash>

namespace ll::analysis {

DiffTree::DiffTree() = default;

DiffTree DiffTree::build(std::vector<DiffEntry> entries)
{
    DiffTree out;
    out.m_entries = std::move(entries);
    out.m_nodes.reserve(out.m_entries.size() + 16);
    out.m_nodes.emplace_back();
    QHash<QString, int> dirs; // path -> node
    dirs.reserve(qsizetype(out.m_entries.size() + 16));
    dirs.insert(QString(), 0);

    const auto append = [&out](int parent, QString name) {
        const int index = int(out.m_nodes.size());
        Node n;
        n.name = std::move(name);
        n.parent = parent;
        n.row = int(out.m_nodes[size_t(parent)].children.size());
        out.m_nodes.push_back(std::move(n));
        out.m_nodes[size_t(parent)].children.push_back(index);
        return index;
    };
    // The node of a directory path, made with its missing ancestors.
    const auto ensureDir = [&](const QString &path) {
        auto it = dirs.constFind(path);
        if (it != dirs.cend())
            return *it;
        int at = 0;
        qsizetype from = 0;
        while (from <= path.size()) {
            qsizetype slash = path.indexOf(QLatin1Char('/'), from);
            if (slash < 0)
                slash = path.size();
            const QString prefix = path.left(slash);
            auto known = dirs.constFind(prefix);
            if (known != dirs.cend()) {
                at = *known;
            } else {
                at = append(at, path.mid(from, slash - from));
                dirs.insert(prefix, at);
            }
            from = slash + 1;
        }
        return at;
    };

    for (size_t i = 0; i < out.m_entries.size(); ++i) {
        const QString &path = out.m_entries[i].path;
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        const int parent = slash < 0 ? 0 : ensureDir(path.left(slash));
        int index;
        // A directory may have been made on the way before its own entry (entries out of order).
        const auto known = dirs.constFind(path);
        if (known != dirs.cend() && out.m_nodes[size_t(*known)].entry < 0) {
            index = *known;
        } else {
            index = append(parent, slash < 0 ? path : path.mid(slash + 1));
            dirs.insert(path, index); // a type change's old contents come after it, below the same name
        }
        out.m_nodes[size_t(index)].entry = int(i);
        for (int p = index; p >= 0; p = out.m_nodes[size_t(p)].parent)
            ++out.m_nodes[size_t(p)].differencesBelow;
    }
    return out;
}

const DiffEntry *DiffTree::entryOf(int i) const
{
    const int e = m_nodes[size_t(i)].entry;
    return e < 0 ? nullptr : &m_entries[size_t(e)];
}

QString DiffTree::path(int i) const
{
    const int e = m_nodes[size_t(i)].entry;
    if (e >= 0)
        return m_entries[size_t(e)].path;
    QStringList parts;
    for (int p = i; p > 0; p = m_nodes[size_t(p)].parent)
        parts.prepend(m_nodes[size_t(p)].name);
    return parts.join(QLatin1Char('/'));
}

} // namespace ll::analysis
