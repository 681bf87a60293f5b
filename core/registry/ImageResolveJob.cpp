#include "registry/ImageResolveJob.h"

#include "common/Logging.h"
#include "common/Sha256.h"
#include "oci/MediaTypes.h"
#include "registry/RegistryClient.h"

namespace ll::registry {

namespace {

constexpr qint64 MaxManifestSize = qint64(4) << 20; // distribution's own limit for manifests and indexes
constexpr qint64 MaxConfigSize = qint64(8) << 20;

} // namespace

ImageResolveJob::ImageResolveJob(RegistryClient *client, const ImageReference &reference,
    const std::optional<oci::Platform> &platform, QObject *parent)
    : Job(parent), m_client(client), m_reference(reference), m_platform(platform)
{
    setTitle(tr("Resolve %1").arg(reference.displayName()));
    setProgressUnit(ProgressUnit::Items); // manifest(s) and config fetched
}

ImageResolveJob::~ImageResolveJob()
{
    releaseCall();
}

oci::Platform ImageResolveJob::wantedPlatform() const
{
    return m_platform ? *m_platform : oci::Platform::host();
}

void ImageResolveJob::releaseCall()
{
    if (!m_call)
        return;
    m_call->disconnect(this);
    m_call->abort();
    m_call->deleteLater();
    m_call = nullptr;
}

void ImageResolveJob::doStart()
{
    m_image = oci::Image();
    m_image.reference = m_reference.toString();
    m_image.registry = m_reference.registry();
    m_image.repository = m_reference.repository();
    m_image.tag = m_reference.tag();
    m_steps = 0;
    setProgress(0, 3);
    fetchManifest(m_reference.manifestReference(), false);
}

void ImageResolveJob::doCancel()
{
    releaseCall();
}

void ImageResolveJob::fetchManifest(const QString &reference, bool fromIndex)
{
    setStatus(fromIndex ? tr("Fetching manifest for %1").arg(m_image.platform.toString()) : tr("Fetching manifest"));
    RegistryRequest request;
    request.registry = m_reference.registry();
    request.repository = m_reference.repository();
    request.path = QStringLiteral("/v2/%1/manifests/%2").arg(m_reference.repository(), reference);
    request.accept = { oci::MediaType::manifestAcceptHeader() };
    request.maxBodySize = MaxManifestSize;
    releaseCall();
    if (!isRunning())
        return; // cancelled from a status or progress handler
    m_call = m_client->send(request);
    connect(m_call, &RegistryCall::finished, this, [this, reference, fromIndex] { onManifest(reference, fromIndex); });
}

Status ImageResolveJob::verifyManifestDigest(const QByteArray &body, const QString &expected, const QByteArray &header)
{
    const QString actual = Sha256::digestOf(body);
    if (!expected.isEmpty()) {
        if (!expected.startsWith(QLatin1String("sha256:")))
            return Error(
                Error::Code::Unsupported, tr("cannot verify %1: only sha256 digests are supported").arg(expected));
        if (expected != actual)
            return Error(Error::Code::DigestMismatch, tr("manifest does not match its digest %1").arg(expected),
                tr("content hashes to %1").arg(actual));
    }
    const QString announced = QString::fromLatin1(header.trimmed());
    if (announced.startsWith(QLatin1String("sha256:")) && announced != actual)
        return Error(Error::Code::DigestMismatch, tr("manifest does not match Docker-Content-Digest %1").arg(announced),
            tr("content hashes to %1").arg(actual));
    return {};
}

Error ImageResolveJob::notFound(const Error &error, const QString &what) const
{
    if (error.code != Error::Code::NotFound)
        return error;
    Error e = error;
    e.message = tr("%1 not found on %2").arg(what, m_reference.registry());
    e.detail = error.message + (error.detail.isEmpty() ? QString() : QStringLiteral("; ") + error.detail);
    return e;
}

void ImageResolveJob::onManifest(const QString &reference, bool fromIndex)
{
    RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    if (call->hasError()) {
        const QString what = m_reference.repository()
            + (reference.startsWith(QLatin1String("sha256:")) ? QLatin1Char('@') : QLatin1Char(':')) + reference;
        fail(notFound(call->error(), what));
        return;
    }
    setProgress(++m_steps, 3);
    const QByteArray body = call->body();
    const QString contentType = QString::fromLatin1(call->rawHeader("Content-Type"));
    const bool byDigest = reference.contains(QLatin1Char(':'));
    if (Status st
        = verifyManifestDigest(body, byDigest ? reference : QString(), call->rawHeader("Docker-Content-Digest"));
        !st) {
        fail(st.error());
        return;
    }
    const QString digest = Sha256::digestOf(body);

    switch (oci::detectManifestKind(body, contentType)) {
    case oci::ManifestKind::Schema1:
        fail(Error(Error::Code::Unsupported,
            tr("%1 is a Docker schema 1 manifest, which is not supported").arg(m_reference.displayName()),
            tr("schema 1 was deprecated in 2017; push the image again with a current tool")));
        return;
    case oci::ManifestKind::Unknown:
        fail(Error(
            Error::Code::Unsupported, tr("unknown manifest type from %1").arg(m_reference.registry()), contentType));
        return;
    case oci::ManifestKind::Index: {
        if (fromIndex) {
            fail(Error(Error::Code::Unsupported, tr("an image index inside an image index is not supported"), digest));
            return;
        }
        Result<oci::ImageIndex> index = oci::ImageIndex::parse(body, contentType);
        if (!index) {
            fail(index.error());
            return;
        }
        m_image.indexDigest = digest;
        m_image.indexMediaType = index->mediaType;
        m_image.index = *index;
        const oci::Platform wanted = wantedPlatform();
        Result<oci::Descriptor> chosen = index->select(wanted);
        if (!chosen) {
            Error e = chosen.error();
            if (e.detail.isEmpty())
                e.detail = m_reference.toString();
            fail(e);
            return;
        }
        m_image.platform = chosen->platform.value_or(wanted);
        qCDebug(llRegistry) << "index" << digest << "->" << m_image.platform.toString() << chosen->digest;
        fetchManifest(chosen->digest, true);
        return;
    }
    case oci::ManifestKind::ImageManifest:
        break;
    }

    Result<oci::Manifest> manifest = oci::Manifest::parse(body, contentType);
    if (!manifest) {
        fail(manifest.error());
        return;
    }
    if (!manifest->isContainerImage()) {
        fail(Error(Error::Code::Unsupported,
            tr("%1 is not a container image (config type %2)")
                .arg(m_reference.displayName(), manifest->config.mediaType)));
        return;
    }
    m_image.manifestDigest = digest;
    m_image.manifestMediaType = manifest->mediaType;
    m_image.manifest = *manifest;
    if (!m_fetchConfig) {
        setProgress(3, 3);
        setStatus(tr("Resolved %1").arg(m_reference.displayName()));
        succeed();
        return;
    }
    fetchConfig();
}

RegistryRequest ImageResolveJob::configRequest(
    const QString &registry, const QString &repository, const oci::Descriptor &config)
{
    RegistryRequest request;
    request.registry = registry;
    request.repository = repository;
    request.path = QStringLiteral("/v2/%1/blobs/%2").arg(repository, config.digest);
    // The descriptor's size bounds what is read (a config is small; a lying registry gets cut off).
    // Configs are JSON of a few KiB (big histories: some hundred KiB): 8 MiB at most either way.
    request.maxBodySize = config.size >= 0 ? qMin<qint64>(config.size, MaxConfigSize) : MaxConfigSize;
    return request;
}

Result<oci::ImageConfig> ImageResolveJob::parseConfig(const QByteArray &body, const oci::Descriptor &descriptor)
{
    if (descriptor.digest.startsWith(QLatin1String("sha256:"))) {
        const QString actual = Sha256::digestOf(body);
        if (actual != descriptor.digest)
            return Error(Error::Code::DigestMismatch,
                tr("config blob does not match its digest %1").arg(descriptor.digest),
                tr("content hashes to %1").arg(actual));
    }
    if (descriptor.size >= 0 && body.size() != descriptor.size)
        return Error(Error::Code::DigestMismatch,
            tr("config blob is %1 bytes, its descriptor says %2").arg(body.size()).arg(descriptor.size));
    return oci::ImageConfig::parse(body);
}

void ImageResolveJob::fetchConfig()
{
    setStatus(tr("Fetching config"));
    const RegistryRequest request
        = configRequest(m_reference.registry(), m_reference.repository(), m_image.manifest.config);
    if (!isRunning())
        return;
    m_call = m_client->send(request);
    connect(m_call, &RegistryCall::finished, this, &ImageResolveJob::onConfig);
}

void ImageResolveJob::onConfig()
{
    RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    const oci::Descriptor &descriptor = m_image.manifest.config;
    if (call->hasError()) {
        fail(notFound(call->error(), tr("config blob %1 of %2").arg(descriptor.digest, m_reference.displayName())));
        return;
    }
    setProgress(++m_steps, 3);
    Result<oci::ImageConfig> config = parseConfig(call->body(), descriptor);
    if (!config) {
        fail(config.error());
        return;
    }
    m_image.configDigest = descriptor.digest;
    m_image.config = *config;
    if (!m_image.config.mapHistoryToLayers(int(m_image.manifest.layers.size())))
        qCWarning(llRegistry) << m_reference.toString() << ": history does not match the"
                              << m_image.manifest.layers.size() << "layers";
    if (m_image.platform.isEmpty())
        m_image.platform = m_image.config.platform;
    setProgress(3, 3);
    setStatus(tr("Resolved %1").arg(m_reference.displayName()));
    succeed();
}

} // namespace ll::registry
