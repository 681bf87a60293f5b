#include "models/FileFilterProxy.h"

#include "fs/FileNode.h"
#include "models/FileTreeModel.h"
#include "models/ModelLogging.h"

#include <QElapsedTimer>

#include <vector>

namespace ll::ui {

using fs::FileNode;

FileFilterProxy::FileFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    // filterAcceptsRow() keeps the parents of matches itself (see the class comment).
    setRecursiveFilteringEnabled(false);
    setSortRole(FileTreeModel::SortRole);
    sort(FileTreeModel::NameColumn, Qt::AscendingOrder);
    m_reapply.setSingleShot(true);
    m_reapply.setInterval(400);
    connect(&m_reapply, &QTimer::timeout, this, &FileFilterProxy::apply);
}

FileFilterProxy::~FileFilterProxy() = default;

void FileFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    for (const QMetaObject::Connection &c : std::as_const(m_sourceConnections))
        disconnect(c);
    m_sourceConnections.clear();
    m_model = qobject_cast<FileTreeModel *>(model);
    if (model && !m_model)
        qCWarning(llUiModel) << "FileFilterProxy needs a FileTreeModel source";
    if (m_model) {
        // Connected before QSortFilterProxyModel's own handlers, so the match set is fresh when it re-filters.
        m_sourceConnections << connect(m_model, &QAbstractItemModel::modelReset, this, &FileFilterProxy::sourceReset);
        m_sourceConnections << connect(m_model, &FileTreeModel::refreshed, this, [this] {
            // Streamed rows were filtered against the old match set: re-match soon (coalesced).
            if (isFiltering() && !m_reapply.isActive())
                m_reapply.start();
        });
    }
    QSortFilterProxyModel::setSourceModel(m_model);
    if (isFiltering())
        apply();
}

bool FileFilterProxy::isGlob(const QString &text)
{
    for (const QChar c : text) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') || c == QLatin1Char(']'))
            return true;
    }
    return false;
}

void FileFilterProxy::setFilterText(const QString &rawText)
{
    const QString text = rawText.trimmed();
    if (text == m_text)
        return;
    m_text = text;
    m_usePath = text.contains(QLatin1Char('/'));
    m_kind = text.isEmpty() ? Kind::None : Kind::Substring;
    m_needle.clear();
    m_re = QRegularExpression();
    if (m_kind != Kind::None) {
        // Paths are matched as "/usr/lib/x.so": "/bin" finds any bin dir, "usr/lib/*.so" works with or without
        // the leading slash.
        QString pattern = text;
        if (m_usePath && !pattern.startsWith(QLatin1Char('/')))
            pattern.prepend(QLatin1Char('/'));
        if (isGlob(text)) {
            m_re = QRegularExpression(QRegularExpression::wildcardToRegularExpression(m_usePath ? pattern : text),
                QRegularExpression::CaseInsensitiveOption);
            if (m_re.isValid()) {
                m_re.optimize();
                m_kind = Kind::Glob;
            }
        }
        if (m_kind == Kind::Substring)
            m_needle = text;
    }
    apply();
}

bool FileFilterProxy::matchName(QStringView s) const
{
    switch (m_kind) {
    case Kind::None:
        return true;
    case Kind::Substring:
        return s.contains(m_needle, Qt::CaseInsensitive);
    case Kind::Glob:
        return m_re.match(s).hasMatch();
    }
    return false;
}

bool FileFilterProxy::matches(const FileNode *node) const
{
    if (m_kind == Kind::None)
        return true;
    if (!node)
        return false;
    if (m_usePath)
        return matchName(QString(QLatin1Char('/') + node->path()));
    return matchName(node->name);
}

bool FileFilterProxy::markVisible(const FileNode *node)
{
    const FileNode *root = m_model ? m_model->rootNode() : nullptr;
    for (const FileNode *n = node; n && n != root; n = n->parent) {
        const qsizetype before = m_visible.size();
        m_visible.insert(n);
        if (m_visible.size() == before)
            return false; // this ancestor and all above it are marked already
    }
    return true;
}

void FileFilterProxy::recompute()
{
    m_visible.clear();
    m_matches = 0;
    const FileNode *root = m_model ? m_model->rootNode() : nullptr;
    if (m_kind == Kind::None || !root)
        return;
    struct Frame {
        const FileNode *dir;
        int next;
        qsizetype pathLength;
    };
    std::vector<Frame> stack;
    stack.push_back({ root, 0, 0 });
    QString path; // "/a/b" of the current node when matching paths
    path.reserve(256);
    while (!stack.empty()) {
        Frame &top = stack.back();
        if (top.next >= top.dir->childCount()) {
            stack.pop_back();
            continue;
        }
        const FileNode *node = top.dir->children[size_t(top.next++)];
        bool hit;
        if (m_usePath) {
            path.truncate(top.pathLength);
            path += QLatin1Char('/');
            path += node->name;
            hit = matchName(path);
        } else {
            hit = matchName(node->name);
        }
        if (hit) {
            ++m_matches;
            markVisible(node);
        }
        if (!node->children.empty())
            stack.push_back({ node, 0, path.size() });
    }
}

void FileFilterProxy::sourceReset()
{
    if (isFiltering())
        recompute();
}

void FileFilterProxy::apply()
{
    m_reapply.stop();
    QElapsedTimer timer;
    timer.start();
    recompute();
    const qint64 matchMs = timer.elapsed();
    if (m_model)
        m_model->setFetchAll(isFiltering());
    invalidateRowsFilter();
    m_lastMs = timer.elapsed();
    qCDebug(llUiModel) << "filter" << m_text << "matched" << m_matches << "of the tree, shown" << m_visible.size()
                       << "nodes; match pass" << matchMs << "ms, total" << m_lastMs << "ms";
    emit filterApplied(matchCount(), m_lastMs);
}

bool FileFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_kind == Kind::None)
        return true;
    const FileNode *dir
        = sourceParent.isValid() ? FileTreeModel::nodeOf(sourceParent) : (m_model ? m_model->rootNode() : nullptr);
    if (!dir || sourceRow < 0 || sourceRow >= dir->childCount())
        return false;
    return m_visible.contains(dir->children[size_t(sourceRow)]);
}

bool FileFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const FileNode *a = FileTreeModel::nodeOf(left);
    const FileNode *b = FileTreeModel::nodeOf(right);
    if (!a || !b)
        return QSortFilterProxyModel::lessThan(left, right);
    if (a->isDir() != b->isDir()) {
        // Directories first in both orders (a descending sort calls lessThan(right, left)).
        return sortOrder() == Qt::AscendingOrder ? a->isDir() : b->isDir();
    }
    switch (left.column()) {
    case FileTreeModel::SizeColumn:
        if (a->size != b->size)
            return a->size < b->size;
        break;
    case FileTreeModel::ModeColumn:
        if (a->mode != b->mode)
            return a->mode < b->mode;
        break;
    case FileTreeModel::OwnerColumn: {
        const int c
            = QString::compare(FileTreeModel::ownerString(a), FileTreeModel::ownerString(b), Qt::CaseInsensitive);
        if (c != 0)
            return c < 0;
        break;
    }
    case FileTreeModel::ModifiedColumn:
        if (a->mtime != b->mtime)
            return a->mtime < b->mtime;
        break;
    case FileTreeModel::LayerColumn:
        if (a->layer != b->layer)
            return a->layer < b->layer;
        break;
    default:
        break;
    }
    const int c = QString::compare(a->name, b->name, Qt::CaseInsensitive);
    if (c != 0)
        return c < 0;
    return a->name < b->name;
}

} // namespace ll::ui
