#pragma once

#include <QRegularExpression>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <vector>

namespace ll::fs {
struct FileNode;
}

namespace ll::ui {

class FileTreeModel;

/**
 * Sorting and filtering over a FileTreeModel: directories first, then the sort column (names
 * case-insensitively); a filter over the whole tree that keeps the parents of matches.
 *
 * Filter text: empty = everything; with any of `* ? [ ]` a glob (QRegularExpression::wildcardToRegularExpression,
 * case-insensitive; `*` and `?` do not cross '/'), else a case-insensitive substring. It is matched against the
 * full path ("usr/lib/x.so") when it contains '/', else against the name.
 *
 * The match set is computed in one pass over the fs::FileNode tree (not through QModelIndex/data()), with every
 * ancestor of a match marked, so filterAcceptsRow() is one hash lookup: this does what recursive filtering does
 * without QSortFilterProxyModel's per-row subtree walks. While a filter is active the source exposes all rows
 * (FileTreeModel::setFetchAll). Rows streaming in while a filter is active are matched as they arrive.
 */
class FileFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FileFilterProxy(QObject *parent = nullptr);
    ~FileFilterProxy() override;

    /** Must be a FileTreeModel. */
    void setSourceModel(QAbstractItemModel *model) override;
    FileTreeModel *fileModel() const { return m_model; }

    /** Applies a filter (see the class comment); synchronous. */
    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    bool isFiltering() const { return m_kind != Kind::None; }
    /** Whether text would be used as a glob. */
    static bool isGlob(const QString &text);

    /** Nodes matching the current filter (ancestors kept only for display do not count); -1 when not filtering. */
    int matchCount() const { return isFiltering() ? m_matches : -1; }
    /**
     * Milliseconds the last full filter pass took (match set + proxy update). A new filter text resets the proxy
     * (views collapse; re-filtering every mapped row of an expanded 200k tree would cost more than the match),
     * re-matching streamed rows does not.
     */
    qint64 lastFilterMs() const { return m_lastMs; }

    /**
     * Builds the flat name index the filter scans (done anyway by the first keystroke after a change, ~0.1 s at
     * 200k entries; also done automatically once the source has been quiet for a moment).
     */
    void prepareFilterIndex();

    /** Whether node itself matches the current filter text (true when not filtering). */
    bool matches(const fs::FileNode *node) const;

signals:
    /** After each full filter pass (text changed, source reset). */
    void filterApplied(int matchCount, qint64 msecs);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    enum class Kind { None, Substring, Glob };

    void recompute();
    void buildFlat();
    void apply(bool reset);
    void sourceReset();
    void sourceRowsInserted(const QModelIndex &parent, int first, int last);
    bool matchText(QStringView text) const;
    bool matchFolded(QStringView foldedText) const;

    FileTreeModel *m_model = nullptr;
    QString m_text;
    Kind m_kind = Kind::None;
    bool m_usePath = false;
    QString m_needle; // case-folded: the substring, or for a glob the longest literal run (a cheap pre-check)
    QRegularExpression m_re;
    bool m_matchAll = false; // a glob of only '*'
    QSet<const fs::FileNode *> m_visible; // matches and their ancestors

    // The tree flattened in preorder with case-folded names in one buffer: a keystroke scans contiguous
    // memory instead of chasing 200k nodes and their strings. Rebuilt after the source changed.
    struct FlatEntry {
        const fs::FileNode *node;
        int parent; // index in m_flat, -1 for top-level rows
        quint32 nameOffset;
        quint32 nameLength;
    };
    std::vector<FlatEntry> m_flat;
    QString m_foldedNames;
    bool m_flatDirty = true;
    int m_matches = 0;
    qint64 m_lastMs = 0;
    QTimer m_prebuild; // builds the flat index once the source is quiet (not while a layer streams)
    QTimer m_reapply; // coalesces re-filtering when streamed rows reveal previously hidden parents
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace ll::ui
