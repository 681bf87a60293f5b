#include "fs/LayerTree.h"

#include "common/Logging.h"
#include "fs/PathSanitizer.h"
#include "fs/Whiteout.h"
#include "stream/TarEntry.h"

namespace ll::fs {

namespace {

/** Calls fn(component, isLast) for each component of a normal-form path; stops when fn returns false. */
template<typename Fn> void forEachComponent(QStringView path, Fn fn)
{
    if (path.isEmpty() || path == QLatin1String("."))
        return;
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = path.indexOf(QLatin1Char('/'), start);
        if (end < 0) {
            fn(path.mid(start), true);
            return;
        }
        if (!fn(path.mid(start, end - start), false))
            return;
        start = end + 1;
    }
}

} // namespace

LayerTree::LayerTree(int layerIndex) : m_layerIndex(layerIndex)
{
    m_root = &m_arena.emplace_back();
    m_root->type = FileNode::Type::Directory;
    m_root->layer = layerIndex;
    m_root->mode = 0755;
}

LayerTree::~LayerTree() = default;
LayerTree::LayerTree(LayerTree &&) noexcept = default;
LayerTree &LayerTree::operator=(LayerTree &&) noexcept = default;

std::deque<FileNode> LayerTree::takeNodes(FileNode *&root)
{
    std::deque<FileNode> nodes = std::move(m_arena); // the nodes stay where they are: only the blocks change hands
    root = m_root;
    *this = LayerTree(m_layerIndex);
    return nodes;
}

QString LayerTree::intern(const QString &s)
{
    if (s.isEmpty())
        return QString();
    const auto it = m_owners.constFind(s);
    if (it != m_owners.cend())
        return *it;
    m_owners.insert(s, s);
    return s;
}

FileNode *LayerTree::newNode(QStringView name, FileNode *parent)
{
    FileNode *n = &m_arena.emplace_back();
    n->name = name.toString();
    n->layer = m_layerIndex;
    parent->appendChild(n);
    ++m_nodeCount;
    return n;
}

void LayerTree::list(FileNode *node)
{
    node->seq = int(m_order.size());
    m_order.push_back(node);
    ++m_entryCount;
}

void LayerTree::unlist(FileNode *node)
{
    if (node->seq < 0)
        return;
    m_order[size_t(node->seq)] = nullptr;
    node->seq = -1;
    --m_entryCount;
}

void LayerTree::dropSubtree(FileNode *node)
{
    m_lastDir = nullptr;
    // Iterative: hostile archives can be deep.
    std::vector<FileNode *> stack(node->children.begin(), node->children.end());
    node->clearChildren();
    while (!stack.empty()) {
        FileNode *n = stack.back();
        stack.pop_back();
        unlist(n);
        --m_nodeCount;
        stack.insert(stack.end(), n->children.begin(), n->children.end());
        n->clearChildren();
    }
}

FileNode *LayerTree::ensureDir(FileNode *parent, QStringView name)
{
    FileNode *n = parent->child(name);
    if (!n) {
        n = newNode(name, parent);
        n->type = FileNode::Type::Directory;
        n->mode = 0755;
        n->flags = FileNode::Implicit;
        return n;
    }
    if (!n->isDir()) {
        // "a" was a file (or a marker) and now "a/x" appears: tar would replace it by a directory.
        m_lastDir = nullptr;
        unlist(n);
        n->type = FileNode::Type::Directory;
        n->size = 0;
        n->linkTarget.clear();
        n->mode = 0755;
        n->flags = (n->flags & ~FileNode::HasEntry) | FileNode::Implicit;
    }
    return n;
}

FileNode *LayerTree::walkCreate(QStringView path, bool createLast)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    if (slash > 0 && m_lastDir && path.left(slash) == m_lastDirPath) {
        const QStringView name = path.mid(slash + 1);
        FileNode *n = m_lastDir->child(name);
        if (!n && createLast)
            n = newNode(name, m_lastDir);
        return n;
    }
    FileNode *cur = m_root;
    forEachComponent(path, [&](QStringView c, bool last) {
        if (!last) {
            cur = ensureDir(cur, c);
            return true;
        }
        FileNode *n = cur->child(c);
        if (!n && createLast)
            n = newNode(c, cur);
        if (slash > 0) {
            m_lastDir = cur;
            m_lastDirPath = path.left(slash).toString();
        }
        cur = n;
        return true;
    });
    return cur;
}

