#include "registry/TagListJob.h"

#include "common/Logging.h"
#include "registry/RegistryClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace ll::registry {

namespace {
constexpr int MaxPages = 100000;
}

TagListJob::TagListJob(RegistryClient *client, Mode mode, const QString &registry, const QString &repository,
    int pageSize, QObject *parent)
    : Job(parent), m_client(client), m_mode(mode), m_registry(registry), m_repository(repository), m_pageSize(pageSize)
{
    setTitle(mode == Mode::Catalog ? tr("Catalog of %1").arg(registry) : tr("Tags of %1").arg(repository));
    setProgressUnit(ProgressUnit::Items); // names listed
}

TagListJob::~TagListJob()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
    }
}

Result<QStringList> TagListJob::parsePage(const QByteArray &body, Mode mode, const QString &registry)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error(
            Error::Code::Malformed, tr("%1 sent a listing that is not a JSON object").arg(registry), pe.errorString());
    const QLatin1String key = mode == Mode::Catalog ? QLatin1String("repositories") : QLatin1String("tags");
    const QJsonValue list = doc.object().value(key);
    if (!list.isArray() && !list.isNull() && !list.isUndefined())
        return Error(Error::Code::Malformed, tr("%1 sent a listing whose \"%2\" is not an array").arg(registry, key));
    QStringList names;
    const QJsonArray array = list.toArray(); // null: an empty repository
    names.reserve(array.size());
    for (const QJsonValue &v : array) {
        if (v.isString() && !v.toString().isEmpty())
            names.append(v.toString());
    }
    return names;
}

void TagListJob::doStart()
{
    m_items.clear();
    m_pages = 0;
    m_seen.clear();
    QString path = m_mode == Mode::Catalog ? QStringLiteral("/v2/_catalog")
                                           : QStringLiteral("/v2/%1/tags/list").arg(m_repository);
    if (m_pageSize > 0)
        path += QStringLiteral("?n=%1").arg(m_pageSize);
    fetch(path);
}

void TagListJob::doCancel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
        m_call = nullptr;
    }
}

void TagListJob::fetch(const QString &pathOrUrl)
{
    RegistryRequest request;
    request.registry = m_registry;
    request.repository = m_mode == Mode::Tags ? m_repository : QString();
    request.accept = { QByteArrayLiteral("application/json") };
    if (pathOrUrl.startsWith(QLatin1Char('/')))
        request.path = pathOrUrl;
    else
        request.absoluteUrl = QUrl(pathOrUrl);
    setStatus(m_mode == Mode::Catalog ? tr("Listing repositories (page %1)").arg(m_pages + 1)
                                      : tr("Listing tags (page %1)").arg(m_pages + 1));
    if (!isRunning())
        return;
    m_call = m_client->send(request);
    connect(m_call, &RegistryCall::finished, this, &TagListJob::onPage);
}

void TagListJob::onPage()
{
    RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    if (call->hasError()) {
        Error e = call->error();
        if (e.code == Error::Code::NotFound && m_mode == Mode::Tags) {
            e.detail = e.message;
            e.message = tr("repository %1 not found on %2").arg(m_repository, m_registry);
        } else if (e.code == Error::Code::NotFound) {
            e.detail = e.message;
            e.message = tr("%1 has no catalog endpoint").arg(m_registry);
        }
        fail(e);
        return;
    }
    Result<QStringList> page = parsePage(call->body(), m_mode, m_registry);
    if (!page) {
        fail(page.error());
        return;
    }
    m_items += *page;
    ++m_pages;
    setProgress(m_items.size(), -1);
    if (!isRunning())
        return; // cancelled from a progress handler

    const QString next = RegistryClient::nextLink(call->rawHeader("Link"));
    if (next.isEmpty()) {
        setStatus(tr("%n item(s)", nullptr, int(m_items.size())));
        succeed();
        return;
    }
    const QUrl url = call->finalUrl().resolved(QUrl(next));
    const QString key2 = url.toString(QUrl::FullyEncoded);
    if (m_seen.contains(key2) || m_pages >= MaxPages) {
        fail(Error(Error::Code::Protocol, tr("%1 keeps sending the same next page").arg(m_registry), next));
        return;
    }
    m_seen.insert(key2);
    qCDebug(llRegistry) << "next page" << url.path() << url.query();
    fetch(url.toString(QUrl::FullyEncoded));
}

} // namespace ll::registry
