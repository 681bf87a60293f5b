#pragma once

#include "analysis/DiffTree.h"
#include "analysis/IndexTreeModel.h"

namespace ll::analysis {
class DiffTree;
struct DiffEntry;
} // namespace ll::analysis

namespace ll::ui {

/**
 * The differences between two images as a tree (analysis::DiffTree): added (green, +), removed (red, struck out,
 * −) and changed (amber, ~) paths with both sides' sizes, the delta, the layers each copy comes from and what
 * changed; directories on the way show how many differences are below. Lazy (IndexTreeModel).
 */
class DiffTreeModel : public IndexTreeModelOf<analysis::DiffTree>
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        ChangeColumn,
        SizeBeforeColumn,
        SizeAfterColumn,
        DeltaColumn,
        LayerBeforeColumn,
        LayerAfterColumn,
        WhatColumn,
        ColumnCount
    };
    // IsDirRole, SortRole and PathRole have LayerChangesTreeModel's numbers (one LayerChangesProxy serves both).
    enum Role {
        ChangeRole = Qt::UserRole + 1, // int: -1 a directory on the way, else analysis::DiffEntry::Change
        EntryRole, // quintptr: the analysis::DiffEntry, 0 for a directory on the way
        PathRole,
        SortRole,
        IsDirRole,
    };

    explicit DiffTreeModel(QObject *parent = nullptr);
    ~DiffTreeModel() override;

    /** Shows tree (nullptr: nothing); it must outlive its use here. Resets. */
    void setDiffTree(const analysis::DiffTree *tree);
    const analysis::DiffTree *diffTree() const { return m_tree; }
    static const analysis::DiffEntry *entryOf(const QModelIndex &index);
    /** "type, size, content" for a changed entry's what flags. */
    static QString whatText(quint8 what);

    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};

} // namespace ll::ui
