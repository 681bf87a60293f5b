#include "browse/TagDetailsJob.h"

#include "browse/BrowseLogging.h"
#include "common/Sha256.h"
#include "oci/ImageIndex.h"
#include "oci/Manifest.h"
#include "oci/MediaTypes.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"
#include "registry/RetryBudget.h"

namespace ll::browse {

namespace {
constexpr qint64 MaxManifestBytes = 4 << 20;

void summarise(TagPlatform &p, const oci::Manifest &m)
{
    p.layers = int(m.layers.size());
    p.size = 0;
    for (const oci::Descriptor &l : m.layers)
        p.size += qMax<qint64>(0, l.size);
}
} // namespace

TagDetailsJob::TagDetailsJob(registry::RegistryClient *client, const QString &registry, const QString &repository,
    const QString &tag, QObject *parent)
    : Job(parent), m_client(client), m_registry(registry), m_repository(repository)
{
    m_details.tag = tag;
    setTitle(tr("Details of %1:%2").arg(repository, tag));
    setProgressUnit(ProgressUnit::Items);
}

TagDetailsJob::~TagDetailsJob()
{
    doCancel();
}

void TagDetailsJob::doStart()
{
    m_budget = std::make_shared<registry::RetryBudget>(m_client->maxRetries());
    setStatus(tr("Fetching manifest"));
    m_call = fetch(m_details.tag);
    connect(m_call, &registry::RegistryCall::finished, this, &TagDetailsJob::onTopManifest);
}

void TagDetailsJob::doCancel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
        m_call = nullptr;
    }
}

registry::RegistryCall *TagDetailsJob::fetch(const QString &reference)
{
    registry::RegistryRequest request;
    request.registry = m_registry;
    request.repository = m_repository;
    request.path = QStringLiteral("/v2/%1/manifests/%2").arg(m_repository, reference);
    request.accept = { oci::MediaType::manifestAcceptHeader() };
    request.maxBodySize = MaxManifestBytes;
    request.retryBudget = m_budget;
    return m_client->send(request);
}

void TagDetailsJob::onTopManifest()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    if (call->hasError()) {
        Error e = call->error();
        if (e.code == Error::Code::NotFound) {
            e.detail = e.message;
            e.message = tr("tag %1 is not on the registry any more").arg(m_details.tag);
        }
        fail(e);
        return;
    }
    const QByteArray body = call->body();
    if (Status st = registry::ImageResolveJob::verifyManifestDigest(body, {}, call->rawHeader("Docker-Content-Digest"));
        !st) {
        fail(st.error());
        return;
    }
    const QString contentType = QString::fromLatin1(call->rawHeader("Content-Type"));
    m_details.digest = Sha256::digestOf(body);
    m_details.document = body;
    switch (oci::detectManifestKind(body, contentType)) {
    case oci::ManifestKind::Index: {
        Result<oci::ImageIndex> index = oci::ImageIndex::parse(body, contentType);
        if (!index) {
            fail(index.error());
            return;
        }
        m_details.isIndex = true;
        m_details.mediaType = index->mediaType;
        for (const oci::Descriptor &d : index->manifests) {
            if (d.isAttestation()) {
                ++m_details.attestations;
                continue;
            }
            TagPlatform p;
            p.platform = d.platform ? d.platform->toString() : tr("unknown platform");
            p.digest = d.digest;
            m_details.platforms.append(p);
        }
        setProgress(1, 1 + qMin<qsizetype>(m_details.platforms.size(), maxPlatformReads()));
        fetchNextPlatform();
        return;
    }
    case oci::ManifestKind::ImageManifest: {
        Result<oci::Manifest> manifest = oci::Manifest::parse(body, contentType);
        if (!manifest) {
            fail(manifest.error());
            return;
        }
        m_details.mediaType = manifest->mediaType;
        TagPlatform p;
        p.digest = m_details.digest;
        summarise(p, *manifest);
        m_details.platforms.append(p);
        setProgress(1, 2);
        fetchConfig(manifest->config); // its platform is named there
        return;
    }
    case oci::ManifestKind::Schema1:
        fail(Error(Error::Code::Unsupported, tr("a Docker schema 1 manifest, which is not supported")));
        return;
    case oci::ManifestKind::Unknown:
        fail(Error(Error::Code::Unsupported, tr("an unknown manifest type"), contentType));
        return;
    }
}

void TagDetailsJob::fetchNextPlatform()
{
    if (!isRunning())
        return;
    if (m_nextPlatform >= m_details.platforms.size() || m_nextPlatform >= maxPlatformReads()) {
        succeed();
        return;
    }
    const TagPlatform &p = m_details.platforms.at(m_nextPlatform);
    setStatus(tr("Fetching manifest for %1").arg(p.platform));
    m_call = fetch(p.digest);
    connect(m_call, &registry::RegistryCall::finished, this, &TagDetailsJob::onPlatformManifest);
}

void TagDetailsJob::onPlatformManifest()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    TagPlatform &p = m_details.platforms[m_nextPlatform++];
    if (call->hasError()) {
        p.error = call->error();
    } else if (Status st = registry::ImageResolveJob::verifyManifestDigest(call->body(), p.digest, {}); !st) {
        p.error = st.error();
    } else {
        Result<oci::Manifest> manifest
            = oci::Manifest::parse(call->body(), QString::fromLatin1(call->rawHeader("Content-Type")));
        if (manifest)
            summarise(p, *manifest);
        else
            p.error = manifest.error();
    }
    if (p.error)
        qCDebug(llBrowse) << m_repository << m_details.tag << p.platform << p.error.message;
    setProgress(1 + m_nextPlatform, progressTotal());
    fetchNextPlatform();
}

void TagDetailsJob::fetchConfig(const oci::Descriptor &config)
{
    m_config = config;
    setStatus(tr("Fetching config of %1").arg(m_details.tag));
    registry::RegistryRequest request = registry::ImageResolveJob::configRequest(m_registry, m_repository, config);
    request.retryBudget = m_budget;
    m_call = m_client->send(request);
    connect(m_call, &registry::RegistryCall::finished, this, &TagDetailsJob::onConfig);
}

void TagDetailsJob::onConfig()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    // The platform is a detail: a config that cannot be read leaves it unnamed, the tag still shows.
    if (call->hasError()) {
        qCDebug(llBrowse) << m_repository << m_details.tag << "config:" << call->error().message;
    } else if (Result<oci::ImageConfig> config = registry::ImageResolveJob::parseConfig(call->body(), m_config);
               !config) {
        qCDebug(llBrowse) << m_repository << m_details.tag << "config:" << config.error().message;
    } else if (!config->platform.isEmpty()) {
        m_details.platforms.first().platform = config->platform.toString();
    }
    setProgress(2, 2);
    succeed();
}

} // namespace ll::browse
