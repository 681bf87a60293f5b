#include "models/FileTreeModel.h"

#include "common/HumanSize.h"
#include "common/PathBytes.h"
#include "fs/FileNode.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "models/ModelLogging.h"
#include "stream/TarEntry.h"

#include <QApplication>
#include <QDateTime>
#include <QFileIconProvider>
#include <QFont>
#include <QPalette>
#include <QSet>
#include <QStyle>

#include <climits>

namespace ll::ui {

using fs::FileNode;

FileTreeModel::FileTreeModel(QObject *parent) : QAbstractItemModel(parent)
{ }

FileTreeModel::~FileTreeModel() = default;

void FileTreeModel::resetTo(Mode mode, const FileNode *root)
{
    m_busy = true;
    beginResetModel();
    m_mode = root ? mode : Mode::Empty;
    m_root = root;
    m_reported.clear();
    m_limit.clear();
    m_statusCache.clear();
    endResetModel();
    m_busy = false;
    m_growthPending = false;
}

void FileTreeModel::setLayerTree(const fs::LayerTree *tree)
{
    m_layerTree = tree;
    m_mergedTree = nullptr;
    syncStack();
    resetTo(Mode::Layer, tree ? tree->root() : nullptr);
}

void FileTreeModel::setMergedTree(const fs::MergedTree *tree)
{
    m_layerTree = nullptr;
    m_mergedTree = tree;
    resetTo(Mode::Merged, tree ? tree->root() : nullptr);
}

void FileTreeModel::clear()
{
    m_layerTree = nullptr;
    m_mergedTree = nullptr;
    resetTo(Mode::Empty, nullptr);
}

void FileTreeModel::syncStack()
{
    m_hasUpperLayers = false;
    if (!m_layerTree)
        return;
    // status() probes the viewed layer through the stack: make sure it is there even while it streams.
    const size_t own = size_t(qMax(0, m_layerTree->layerIndex()));
    if (m_stack.size() <= own)
        m_stack.resize(own + 1, nullptr);
    m_stack[own] = m_layerTree;
    for (size_t k = own + 1; k < m_stack.size(); ++k)
        m_hasUpperLayers = m_hasUpperLayers || m_stack[k];
}

void FileTreeModel::setLayerStack(const std::vector<const fs::LayerTree *> &layers)
{
    m_stack = layers;
    syncStack();
    m_statusCache.clear();
    // The fates of rows changed: repaint (a ranged dataChanged makes the views update their whole viewport).
    // Only display roles: a QSortFilterProxyModel does not re-sort or re-filter for these.
    if (m_root && reportedCount(m_root) > 0) {
        emit dataChanged(index(0, 0), index(reportedCount(m_root) - 1, ColumnCount - 1),
            { Qt::FontRole, Qt::ForegroundRole, Qt::ToolTipRole, Qt::DecorationRole, StatusRole });
    }
}

void FileTreeModel::setPageSize(int rows)
{
    m_pageSize = qMax(1, rows);
}

void FileTreeModel::setStager(StagedFilesMimeData::Stager stager, StagedFilesMimeData::Prestager prestager)
{
    m_prestager = std::move(prestager);
    m_stager = std::move(stager);
}

int FileTreeModel::exposable(const FileNode *dir, int reported) const
{
    const int count = dir->childCount();
    if (m_fetchAll)
        return count;
    const int limit = qMax(m_limit.value(dir, m_pageSize), reported);
    return qMin(count, limit);
}

int FileTreeModel::reportedCount(const FileNode *dir) const
{
    const auto it = m_reported.constFind(dir);
    if (it != m_reported.cend())
        return it->count;
    // First look: what the tree holds now (within the page limit) becomes what the views know.
    Reported rep;
    rep.count = exposable(dir, 0);
    rep.first = rep.count > 0 ? dir->children.front() : nullptr;
    m_reported.insert(dir, rep);
    return rep.count;
}

void FileTreeModel::emitGrowth(const FileNode *only)
{
    if (m_busy) {
        // Called back from a listener while we announce a change (e.g. QAbstractItemModelTester or a view
        // fetching more inside rowsInserted): changes must not nest, so this waits for the current one.
        m_growthPending = true;
        return;
    }
    struct Grow {
        const FileNode *dir;
        int from;
        int to;
    };
    std::vector<Grow> grows;
    bool consistent = true;
    auto check = [&](const FileNode *dir, const Reported &rep) {
        const int now = exposable(dir, rep.count);
        if (now < rep.count || (rep.count > 0 && dir->children.front() != rep.first)) {
            // Rows vanished or were replaced (a directory became a file and maybe a directory again).
            consistent = false;
            return;
        }
        if (now > rep.count)
            grows.push_back({ dir, rep.count, now });
    };
    if (only) {
        const auto it = m_reported.constFind(only);
        if (it == m_reported.cend())
            return; // nobody saw it: nothing to announce
        check(only, *it);
    } else {
        for (auto it = m_reported.cbegin(); it != m_reported.cend() && consistent; ++it)
            check(it.key(), it.value());
    }
    if (!consistent) {
        resetKeepingLimits();
        return;
    }
    // Listeners may call rowCount() on any dir while we emit: a pending dir still answers its old count. They may
    // also fetchMore() (re-entering here): so each range is taken from the current state when it is announced.
    for (const Grow &g : grows) {
        const auto it = m_reported.constFind(g.dir);
        if (it == m_reported.cend())
            continue; // a reset happened meanwhile
        const int from = it->count;
        const int to = exposable(g.dir, from);
        if (to <= from)
            continue;
        m_busy = true;
        beginInsertRows(indexForNode(g.dir), from, to - 1);
        Reported &rep = m_reported[g.dir];
        rep.count = to;
        rep.first = g.dir->children.front();
        endInsertRows();
        m_busy = false;
    }
    if (m_growthPending) {
        m_growthPending = false;
        emitGrowth();
    }
}

void FileTreeModel::resetKeepingLimits()
{
    m_busy = true;
    beginResetModel();
    m_reported.clear();
    m_statusCache.clear();
    endResetModel();
    m_busy = false;
    m_growthPending = false; // everything is fresh after a reset
    emit refreshedWithReset();
}

void FileTreeModel::refresh()
{
    if (m_mode == Mode::Empty)
        return;
    if (m_mode == Mode::Merged) {
        // MergedTree::addLayer() may move rows: reset (expansion is restored by TreeExpansionKeeper).
        if (!m_busy)
            resetKeepingLimits();
        emit refreshed();
        return;
    }
    emitGrowth();
    emit refreshed();
}

void FileTreeModel::expose(const FileNode *dir, int rows)
{
    if (!dir || rows <= m_limit.value(dir, m_pageSize))
        return;
    m_limit.insert(dir, rows);
    emitGrowth(dir);
}

void FileTreeModel::setFetchAll(bool all)
{
    if (all == m_fetchAll)
        return;
    if (!all) {
        // Keep what is exposed: the views know these rows.
        for (auto it = m_reported.cbegin(); it != m_reported.cend(); ++it) {
            if (it->count > m_pageSize)
                m_limit.insert(it.key(), qMax(it->count, m_limit.value(it.key(), m_pageSize)));
        }
        m_fetchAll = false;
        return;
    }
    m_fetchAll = true;
    emitGrowth();
}

const FileNode *FileTreeModel::nodeOf(const QModelIndex &index)
{
    return index.isValid() ? static_cast<const FileNode *>(index.internalPointer()) : nullptr;
}

QModelIndex FileTreeModel::indexForNode(const FileNode *node, int column) const
{
    if (!node || node == m_root || !node->parent || node->row < 0)
        return QModelIndex();
    return createIndex(node->row, column, const_cast<FileNode *>(node));
}

QModelIndex FileTreeModel::indexForPath(const QString &path)
{
    const FileNode *node = nullptr;
    if (m_mode == Mode::Layer && m_layerTree)
        node = m_layerTree->find(path);
    else if (m_mode == Mode::Merged && m_mergedTree)
        node = m_mergedTree->find(path);
    if (!node || node == m_root)
        return QModelIndex();
    // Top-down, each step exposed in its parent.
    std::vector<const FileNode *> chain;
    for (const FileNode *n = node; n && n != m_root; n = n->parent)
        chain.push_back(n);
    if (chain.empty() || chain.back()->parent != m_root)
        return QModelIndex(); // detached
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const FileNode *n = *it;
        if (n->row >= reportedCount(n->parent))
            expose(n->parent, n->row + 1);
        if (n->row >= reportedCount(n->parent))
            return QModelIndex();
    }
    return indexForNode(node);
}

