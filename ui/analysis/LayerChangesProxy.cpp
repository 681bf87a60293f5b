#include "analysis/LayerChangesProxy.h"

#include "models/FileFilterProxy.h"

namespace ll::ui {

LayerChangesProxy::LayerChangesProxy(int isDirRole, int sortRole, int pathRole, QObject *parent)
    : QSortFilterProxyModel(parent), m_isDirRole(isDirRole), m_sortRole(sortRole), m_pathRole(pathRole)
{
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(false);
}

void LayerChangesProxy::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_onPath = text.contains(QLatin1Char('/'));
    m_glob = FileFilterProxy::isGlob(text) ? QRegularExpression(
                 QRegularExpression::wildcardToRegularExpression(text), QRegularExpression::CaseInsensitiveOption)
                                           : QRegularExpression();
    invalidateFilter();
}

bool LayerChangesProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const bool ld = left.data(m_isDirRole).toBool();
    const bool rd = right.data(m_isDirRole).toBool();
    if (ld != rd)
        return sortOrder() == Qt::AscendingOrder ? ld : rd; // directories first either way
    const QVariant l = left.data(m_sortRole);
    const QVariant r = right.data(m_sortRole);
    if (l.typeId() == QMetaType::QString)
        return l.toString().compare(r.toString(), Qt::CaseInsensitive) < 0;
    return QVariant::compare(l, r) == QPartialOrdering::Less;
}

bool LayerChangesProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const QString subject = m_onPath ? index.data(m_pathRole).toString() : index.data(Qt::DisplayRole).toString();
    if (!m_glob.pattern().isEmpty())
        return m_glob.match(subject).hasMatch();
    return subject.contains(m_text, Qt::CaseInsensitive);
}

} // namespace ll::ui
