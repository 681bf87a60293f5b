#pragma once

#include "common/Job.h"
#include "oci/Image.h"
#include "registry/ImageReference.h"
#include "registry/RegistryCall.h"

#include <optional>

namespace ll::registry {

class RegistryClient;
class RegistryCall;

/**
 * Reference -> manifest (or index -> platform -> manifest) -> config blob, digests verified
 * (Docker-Content-Digest when present; always when the reference names a digest; the config blob
 * against its descriptor). Schema1: Error::Unsupported. Fills oci::Image including the history
 * mapped to layers. Platform: the given one, else the host's; attestation entries never chosen
 * (no match: Error::NotFound listing the available platforms). Status lines: "Fetching manifest",
 * "Fetching manifest for linux/arm64", "Fetching config"; progress counts the requests (done, 3).
 */
class ImageResolveJob : public Job
{
    Q_OBJECT
public:
    ImageResolveJob(RegistryClient *client, const ImageReference &reference,
        const std::optional<oci::Platform> &platform = std::nullopt, QObject *parent = nullptr);
    ~ImageResolveJob() override;

    const ImageReference &reference() const { return m_reference; }
    const oci::Image &image() const { return m_image; }
    /** The platform asked for: the given one or the host's. */
    oci::Platform wantedPlatform() const;

    /**
     * Whether the config blob is fetched (default true). Carve, save and extract need only the manifest's
     * layers: without the config one round trip less, and image().config stays empty.
     */
    void setFetchConfig(bool fetch) { m_fetchConfig = fetch; }
    bool fetchesConfig() const { return m_fetchConfig; }

    /** Checks a manifest body against the reference's digest and Docker-Content-Digest (empty: not checked). */
    static Status verifyManifestDigest(const QByteArray &body, const QString &expected, const QByteArray &header);
    /** The request for an image's config blob, its answer bounded by the descriptor's size (8 MiB at most). */
    static RegistryRequest configRequest(
        const QString &registry, const QString &repository, const oci::Descriptor &config);
    /** A config blob checked against its descriptor (digest, size), parsed. */
    static Result<oci::ImageConfig> parseConfig(const QByteArray &body, const oci::Descriptor &descriptor);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void fetchManifest(const QString &reference, bool fromIndex);
    void onManifest(const QString &reference, bool fromIndex);
    void fetchConfig();
    void onConfig();
    void releaseCall();
    Error notFound(const Error &error, const QString &what) const;

    RegistryClient *m_client;
    ImageReference m_reference;
    std::optional<oci::Platform> m_platform;
    oci::Image m_image;
    RegistryCall *m_call = nullptr;
    int m_steps = 0;
    bool m_fetchConfig = true;
};

} // namespace ll::registry
