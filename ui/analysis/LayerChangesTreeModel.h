#pragma once

#include "analysis/ChangeTree.h"
#include "analysis/IndexTreeModel.h"

namespace ll::analysis {
class ChangeTree;
}
namespace ll::fs {
struct FileNode;
}

namespace ll::ui {

/**
 * One layer's changes as a tree (analysis::ChangeTree): the paths it added, modified and deleted (whiteouts,
 * opaque directories), each with a mark and a colour, and the directories on the way to them. Lazy (see
 * IndexTreeModel); internalId is the ChangeTree node index.
 */
class LayerChangesTreeModel : public IndexTreeModelOf<analysis::ChangeTree>
{
    Q_OBJECT
public:
    enum Column { NameColumn, ChangeColumn, SizeColumn, SizeBeforeColumn, TypeColumn, LayerBeforeColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // int: -1 a directory on the way, else analysis::Change::Kind
        NodeRole, // quintptr: the layer's fs::FileNode (added/modified), 0 for deletions and directories on the way
        PathRole, // QString
        SortRole, // raw value of the column (names: the name)
        IsDirRole, // bool
    };
    explicit LayerChangesTreeModel(QObject *parent = nullptr);
    ~LayerChangesTreeModel() override;

    /** Shows tree (nullptr: nothing). The tree must outlive its use here (until the next call). Resets. */
    void setChangeTree(const analysis::ChangeTree *tree);
    const analysis::ChangeTree *changeTree() const { return m_tree; }

    /** The layer node of an added or modified row, else nullptr. */
    static const fs::FileNode *nodeOf(const QModelIndex &index);
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};

} // namespace ll::ui
