#include "browse/PagedListing.h"

#include <QCoreApplication>
#include <QUrl>

namespace ll::browse {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ll::browse::PagedListing", text);
}
/** A page's identity: its path and query (the first page is asked by path, later ones by absolute URL). */
QString pageKey(const QString &url)
{
    QUrl u(url);
    u.setScheme(QString());
    u.setAuthority(QString());
    return u.toString(QUrl::FullyEncoded);
}
} // namespace

PagedListing::PagedListing(const QString &firstPath, int maxPages) : m_next(firstPath), m_maxPages(maxPages)
{
    if (!firstPath.isEmpty())
        m_urls.insert(pageKey(firstPath));
}

QStringList PagedListing::accept(const QStringList &items, const QString &resolvedNext)
{
    ++m_pages;
    QStringList fresh;
    fresh.reserve(items.size());
    for (const QString &item : items) {
        if (!m_items.contains(item)) {
            m_items.insert(item);
            fresh.append(item);
        }
    }
    m_next.clear();
    if (!items.isEmpty() && fresh.isEmpty() && m_pages > 1) {
        m_error = Error(Error::Code::Protocol,
            tr("page %1 repeats names already listed; the listing stops here").arg(m_pages), resolvedNext);
        return fresh;
    }
    if (resolvedNext.isEmpty())
        return fresh;
    if (m_urls.contains(pageKey(resolvedNext))) {
        m_error = Error(Error::Code::Protocol,
            tr("the next-page link after page %1 points back to a page already read; the listing stops here")
                .arg(m_pages),
            resolvedNext);
        return fresh;
    }
    if (m_pages >= m_maxPages) {
        m_error = Error(Error::Code::Protocol, tr("more than %1 pages; the listing stops here").arg(m_maxPages));
        return fresh;
    }
    m_urls.insert(pageKey(resolvedNext));
    m_next = resolvedNext;
    return fresh;
}

} // namespace ll::browse
