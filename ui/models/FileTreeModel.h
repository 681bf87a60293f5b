#pragma once

#include "fs/MergedTree.h"
#include "models/StagedFilesMimeData.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QIcon>

#include <vector>

namespace ll::fs {
class LayerTree;
class MergedTree;
struct FileNode;
} // namespace ll::fs

namespace ll::ui {

/**
 * A thin QAbstractItemModel over one fs::LayerTree (per-layer view) or the fs::MergedTree (merged view).
 *
 * Each index carries its `const fs::FileNode *` as internalPointer; parent() and row() are O(1). The trees are
 * not owned and must outlive the model's use of them (clear() or another set*Tree() first).
 *
 * Streaming: the controller adds entries to the LayerTree and calls refresh() (at most every ~200 ms). The
 * model answers rowCount() from what it last told the views, so the tree may grow between refreshes;
 * refresh() then emits rowsInserted for the new children of every directory a view has looked at (no reset,
 * expansion kept). Only when rows vanished (a directory replaced by a file in the same layer) does it reset.
 * In the merged view refresh() always resets (MergedTree rows are not stable across addLayer()).
 *
 * Huge directories are paged: a directory exposes pageSize() children at first, fetchMore() adds a page.
 * setFetchAll(true) (the filter proxy does this while a filter is active) exposes everything.
 */
class FileTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SizeColumn, ModeColumn, OwnerColumn, ModifiedColumn, LayerColumn, ColumnCount };

    enum Role {
        NodeRole = Qt::UserRole + 1, // const fs::FileNode *
        PathRole, // QString, full path in the image ("usr/bin/env")
        LayerRole, // int, the node's layer (merged view: origin layer)
        SortRole, // raw value of the column: name, qint64 size, mode, owner, mtime, layer
        IsDirRole, // bool
        StatusRole, // int: a NodeStatus value
    };
    Q_ENUM(Role)

    /** What the row is, beyond its metadata (drives font, colour and tooltip). */
    enum class NodeStatus {
        Normal,
        ImplicitDir, // per-layer: a parent the layer does not list itself
        DeletedHere, // per-layer: a whiteout marker only (this layer deletes the path below)
        RecreatedHere, // per-layer: whited out and re-created by this layer
        Opaque, // per-layer: opaque directory (hides lower content)
        OverwrittenLater, // per-layer: a later layer replaced it
        DeletedLater, // per-layer: a later layer deleted it
        ReplacedLower, // merged: this copy replaced one from a lower layer
    };
    Q_ENUM(NodeStatus)

    enum class Mode { Empty, Layer, Merged };

    explicit FileTreeModel(QObject *parent = nullptr);
    ~FileTreeModel() override;

    /** Per-layer view of tree (nullptr: empty). Resets. */
    void setLayerTree(const fs::LayerTree *tree);
    /**
     * Layers of the image for the per-layer view's "overwritten/deleted by layer k" marks: index i = layer i,
     * nullptr = not loaded (yet). Call again whenever an upper layer grew or finished; repaints, no reset.
     */
    void setLayerStack(const std::vector<const fs::LayerTree *> &layers);
    /** Merged view of tree (nullptr: empty). Resets. */
    void setMergedTree(const fs::MergedTree *tree);
    /** Empty model. */
    void clear();

    Mode mode() const { return m_mode; }
    const fs::LayerTree *layerTree() const { return m_layerTree; }
    const fs::MergedTree *mergedTree() const { return m_mergedTree; }
    /** The viewed tree's root (not shown; its children are the top-level rows), or nullptr. */
    const fs::FileNode *rootNode() const { return m_root; }

    /** The tree grew (or changed): notify views. Cheap; see the class comment. */
    void refresh();

    /** Children exposed per page in big directories (default 1000). Takes effect for later fetches. */
    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    /** Expose all children of every directory (no paging). Turning it off keeps what is exposed. */
    void setFetchAll(bool all);
    bool fetchAll() const { return m_fetchAll; }

    /** Drag-to-save: the callback that carves the dragged nodes (see StagedFilesMimeData). None: text only. */
    void setStager(StagedFilesMimeData::Stager stager, StagedFilesMimeData::Prestager prestager = {});

    /** The node of index (any column), nullptr for the invisible root / invalid indexes. */
    static const fs::FileNode *nodeOf(const QModelIndex &index);
    /** Index of a node of the viewed tree (must be reachable and exposed; the root gives QModelIndex()). */
    QModelIndex indexForNode(const fs::FileNode *node, int column = 0) const;
    /**
     * Index of path in the viewed tree, exposing pages of big directories on the way as needed (emits
     * rowsInserted). QModelIndex() when not found.
     */
    QModelIndex indexForPath(const QString &path);
    NodeStatus nodeStatus(const fs::FileNode *node) const;

    /** "-rw-r--r--" like ls -l. */
    static QString modeString(const fs::FileNode *node);
    /** "root:root" (names if the archive has them, else uid:gid). */
    static QString ownerString(const fs::FileNode *node);

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    /** At the end of every refresh() (rows may have been inserted, or the model reset). */
    void refreshed();
    /** After a refresh() that had to reset (views lost their expansion; TreeExpansionKeeper restores it). */
    void refreshedWithReset();

private:
    struct Reported {
        int count = 0;
        const fs::FileNode *first = nullptr; // children[0] when reported: detects a cleared and regrown dir
    };

    void resetTo(Mode mode, const fs::FileNode *root);
    int exposable(const fs::FileNode *dir, int reported) const;
    int reportedCount(const fs::FileNode *dir) const;
    void expose(const fs::FileNode *dir, int rows);
    void emitGrowth(const fs::FileNode *only = nullptr);
    void resetKeepingLimits();
    void syncStack();
    fs::LayerStatus layerStatus(const fs::FileNode *node) const;
    QString toolTip(const fs::FileNode *node, int column) const;
    QIcon icon(const fs::FileNode *node) const;

    Mode m_mode = Mode::Empty;
    const fs::LayerTree *m_layerTree = nullptr;
    const fs::MergedTree *m_mergedTree = nullptr;
    const fs::FileNode *m_root = nullptr;
    std::vector<const fs::LayerTree *> m_stack;
    int m_pageSize = 1000;
    bool m_fetchAll = false;
    bool m_hasUpperLayers = false;
    bool m_busy = false; // between begin*/end* of our own change: no nested changes
    bool m_growthPending = false; // growth asked for while busy: announced after the current change
    StagedFilesMimeData::Stager m_stager;
    StagedFilesMimeData::Prestager m_prestager;

    mutable QHash<const fs::FileNode *, Reported> m_reported; // dirs whose row count a view has seen
    QHash<const fs::FileNode *, int> m_limit; // paged dirs: children exposed when reported
    mutable QHash<const fs::FileNode *, fs::LayerStatus> m_statusCache;
    mutable QIcon m_dirIcon, m_fileIcon, m_linkIcon, m_deletedIcon;
};

} // namespace ll::ui

Q_DECLARE_METATYPE(const ll::fs::FileNode *)
