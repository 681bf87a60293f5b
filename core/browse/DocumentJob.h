#pragma once

#include "common/Job.h"

#include <QByteArray>

namespace ll::registry {
class RegistryCall;
class RegistryClient;
} // namespace ll::registry

namespace ll::browse {

/**
 * One JSON document by digest, as the registry serves it: a manifest or index (/manifests/<digest>) or a config
 * blob (/blobs/<digest>), for the raw documents viewer. The bytes are checked against the digest; at most 4 MiB
 * (a layer is not a document: Error::Unsupported when its size is known to be over, Error::Protocol when the
 * answer is). mediaType() is the served Content-Type.
 */
class DocumentJob : public Job
{
    Q_OBJECT
public:
    enum class Kind { Manifest, Blob };
    DocumentJob(registry::RegistryClient *client, const QString &registry, const QString &repository, Kind kind,
        const QString &digest, QObject *parent = nullptr);
    ~DocumentJob() override;

    QString digest() const { return m_digest; }
    const QByteArray &document() const { return m_document; }
    QString mediaType() const { return m_mediaType; }
    static constexpr qint64 maxSize() { return 4 << 20; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onFinished();

    registry::RegistryClient *m_client;
    QString m_registry;
    QString m_repository;
    Kind m_kind;
    QString m_digest;
    QByteArray m_document;
    QString m_mediaType;
    registry::RegistryCall *m_call = nullptr;
};

} // namespace ll::browse
