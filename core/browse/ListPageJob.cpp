#include "browse/ListPageJob.h"

#include "browse/BrowseLogging.h"
#include "registry/ImageReference.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"
#include "registry/TagListJob.h"

namespace ll::browse {

namespace {
constexpr qint64 MaxPageBytes = 4 << 20; // 100 names a page; 4 MiB is far beyond an honest page
}

PagedListing ListPageJob::firstPage(Kind kind, const QString &repository, int pageSize)
{
    const QString path = kind == Kind::Repositories ? QStringLiteral("/v2/_catalog")
                                                    : QStringLiteral("/v2/%1/tags/list").arg(repository);
    return PagedListing(pageSize > 0 ? path + QStringLiteral("?n=%1").arg(pageSize) : path);
}

ListPageJob::ListPageJob(registry::RegistryClient *client, Kind kind, const QString &registry,
    const QString &repository, const PagedListing &listing, QObject *parent)
    : Job(parent), m_client(client), m_kind(kind), m_registry(registry), m_repository(repository), m_listing(listing)
{
    setTitle(kind == Kind::Repositories ? tr("Repositories of %1, page %2").arg(registry).arg(listing.pages() + 1)
                                        : tr("Tags of %1, page %2").arg(repository).arg(listing.pages() + 1));
    setProgressUnit(ProgressUnit::Items);
}

ListPageJob::~ListPageJob()
{
    doCancel();
}

void ListPageJob::doStart()
{
    if (m_kind == Kind::Repositories && m_registry == registry::ImageReference::dockerHubRegistry()) {
        fail(Error(Error::Code::Unsupported, tr("Docker Hub does not list its repositories: type a repository name")));
        return;
    }
    if (m_listing.atEnd()) {
        succeed();
        return;
    }
    registry::RegistryRequest request;
    request.registry = m_registry;
    request.repository = m_kind == Kind::Tags ? m_repository : QString();
    request.accept = { QByteArrayLiteral("application/json") };
    request.maxBodySize = MaxPageBytes;
    const QString next = m_listing.next();
    if (next.startsWith(QLatin1Char('/')))
        request.path = next;
    else
        request.absoluteUrl = QUrl(next);
    setStatus(tr("Reading page %1").arg(m_listing.pages() + 1));
    m_call = m_client->send(request);
    connect(m_call, &registry::RegistryCall::finished, this, &ListPageJob::onFinished);
}

void ListPageJob::doCancel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
        m_call = nullptr;
    }
}

Error ListPageJob::refusal(const Error &error) const
{
    Error e = error;
    e.detail = error.message + (error.detail.isEmpty() ? QString() : QStringLiteral("; ") + error.detail);
    if (m_kind == Kind::Tags) {
        if (e.code == Error::Code::NotFound)
            e.message = tr("%1 is not on %2 (or not any more)").arg(m_repository, m_registry);
        else if (e.code == Error::Code::Unauthorized || e.code == Error::Code::Forbidden)
            e.message = tr("%1 needs sign-in to list its tags").arg(m_repository);
        else
            return error;
        return e;
    }
    const bool unsupported = e.code == Error::Code::NotFound || e.code == Error::Code::Unsupported
        || e.httpStatus == 405 || error.message.contains(QLatin1String("UNSUPPORTED"))
        || error.detail.contains(QLatin1String("UNSUPPORTED"));
    if (unsupported) {
        e.code = Error::Code::Unsupported;
        e.message = tr("%1 does not list its repositories: type a repository name").arg(m_registry);
    } else if (e.code == Error::Code::Unauthorized || e.code == Error::Code::Forbidden) {
        e.message = tr("%1 lists its repositories to signed-in users only: sign in, or type a repository name")
                        .arg(m_registry);
    } else {
        e = error;
    }
    return e;
}

void ListPageJob::onFinished()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    if (call->hasError()) {
        fail(refusal(call->error()));
        return;
    }
    Result<QStringList> names = registry::TagListJob::parsePage(call->body(),
        m_kind == Kind::Repositories ? registry::TagListJob::Mode::Catalog : registry::TagListJob::Mode::Tags,
        m_registry);
    if (!names) {
        fail(names.error());
        return;
    }
    const QString link = registry::RegistryClient::nextLink(call->rawHeader("Link"));
    const QString next
        = link.isEmpty() ? QString() : call->finalUrl().resolved(QUrl(link)).toString(QUrl::FullyEncoded);
    m_items = m_listing.accept(*names, next);
    qCDebug(llBrowse) << m_registry << m_repository << "page" << m_listing.pages() << names->size() << "names"
                      << (next.isEmpty() ? "last" : "more");
    if (m_listing.error())
        qCWarning(llBrowse) << m_registry << m_repository << m_listing.error().message;
    setProgress(m_listing.itemCount(), -1);
    setStatus(tr("%n name(s)", nullptr, m_listing.itemCount()));
    succeed();
}

} // namespace ll::browse
