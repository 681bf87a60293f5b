#pragma once

#include <QRegularExpression>
#include <QSortFilterProxyModel>

namespace ll::ui {

/**
 * Sorting and filtering over a LayerChangesTreeModel (or a DiffTreeModel: any model with IsDirRole, SortRole and
 * PathRole at the same role numbers): directories first, then the column's raw value (names
 * case-insensitively); a filter on names (or on paths when it holds '/') as a substring or a glob, keeping the
 * parents of matches (recursive filtering). The source must show every row while filtering (setFetchAll).
 */
class LayerChangesProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LayerChangesProxy(int isDirRole, int sortRole, int pathRole, QObject *parent = nullptr);

    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    bool isFiltering() const { return !m_text.isEmpty(); }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_isDirRole;
    int m_sortRole;
    int m_pathRole;
    QString m_text;
    bool m_onPath = false;
    QRegularExpression m_glob; // valid when the text is a glob
};

} // namespace ll::ui