QModelIndex FileTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return QModelIndex();
    const FileNode *dir = parent.isValid() ? nodeOf(parent) : m_root;
    if (!dir || row >= reportedCount(dir) || row >= dir->childCount())
        return QModelIndex();
    return createIndex(row, column, dir->children[size_t(row)]);
}

QModelIndex FileTreeModel::parent(const QModelIndex &child) const
{
    const FileNode *node = nodeOf(child);
    if (!node || !node->parent || node->parent == m_root)
        return QModelIndex();
    return createIndex(node->parent->row, 0, node->parent);
}

int FileTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const FileNode *dir = parent.isValid() ? nodeOf(parent) : m_root;
    return dir ? reportedCount(dir) : 0;
}

int FileTreeModel::columnCount(const QModelIndex &parent) const
{
    return parent.column() > 0 ? 0 : ColumnCount;
}

bool FileTreeModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

bool FileTreeModel::canFetchMore(const QModelIndex &parent) const
{
    // Not while we announce a change: fetching would nest another change inside it.
    if (m_busy || m_fetchAll || parent.column() > 0)
        return false;
    const FileNode *dir = parent.isValid() ? nodeOf(parent) : m_root;
    if (!dir)
        return false;
    return dir->childCount() > qMax(m_limit.value(dir, m_pageSize), reportedCount(dir));
}