Result<const FileNode *> LayerTree::addEntry(const stream::TarEntry &entry)
{
    QString path = entry.path;
    if (!PathSanitizer::isNormal(path)) {
        Result<QString> safe = PathSanitizer::safeRelative(path);
        if (!safe) {
            ++m_rejected;
            qCWarning(llFs) << "layer" << m_layerIndex << "unsafe entry skipped:" << entry.path;
            return safe.error();
        }
        path = std::move(*safe);
    }

    const Whiteout wo = Whiteout::classify(path);
    switch (wo.kind) {
    case Whiteout::Kind::Ignored:
        return static_cast<const FileNode *>(nullptr);
    case Whiteout::Kind::Opaque: {
        FileNode *dir = m_root;
        if (wo.target != QLatin1String(".")) {
            // The opaque dir and its parents are directories.
            forEachComponent(wo.target, [&](QStringView c, bool) {
                dir = ensureDir(dir, c);
                return true;
            });
        }
        if (!dir->isOpaque()) {
            dir->flags |= FileNode::Opaque;
            m_opaqueDirs.append(wo.target);
        }
        return static_cast<const FileNode *>(dir);
    }
    case Whiteout::Kind::Whiteout: {
        FileNode *n = walkCreate(wo.target, true);
        if (n->flags == 0) {
            // Marker-only node: keep the marker's metadata for display.
            n->setMetadata(entry);
            n->uname = intern(entry.uname);
            n->gname = intern(entry.gname);
        }
        if (!n->isWhiteout()) {
            n->flags |= FileNode::Whiteout;
            m_whiteouts.append(wo.target);
        }
        return static_cast<const FileNode *>(n);
    }
    case Whiteout::Kind::None:
        break;
    }

    FileNode *n = walkCreate(path, true);
    if (n->hasEntry())
        unlist(n); // replaced: listed again at its new position
    if (entry.type != FileNode::Type::Directory && n->isDir()) {
        m_lastDir = nullptr; // it may be the cached parent
        if (!n->children.empty())
            dropSubtree(n);
    }
    n->setMetadata(entry);
    n->uname = intern(entry.uname);
    n->gname = intern(entry.gname);
    if (n->isRoot())
        n->type = FileNode::Type::Directory; // "./" as anything else is nonsense; the root stays a dir
    n->flags = (n->flags & ~FileNode::Implicit) | FileNode::HasEntry;
    list(n);
    return static_cast<const FileNode *>(n);
}

const FileNode *LayerTree::find(QStringView path) const
{
    const FileNode *cur = m_root;
    forEachComponent(path, [&](QStringView c, bool) {
        cur = cur->child(c);
        return cur != nullptr;
    });
    return cur;
}

std::vector<const FileNode *> LayerTree::entries() const
{
    std::vector<const FileNode *> out;
    out.reserve(size_t(m_entryCount));
    for (const FileNode *n : m_order) {
        if (n)
            out.push_back(n);
    }
    return out;
}

Lookup LayerTree::probe(QStringView rawPath) const
{
    Lookup result;
    QString normal;
    QStringView path = rawPath;
    if (!PathSanitizer::isNormal(path)) {
        Result<QString> safe = PathSanitizer::safeRelative(path);
        if (!safe)
            return result;
        normal = std::move(*safe);
        path = normal;
    }
    const FileNode *cur = m_root;
    bool hidden = m_root->isOpaque();
    bool decided = false;
    forEachComponent(path, [&](QStringView c, bool last) {
        const FileNode *next = cur->child(c);
        if (!next) {
            result.status = hidden ? Lookup::Status::Deleted : Lookup::Status::NotFound;
            decided = true;
            return false;
        }
        if (last) {
            result.status = next->isWhiteoutOnly() ? Lookup::Status::Deleted : Lookup::Status::Found;
            if (result.status == Lookup::Status::Found)
                result.node = next;
            decided = true;
            return false;
        }
        if (next->hasEntry() && !next->isDir()) {
            // A non-directory here replaces whatever lower layers had below it.
            result.status = Lookup::Status::Deleted;
            decided = true;
            return false;
        }
        if (next->isWhiteout() || next->isOpaque())
            hidden = true;
        cur = next;
        return true;
    });
    if (!decided) {
        // The root itself.
        result.status = Lookup::Status::Found;
        result.node = m_root;
    }
    if (result.status != Lookup::Status::NotFound)
        result.layer = m_layerIndex;
    return result;
}

} // namespace ll::fs
