#pragma once

#include "common/Error.h"
#include "registry/Credentials.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace ll::registry {

class CredentialStore;
class RegistryCall;
class TokenCache;

/** One request to a registry. */
struct RegistryRequest {
    QString registry;   // "127.0.0.1:5000", "registry-1.docker.io"
    QString repository; // for the pull scope; empty for /v2/ and /v2/_catalog (scope registry:catalog:*)
    QString path;       // "/v2/<repo>/manifests/<ref>", "/v2/<repo>/blobs/<digest>", "/v2/_catalog?n=100"
    QUrl absoluteUrl;   // instead of path (pagination Link headers); must be on the same registry
    QByteArray method = "GET"; // GET or HEAD
    QList<QByteArray> accept;
    qint64 rangeStart = -1; // >= 0: send Range: bytes=start-[end]
    qint64 rangeEnd = -1;   // inclusive; -1: open-ended
    /** Blob downloads: body is read incrementally (readyRead/read), Accept-Encoding: identity,
        bounded read buffer, no retries after the body started. Otherwise the body is collected. */
    bool streaming = false;
    qint64 readBufferSize = 1 << 20;
};

/**
 * The one network client: owns auth (WWW-Authenticate challenge -> bearer token or Basic), the token
 * cache (per registry + scope, honouring expires_in, refreshed once on 401), redirects (followed by
 * hand: Authorization is only re-sent to the same scheme+host+port; Range and Accept-Encoding are kept;
 * https->http refused; at most 10 hops), retries (5xx and resets before any body byte: bounded
 * exponential backoff; 429: Retry-After / ratelimit-reset honoured up to maxRetryWait, then
 * Error::RateLimited) and error mapping. The QNetworkAccessManager is injected.
 * Plain http is used for loopback registries, or for all when setPlainHttp(true).
 */
class RegistryClient : public QObject
{
    Q_OBJECT
public:
    RegistryClient(QNetworkAccessManager *nam, CredentialStore *credentials, QObject *parent = nullptr);
    ~RegistryClient() override;

    QNetworkAccessManager *networkAccessManager() const { return m_nam; }
    CredentialStore *credentialStore() const { return m_credentials; }

    void setPlainHttp(bool plain) { m_plainHttp = plain; }
    void setInsecure(bool insecure) { m_insecure = insecure; }
    void setMaxRetries(int n) { m_maxRetries = n; }
    /** Longest single wait honoured for 429/5xx backoff, in ms (default 30 s). */
    void setMaxRetryWait(int ms) { m_maxRetryWait = ms; }
    void setUserAgent(const QByteArray &ua) { m_userAgent = ua; }

    bool usesPlainHttp(const QString &registry) const;
    /** "https://host:port" or "http://..." for a registry. */
    QUrl baseUrl(const QString &registry) const;

    /** Starts a request; the call object is owned by the caller (deleteLater it after finished()). */
    RegistryCall *send(const RegistryRequest &request);

    /** Counters for benchmarks and --json output. */
    qint64 requestCount() const { return m_requestCount; }

signals:
    /** A human line for progress/verbose output: "Waiting 2 s (rate limited by registry-1.docker.io)". */
    void notice(const QString &text);

private:
    friend class RegistryCall;
    QNetworkReply *startReply(RegistryCall *call, const QUrl &url, bool sendAuth);
    QByteArray cachedAuthorization(const QString &registry, const QString &scope) const;
    void fetchToken(RegistryCall *call, const QList<class AuthChallenge> &challenges);

    QNetworkAccessManager *m_nam;
    CredentialStore *m_credentials;
    TokenCache *m_tokens;
    bool m_plainHttp = false;
    bool m_insecure = false;
    int m_maxRetries = 4;
    int m_maxRetryWait = 30000;
    QByteArray m_userAgent = "layerslayer/0.1";
    qint64 m_requestCount = 0;
};

/**
 * A request in flight, across auth round trips, redirects and retries. Emits responseStarted() once
 * when the final (non-redirect, non-auth) response's headers are in, readyRead() for streaming bodies,
 * finished() exactly once. abort() closes the connection (an early stop is not an error: error() is
 * Cancelled). For non-streaming requests body() holds the whole (small) body.
 */
class RegistryCall : public QObject
{
    Q_OBJECT
public:
    ~RegistryCall() override;

    const RegistryRequest &request() const { return m_request; }
    int httpStatus() const { return m_status; }
    QByteArray rawHeader(const QByteArray &name) const;
    QUrl finalUrl() const { return m_finalUrl; }
    /** Non-streaming body. */
    const QByteArray &body() const { return m_body; }

    /** Streaming: bytes buffered in the reply. */
    qint64 bytesAvailable() const;
    qint64 read(char *data, qint64 maxSize);
    QByteArray read(qint64 maxSize);

    /** Body bytes that arrived over the network for this call (including what was never read). */
    qint64 bytesReceived() const { return m_bytesReceived; }
    int requestCount() const { return m_requests; }

    void abort();
    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }
    bool hasError() const { return m_error.isError(); }

signals:
    void responseStarted();
    void readyRead();
    void finished();

private:
    friend class RegistryClient;
    RegistryCall(RegistryClient *client, const RegistryRequest &request);

    RegistryClient *m_client;
    RegistryRequest m_request;
    QPointer<QNetworkReply> m_reply;
    QUrl m_finalUrl;
    QByteArray m_body;
    Error m_error;
    int m_status = 0;
    int m_requests = 0;
    int m_redirects = 0;
    int m_retries = 0;
    bool m_authRetried = false;
    bool m_started = false;
    bool m_finished = false;
    qint64 m_bytesReceived = 0;
    QString m_scope;
};

} // namespace ll::registry
