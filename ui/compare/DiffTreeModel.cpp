#include "compare/DiffTreeModel.h"

#include "analysis/ChangeColours.h"
#include "analysis/DiffTree.h"
#include "common/HumanSize.h"

#include <QBrush>
#include <QFont>

namespace ll::ui {

namespace {

using analysis::DiffEntry;

QColor colourOf(const DiffEntry *e)
{
    if (!e)
        return unchangedColour();
    switch (e->change) {
    case DiffEntry::Change::Added:
        return changeColour(analysis::Change::Kind::Added);
    case DiffEntry::Change::Changed:
        return changeColour(analysis::Change::Kind::Modified);
    case DiffEntry::Change::Removed:
        break;
    }
    return changeColour(analysis::Change::Kind::Deleted);
}

QString signedSize(qint64 delta)
{
    if (delta == 0)
        return QStringLiteral("0");
    return (delta < 0 ? QStringLiteral("\u2212") : QStringLiteral("+")) + humanSize(qAbs(delta));
}

} // namespace

DiffTreeModel::DiffTreeModel(QObject *parent) : IndexTreeModelOf(parent)
{ }

DiffTreeModel::~DiffTreeModel() = default;

void DiffTreeModel::setDiffTree(const analysis::DiffTree *tree)
{
    beginSetTree();
    m_tree = tree;
    endSetTree();
}

int DiffTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

const analysis::DiffEntry *DiffTreeModel::entryOf(const QModelIndex &index)
{
    return reinterpret_cast<const DiffEntry *>(index.data(EntryRole).value<quintptr>());
}

QString DiffTreeModel::whatText(quint8 what)
{
    QStringList parts;
    const std::pair<quint8, QString> names[] = { { DiffEntry::Type, tr("type") }, { DiffEntry::Size, tr("size") },
        { DiffEntry::Mode, tr("mode") }, { DiffEntry::Owner, tr("owner") }, { DiffEntry::Link, tr("link") },
        { DiffEntry::Content, tr("content") } };
    for (const auto &[flag, name] : names) {
        if (what & flag)
            parts << name;
    }
    return parts.join(QStringLiteral(", "));
}

QVariant DiffTreeModel::data(const QModelIndex &index, int role) const
{
    if (!m_tree || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int i = int(index.internalId());
    const analysis::DiffTree::Node &n = m_tree->node(i);
    const DiffEntry *e = m_tree->entryOf(i);
    switch (role) {
    case ChangeRole:
        return e ? int(e->change) : -1;
    case EntryRole:
        return quintptr(e);
    case PathRole:
        return m_tree->path(i);
    case IsDirRole:
        return e ? e->type() == fs::FileNode::Type::Directory : true;
    case Qt::ForegroundRole:
        return QBrush(colourOf(e));
    case Qt::FontRole:
        if (e && e->change == DiffEntry::Change::Removed) {
            QFont f;
            f.setStrikeOut(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() != NameColumn && index.column() != ChangeColumn && index.column() != WhatColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        return e ? m_tree->path(i) : tr("%n difference(s) below", nullptr, n.differencesBelow);
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    const bool sort = role == SortRole;
    const auto size = [sort](qint64 v) {
        return v < 0 ? (sort ? QVariant(v) : QVariant()) : (sort ? QVariant(v) : QVariant(humanSize(v)));
    };
    switch (index.column()) {
    case NameColumn:
        return n.name;
    case ChangeColumn:
        if (!e)
            return sort ? QVariant(-1) : QVariant(tr("%n below", nullptr, n.differencesBelow));
        if (sort)
            return int(e->change);
        switch (e->change) {
        case DiffEntry::Change::Added:
            return tr("+ added");
        case DiffEntry::Change::Removed:
            return tr("− removed");
        case DiffEntry::Change::Changed:
            return tr("~ changed");
        }
        return {};
    case SizeBeforeColumn:
        return e ? size(e->sizeBefore()) : (sort ? QVariant(qint64(-1)) : QVariant());
    case SizeAfterColumn:
        return e ? size(e->sizeAfter()) : (sort ? QVariant(qint64(-1)) : QVariant());
    case DeltaColumn:
        if (!e)
            return sort ? QVariant(qint64(0)) : QVariant();
        return sort ? QVariant(e->sizeDelta()) : QVariant(signedSize(e->sizeDelta()));
    case LayerBeforeColumn:
        return e && e->before ? QVariant(e->layerBefore()) : (sort ? QVariant(-1) : QVariant());
    case LayerAfterColumn:
        return e && e->after ? QVariant(e->layerAfter()) : (sort ? QVariant(-1) : QVariant());
    case WhatColumn:
        return e && e->change == DiffEntry::Change::Changed ? whatText(e->what) : QString();
    default:
        return {};
    }
}

QVariant DiffTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ChangeColumn:
        return tr("Change");
    case SizeBeforeColumn:
        return tr("Size before");
    case SizeAfterColumn:
        return tr("Size after");
    case DeltaColumn:
        return tr("Delta");
    case LayerBeforeColumn:
        return tr("Layer before");
    case LayerAfterColumn:
        return tr("Layer after");
    case WhatColumn:
        return tr("What changed");
    default:
        return {};
    }
}

} // namespace ll::ui
