#pragma once

#include "fs/FileNode.h"

#include <QString>

#include <vector>

namespace ll::analysis {

/** One path a layer changed, relative to the layers below it (their merged view). */
struct Change {
    enum class Kind {
        Added, // the path did not exist below
        Modified, // the path existed below (a file re-written, a type change, a dir whose mode or owner changed)
        Deleted, // the path existed below and this layer removes it (whiteout, opaque dir, replaced parent)
    };
    Kind kind = Kind::Added;
    /**
     * Added/Modified: this layer's node. Deleted: the layer's whiteout marker for the path when there is one,
     * nullptr when an opaque dir (or a re-created dir) hid it. Owned by the layer's LayerTree.
     */
    const fs::FileNode *node = nullptr;
    QString deletedPath; // Deleted only
    fs::FileNode::Type type = fs::FileNode::Type::File; // the layer's copy (Deleted: the copy below)
    qint64 size = 0; // the layer's copy (0 for Deleted)
    /** The copy below: its size (a directory: the bytes of the files in its subtree), 0 for Added. */
    qint64 sizeBefore = 0;
    int layerBefore = -1; // origin layer of the copy below, -1 for Added

    /** The path relative to the image root. O(depth). */
    QString path() const { return kind == Kind::Deleted ? deletedPath : node->path(); }
};

/**
 * What one layer did to the image below it. Directories listed again unchanged (tar lists every parent
 * again) and implicit directories are not changes; a directory counts as modified when its type, mode or
 * owner changed.
 */
struct LayerChanges {
    int layer = -1;
    int added = 0;
    int modified = 0;
    int deleted = 0;
    qint64 addedBytes = 0; // sizes of the added non-directories
    qint64 modifiedBytes = 0; // sizes of this layer's copies of modified non-directories
    qint64 deletedBytes = 0; // bytes of the files the deletions removed from view
    std::vector<Change> changes; // in layer-tree walk order (deletions of a dir before its children's changes)
};

} // namespace ll::analysis