void FileTreeModel::fetchMore(const QModelIndex &parent)
{
    if (parent.column() > 0)
        return;
    const FileNode *dir = parent.isValid() ? nodeOf(parent) : m_root;
    if (!dir || !canFetchMore(parent))
        return;
    const int shown = qMax(m_limit.value(dir, m_pageSize), reportedCount(dir));
    expose(dir, shown + m_pageSize);
}

fs::LayerStatus FileTreeModel::layerStatus(const FileNode *node) const
{
    if (m_mode != Mode::Layer || !m_hasUpperLayers || !m_layerTree)
        return fs::LayerStatus();
    const auto it = m_statusCache.constFind(node);
    if (it != m_statusCache.cend())
        return *it;
    const fs::LayerStatus st = fs::MergedTree::status(m_stack, m_layerTree->layerIndex(), node->path());
    m_statusCache.insert(node, st);
    return st;
}

FileTreeModel::NodeStatus FileTreeModel::nodeStatus(const FileNode *node) const
{
    if (!node)
        return NodeStatus::Normal;
    if (m_mode == Mode::Merged)
        return node->replacedLower() ? NodeStatus::ReplacedLower : NodeStatus::Normal;
    if (m_mode != Mode::Layer)
        return NodeStatus::Normal;
    if (node->isWhiteoutOnly())
        return NodeStatus::DeletedHere;
    const fs::LayerStatus st = layerStatus(node);
    if (st.kind == fs::LayerStatus::Kind::Overwritten)
        return NodeStatus::OverwrittenLater;
    if (st.kind == fs::LayerStatus::Kind::Deleted)
        return NodeStatus::DeletedLater;
    if (node->isWhiteout())
        return NodeStatus::RecreatedHere;
    if (node->isOpaque())
        return NodeStatus::Opaque;
    if (node->isImplicit())
        return NodeStatus::ImplicitDir;
    return NodeStatus::Normal;
}

QString FileTreeModel::modeString(const FileNode *node)
{
    stream::TarEntry e;
    e.type = node->type;
    e.mode = node->mode;
    return e.modeString();
}

