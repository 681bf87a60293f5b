#pragma once

#include "browse/TagDetails.h"
#include "common/Job.h"
#include "oci/Descriptor.h"

#include <memory>

namespace ll::registry {
class RegistryCall;
class RegistryClient;
class RetryBudget;
} // namespace ll::registry

namespace ll::browse {

/**
 * A tag on expand: its manifest (digest checked against Docker-Content-Digest), and for an index each
 * platform's manifest (layers, size), attestation manifests counted and left out. All requests share one
 * RetryBudget. A tag that is gone (deleted between the listing and now): Error::NotFound. A platform whose
 * manifest cannot be read keeps its error; the others are still shown. At most maxPlatformReads() platform
 * manifests are read (the rest are listed without sizes).
 */
class TagDetailsJob : public Job
{
    Q_OBJECT
public:
    TagDetailsJob(registry::RegistryClient *client, const QString &registry, const QString &repository,
        const QString &tag, QObject *parent = nullptr);
    ~TagDetailsJob() override;

    const TagDetails &details() const { return m_details; }
    static constexpr int maxPlatformReads() { return 64; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    registry::RegistryCall *fetch(const QString &reference);
    void onTopManifest();
    void fetchNextPlatform();
    void onPlatformManifest();
    void fetchConfig(const oci::Descriptor &config);
    void onConfig();

    registry::RegistryClient *m_client;
    QString m_registry;
    QString m_repository;
    TagDetails m_details;
    oci::Descriptor m_config; // a single manifest's config: read for its platform
    std::shared_ptr<registry::RetryBudget> m_budget;
    registry::RegistryCall *m_call = nullptr;
    int m_nextPlatform = 0;
};

} // namespace ll::browse
