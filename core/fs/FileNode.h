#pragma once

#include "stream/TarEntry.h"

#include <QHash>
#include <QString>
#include <QStringView>

#include <memory>
#include <vector>

namespace ll::fs {

/**
 * One node of a layer tree or of the merged tree: a plain struct, not a QObject.
 *
 * Each node knows its parent and its row (index in parent->children), so a QAbstractItemModel can use the
 * node pointer as internalPointer and answer parent()/row() in O(1). Children are kept in a vector; a
 * name -> row index is kept per directory: a compact array of the children's name hashes, plus an
 * open-addressing table once a directory has more than IndexThreshold children (seeded hash, so crafted
 * names cannot make a directory quadratic). Nodes are owned by their tree's arena; pointers stay valid for the tree's
 * lifetime (also after a node was removed from the tree: it is then simply unreachable).
 */
struct FileNode {
    using Type = stream::TarEntry::Type;

    enum Flag : quint8 {
        /** A tar entry of the layer produced this node (it is a listed file/dir/link). */
        HasEntry = 0x01,
        /** Created because a descendant appeared before (or without) its own entry. */
        Implicit = 0x02,
        /** Layer tree: a `.wh.NAME` marker in this layer deletes this path in lower layers. */
        Whiteout = 0x04,
        /** Layer tree: `.wh..wh..opq` in this dir hides all lower content of the dir. */
        Opaque = 0x08,
        /** Merged tree: this node replaced a copy from a lower layer (the lower copy is shadowed). */
        ReplacedLower = 0x10,
    };

    /** Directories with more children than this get a hash table; smaller ones scan a compact hash array. */
    static constexpr int IndexThreshold = 16;

    QString name; // one path component; empty for the root
    FileNode *parent = nullptr;
    int row = 0; // index in parent->children
    std::vector<FileNode *> children;

    Type type = Type::Directory;
    quint8 flags = 0;
    int layer = -1; // layer index (merged tree: origin layer)
    quint32 mode = 0;
    qint64 size = 0;
    qint64 uid = 0;
    qint64 gid = 0;
    qint64 mtime = 0;
    QString uname;
    QString gname;
    QString linkTarget;
    quint32 devMajor = 0;
    quint32 devMinor = 0;
    qint64 headerOffset = -1; // uncompressed offset of the tar header in the layer (-1: none)
    qint64 dataOffset = -1;
    int seq = -1; // layer tree: slot in archive order, -1 when not listed

    FileNode();
    ~FileNode();
    FileNode(const FileNode &) = delete;
    FileNode &operator=(const FileNode &) = delete;
    FileNode(FileNode &&) noexcept;
    FileNode &operator=(FileNode &&) noexcept;

    bool isDir() const { return type == Type::Directory; }
    bool isRoot() const { return parent == nullptr; }
    bool hasEntry() const { return flags & HasEntry; }
    bool isImplicit() const { return flags & Implicit; }
    bool isWhiteout() const { return flags & Whiteout; }
    bool isOpaque() const { return flags & Opaque; }
    bool replacedLower() const { return flags & ReplacedLower; }
    /** A whiteout marker only: not a file of this layer, just "deleted below". */
    bool isWhiteoutOnly() const { return (flags & Whiteout) && !(flags & (HasEntry | Implicit)); }
    int childCount() const { return int(children.size()); }

    /** Full path relative to the image root ("." for the root); O(depth). */
    QString path() const;

    /** The child called name, or nullptr. O(1) for big dirs, a short scan for small ones. */
    FileNode *child(QStringView name) const;
    /** Appends child (sets its parent and row). The name must not exist yet. */
    void appendChild(FileNode *child);
    /** Removes the child at row by moving the last child into its place (O(1); rows of one sibling change). */
    void removeChildAt(int row);
    /** Detaches all children. */
    void clearChildren();

    /** Copies type, size, mode, ids, times, link, devices and offsets from a tar entry. */
    void setMetadata(const stream::TarEntry &entry);
    /** Copies the same metadata from another node (layer tree -> merged tree). */
    void copyMetadata(const FileNode &other);

private:
    struct ChildIndex;
    FileNode *lookup(QStringView name, quint32 hash) const;
    void rebuildTable();
    std::unique_ptr<ChildIndex> m_index; // hashes of the children's names (+ an open-addressing table for big dirs)
};

} // namespace ll::fs
