#pragma once

#include "browse/PagedListing.h"
#include "common/Job.h"

#include <QStringList>

namespace ll::registry {
class RegistryCall;
class RegistryClient;
} // namespace ll::registry

namespace ll::browse {

/**
 * One page of a registry listing: the repositories (/v2/_catalog) or a repository's tags
 * (/v2/<name>/tags/list), read from where a PagedListing stands and moving it on (its next link, names not
 * seen before, a loop or a repeated page caught). The navigator reads one page per expand or scroll, so a
 * repository with thousands of tags shows its first page after one round trip.
 *
 * Failures say what the registry refused: Docker Hub's catalog (it has none: Error::Unsupported before any
 * request), a catalog refused with 401/403 (Error::Unauthorized/Forbidden, "signed-in users only"), 404 or
 * UNSUPPORTED (Error::Unsupported), a repository that is not there (Error::NotFound) or that needs sign-in.
 * A page the PagedListing refuses is not a failure: items() holds what was new and listing().error() says why
 * the listing stopped.
 */
class ListPageJob : public Job
{
    Q_OBJECT
public:
    enum class Kind { Repositories, Tags };

    /** The first page's listing for kind (n = pageSize). */
    static PagedListing firstPage(Kind kind, const QString &repository, int pageSize = DefaultPageSize);
    static constexpr int DefaultPageSize = 100;

    ListPageJob(registry::RegistryClient *client, Kind kind, const QString &registry, const QString &repository,
        const PagedListing &listing, QObject *parent = nullptr);
    ~ListPageJob() override;

    Kind kind() const { return m_kind; }
    QString registry() const { return m_registry; }
    QString repository() const { return m_repository; }
    /** The listing after this page (atEnd() when it was the last one, or when it stopped: see its error()). */
    const PagedListing &listing() const { return m_listing; }
    /** The page's names not listed before, in the registry's order. */
    const QStringList &items() const { return m_items; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onFinished();
    Error refusal(const Error &error) const;

    registry::RegistryClient *m_client;
    Kind m_kind;
    QString m_registry;
    QString m_repository;
    PagedListing m_listing;
    QStringList m_items;
    registry::RegistryCall *m_call = nullptr;
};

} // namespace ll::browse
