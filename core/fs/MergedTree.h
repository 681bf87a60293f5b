#pragma once

#include "common/Result.h"
#include "fs/FileNode.h"
#include "fs/LayerTree.h"

#include <deque>
#include <vector>

namespace ll::fs {

/** Fate of a path of one layer in the stacked image. */
struct LayerStatus {
    enum class Kind {
        Visible, // this layer's copy is what a container sees
        Overwritten, // a later layer `byLayer` replaced it (a dir merged with a plain upper dir stays Visible;
                     // an upper dir that is opaque or whited out and re-created overwrites it)
        Deleted, // a whiteout / opaque dir / non-directory parent in layer `byLayer` removed it
        NotInLayer, // the layer has no such entry (or only a whiteout marker for it)
    };
    Kind kind = Kind::NotInLayer;
    int byLayer = -1;

    bool operator==(const LayerStatus &o) const { return kind == o.kind && byLayer == o.byLayer; }
};

/**
 * The filesystem a container sees: layers applied bottom-up, overlayfs style.
 *
 * addLayer() applies, per layer: whiteouts (the path and its subtree disappear), opaque dirs (all lower
 * children of the dir disappear, this layer's stay), then the layer's entries (a non-directory replaces a
 * directory subtree and vice versa; a directory over a directory merges). Every node carries its origin
 * layer in FileNode::layer and FileNode::ReplacedLower when it shadows a lower copy. Whiteout markers are
 * never nodes of the merged tree.
 *
 * Rows are consistent after each addLayer() but not stable across it (removal moves the last sibling into
 * the hole): a view model resets after each layer. The tree keeps pointers to the added LayerTrees for
 * status(); they must outlive it (or use the static overloads).
 */
class MergedTree
{
public:
    MergedTree();
    ~MergedTree();
    MergedTree(MergedTree &&) noexcept;
    MergedTree &operator=(MergedTree &&) noexcept;
    MergedTree(const MergedTree &) = delete;
    MergedTree &operator=(const MergedTree &) = delete;

    /** Applies layer on top of what is there; layers come bottom-up (increasing layerIndex()). */
    void addLayer(const LayerTree &layer);
    /**
     * The same, consuming layer: onto an empty tree its nodes are adopted rather than copied (a listing such as
     * `--bulk-peek`, which keeps no per-layer tree, then holds the bottom layer once instead of twice); onto a
     * non-empty one it is applied and dropped. status() knows nothing of a layer added this way (treated as
     * empty).
     */
    void addLayer(LayerTree &&layer);

    const FileNode *root() const { return m_root; }
    const FileNode *find(QStringView path) const;
    /** Number of nodes (files, dirs, links, implicit dirs), root excluded. */
    int entryCount() const { return m_nodeCount; }
    int layerCount() const { return int(m_layers.size()); }
    const std::vector<const LayerTree *> &layers() const { return m_layers; }

    /**
     * All nodes in path order (depth first, parents before children, siblings sorted by name),
     * root excluded: the `--bulk-peek` listing.
     */
    std::vector<const FileNode *> entries() const;

    /** status() over the layers added so far. */
    LayerStatus status(int layerIndex, QStringView path) const { return status(m_layers, layerIndex, path); }
    /**
     * Fate of path as layer layerIndex has it, given all layers (index i at position i; a nullptr layer is
     * treated as empty).
     */
    static LayerStatus status(const std::vector<const LayerTree *> &layers, int layerIndex, QStringView path);

    /**
     * Carve's question, looking from the top layer down: Found in layer k (node = that layer's node),
     * Deleted in layer k (a whiteout, opaque parent or non-dir parent in k hides lower copies), NotFound,
     * or Unknown with layer = the first (from the top) layer still nullptr, which must be read to decide.
     * layer is always the position in layers (a LayerTree's own layerIndex() is not used).
     */
    static Lookup lookupTopDown(const std::vector<const LayerTree *> &layers, QStringView path);

    /**
     * Resolves symlinks of path inside the merged image (see PathSanitizer::resolveInImage).
     * Hard links are not followed (they are not symlinks).
     */
    Result<QString> resolve(QStringView path, bool followFinal = true) const;

private:
    FileNode *newNode(const FileNode &from, FileNode *parent, int layer);
    void removeNode(FileNode *node);
    void clearChildrenOf(FileNode *node);
    int countSubtree(const FileNode *node) const;
    void apply(const FileNode *src, FileNode *dst, int layer);
    void noteLayer(int index, const LayerTree *layer);
    void adopt(LayerTree &layer, int index);

    std::deque<FileNode> m_arena;
    FileNode *m_root = nullptr;
    int m_nodeCount = 0;
    std::vector<const LayerTree *> m_layers;
    int m_lastIndex = -1;
};

} // namespace ll::fs
