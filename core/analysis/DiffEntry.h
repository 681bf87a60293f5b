#pragma once

#include "fs/FileNode.h"

#include <QString>

namespace ll::analysis {

/** One path that differs between two images (what `after` added, removed or changed relative to `before`). */
struct DiffEntry {
    enum class Change { Added, Removed, Changed };
    /** What differs in a Changed entry (flags). */
    enum What : quint8 {
        Type = 0x01,
        Size = 0x02,
        Mode = 0x04,
        Owner = 0x08, // uid or gid
        Link = 0x10, // symlink or hard link target
        Content = 0x20, // digests differ when both are known, else size or mtime differ
    };

    Change change = Change::Changed;
    QString path;
    /** The visible copies (layer-tree nodes of each image); nullptr on the missing side. */
    const fs::FileNode *before = nullptr;
    const fs::FileNode *after = nullptr;
    quint8 what = 0;

    fs::FileNode::Type type() const { return after ? after->type : before->type; }
    /** Sizes of the two copies; -1 for the missing side. Directories are 0. */
    qint64 sizeBefore() const { return before ? (before->isDir() ? 0 : before->size) : -1; }
    qint64 sizeAfter() const { return after ? (after->isDir() ? 0 : after->size) : -1; }
    /** sizeAfter - sizeBefore with a missing side as 0. */
    qint64 sizeDelta() const { return qMax<qint64>(0, sizeAfter()) - qMax<qint64>(0, sizeBefore()); }
    int layerBefore() const { return before ? before->layer : -1; }
    int layerAfter() const { return after ? after->layer : -1; }
};

/** Counts over a whole comparison. */
struct DiffSummary {
    int added = 0;
    int removed = 0;
    int changed = 0;
    /** Bottom layers both images share (the same layer listing at the same position): never walked. */
    int sharedLayers = 0;
    /** Sum of DiffEntry::sizeDelta() over every difference (files only: what the new image weighs more). */
    qint64 sizeDelta = 0;
};

} // namespace ll::analysis
