#include "fs/MergedTree.h"

#include "common/Logging.h"
#include "fs/PathSanitizer.h"

#include <algorithm>

namespace ll::fs {

MergedTree::MergedTree()
{
    m_root = &m_arena.emplace_back();
    m_root->type = FileNode::Type::Directory;
    m_root->mode = 0755;
}

MergedTree::~MergedTree() = default;
MergedTree::MergedTree(MergedTree &&) noexcept = default;
MergedTree &MergedTree::operator=(MergedTree &&) noexcept = default;

namespace {
/** A layer's node as the merged tree has it: its origin layer, only HasEntry/Implicit kept, and an entry-less
    node (an implicit dir, or a whiteout marker that became a dir) a plain implicit directory. */
void settle(FileNode *n, int layer)
{
    n->layer = layer;
    n->flags &= FileNode::HasEntry | FileNode::Implicit;
    if (!n->hasEntry()) {
        n->type = FileNode::Type::Directory;
        n->flags = FileNode::Implicit;
    }
}
} // namespace

FileNode *MergedTree::newNode(const FileNode &from, FileNode *parent, int layer)
{
    FileNode *n = &m_arena.emplace_back();
    n->name = from.name;
    n->copyMetadata(from);
    n->flags = from.flags;
    settle(n, layer);
    parent->appendChild(n);
    ++m_nodeCount;
    return n;
}

int MergedTree::countSubtree(const FileNode *node) const
{
    int count = 0;
    std::vector<const FileNode *> stack(node->children.begin(), node->children.end());
    while (!stack.empty()) {
        const FileNode *n = stack.back();
        stack.pop_back();
        ++count;
        stack.insert(stack.end(), n->children.begin(), n->children.end());
    }
    return count;
}

void MergedTree::clearChildrenOf(FileNode *node)
{
    // Removed nodes stay in the arena, unreachable (a later layer rarely deletes much).
    m_nodeCount -= countSubtree(node);
    node->clearChildren();
}

void MergedTree::removeNode(FileNode *node)
{
    Q_ASSERT(node->parent);
    m_nodeCount -= countSubtree(node) + 1;
    node->parent->removeChildAt(node->row);
}

void MergedTree::apply(const FileNode *srcRoot, FileNode *dstRoot, int layer)
{
    // Iterative depth-first walk (hostile layers can be very deep). Pairs: a layer dir and the merged dir
    // at the same path.
    std::vector<std::pair<const FileNode *, FileNode *>> stack { { srcRoot, dstRoot } };
    // Implicit dirs created by this layer, in creation order; those that end up empty (they only carried
    // whiteout markers) are removed afterwards, as docker's unpacker creates nothing for a bare marker.
    std::vector<FileNode *> created;
    while (!stack.empty()) {
        const auto [src, dst] = stack.back();
        stack.pop_back();
        if (src->isOpaque())
            clearChildrenOf(dst);
        for (const FileNode *c : src->children) {
            FileNode *m = dst->child(c->name);
            if (m && c->isWhiteout()) {
                removeNode(m);
                m = nullptr;
            }
            if (c->isWhiteoutOnly())
                continue;
            const bool srcIsDir = c->isDir();
            if (m && srcIsDir != m->isDir()) {
                // overlayfs: a non-dir replaces a dir subtree, a dir replaces a non-dir.
                removeNode(m);
                m = newNode(*c, dst, layer);
                m->flags |= FileNode::ReplacedLower;
            } else if (m) {
                if (c->hasEntry()) {
                    m->copyMetadata(*c);
                    m->layer = layer;
                    m->flags = FileNode::HasEntry | FileNode::ReplacedLower;
                }
                // An implicit dir over an existing dir keeps the lower dir's metadata and origin.
            } else {
                m = newNode(*c, dst, layer);
                if (srcIsDir && !c->hasEntry())
                    created.push_back(m);
            }
            // An opaque dir hides the lower content even when this layer puts nothing in it.
            if (srcIsDir && (!c->children.empty() || c->isOpaque()))
                stack.emplace_back(c, m);
        }
    }
    // Reverse creation order: children before their parents.
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        if ((*it)->children.empty() && (*it)->parent)
            removeNode(*it);
    }
}

void MergedTree::noteLayer(int index, const LayerTree *layer)
{
    if (index <= m_lastIndex)
        qCWarning(llFs) << "merged tree: layer" << index << "added out of order";
    m_lastIndex = index;
    if (size_t(index) >= m_layers.size())
        m_layers.resize(size_t(index) + 1, nullptr);
    m_layers[size_t(index)] = layer;
}

void MergedTree::addLayer(LayerTree &&layer)
{
    const int index = layer.layerIndex();
    if (m_lastIndex >= 0) {
        addLayer(static_cast<const LayerTree &>(layer));
        m_layers[size_t(index)] = nullptr; // dropped by the caller
        return;
    }
    noteLayer(index, nullptr);
    adopt(layer, index);
}

