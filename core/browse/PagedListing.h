#pragma once

#include "common/Error.h"

#include <QSet>
#include <QString>
#include <QStringList>

namespace ll::browse {

/**
 * Where a paged listing (/v2/_catalog, /v2/<name>/tags/list) stands between pages: the next page's URL and
 * what was read so far. A registry that paginates wrongly is caught here: a next link that points to a page
 * already read (a Link loop), a page made only of names already listed (a page that repeats), a page after
 * the maxPages-th. Names listed twice across pages are dropped. Plain value, no network.
 */
class PagedListing
{
public:
    /** firstPath: the first page's path, e.g. "/v2/_catalog?n=100". */
    explicit PagedListing(const QString &firstPath = {}, int maxPages = 100000);

    /** The next page to ask for: a path (first page) or an absolute URL (from a Link header). */
    QString next() const { return m_next; }
    bool atEnd() const { return m_next.isEmpty(); }
    int pages() const { return m_pages; }
    int itemCount() const { return int(m_items.size()); }

    /**
     * Takes the page just read (from next()) and the page's next link resolved to an absolute URL (empty: the
     * last page). Returns the names not listed before, in page order (kept even when the listing stops). When
     * the link loops back, the page repeats or there are too many pages, the listing ends (atEnd()) with
     * error() set (Error::Protocol).
     */
    QStringList accept(const QStringList &items, const QString &resolvedNext);
    /** Why the listing stopped early; no error after a proper last page. */
    const Error &error() const { return m_error; }

private:
    QString m_next;
    QSet<QString> m_urls; // pages read (and the one asked for next)
    QSet<QString> m_items;
    Error m_error;
    int m_pages = 0;
    int m_maxPages;
};

} // namespace ll::browse
