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

FileNode *FileNode::child(QStringView childName) const
{
    if (m_index) {
        const auto it = m_index->constFind(childName);
        return it == m_index->cend() ? nullptr : children[size_t(*it)];
    }
    for (FileNode *c : children) {
        if (c->name == childName)
            return c;
    }
    return nullptr;
}

void FileNode::buildIndex()
{
    m_index = std::make_unique<QHash<QStringView, int>>();
    m_index->reserve(qsizetype(children.size()) * 2);
    for (const FileNode *c : children)
        m_index->insert(QStringView(c->name), c->row);
}

void FileNode::appendChild(FileNode *c)
{
    c->parent = this;
    c->row = int(children.size());
    children.push_back(c);
    if (m_index)
        m_index->insert(QStringView(c->name), c->row);
    else if (children.size() > size_t(IndexThreshold))
        buildIndex();
}

void FileNode::removeChildAt(int at)
{
    Q_ASSERT(at >= 0 && size_t(at) < children.size());
    FileNode *gone = children[size_t(at)];
    FileNode *last = children.back();
    if (m_index)
        m_index->remove(QStringView(gone->name));
    if (last != gone) {
        children[size_t(at)] = last;
        last->row = at;
        if (m_index)
            m_index->insert(QStringView(last->name), at);
    }
    children.pop_back();
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
