#pragma once

#include "common/Error.h"
#include "common/Result.h"
#include "registry/AuthChallenge.h"
#include "registry/Credentials.h"
#include "registry/RegistryCall.h"

#include <QByteArray>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace ll::registry {

class CredentialStore;
class TokenCache;
class TokenRequest;

/**
 * The one network client: owns auth (WWW-Authenticate challenge -> bearer token or Basic), the token
 * cache (per registry + scope, honouring expires_in, refreshed once on 401), redirects (followed by
 * hand: Authorization is only re-sent to the same scheme+host+port; Range and Accept-Encoding are kept;
 * https->http refused; at most 10 hops per call, retries included), retries (5xx and resets before any body
 * byte: exponential backoff with jitter; 429/503: Retry-After / ratelimit-reset honoured up to maxRetryWait,
 * then Error::RateLimited), all drawn from one RetryBudget per operation (maxRetries() retries: 5 attempts
 * by default), and error mapping (messages say how many attempts were made). The QNetworkAccessManager is injected.
 * Plain http is used for loopback registries, or for all when setPlainHttp(true).
 * Every request: manual redirects, no HTTP/2 (no backpressure over h2), Accept-Encoding: identity
 * (digests are over the raw bytes).
 */
class RegistryClient : public QObject
{
    Q_OBJECT
public:
    RegistryClient(QNetworkAccessManager *nam, CredentialStore *credentials, QObject *parent = nullptr);
    ~RegistryClient() override;

    QNetworkAccessManager *networkAccessManager() const { return m_nam; }
    CredentialStore *credentialStore() const { return m_credentials; }
    TokenCache *tokenCache() const { return m_tokens; }

    void setPlainHttp(bool plain) { m_plainHttp = plain; }
    /** Ignore TLS errors, only for the registries' own hosts (not redirect targets or token realms). */
    void setInsecure(bool insecure) { m_insecure = insecure; }
    void setMaxRetries(int n) { m_maxRetries = n; }
    int maxRetries() const { return m_maxRetries; }
    /** Longest single wait honoured for 429/5xx backoff, in ms (default 30 s). A longer Retry-After fails. */
    void setMaxRetryWait(int ms) { m_maxRetryWait = ms; }
    /** First backoff step in ms (default 250; doubles each retry). */
    void setRetryBaseDelay(int ms) { m_retryBaseDelay = ms; }
    /** No byte for this long aborts a request (then retried like a reset); default 60 s. */
    void setTransferTimeout(int ms) { m_transferTimeout = ms; }
    void setUserAgent(const QByteArray &ua) { m_userAgent = ua; }

    bool usesPlainHttp(const QString &registry) const;
    /** "https://host:port" or "http://..." for a registry. */
    QUrl baseUrl(const QString &registry) const;

    /** Starts a request (on the next event loop turn); the caller owns the call (deleteLater it after finished()). */
    RegistryCall *send(const RegistryRequest &request);

    /** Forgets the credentials looked up for a registry (all when empty), e.g. after the user typed new ones. */
    void invalidateCredentials(const QString &registry = {});

    /** Backoff before the n-th retry (0-based) of an operation: base x 2^n capped at maxRetryWait, with jitter. */
    qint64 backoffDelay(int retry) const;

    /**
     * Rate limits are per registry and shared by every request to it: once a 429 says how long to wait
     * (Retry-After, ratelimit-reset, else the backoff), no request to that registry is sent before then; when
     * the wait is over one request goes first and the others follow only when it is not refused again (a 429
     * storm costs the registry one request per wait, not one per connection or per image). ms left, 0 when the
     * registry is not limited.
     */
    qint64 rateLimitWait(const QString &registry) const;

    /** Counters for benchmarks and --json output. */
    qint64 requestCount() const { return m_requestCount; }
    qint64 tokenRequestCount() const { return m_tokenRequestCount; }

    // Pure helpers (unit-tested).
    /** Is an Authorization header kept on a redirect from `from` to `to`? Only for the same scheme, host, port. */
    static bool keepAuthorizationOnRedirect(const QUrl &from, const QUrl &to);
    /** Redirects from https to http are refused (and anything that is not http(s)). */
    static bool isRedirectAllowed(const QUrl &from, const QUrl &to);
    /** Retry-After (delta seconds or an HTTP date) in ms from now; -1 when absent or unparsable; >= 0. */
    static qint64 parseRetryAfter(const QByteArray &value, const QDateTime &now = QDateTime::currentDateTimeUtc());
    /** ratelimit-reset (delta seconds, or epoch seconds when large) in ms from now; -1 when unparsable. */
    static qint64 parseRateLimitReset(const QByteArray &value, const QDateTime &now = QDateTime::currentDateTimeUtc());
    /** First number of a ratelimit-limit/-remaining value ("100;w=21600" -> 100); -1 when none. */
    static qint64 parseRateLimitCount(const QByteArray &value);
    /** {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]} -> "manifest unknown (MANIFEST_UNKNOWN)".
     */
    static QString registryErrorText(const QByteArray &body);
    /** The rel="next" URL of a Link header value, unresolved; empty when none. */
    static QString nextLink(const QByteArray &linkHeader);

signals:
    /** A human line for progress/verbose output: "rate limited by registry-1.docker.io, retrying in 2 s". */
    void notice(const QString &text);

private:
    friend class RegistryCall;
    friend class TokenRequest;

    QNetworkReply *startReply(RegistryCall *call, const QUrl &url, const QByteArray &authorization);
    Credentials credentialsFor(const QString &registry);
    void applyCommon(QNetworkRequest &request) const;
    void requestToken(RegistryCall *call, const AuthChallenge &challenge, const QString &scope);
    void tokenDone(const QString &key, const Result<QByteArray> &token);
    // The shared rate limit (RegistryCall calls these).
    struct RateLimit {
        QDeadlineTimer until;
        QPointer<RegistryCall> probe; // sent when the wait was over: the others wait for its answer
        QList<QPointer<RegistryCall>> waiting;
    };
    bool admitCall(RegistryCall *call);
    void callRateLimited(RegistryCall *call, qint64 waitMs);
    void callAnswered(RegistryCall *call);
    void callEnded(RegistryCall *call);
    void wakeRateLimited(const QString &registry, bool all);

    QNetworkAccessManager *m_nam;
    CredentialStore *m_credentials;
    TokenCache *m_tokens;
    QHash<QString, Credentials> m_credentialCache;
    QSet<QString> m_basicRegistries; // answered with a Basic challenge
    QHash<QString, AuthChallenge> m_bearerChallenges; // the last Bearer challenge per registry (realm, service)
    QSet<QString> m_rejectedFileTokens; // a token.txt bearer token was refused there
    QHash<QString, QList<QPointer<RegistryCall>>> m_tokenWaiters; // key: registry + '\n' + scope
    QHash<QString, RateLimit> m_rateLimits;
    bool m_plainHttp = false;
    bool m_insecure = false;
    int m_maxRetries = 4;
    int m_maxRetryWait = 30000;
    int m_retryBaseDelay = 250;
    int m_transferTimeout = 60000;
    QByteArray m_userAgent = "layerslayer/0.1";
    qint64 m_requestCount = 0;
    qint64 m_tokenRequestCount = 0;
};

} // namespace ll::registry
