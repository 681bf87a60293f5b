#include "analysis/LayerChangesTreeModel.h"

#include "analysis/ChangeColours.h"
#include "analysis/ChangeTree.h"
#include "analysis/LayerChanges.h"
#include "common/HumanSize.h"
#include "fs/FileNode.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace ll::ui {

namespace {

using Kind = analysis::Change::Kind;

QColor kindColour(int kind)
{
    return kind < 0 ? unchangedColour() : changeColour(Kind(kind));
}

} // namespace

LayerChangesTreeModel::LayerChangesTreeModel(QObject *parent) : IndexTreeModelOf(parent)
{ }

LayerChangesTreeModel::~LayerChangesTreeModel() = default;

void LayerChangesTreeModel::setChangeTree(const analysis::ChangeTree *tree)
{
    beginSetTree();
    m_tree = tree;
    endSetTree();
}

int LayerChangesTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

const fs::FileNode *LayerChangesTreeModel::nodeOf(const QModelIndex &index)
{
    return reinterpret_cast<const fs::FileNode *>(index.data(NodeRole).value<quintptr>());
}

QVariant LayerChangesTreeModel::data(const QModelIndex &index, int role) const
{
    if (!m_tree || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int i = int(index.internalId());
    const analysis::ChangeTree::Node &n = m_tree->node(i);
    const analysis::Change *ch = n.change >= 0 ? &m_tree->changes()->changes[size_t(n.change)] : nullptr;
    const int kind = ch ? int(ch->kind) : -1;
    const bool dir = ch ? ch->type == fs::FileNode::Type::Directory : true;
    switch (role) {
    case KindRole:
        return kind;
    case NodeRole:
        return quintptr(ch && ch->kind != Kind::Deleted ? ch->node : nullptr);
    case PathRole:
        return m_tree->path(i);
    case IsDirRole:
        return dir;
    case Qt::ForegroundRole:
        return QBrush(kindColour(kind));
    case Qt::FontRole:
        if (kind == int(Kind::Deleted)) {
            QFont f;
            f.setStrikeOut(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == SizeBeforeColumn || index.column() == LayerBeforeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (!ch)
            return tr("%n change(s) below", nullptr, n.changesBelow);
        if (ch->kind == Kind::Deleted)
            return ch->node ? tr("Deleted by a whiteout (.wh.%1)").arg(m_tree->name(i))
                            : tr("Deleted: an opaque or re-created directory of this layer hides it");
        return {};
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    const bool sort = role == SortRole;
    switch (index.column()) {
    case NameColumn:
        return m_tree->name(i);
    case ChangeColumn:
        if (!ch)
            return sort ? QVariant(-1) : QVariant(tr("%n below", nullptr, n.changesBelow));
        if (sort)
            return kind;
        switch (ch->kind) {
        case Kind::Added:
            return tr("+ added");
        case Kind::Modified:
            return tr("~ modified");
        case Kind::Deleted:
            return tr("− deleted");
        }
        return {};
    case SizeColumn:
        if (!ch || ch->kind == Kind::Deleted || dir)
            return sort ? QVariant(qint64(-1)) : QVariant();
        return sort ? QVariant(ch->size) : QVariant(humanSize(ch->size));
    case SizeBeforeColumn:
        if (!ch || ch->kind == Kind::Added)
            return sort ? QVariant(qint64(-1)) : QVariant();
        return sort ? QVariant(ch->sizeBefore) : QVariant(humanSize(ch->sizeBefore));
    case TypeColumn:
        return ch ? stream::TarEntry::typeName(ch->type) : QString();
    case LayerBeforeColumn:
        if (!ch || ch->layerBefore < 0)
            return sort ? QVariant(-1) : QVariant();
        return ch->layerBefore;
    default:
        return {};
    }
}

QVariant LayerChangesTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ChangeColumn:
        return tr("Change");
    case SizeColumn:
        return tr("Size");
    case SizeBeforeColumn:
        return tr("Before");
    case TypeColumn:
        return tr("Type");
    case LayerBeforeColumn:
        return tr("From layer");
    default:
        return {};
    }
}

} // namespace ll::ui
