#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QPair>
#include <QString>
#include <QUrl>

namespace ll::test {

/** One synchronous HTTP exchange (test helper; never for product code). */
struct HttpAnswer {
    int status = 0; // 0 when no HTTP answer came (see error)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    /** Case-insensitive header lookup; empty when absent. */
    QByteArray header(const QByteArray &name) const;
    QJsonObject json() const;
};

/**
 * The registry harness started by the ctest fixture (tests/support/harness.py), read from the state.json
 * named by LL_HARNESS_STATE. All addresses are "127.0.0.1:PORT" (no scheme) unless they are URLs.
 *
 *   auto &h = ll::test::Harness::instance();
 *   if (!h.available()) QSKIP(qPrintable(h.unavailableReason()));
 *   const QJsonObject app = h.fixture(QStringLiteral("lab/app:1.0"));
 *
 * The network helpers run a local event loop; call them from the test's main thread.
 */
class Harness
{
public:
    static Harness &instance();

    bool available() const { return m_available; }
    QString unavailableReason() const { return m_reason; }
    /** The whole state.json. */
    QJsonObject state() const { return m_state; }
    QString stateDir() const;

    /** Anonymous docker-registry (pull and push without auth). */
    QString anonRegistry() const;
    /** docker-registry with auth.token; realm = tokenRealm(), service "registry.test". */
    QString tokenRegistry() const;
    /** docker-registry with htpasswd Basic auth (user alice / wonderland). */
    QString basicRegistry() const;
    /** Fault proxy in front of the anonymous registry. */
    QString proxy() const;
    /** Fault proxy in front of the token registry. */
    QString proxyToken() const;
    /** The CDN stand-in redirected blobs go to ("127.0.0.2:PORT" when bindable). */
    QString secondHost() const;
    QUrl tokenServer() const;
    QUrl tokenRealm() const;
    QUrl proxyControlUrl() const;
    QUrl proxyStatsUrl() const;
    QUrl tokenControlUrl() const;

    /** users.token.{username,password,identitytoken} and users.basic.{username,password}. */
    QJsonObject users() const;
    QString username(const QString &registry) const;
    QString password(const QString &registry) const;

    /** All fixtures by name ("lab/app:1.0", "lab/oci:1.0", "lab/tags:t01", "public/hello:1.0", ...). */
    QJsonObject fixtures() const;
    /** One fixture: reference, digest, mediaType, config, layers[{digest,size,mediaType,path,entries}], ... */
    QJsonObject fixture(const QString &name) const;
    /** A fixture's reference with its host replaced by host (e.g. proxy()). */
    QString reference(const QString &name, const QString &host = {}) const;

    /** POSTs command to the proxy control (e.g. {"faults":[{"type":"status","status":429}]}); returns its answer. */
    QJsonObject proxyControl(const QJsonObject &command);
    /** Clears the proxy's rules and counters. */
    QJsonObject proxyReset();
    QJsonObject proxyStats();
    /** The proxy answers requests whose path matches pathRegex (blobs by default) at bytesPerSecond, until reset. */
    QJsonObject throttle(qint64 bytesPerSecond, const QString &pathRegex = QStringLiteral("/blobs/"));
    /** A proxy counter for one request path since its last reset: "requests", or "bytes" (body bytes sent,
        those of a response the client cut short too). */
    qint64 proxyPathStat(const QString &path, const QString &key);
    /** Blob requests the proxy has seen since its last reset. */
    int proxyBlobRequests();
    /** POSTs to the token server control (e.g. {"expires_in": 2}, {"reset": true}). */
    QJsonObject tokenControl(const QJsonObject &command);
    QJsonObject tokenStats();

    /** Synchronous GET/HEAD/POST with manual redirects; headers are sent as given. */
    static HttpAnswer request(const QByteArray &verb, const QUrl &url,
        const QList<QPair<QByteArray, QByteArray>> &headers = {}, const QByteArray &body = {}, int timeoutMs = 30000);
    static HttpAnswer get(const QUrl &url, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return request(QByteArrayLiteral("GET"), url, headers);
    }
    /** "http://" + hostPort + path */
    static QUrl httpUrl(const QString &hostPort, const QString &path);
    /** Pushes bytes as a blob of repository (monolithic upload) to the anonymous registry; its digest, or empty. */
    QString pushBlob(const QString &repository, const QByteArray &data);
    /** PUTs a manifest under reference (a tag or its digest) of repository on the anonymous registry; its digest. */
    QString pushManifest(
        const QString &repository, const QString &reference, const QByteArray &mediaType, const QByteArray &body);

private:
    Harness();
    QString str(const char *key) const;

    bool m_available = false;
    QString m_reason;
    QJsonObject m_state;
    QJsonObject m_fixtures;
};

} // namespace ll::test
