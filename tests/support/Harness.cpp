#include "Harness.h"

#include "common/Sha256.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

namespace ll::test {

namespace {

QJsonObject readJsonFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, pe.errorString());
        return {};
    }
    return doc.object();
}

} // namespace

QByteArray HttpAnswer::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QJsonObject HttpAnswer::json() const
{
    return QJsonDocument::fromJson(body).object();
}

Harness &Harness::instance()
{
    static Harness harness;
    return harness;
}

Harness::Harness()
{
    const QString statePath = qEnvironmentVariable("LL_HARNESS_STATE");
    if (statePath.isEmpty()) {
        m_reason = QStringLiteral("LL_HARNESS_STATE is not set (run through ctest, or start "
                                  "tests/support/harness.py start --state-dir DIR and export LL_HARNESS_STATE)");
        return;
    }
    QString error;
    m_state = readJsonFile(statePath, &error);
    if (m_state.isEmpty()) {
        m_reason = QStringLiteral("registry harness not running: ") + error;
        return;
    }
    m_fixtures = readJsonFile(m_state.value(QLatin1String("fixtures")).toString(), &error)
                     .value(QLatin1String("fixtures"))
                     .toObject();
    if (m_fixtures.isEmpty()) {
        m_reason = QStringLiteral("harness fixtures missing: ") + error;
        return;
    }
    m_available = true;
}

QString Harness::str(const char *key) const
{
    return m_state.value(QLatin1String(key)).toString();
}

QString Harness::stateDir() const
{
    return str("state_dir");
}
QString Harness::anonRegistry() const
{
    return str("anon");
}
QString Harness::tokenRegistry() const
{
    return str("token");
}
QString Harness::basicRegistry() const
{
    return str("basic");
}
QString Harness::proxy() const
{
    return str("proxy");
}
QString Harness::proxyToken() const
{
    return str("proxy_token");
}
QString Harness::secondHost() const
{
    return str("second_host");
}
QUrl Harness::tokenServer() const
{
    return QUrl(str("token_server"));
}
QUrl Harness::tokenRealm() const
{
    return QUrl(str("token_realm"));
}
QUrl Harness::proxyControlUrl() const
{
    return QUrl(str("proxy_control"));
}
QUrl Harness::proxyStatsUrl() const
{
    return QUrl(str("proxy_stats"));
}
QUrl Harness::tokenControlUrl() const
{
    return QUrl(str("token_control"));
}

QJsonObject Harness::users() const
{
    return m_state.value(QLatin1String("users")).toObject();
}

QString Harness::username(const QString &registry) const
{
    return users().value(registry).toObject().value(QLatin1String("username")).toString();
}

QString Harness::password(const QString &registry) const
{
    return users().value(registry).toObject().value(QLatin1String("password")).toString();
}

QJsonObject Harness::fixtures() const
{
    return m_fixtures;
}

QJsonObject Harness::fixture(const QString &name) const
{
    return m_fixtures.value(name).toObject();
}

QString Harness::reference(const QString &name, const QString &host) const
{
    const QJsonObject f = fixture(name);
    if (host.isEmpty())
        return f.value(QLatin1String("reference")).toString();
    return host + QLatin1Char('/') + f.value(QLatin1String("repository")).toString() + QLatin1Char(':')
        + f.value(QLatin1String("tag")).toString();
}

QUrl Harness::httpUrl(const QString &hostPort, const QString &path)
{
    return QUrl(QStringLiteral("http://") + hostPort + path);
}

HttpAnswer Harness::request(const QByteArray &verb, const QUrl &url,
    const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body, int timeoutMs)
{
    HttpAnswer answer;
    QNetworkAccessManager nam;
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setRawHeader(QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("identity"));
    for (const auto &h : headers)
        req.setRawHeader(h.first, h.second);
    QNetworkReply *reply = nam.sendCustomRequest(req, verb, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    if (!reply->isFinished()) {
        reply->abort();
        answer.error = QNetworkReply::TimeoutError;
        answer.errorString = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        delete reply;
        return answer;
    }
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.error = reply->error();
    answer.errorString = reply->errorString();
    answer.headers = reply->rawHeaderPairs();
    answer.body = reply->readAll(); // test helper: small manifests and fixture blobs only
    delete reply;
    return answer;
}

namespace {

QJsonObject postJson(const QUrl &url, const QJsonObject &command)
{
    const HttpAnswer a = Harness::request(QByteArrayLiteral("POST"), url,
        { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") } },
        QJsonDocument(command).toJson(QJsonDocument::Compact));
    return a.status == 200 ? a.json() : QJsonObject();
}

} // namespace

QJsonObject Harness::proxyControl(const QJsonObject &command)
{
    return postJson(proxyControlUrl(), command);
}

QJsonObject Harness::proxyReset()
{
    return proxyControl(QJsonObject { { QStringLiteral("clear"), true }, { QStringLiteral("clear_stats"), true } });
}

QJsonObject Harness::proxyStats()
{
    const HttpAnswer a = get(proxyStatsUrl());
    return a.status == 200 ? a.json() : QJsonObject();
}

QJsonObject Harness::throttle(qint64 bytesPerSecond, const QString &pathRegex)
{
    return proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("slow") },
            { QStringLiteral("rate"), bytesPerSecond }, { QStringLiteral("path"), pathRegex },
            { QStringLiteral("count"), 0 } } } } });
}

qint64 Harness::proxyPathStat(const QString &path, const QString &key)
{
    return proxyStats().value(QLatin1String("paths")).toObject().value(path).toObject().value(key).toInteger();
}

int Harness::proxyBlobRequests()
{
    int n = 0;
    const QJsonObject paths = proxyStats().value(QLatin1String("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        if (it.key().contains(QLatin1String("/blobs/sha256:")))
            n += it.value().toObject().value(QLatin1String("requests")).toInt();
    }
    return n;
}

QJsonObject Harness::tokenControl(const QJsonObject &command)
{
    return postJson(tokenControlUrl(), command);
}

QJsonObject Harness::tokenStats()
{
    QUrl url = tokenServer();
    url.setPath(QStringLiteral("/control/stats"));
    const HttpAnswer a = get(url);
    return a.status == 200 ? a.json() : QJsonObject();
}

QString Harness::pushBlob(const QString &repository, const QByteArray &data)
{
    const QUrl base = httpUrl(anonRegistry(), QStringLiteral("/v2/%1/blobs/uploads/").arg(repository));
    const HttpAnswer started = request(QByteArrayLiteral("POST"), base);
    if (started.status != 202)
        return {};
    QUrl put = base.resolved(QUrl(QString::fromLatin1(started.header("Location"))));
    const QString digest = ll::Sha256::digestOf(data);
    QString query = put.query();
    query += (query.isEmpty() ? QString() : QStringLiteral("&")) + QStringLiteral("digest=") + digest;
    put.setQuery(query);
    const HttpAnswer done = request(QByteArrayLiteral("PUT"), put,
        { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/octet-stream") } }, data);
    return done.status == 201 ? digest : QString();
}

QString Harness::pushManifest(
    const QString &repository, const QString &reference, const QByteArray &mediaType, const QByteArray &body)
{
    const HttpAnswer done = request(QByteArrayLiteral("PUT"),
        httpUrl(anonRegistry(), QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference)),
        { { QByteArrayLiteral("Content-Type"), mediaType } }, body);
    return done.status == 201 ? ll::Sha256::digestOf(body) : QString();
}

} // namespace ll::test