QString FileTreeModel::ownerString(const FileNode *node)
{
    const QString user = node->uname.isEmpty() ? QString::number(node->uid) : node->uname;
    const QString group = node->gname.isEmpty() ? QString::number(node->gid) : node->gname;
    return user + QLatin1Char(':') + group;
}

QIcon FileTreeModel::icon(const FileNode *node) const
{
    if (m_dirIcon.isNull()) {
        // Widgets style icons need a QApplication (not there in GUI-less uses of the model).
        if (!qobject_cast<QApplication *>(QCoreApplication::instance()))
            return QIcon();
        QFileIconProvider provider;
        m_dirIcon = provider.icon(QAbstractFileIconProvider::Folder);
        m_fileIcon = provider.icon(QAbstractFileIconProvider::File);
        QStyle *style = QApplication::style();
        m_linkIcon = style->standardIcon(QStyle::SP_FileLinkIcon);
        m_deletedIcon = style->standardIcon(QStyle::SP_TrashIcon);
    }
    if (m_mode == Mode::Layer && node->isWhiteoutOnly())
        return m_deletedIcon;
    if (node->isDir())
        return m_dirIcon;
    if (node->type == FileNode::Type::Symlink)
        return m_linkIcon;
    return m_fileIcon;
}

QString FileTreeModel::toolTip(const FileNode *node, int column) const
{
    QString why;
    switch (nodeStatus(node)) {
    case NodeStatus::Normal:
        break;
    case NodeStatus::ImplicitDir:
        why = tr("not listed by this layer (parent of listed entries)");
        break;
    case NodeStatus::DeletedHere:
        why = tr("deleted by this layer");
        break;
    case NodeStatus::RecreatedHere:
        why = tr("deleted by this layer and re-created");
        break;
    case NodeStatus::Opaque:
        why = tr("opaque directory: hides the content of lower layers");
        break;
    case NodeStatus::OverwrittenLater:
        why = tr("overwritten by layer %1").arg(layerStatus(node).byLayer);
        break;
    case NodeStatus::DeletedLater:
        why = tr("deleted by layer %1").arg(layerStatus(node).byLayer);
        break;
    case NodeStatus::ReplacedLower:
        why = tr("from layer %1, replaces a copy from a lower layer").arg(node->layer);
        break;
    }
    if (column == SizeColumn && !node->isDir())
        return tr("%1 bytes").arg(groupedNumber(node->size));
    if (column == OwnerColumn)
        return tr("uid %1, gid %2").arg(node->uid).arg(node->gid);
    if (column == ModeColumn)
        return QStringLiteral("%1").arg(node->mode & 07777, 4, 8, QLatin1Char('0'));
    if (column != NameColumn)
        return why;
    QString tip = PathBytes::display(node->path());
    if (!node->linkTarget.isEmpty() && !node->isWhiteoutOnly())
        tip += QStringLiteral(" \u2192 ") + PathBytes::display(node->linkTarget);
    if (!why.isEmpty())
        tip += QLatin1Char('\n') + why;
    return tip;
}

