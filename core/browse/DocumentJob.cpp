#include "browse/DocumentJob.h"

#include "common/Sha256.h"
#include "oci/Descriptor.h"
#include "oci/MediaTypes.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"

namespace ll::browse {

DocumentJob::DocumentJob(registry::RegistryClient *client, const QString &registry, const QString &repository,
    Kind kind, const QString &digest, QObject *parent)
    : Job(parent), m_client(client), m_registry(registry), m_repository(repository), m_kind(kind), m_digest(digest)
{
    setTitle(tr("Document %1").arg(digest.left(19)));
    setProgressUnit(ProgressUnit::Items);
}

DocumentJob::~DocumentJob()
{
    doCancel();
}

void DocumentJob::doStart()
{
    if (!oci::Descriptor::isValidDigest(m_digest) || !m_digest.startsWith(QLatin1String("sha256:"))) {
        fail(Error(Error::Code::Usage, tr("not a sha256 digest: %1").arg(m_digest)));
        return;
    }
    registry::RegistryRequest request;
    request.registry = m_registry;
    request.repository = m_repository;
    request.path = QStringLiteral("/v2/%1/%2/%3")
                       .arg(m_repository,
                           m_kind == Kind::Manifest ? QStringLiteral("manifests") : QStringLiteral("blobs"), m_digest);
    if (m_kind == Kind::Manifest)
        request.accept = { oci::MediaType::manifestAcceptHeader() };
    request.maxBodySize = maxSize();
    m_call = m_client->send(request);
    connect(m_call, &registry::RegistryCall::finished, this, &DocumentJob::onFinished);
}

void DocumentJob::doCancel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call->deleteLater();
        m_call = nullptr;
    }
}

void DocumentJob::onFinished()
{
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    if (call->hasError()) {
        fail(call->error());
        return;
    }
    if (Sha256::digestOf(call->body()) != m_digest) {
        fail(Error(Error::Code::DigestMismatch, tr("the document does not match its digest %1").arg(m_digest)));
        return;
    }
    m_document = call->body();
    m_mediaType = oci::MediaType::essence(QString::fromLatin1(call->rawHeader("Content-Type")));
    setProgress(1, 1);
    succeed();
}

} // namespace ll::browse
