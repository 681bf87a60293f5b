#pragma once

#include "cli/CliOptions.h"
#include "common/Result.h"
#include "index/IndexStore.h"
#include "oci/Image.h"
#include "oci/Platform.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"

#include <QNetworkAccessManager>

#include <memory>
#include <optional>

namespace ll {
class Job;
}
namespace ll::registry {
class RegistryClient;
}

namespace ll::cli {

/** The network stack and the parsed options shared by every CLI command. */
class CliSession
{
public:
    explicit CliSession(const CliOptions &options);
    ~CliSession();

    /** Reads --password-stdin, sets up credentials and the platform. */
    Status prepare();

    const CliOptions &options() const { return m_options; }
    registry::RegistryClient *client() const { return m_client.get(); }
    /** Layer indexes: a listed layer is listed again without a download, a carve from it takes one request. */
    const index::IndexStore &indexStore() const { return m_indexStore; }
    registry::CredentialStore &credentials() { return m_credentials; }
    const std::optional<oci::Platform> &platform() const { return m_platform; }

    Result<registry::ImageReference> reference() const;
    /** Runs a job to completion in a local event loop (Ctrl+C cancels it). */
    void run(Job *job);
    /** What a command needs resolved: carve, save and extract only read the manifest's layers. */
    enum class Resolve { WithConfig, ManifestOnly };
    /** Reference -> resolved image (manifest, platform, config); progress on stderr. */
    Result<oci::Image> resolve(const registry::ImageReference &reference, Resolve what = Resolve::WithConfig);
    /** -t's reference, resolved (the first step of most commands). */
    Result<oci::Image> resolveTarget(Resolve what = Resolve::WithConfig);
    /** Same for an explicit platform (the interactive platform choice). */
    Result<oci::Image> resolveFor(
        const registry::ImageReference &reference, const oci::Platform &platform, Resolve what = Resolve::WithConfig);

    /** Prints an error line ("layerslayer-cli: <message>") and returns its exit code. */
    int fail(const Error &error) const;

private:
    CliOptions m_options;
    QNetworkAccessManager m_nam;
    registry::CredentialStore m_credentials;
    std::unique_ptr<registry::RegistryClient> m_client;
    index::IndexStore m_indexStore;
    std::optional<oci::Platform> m_platform;
};

} // namespace ll::cli
