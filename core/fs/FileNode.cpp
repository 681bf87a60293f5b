#include "fs/FileNode.h"

#include <QVarLengthArray>

namespace ll::fs {

QString FileNode::path() const
{
    if (!parent)
        return QStringLiteral(".");
    QVarLengthArray<const FileNode *, 32> chain;
    qsizetype length = 0;
    for (const FileNode *n = this; n->parent; n = n->parent) {
        chain.append(n);
        length += n->name.size() + 1;
    }
    QString result;
    result.reserve(length);
    for (qsizetype i = chain.size() - 1; i >= 0; --i) {
        result += chain[i]->name;
        if (i)
            result += QLatin1Char('/');
    }
    return result;
}

struct FileNode::ChildIndex {
    std::vector<quint32> hashes; // parallel to children
    std::vector<int> table; // row, Empty or Removed; size a power of two >= 2 * rows; empty when small
    int removed = 0;
    static constexpr int Empty = -1;
    static constexpr int Removed = -2;
};

namespace {

quint32 nameHash(QStringView name)
{
    static const size_t seed = QHashSeed::globalSeed();
    return quint32(qHash(name, seed));
}

} // namespace

FileNode::FileNode() = default;
FileNode::~FileNode() = default;
FileNode::FileNode(FileNode &&) noexcept = default;
FileNode &FileNode::operator=(FileNode &&) noexcept = default;

FileNode *FileNode::child(QStringView childName) const
{
    if (!m_index)
        return nullptr;
    return lookup(childName, nameHash(childName));
}

FileNode *FileNode::lookup(QStringView childName, quint32 hash) const
{
    const ChildIndex &ix = *m_index;
    if (ix.table.empty()) {
        for (size_t r = 0; r < ix.hashes.size(); ++r) {
            if (ix.hashes[r] == hash && children[r]->name == childName)
                return children[r];
        }
        return nullptr;
    }
    const size_t mask = ix.table.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const int r = ix.table[i];
        if (r == ChildIndex::Empty)
            return nullptr;
        if (r >= 0 && ix.hashes[size_t(r)] == hash && children[size_t(r)]->name == childName)
            return children[size_t(r)];
    }
}

void FileNode::rebuildTable()
{
    ChildIndex &ix = *m_index;
    size_t size = 64;
    while (size < children.size() * 2)
        size *= 2;
    ix.table.assign(size, ChildIndex::Empty);
    ix.removed = 0;
    const size_t mask = size - 1;
    for (size_t r = 0; r < ix.hashes.size(); ++r) {
        size_t i = ix.hashes[r] & mask;
        while (ix.table[i] != ChildIndex::Empty)
            i = (i + 1) & mask;
        ix.table[i] = int(r);
    }
}

void FileNode::appendChild(FileNode *c)
{
    if (!m_index)
        m_index = std::make_unique<ChildIndex>();
    ChildIndex &ix = *m_index;
    c->parent = this;
    c->row = int(children.size());
    children.push_back(c);
    const quint32 h = nameHash(c->name);
    ix.hashes.push_back(h);
    if (ix.table.empty()) {
        if (children.size() > size_t(IndexThreshold))
            rebuildTable();
        return;
    }
    // Keep the load factor (live + removed) at most 1/2.
    if ((children.size() + size_t(ix.removed)) * 2 > ix.table.size()) {
        rebuildTable();
        return;
    }
    const size_t mask = ix.table.size() - 1;
    size_t i = h & mask;
    while (ix.table[i] >= 0)
        i = (i + 1) & mask;
    if (ix.table[i] == ChildIndex::Removed)
        --ix.removed;
    ix.table[i] = c->row;
}

void FileNode::removeChildAt(int at)
{
    Q_ASSERT(at >= 0 && size_t(at) < children.size());
    ChildIndex &ix = *m_index;
    const size_t last = children.size() - 1;
    FileNode *gone = children[size_t(at)];
    if (!ix.table.empty()) {
        // Find the table slots of the removed row and of the last row (which moves into the hole).
        const size_t mask = ix.table.size() - 1;
        auto slotOf = [&](size_t row) {
            size_t i = ix.hashes[row] & mask;
            while (ix.table[i] != int(row))
                i = (i + 1) & mask;
            return i;
        };
        const size_t goneSlot = slotOf(size_t(at));
        if (last != size_t(at))
            ix.table[slotOf(last)] = at;
        ix.table[goneSlot] = ChildIndex::Removed;
        ++ix.removed;
    }
    if (last != size_t(at)) {
        children[size_t(at)] = children[last];
        children[size_t(at)]->row = at;
        ix.hashes[size_t(at)] = ix.hashes[last];
    }
    children.pop_back();
    ix.hashes.pop_back();
    gone->parent = nullptr;
    gone->row = -1;
}

void FileNode::clearChildren()
{
    for (FileNode *c : children) {
        c->parent = nullptr;
        c->row = -1;
    }
    children.clear();
    m_index.reset();
}

void FileNode::setMetadata(const stream::TarEntry &e)
{
    type = e.type;
    size = e.size;
    mode = e.mode;
    uid = e.uid;
    gid = e.gid;
    mtime = e.mtime;
    uname = e.uname;
    gname = e.gname;
    linkTarget = e.linkTarget;
    devMajor = e.devMajor;
    devMinor = e.devMinor;
    headerOffset = e.headerOffset;
    dataOffset = e.dataOffset;
}

void FileNode::copyMetadata(const FileNode &o)
{
    type = o.type;
    size = o.size;
    mode = o.mode;
    uid = o.uid;
    gid = o.gid;
    mtime = o.mtime;
    uname = o.uname;
    gname = o.gname;
    linkTarget = o.linkTarget;
    devMajor = o.devMajor;
    devMinor = o.devMinor;
    headerOffset = o.headerOffset;
    dataOffset = o.dataOffset;
}

} // namespace ll::fs
