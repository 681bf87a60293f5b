#pragma once

#include "common/Error.h"
#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <memory>

class QNetworkReply;
class QTimer;

namespace ll::registry {

class RegistryClient;
class RetryBudget;

/** One request to a registry. */
struct RegistryRequest {
    QString registry; // "127.0.0.1:5000", "registry-1.docker.io"
    QString repository; // for the pull scope; empty for /v2/ and /v2/_catalog (scope registry:catalog:*)
    QString path; // "/v2/<repo>/manifests/<ref>", "/v2/<repo>/blobs/<digest>", "/v2/_catalog?n=100"
    QUrl absoluteUrl; // instead of path (pagination Link headers); must be on the same registry
    QByteArray method = "GET"; // GET or HEAD
    QList<QByteArray> accept;
    qint64 rangeStart = -1; // >= 0: send Range: bytes=start-[end]
    qint64 rangeEnd = -1; // inclusive; -1: open-ended
    /** Blob downloads: body is read incrementally (readyRead/read), bounded read buffer, no retries after
        the first body byte was handed out. Otherwise the body is collected (at most maxBodySize). */
    bool streaming = false;
    qint64 readBufferSize = 1 << 20;
    /**
     * Non-streaming only: a longer body fails with Error::Protocol as soon as its Content-Length says so or
     * that many bytes arrived (the download stops there). Non-2xx bodies are kept up to 64 KiB, then cut off.
     */
    qint64 maxBodySize = 8 << 20;
    /**
     * The operation's retry budget, shared by all its requests (LayerPipeline: one per layer, across windows
     * and resumes). Null: the call gets its own (RegistryClient::maxRetries()).
     */
    std::shared_ptr<RetryBudget> retryBudget;
};

/**
 * A request in flight, across auth round trips, redirects and retries (made by RegistryClient::send()).
 * Emits responseStarted() once when the final (2xx) response's headers are in, readyRead() for streaming
 * bodies, finished() exactly once. abort() closes the connection (an early stop is not a failure: error() is
 * Cancelled). For non-streaming requests body() holds the whole (small) body. A streaming caller drains
 * bytesAvailable() in its finished() handler too: the reply's buffer may still hold the tail.
 */
class RegistryCall : public QObject
{
    Q_OBJECT
public:
    ~RegistryCall() override;

    const RegistryRequest &request() const { return m_request; }
    /** Status of the final response (206 for an honoured Range, 200 when it was ignored); 0 before. */
    int httpStatus() const { return m_status; }
    /** A header of the final response (case-insensitive), e.g. "Content-Range", "Docker-Content-Digest". */
    QByteArray rawHeader(const QByteArray &name) const;
    /** The URL that gave the final response (after redirects). */
    QUrl finalUrl() const { return m_finalUrl; }
    /** Non-streaming body. */
    const QByteArray &body() const { return m_body; }

    /** Streaming: bytes buffered in the reply. */
    qint64 bytesAvailable() const;
    qint64 read(char *data, qint64 maxSize);
    QByteArray read(qint64 maxSize);
    /** Streaming: bounds what the reply buffers ahead of read() from now on (also for later replies). */
    void setReadBufferSize(qint64 bytes);

    /** Body bytes of the final response that arrived over the network (including what was never read). */
    qint64 bytesReceived() const { return m_bytesReceived; }
    /** HTTP requests made for this call (auth round trips to the registry, redirects, retries). */
    int requestCount() const { return m_requests; }
    /** Retries this call made (its budget may be shared with other calls of the same operation). */
    int retryCount() const { return m_retries; }
    int redirectCount() const { return m_redirects; }

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
    enum class AuthKind { None, FileToken, CachedToken, FreshToken, Basic };

    RegistryCall(RegistryClient *client, const RegistryRequest &request);

    void begin();
    void sendCurrent();
    void onMetaDataChanged();
    void onReplyReadyRead();
    void onReplyFinished();
    void handleUnauthorized(QNetworkReply *reply);
    void handleRedirect(QNetworkReply *reply);
    bool retryLater(qint64 waitMs, const QString &why);
    void onToken(const Result<QByteArray> &token);
    bool isRegistryOrigin(const QUrl &url) const;
    void releaseReply();
    void finishWith(const Error &error);
    void finishOk();
    Error httpError(QNetworkReply *reply, int status) const;
    Error networkError(QNetworkReply *reply) const;
    QString target() const;
    QString attemptsText() const;

    RegistryClient *m_client;
    RegistryRequest m_request;
    QPointer<QNetworkReply> m_reply;
    QTimer *m_retryTimer = nullptr;
    std::shared_ptr<RetryBudget> m_budget;
    QUrl m_url; // what the next request goes to
    QUrl m_finalUrl;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QByteArray m_errorBody;
    QByteArray m_authorization;
    AuthKind m_authKind = AuthKind::None;
    bool m_authDropped = false; // a redirect left the registry's origin
    Error m_error;
    QString m_scope;
    int m_status = 0;
    int m_requests = 0;
    int m_redirects = 0;
    int m_retries = 0;
    bool m_finalResponse = false; // the current reply is the final 2xx
    bool m_responseStarted = false;
    bool m_bodyHandedOut = false;
    bool m_waitingForToken = false;
    bool m_tokenWasPrefetched = false; // asked for before any 401, from a remembered challenge
    bool m_challengeRetried = false;
    bool m_errorBodyCut = false; // we closed a non-2xx answer whose body was too long
    bool m_finished = false;
    qint64 m_bytesReceived = 0;
};

} // namespace ll::registry
