#include "models/FileFilterProxy.h"

#include "fs/FileNode.h"
#include "models/FileTreeModel.h"
#include "models/ModelLogging.h"

#include <QElapsedTimer>

#include <vector>

namespace ll::ui {

using fs::FileNode;

namespace {

inline char16_t fold(char16_t u)
{
    if (u < 128)
        return (u >= 'A' && u <= 'Z') ? char16_t(u + 32) : u;
    return QChar::toCaseFolded(u);
}

QString foldedCopy(QStringView s)
{
    QString out(s.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < s.size(); ++i)
        out[i] = QChar(fold(s[i].unicode()));
    return out;
}

/** Case-insensitive substring test against an already folded needle (ASCII fast path). */
bool containsFolded(QStringView hay, QStringView needle)
{
    const qsizetype n = needle.size();
    const qsizetype h = hay.size();
    if (n == 0)
        return true;
    if (n > h)
        return false;
    const char16_t *hs = reinterpret_cast<const char16_t *>(hay.data());
    const char16_t *ns = reinterpret_cast<const char16_t *>(needle.data());
    const char16_t first = ns[0];
    for (qsizetype i = 0; i + n <= h; ++i) {
        if (fold(hs[i]) != first)
            continue;
        qsizetype j = 1;
        while (j < n && fold(hs[i + j]) == ns[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

/** The longest run of literal characters of a glob (outside [...] and without * ?). */
QString longestLiteral(QStringView glob)
{
    QStringView best;
    qsizetype start = 0;
    bool inClass = false;
    for (qsizetype i = 0; i <= glob.size(); ++i) {
        const bool end = i == glob.size();
        const QChar c = end ? QChar() : glob[i];
        const bool special = end || inClass || c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[')
            || c == QLatin1Char(']');
        if (!end && !inClass && c == QLatin1Char('['))
            inClass = true;
        else if (!end && inClass && c == QLatin1Char(']'))
            inClass = false;
        if (special) {
            if (i - start > best.size())
                best = glob.mid(start, i - start);
            start = i + 1;
        }
    }
    return best.toString();
}

} // namespace

FileFilterProxy::FileFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    // filterAcceptsRow() keeps the parents of matches itself (see the class comment).
    setRecursiveFilteringEnabled(false);
    setSortRole(FileTreeModel::SortRole);
    sort(FileTreeModel::NameColumn, Qt::AscendingOrder);
    m_reapply.setSingleShot(true);
    m_reapply.setInterval(400);
    connect(&m_reapply, &QTimer::timeout, this, [this] { apply(false); });
    m_prebuild.setSingleShot(true);
    m_prebuild.setInterval(600);
    connect(&m_prebuild, &QTimer::timeout, this, &FileFilterProxy::prepareFilterIndex);
}

FileFilterProxy::~FileFilterProxy() = default;

void FileFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    for (const QMetaObject::Connection &c : std::as_const(m_sourceConnections))
        disconnect(c);
    m_sourceConnections.clear();
    m_model = qobject_cast<FileTreeModel *>(model);
    m_flatDirty = true;
    if (model && !m_model)
        qCWarning(llUiModel) << "FileFilterProxy needs a FileTreeModel source";
    if (m_model) {
        // Connected before QSortFilterProxyModel's own handlers, so the match set is fresh when it re-filters.
        m_sourceConnections << connect(m_model, &QAbstractItemModel::modelReset, this, &FileFilterProxy::sourceReset);
        m_sourceConnections << connect(m_model, &FileTreeModel::refreshed, this, [this] {
            m_flatDirty = true;
            m_prebuild.start();
            // Streamed rows were filtered against the old match set: re-match soon (coalesced).
            if (isFiltering() && !m_reapply.isActive())
                m_reapply.start();
        });
    }
    QSortFilterProxyModel::setSourceModel(m_model);
    if (isFiltering())
        apply(true);
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
    m_matchAll = false;
    m_re = QRegularExpression();
    if (m_kind != Kind::None) {
        // Paths are matched as "/usr/lib/x.so": "/bin/" finds any bin dir's files; "usr/lib/*.so" works with or
        // without the leading slash.
        QString pattern = text;
        if (m_usePath && !pattern.startsWith(QLatin1Char('/')))
            pattern.prepend(QLatin1Char('/'));
        if (isGlob(text)) {
            m_re = QRegularExpression(QRegularExpression::wildcardToRegularExpression(m_usePath ? pattern : text),
                QRegularExpression::CaseInsensitiveOption);
            if (m_re.isValid()) {
                m_re.optimize();
                m_kind = Kind::Glob;
                m_needle = foldedCopy(longestLiteral(m_usePath ? pattern : text));
                m_matchAll = !m_usePath && text.count(QLatin1Char('*')) == text.size();
            }
        }
        if (m_kind == Kind::Substring)
            m_needle = foldedCopy(text);
    }
    apply(true);
}

bool FileFilterProxy::matchText(QStringView s) const
{
    switch (m_kind) {
    case Kind::None:
        return true;
    case Kind::Substring:
        return containsFolded(s, m_needle);
    case Kind::Glob:
        // The regex decides; the literal pre-check spares it for most names.
        if (m_matchAll)
            return true;
        return containsFolded(s, m_needle) && m_re.match(s).hasMatch();
    }
    return false;
}

bool FileFilterProxy::matchFolded(QStringView s) const
{
    switch (m_kind) {
    case Kind::None:
        return true;
    case Kind::Substring:
        return s.contains(m_needle); // both folded: a plain (vectorised) search
    case Kind::Glob:
        if (m_matchAll)
            return true;
        return s.contains(m_needle) && m_re.match(s).hasMatch();
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
        return matchText(QString(QLatin1Char('/') + node->path()));
    return matchText(node->name);
}

void FileFilterProxy::buildFlat()
{
    QElapsedTimer timer;
    timer.start();
    const size_t previous = m_flat.size();
    m_flat.clear();
    m_foldedNames.resize(0); // keeps the capacity
    m_flat.reserve(previous);
    m_flatDirty = false;
    const FileNode *root = m_model ? m_model->rootNode() : nullptr;
    if (!root)
        return;
    struct Frame {
        const FileNode *dir;
        int index; // flat index of dir
        int next;
    };
    std::vector<Frame> stack;
    stack.push_back({ root, -1, 0 });
    while (!stack.empty()) {
        Frame &top = stack.back();
        if (top.next >= top.dir->childCount()) {
            stack.pop_back();
            continue;
        }
        const FileNode *node = top.dir->children[size_t(top.next++)];
        const int parent = top.index;
        const quint32 offset = quint32(m_foldedNames.size());
        const qsizetype length = node->name.size();
        m_foldedNames.resize(offset + length);
        const QChar *src = node->name.constData();
        QChar *dst = m_foldedNames.data() + offset;
        for (qsizetype i = 0; i < length; ++i)
            dst[i] = QChar(fold(src[i].unicode()));
        m_flat.push_back({ node, parent, offset, quint32(length) });
        if (!node->children.empty())
            stack.push_back({ node, int(m_flat.size()) - 1, 0 });
    }
    qCDebug(llUiModel) << "filter index:" << m_flat.size() << "nodes in" << timer.elapsed() << "ms";
}

void FileFilterProxy::recompute()
{
    m_visible.clear();
    m_matches = 0;
    if (m_kind == Kind::None || !m_model || !m_model->rootNode())
        return;
    if (m_flatDirty)
        buildFlat();
    const size_t count = m_flat.size();
    std::vector<char> visible(count, 0);
    int shown = 0;
    auto mark = [&](int i) {
        for (int j = i; j >= 0 && !visible[size_t(j)]; j = m_flat[size_t(j)].parent) {
            visible[size_t(j)] = 1;
            ++shown;
        }
    };
    const QChar *names = m_foldedNames.constData();
    if (!m_usePath) {
        for (size_t i = 0; i < count; ++i) {
            const FlatEntry &e = m_flat[i];
            if (matchFolded(QStringView(names + e.nameOffset, e.nameLength))) {
                ++m_matches;
                mark(int(i));
            }
        }
    } else {
        // Preorder: the previous entry is the parent or inside a previous sibling's subtree, so the parent's
        // path is always a prefix of the buffer.
        std::vector<int> pathLength(count, 0);
        QString path;
        path.reserve(256);
        for (size_t i = 0; i < count; ++i) {
            const FlatEntry &e = m_flat[i];
            path.truncate(e.parent >= 0 ? pathLength[size_t(e.parent)] : 0);
            path += QLatin1Char('/');
            path.append(names + e.nameOffset, e.nameLength);
            pathLength[i] = int(path.size());
            if (matchFolded(path)) {
                ++m_matches;
                mark(int(i));
            }
        }
    }
    m_visible.reserve(shown);
    for (size_t i = 0; i < count; ++i) {
        if (visible[i])
            m_visible.insert(m_flat[i].node);
    }
}

void FileFilterProxy::prepareFilterIndex()
{
    if (m_flatDirty)
        buildFlat();
}

void FileFilterProxy::sourceReset()
{
    m_flatDirty = true;
    m_prebuild.start();
    if (isFiltering())
        recompute();
}

void FileFilterProxy::apply(bool reset)
{
    m_reapply.stop();
    QElapsedTimer timer;
    timer.start();
    recompute();
    const qint64 matchMs = timer.elapsed();
    // Rows the source exposes now are filtered against the new set as they are inserted.
    if (m_model)
        m_model->setFetchAll(isFiltering());
    if (reset) {
        // QSortFilterProxyModel drops its mappings on its own modelReset.
        beginResetModel();
        endResetModel();
    } else {
        invalidateRowsFilter();
    }
    m_lastMs = timer.elapsed();
    qCDebug(llUiModel) << "filter" << m_text << "matched" << m_matches << "shown" << m_visible.size() << "nodes; match"
                       << matchMs << "ms, total" << m_lastMs << "ms" << (reset ? "(reset)" : "(re-filter)");
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