void MergedTree::adopt(LayerTree &layer, int index)
{
    // What apply() makes of a layer over nothing, done in place: whiteout markers go, flags are the merged
    // tree's, an entry-less node is a plain implicit dir, and implicit dirs left empty (they only carried
    // markers) go. Post-order, iteratively (hostile layers can be very deep).
    FileNode *root = nullptr;
    m_arena = layer.takeNodes(root);
    m_root = root;
    m_root->layer = m_root->hasEntry() ? index : -1;
    m_root->flags = 0; // as addLayer() leaves the root
    m_root->seq = -1;
    m_nodeCount = 0;
    struct Frame {
        FileNode *dir;
        int next;
    };
    std::vector<Frame> stack { { m_root, 0 } };
    while (!stack.empty()) {
        Frame &f = stack.back();
        if (f.next < f.dir->childCount()) {
            FileNode *c = f.dir->children[size_t(f.next)];
            if (c->isWhiteoutOnly()) {
                f.dir->removeChildAt(f.next); // the last child moves into this row: look at it next
                continue;
            }
            ++f.next;
            ++m_nodeCount;
            settle(c, index);
            c->seq = -1;
            if (c->isDir())
                stack.push_back({ c, 0 }); // invalidates f
            continue;
        }
        FileNode *done = f.dir;
        stack.pop_back();
        if (!stack.empty() && done->isImplicit() && done->children.empty()) {
            // done sits at its parent's last visited row: the child moved into it has not been looked at yet.
            Frame &parent = stack.back();
            parent.dir->removeChildAt(done->row);
            --parent.next;
            --m_nodeCount;
        }
    }
}

void MergedTree::addLayer(const LayerTree &layer)
{
    const int index = layer.layerIndex();
    noteLayer(index, &layer);

    const FileNode *src = layer.root();
    if (src->hasEntry()) {
        m_root->copyMetadata(*src);
        m_root->layer = index;
    }
    apply(src, m_root, index);
}

const FileNode *MergedTree::find(QStringView path) const
{
    if (path.isEmpty() || path == QLatin1String("."))
        return m_root;
    const FileNode *cur = m_root;
    qsizetype start = 0;
    while (cur) {
        const qsizetype end = path.indexOf(QLatin1Char('/'), start);
        cur = cur->child(end < 0 ? path.mid(start) : path.mid(start, end - start));
        if (end < 0)
            break;
        start = end + 1;
    }
    return cur;
}

std::vector<const FileNode *> MergedTree::entries() const
{
    std::vector<const FileNode *> out;
    out.reserve(size_t(m_nodeCount));
    std::vector<const FileNode *> stack;
    auto pushSorted = [&stack](const FileNode *dir) {
        const size_t first = stack.size();
        stack.insert(stack.end(), dir->children.begin(), dir->children.end());
        // Reverse order on the stack so the smallest name pops first.
        std::sort(stack.begin() + qsizetype(first), stack.end(),
            [](const FileNode *a, const FileNode *b) { return b->name < a->name; });
    };
    pushSorted(m_root);
    while (!stack.empty()) {
        const FileNode *n = stack.back();
        stack.pop_back();
        out.push_back(n);
        if (!n->children.empty())
            pushSorted(n);
    }
    return out;
}

LayerStatus MergedTree::status(const std::vector<const LayerTree *> &layers, int layerIndex, QStringView path)
{
    LayerStatus result;
    if (layerIndex < 0 || size_t(layerIndex) >= layers.size() || !layers[size_t(layerIndex)])
        return result;
    const Lookup own = layers[size_t(layerIndex)]->probe(path);
    if (!own.isFound() || (!own.node->hasEntry() && !own.node->isImplicit() && !own.node->isRoot()))
        return result;
    const bool isDir = own.node->isDir();
    for (size_t k = size_t(layerIndex) + 1; k < layers.size(); ++k) {
        if (!layers[k])
            continue;
        const Lookup upper = layers[k]->probe(path);
        if (upper.isDeleted()) {
            result.kind = LayerStatus::Kind::Deleted;
            result.byLayer = int(k);
            return result;
        }
        // A dir over a dir merges, unless the upper one was whited out and re-created or is opaque.
        if (upper.isFound()
            && !(isDir && upper.node->isDir() && !upper.node->isWhiteout() && !upper.node->isOpaque())) {
            result.kind = LayerStatus::Kind::Overwritten;
            result.byLayer = int(k);
            return result;
        }
    }
    result.kind = LayerStatus::Kind::Visible;
    return result;
}

Lookup MergedTree::lookupTopDown(const std::vector<const LayerTree *> &layers, QStringView path)
{
    for (size_t i = layers.size(); i-- > 0;) {
        if (!layers[i]) {
            Lookup unknown;
            unknown.status = Lookup::Status::Unknown;
            unknown.layer = int(i);
            return unknown;
        }
        Lookup r = layers[i]->probe(path);
        if (r.status != Lookup::Status::NotFound) {
            r.layer = int(i); // the position: a tree shared by several images may sit at another index
            return r;
        }
    }
    return Lookup();
}

Result<QString> MergedTree::resolve(QStringView path, bool followFinal) const
{
    return PathSanitizer::resolveInImage(
        path,
        [this](const QString &p) -> std::optional<QString> {
            const FileNode *n = find(p);
            if (n && n->type == FileNode::Type::Symlink)
                return n->linkTarget;
            return std::nullopt;
        },
        followFinal);
}

} // namespace ll::fs
