#pragma once

#include "common/Result.h"
#include "fs/FileNode.h"

#include <QStringList>

#include <deque>
#include <vector>

namespace ll::stream {
struct TarEntry;
}

namespace ll::fs {

/** What a layer (or a stack of layers, looked at from the top) says about one path. */
struct Lookup {
    enum class Status {
        NotFound, // no layer has it (or this layer says nothing about it)
        Found, // node is the visible copy, in layer
        Deleted, // a whiteout / opaque dir / non-dir parent in layer hides every lower copy
        Unknown, // lookupTopDown: layer `layer` is not loaded yet and must be read to decide
    };
    Status status = Status::NotFound;
    int layer = -1;
    const FileNode *node = nullptr;

    bool isFound() const { return status == Status::Found; }
    bool isDeleted() const { return status == Status::Deleted; }
};

/**
 * The file tree of one layer, built entry by entry as the tar stream is read.
 *
 * - Parents that appear after their children (or never) are created as implicit directories.
 * - A later entry for the same path replaces the earlier one, as tar extraction does (a non-directory
 *   replacing a directory drops the directory's subtree).
 * - Whiteout markers are not files: `.wh.NAME` marks the node NAME with FileNode::Whiteout (creating a
 *   marker-only node if the layer has no NAME itself), `.wh..wh..opq` sets FileNode::Opaque on its dir.
 *   AUFS metadata (`.wh..wh.plnk` ...) is dropped.
 * Lookups are O(depth); 200,000 entries insert in well under a second (bench/bench_tree).
 * Move-only; node pointers stay valid while the tree lives.
 */
class LayerTree
{
public:
    explicit LayerTree(int layerIndex = 0);
    ~LayerTree();
    LayerTree(LayerTree &&) noexcept;
    LayerTree &operator=(LayerTree &&) noexcept;
    LayerTree(const LayerTree &) = delete;
    LayerTree &operator=(const LayerTree &) = delete;

    int layerIndex() const { return m_layerIndex; }

    /**
     * Adds one tar entry. Returns the node it produced or changed (the whiteout-marked node for `.wh.NAME`,
     * the dir for an opaque marker), nullptr for ignored AUFS metadata, or Error::UnsafePath for a path
     * with ".." climbing above the root (the entry is then not added).
     */
    Result<const FileNode *> addEntry(const stream::TarEntry &entry);

    const FileNode *root() const { return m_root; }
    /** The node at a normalised path ("." or "" for the root), including implicit and marker-only nodes. */
    const FileNode *find(QStringView path) const;

    /** Entries that are listed files (have their own tar entry); replaced entries count once. */
    int entryCount() const { return m_entryCount; }
    /** All nodes reachable from the root, root excluded (entries, implicit dirs, marker-only nodes). */
    int nodeCount() const { return m_nodeCount; }

    /**
     * The listed entries in archive order (a replaced entry takes the position of its last occurrence).
     * Implicit dirs and whiteout markers are not in it. O(n) copy.
     */
    std::vector<const FileNode *> entries() const;

    /** Paths this layer deletes in lower layers (`.wh.NAME` targets), archive order, no duplicates. */
    const QStringList &whiteouts() const { return m_whiteouts; }
    /** Directories this layer makes opaque ("." for the root), archive order, no duplicates. */
    const QStringList &opaqueDirs() const { return m_opaqueDirs; }
    /** Entries dropped because their path was unsafe. */
    int rejectedCount() const { return m_rejected; }

    /**
     * What this layer alone says about path for the stacked view (as far as it has been read):
     * Found (this layer has it; implicit dirs count), Deleted (a whiteout of the path or of a parent,
     * an opaque parent, or a non-directory parent in this layer hides lower copies) or NotFound
     * (look in lower layers). layer is set to layerIndex() for Found and Deleted.
     */
    Lookup probe(QStringView path) const;

    /**
     * Gives up every node for a MergedTree to adopt (see MergedTree::addLayer(LayerTree &&)): returns the
     * arena, root receives the old root. Pointers into it stay valid; this tree is left empty.
     */
    std::deque<FileNode> takeNodes(FileNode *&root);

private:
    FileNode *newNode(QStringView name, FileNode *parent);
    FileNode *ensureDir(FileNode *parent, QStringView name);
    FileNode *walkCreate(QStringView path, bool createLast);
    void unlist(FileNode *node);
    void dropSubtree(FileNode *node);
    void list(FileNode *node);
    QString intern(const QString &s);

    int m_layerIndex = 0;
    std::deque<FileNode> m_arena;
    FileNode *m_root = nullptr;
    std::vector<FileNode *> m_order; // archive order; nullptr holes for replaced entries
    int m_entryCount = 0;
    int m_nodeCount = 0;
    int m_rejected = 0;
    QStringList m_whiteouts;
    QStringList m_opaqueDirs;
    QHash<QString, QString> m_owners; // interned uname/gname
    // Tar streams list a directory's members together: remember the last parent dir walked to.
    QString m_lastDirPath;
    FileNode *m_lastDir = nullptr;
};

} // namespace ll::fs