QVariant FileTreeModel::data(const QModelIndex &index, int role) const
{
    const FileNode *node = nodeOf(index);
    if (!node)
        return QVariant();
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            if (!node->linkTarget.isEmpty() && !node->isWhiteoutOnly()
                && (node->type == FileNode::Type::Symlink || node->type == FileNode::Type::Hardlink))
                return QString(
                    PathBytes::display(node->name) + QStringLiteral(" \u2192 ") + PathBytes::display(node->linkTarget));
            return PathBytes::display(node->name); // names are bytes: "caf\xE9.txt"
        case SizeColumn:
            return node->isDir() || node->isWhiteoutOnly() ? QString() : humanSize(node->size);
        case ModeColumn:
            return modeString(node);
        case OwnerColumn:
            return ownerString(node);
        case ModifiedColumn:
            if (node->isImplicit() && node->mtime == 0)
                return QString();
            return QDateTime::fromSecsSinceEpoch(node->mtime).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        case LayerColumn:
            return node->layer;
        }
        break;
    case SortRole:
        switch (column) {
        case NameColumn:
            return node->name;
        case SizeColumn:
            return node->size;
        case ModeColumn:
            return node->mode;
        case OwnerColumn:
            return ownerString(node);
        case ModifiedColumn:
            return node->mtime;
        case LayerColumn:
            return node->layer;
        }
        break;
    case Qt::DecorationRole:
        if (column == NameColumn)
            return icon(node);
        break;
    case Qt::TextAlignmentRole:
        if (column == SizeColumn || column == LayerColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::FontRole: {
        const NodeStatus st = nodeStatus(node);
        if (st == NodeStatus::Normal || st == NodeStatus::ImplicitDir || st == NodeStatus::RecreatedHere)
            return QVariant();
        QFont font;
        if (st == NodeStatus::DeletedHere || st == NodeStatus::DeletedLater)
            font.setStrikeOut(true);
        if (st == NodeStatus::ReplacedLower || st == NodeStatus::Opaque || st == NodeStatus::OverwrittenLater)
            font.setItalic(true);
        return font;
    }
    case Qt::ForegroundRole: {
        const NodeStatus st = nodeStatus(node);
        if (st == NodeStatus::DeletedHere || st == NodeStatus::DeletedLater || st == NodeStatus::OverwrittenLater)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        break;
    }
    case Qt::ToolTipRole:
        return toolTip(node, column);
    case NodeRole:
        return QVariant::fromValue(node);
    case PathRole:
        return node->path();
    case LayerRole:
        return node->layer;
    case IsDirRole:
        return node->isDir();
    case StatusRole:
        return int(nodeStatus(node));
    default:
        break;
    }
    return QVariant();
}

QVariant FileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Name");
        case SizeColumn:
            return tr("Size");
        case ModeColumn:
            return tr("Mode");
        case OwnerColumn:
            return tr("Owner");
        case ModifiedColumn:
            return tr("Modified");
        case LayerColumn:
            return tr("Layer");
        }
    } else if (role == Qt::ToolTipRole && section == LayerColumn) {
        return m_mode == Mode::Merged ? tr("The layer this file comes from") : tr("The layer of this listing");
    } else if (role == Qt::TextAlignmentRole && (section == SizeColumn || section == LayerColumn)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return QVariant();
}

Qt::ItemFlags FileTreeModel::flags(const QModelIndex &index) const
{
    const FileNode *node = nodeOf(index);
    if (!node)
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (!(m_mode == Mode::Layer && node->isWhiteoutOnly()))
        f |= Qt::ItemIsDragEnabled;
    if (!node->isDir())
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QStringList FileTreeModel::mimeTypes() const
{
    QStringList types;
    if (m_stager)
        types << QStringLiteral("text/uri-list");
    types << QStringLiteral("text/plain");
    return types;
}

QMimeData *FileTreeModel::mimeData(const QModelIndexList &indexes) const
{
    QList<const FileNode *> picked;
    QSet<const FileNode *> seen;
    for (const QModelIndex &index : indexes) {
        const FileNode *node = nodeOf(index);
        if (!node || seen.contains(node) || (m_mode == Mode::Layer && node->isWhiteoutOnly()))
            continue;
        seen.insert(node);
        picked.append(node);
    }
    // A directory brings its content: drop items whose ancestor is picked too.
    QList<const FileNode *> nodes;
    QStringList paths;
    for (const FileNode *node : std::as_const(picked)) {
        bool covered = false;
        for (const FileNode *p = node->parent; p && !covered; p = p->parent)
            covered = seen.contains(p);
        if (covered)
            continue;
        nodes.append(node);
        paths.append(node->path());
    }
    if (nodes.isEmpty())
        return nullptr;
    return new StagedFilesMimeData(nodes, paths, m_stager, m_prestager);
}

Qt::DropActions FileTreeModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

QHash<int, QByteArray> FileTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(NodeRole, "node");
    names.insert(PathRole, "path");
    names.insert(LayerRole, "layer");
    names.insert(SortRole, "sort");
    names.insert(IsDirRole, "isDir");
    names.insert(StatusRole, "status");
    return names;
}

} // namespace ll::ui
