#pragma once

// Shared by the registry client's integration tests: a client wired to an isolated credential store
// (no ~/.docker, no ./token.txt) and helpers that run a call or a job to its end.
#include "common/Job.h"
#include "common/Sha256.h"
#include "oci/Image.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace ll::test {

/** QNAM + CredentialStore + RegistryClient; credentials only from what the test sets. */
struct ClientEnv {
    QTemporaryDir configDir; // empty docker config dir
    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    std::unique_ptr<registry::RegistryClient> client;

    ClientEnv()
    {
        credentials.setUseDefaultTokenFile(false);
        credentials.setDockerConfigDir(configDir.path());
        credentials.setAuthJsonPath(configDir.filePath(QStringLiteral("no-auth.json")));
        client = std::make_unique<registry::RegistryClient>(&nam, &credentials);
        client->setRetryBaseDelay(50);
    }
};

/** Runs the event loop until `done()` or the timeout; returns whether done() became true. */
template<typename Pred> inline bool spinUntil(Pred done, int timeoutMs = 30000)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs) {
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return done();
}

/** Starts a job and waits for finished(). */
inline bool runJob(Job &job, int timeoutMs = 60000)
{
    job.start();
    return spinUntil([&job] { return job.isFinished(); }, timeoutMs);
}

/** What a finished call gave: the body (streamed or collected), its sha256, the readyRead count. */
struct CallResult {
    Error error;
    int status = 0;
    QByteArray body;
    int readyReads = 0;
    int finishedCount = 0;
    int retries = 0;
    int requests = 0;
    QByteArray contentRange;
    QByteArray dockerContentDigest;
    QUrl finalUrl;
    qint64 bytesReceived = 0;
};

/** Sends a request and waits; streaming bodies are read chunk by chunk as they arrive. */
inline CallResult runCall(
    registry::RegistryClient &client, const registry::RegistryRequest &request, int timeoutMs = 60000)
{
    CallResult out;
    registry::RegistryCall *call = client.send(request);
    QObject::connect(call, &registry::RegistryCall::readyRead, call, [call, &out] {
        ++out.readyReads;
        out.body += call->read(call->bytesAvailable());
    });
    QObject::connect(call, &registry::RegistryCall::finished, call, [call, &out] {
        ++out.finishedCount;
        if (call->request().streaming)
            out.body += call->read(call->bytesAvailable());
        else
            out.body = call->body();
    });
    spinUntil([call] { return call->isFinished(); }, timeoutMs);
    // finished() must come once only: give queued events a turn.
    QEventLoop loop;
    QTimer::singleShot(20, &loop, &QEventLoop::quit);
    loop.exec();
    out.error = call->error();
    out.status = call->httpStatus();
    out.retries = call->retryCount();
    out.requests = call->requestCount();
    out.contentRange = call->rawHeader("Content-Range");
    out.dockerContentDigest = call->rawHeader("Docker-Content-Digest");
    out.finalUrl = call->finalUrl();
    out.bytesReceived = call->bytesReceived();
    delete call;
    return out;
}

inline registry::RegistryRequest blobRequest(
    const QString &registry, const QString &repository, const QString &digest, bool streaming = true)
{
    registry::RegistryRequest r;
    r.registry = registry;
    r.repository = repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(repository, digest);
    r.streaming = streaming;
    return r;
}

inline registry::RegistryRequest manifestRequest(
    const QString &registry, const QString &repository, const QString &reference)
{
    registry::RegistryRequest r;
    r.registry = registry;
    r.repository = repository;
    r.path = QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference);
    r.accept
        = { QByteArrayLiteral("application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
                              "application/vnd.docker.distribution.manifest.list.v2+json, "
                              "application/vnd.docker.distribution.manifest.v2+json") };
    return r;
}

/** A fixture's image (fixtures.json: repository, tag, layers) at host (the fault proxy by default), unresolved. */
inline oci::Image fixtureImage(const QJsonObject &fx, const QString &host)
{
    oci::Image image;
    image.registry = host;
    image.repository = fx.value(QLatin1String("repository")).toString();
    image.tag = fx.value(QLatin1String("tag")).toString();
    image.reference = image.registry + QLatin1Char('/') + image.repository + QLatin1Char(':') + image.tag;
    for (const QJsonValue &v : fx.value(QLatin1String("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        oci::Descriptor d;
        d.digest = l.value(QLatin1String("digest")).toString();
        d.size = l.value(QLatin1String("size")).toInteger();
        d.mediaType = l.value(QLatin1String("mediaType")).toString();
        image.manifest.layers.append(d);
    }
    return image;
}

} // namespace ll::test
