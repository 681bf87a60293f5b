// The registry harness itself: three registries answer as configured, the token server's tokens are
// accepted, fixtures match what the registry serves, and the fault proxy's second host reports honestly
// whether it saw an Authorization header.
#include "CliRunner.h"
#include "Harness.h"
#include "common/Sha256.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

using ll::test::Harness;
using ll::test::HttpAnswer;

namespace {

const QByteArray kAcceptManifests = QByteArrayLiteral(
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json");

QByteArray basic(const QString &user, const QString &password)
{
    return QByteArrayLiteral("Basic ") + (user + QLatin1Char(':') + password).toUtf8().toBase64();
}

QString challengeParam(const QByteArray &challenge, const QString &name)
{
    const QRegularExpression re(name + QStringLiteral("=\"([^\"]*)\""));
    return re.match(QString::fromLatin1(challenge)).captured(1);
}

} // namespace

class TestHarnessSmoke : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void v2Base_data();
    void v2Base();
    void anonymousTokenForPublicRepository();
    void privateRepositoryNeedsCredentials();
    void basicAuthRegistry();
    void fixturesMatchRegistry_data();
    void fixturesMatchRegistry();
    void redirectedBlobNeverCarriesAuthorization();
    void secondHostRecordsAuthorizationHonestly();
    void faultsApplyToNextRequests();
    void shortLivedTokensExpire();
    void cliRunnerRuns();
};

void TestHarnessSmoke::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    Harness::instance().proxyReset();
}

void TestHarnessSmoke::v2Base_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("scheme");
    QTest::newRow("anonymous") << QStringLiteral("anon") << 200 << QString();
    QTest::newRow("token") << QStringLiteral("token") << 401 << QStringLiteral("Bearer");
    QTest::newRow("htpasswd") << QStringLiteral("basic") << 401 << QStringLiteral("Basic");
    QTest::newRow("proxy") << QStringLiteral("proxy") << 200 << QString();
    QTest::newRow("proxy_token") << QStringLiteral("proxy_token") << 401 << QStringLiteral("Bearer");
}

void TestHarnessSmoke::v2Base()
{
    QFETCH(QString, which);
    QFETCH(int, status);
    QFETCH(QString, scheme);
    auto &h = Harness::instance();
    const QString host = h.state().value(which).toString();
    QVERIFY(!host.isEmpty());
    const HttpAnswer a = Harness::get(Harness::httpUrl(host, QStringLiteral("/v2/")));
    QCOMPARE(a.status, status);
    QCOMPARE(a.header("Docker-Distribution-Api-Version"), QByteArrayLiteral("registry/2.0"));
    const QByteArray challenge = a.header("WWW-Authenticate");
    if (scheme.isEmpty()) {
        QVERIFY(challenge.isEmpty());
        return;
    }
    QVERIFY2(challenge.startsWith(QByteArray(scheme.toLatin1() + ' ')), challenge.constData());
    if (scheme == QLatin1String("Bearer")) {
        QCOMPARE(challengeParam(challenge, QStringLiteral("realm")), h.tokenRealm().toString());
        QCOMPARE(challengeParam(challenge, QStringLiteral("service")), QStringLiteral("registry.test"));
    }
}

void TestHarnessSmoke::anonymousTokenForPublicRepository()
{
    auto &h = Harness::instance();
    const QJsonObject hello = h.fixture(QStringLiteral("public/hello:1.0"));
    QVERIFY(!hello.isEmpty());
    const QUrl manifestUrl = Harness::httpUrl(h.tokenRegistry(), QStringLiteral("/v2/public/hello/manifests/1.0"));
    const HttpAnswer first = Harness::get(manifestUrl, { { "Accept", kAcceptManifests } });
    QCOMPARE(first.status, 401);
    const QByteArray challenge = first.header("WWW-Authenticate");
    QCOMPARE(challengeParam(challenge, QStringLiteral("scope")), QStringLiteral("repository:public/hello:pull"));

    const qint64 before = h.tokenStats().value(QLatin1String("token_requests")).toInteger();
    QUrl tokenUrl(challengeParam(challenge, QStringLiteral("realm")));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("service"), challengeParam(challenge, QStringLiteral("service")));
    q.addQueryItem(QStringLiteral("scope"), challengeParam(challenge, QStringLiteral("scope")));
    tokenUrl.setQuery(q);
    const HttpAnswer tok = Harness::get(tokenUrl);
    QCOMPARE(tok.status, 200);
    const QJsonObject tj = tok.json();
    const QString token = tj.value(QLatin1String("token")).toString();
    QVERIFY(!token.isEmpty());
    QCOMPARE(tj.value(QLatin1String("access_token")).toString(), token);
    QVERIFY(tj.value(QLatin1String("expires_in")).toInt() > 0);
    QVERIFY(!tj.value(QLatin1String("issued_at")).toString().isEmpty());
    QCOMPARE(h.tokenStats().value(QLatin1String("token_requests")).toInteger(), before + 1);

    const HttpAnswer m = Harness::get(
        manifestUrl, { { "Accept", kAcceptManifests }, { "Authorization", "Bearer " + token.toLatin1() } });
    QCOMPARE(m.status, 200);
    QCOMPARE(QString::fromLatin1(m.header("Docker-Content-Digest")), hello.value(QLatin1String("digest")).toString());
    QCOMPARE(ll::Sha256::digestOf(m.body), hello.value(QLatin1String("digest")).toString());
}

void TestHarnessSmoke::privateRepositoryNeedsCredentials()
{
    auto &h = Harness::instance();
    QUrl tokenUrl = h.tokenRealm();
    tokenUrl.setQuery(QStringLiteral("service=registry.test&scope=repository:private/secret:pull"));
    const QUrl manifestUrl = Harness::httpUrl(h.tokenRegistry(), QStringLiteral("/v2/private/secret/manifests/1.0"));

    // Anonymous: a token is issued, but with no access; the registry refuses it.
    const HttpAnswer anon = Harness::get(tokenUrl);
    QCOMPARE(anon.status, 200);
    const QByteArray anonToken = anon.json().value(QLatin1String("token")).toString().toLatin1();
    const HttpAnswer denied
        = Harness::get(manifestUrl, { { "Accept", kAcceptManifests }, { "Authorization", "Bearer " + anonToken } });
    QCOMPARE(denied.status, 401);
    QVERIFY(denied.header("WWW-Authenticate").contains("insufficient_scope"));

    // Wrong password: the token server itself says 401.
    const HttpAnswer bad = Harness::get(
        tokenUrl, { { "Authorization", basic(h.username(QStringLiteral("token")), QStringLiteral("nope")) } });
    QCOMPARE(bad.status, 401);

    const HttpAnswer good = Harness::get(tokenUrl,
        { { "Authorization", basic(h.username(QStringLiteral("token")), h.password(QStringLiteral("token"))) } });
    QCOMPARE(good.status, 200);
    const QByteArray token = good.json().value(QLatin1String("token")).toString().toLatin1();
    const HttpAnswer m
        = Harness::get(manifestUrl, { { "Accept", kAcceptManifests }, { "Authorization", "Bearer " + token } });
    QCOMPARE(m.status, 200);
    QCOMPARE(QString::fromLatin1(m.header("Docker-Content-Digest")),
        h.fixture(QStringLiteral("private/secret:1.0")).value(QLatin1String("digest")).toString());
}

void TestHarnessSmoke::basicAuthRegistry()
{
    auto &h = Harness::instance();
    const QUrl url = Harness::httpUrl(h.basicRegistry(), QStringLiteral("/v2/private/basic/manifests/1.0"));
    QCOMPARE(Harness::get(url, { { "Accept", kAcceptManifests } }).status, 401);
    QCOMPARE(Harness::get(url,
                 { { "Accept", kAcceptManifests },
                     { "Authorization", basic(QStringLiteral("alice"), QStringLiteral("bad")) } })
                 .status,
        401);
    const HttpAnswer ok = Harness::get(url,
        { { "Accept", kAcceptManifests },
            { "Authorization", basic(h.username(QStringLiteral("basic")), h.password(QStringLiteral("basic"))) } });
    QCOMPARE(ok.status, 200);
    QCOMPARE(QString::fromLatin1(ok.header("Docker-Content-Digest")),
        h.fixture(QStringLiteral("private/basic:1.0")).value(QLatin1String("digest")).toString());
}

void TestHarnessSmoke::fixturesMatchRegistry_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("mediaType");
    QTest::addColumn<int>("children");
    QTest::newRow("app") << QStringLiteral("lab/app:1.0")
                         << QStringLiteral("application/vnd.docker.distribution.manifest.v2+json") << 0;
    QTest::newRow("oci") << QStringLiteral("lab/oci:1.0") << QStringLiteral("application/vnd.oci.image.index.v1+json")
                         << 3;
    QTest::newRow("multi") << QStringLiteral("lab/multi:1.0")
                           << QStringLiteral("application/vnd.docker.distribution.manifest.list.v2+json") << 4;
    QTest::newRow("big") << QStringLiteral("lab/big:1.0")
                         << QStringLiteral("application/vnd.docker.distribution.manifest.v2+json") << 0;
    QTest::newRow("hostile") << QStringLiteral("lab/hostile:1.0")
                             << QStringLiteral("application/vnd.docker.distribution.manifest.v2+json") << 0;
}

void TestHarnessSmoke::fixturesMatchRegistry()
{
    QFETCH(QString, name);
    QFETCH(QString, mediaType);
    QFETCH(int, children);
    auto &h = Harness::instance();
    const QJsonObject f = h.fixture(name);
    QVERIFY2(!f.isEmpty(), qPrintable(name));
    const QString repo = f.value(QLatin1String("repository")).toString();
    const HttpAnswer m
        = Harness::get(Harness::httpUrl(h.anonRegistry(),
                           QStringLiteral("/v2/%1/manifests/%2").arg(repo, f.value(QLatin1String("tag")).toString())),
            { { "Accept", kAcceptManifests } });
    QCOMPARE(m.status, 200);
    QCOMPARE(QString::fromLatin1(m.header("Content-Type")), mediaType);
    QCOMPARE(f.value(QLatin1String("mediaType")).toString(), mediaType);
    QCOMPARE(ll::Sha256::digestOf(m.body), f.value(QLatin1String("digest")).toString());
    const QJsonObject manifest = QJsonDocument::fromJson(m.body).object();
    if (children) {
        QCOMPARE(manifest.value(QLatin1String("manifests")).toArray().size(), children);
        QCOMPARE(f.value(QLatin1String("manifests")).toArray().size(), children);
        return;
    }
    const QJsonArray layers = manifest.value(QLatin1String("layers")).toArray();
    const QJsonArray expected = f.value(QLatin1String("layers")).toArray();
    QCOMPARE(layers.size(), expected.size());
    for (int i = 0; i < layers.size(); ++i) {
        QCOMPARE(layers[i].toObject().value(QLatin1String("digest")).toString(),
            expected[i].toObject().value(QLatin1String("digest")).toString());
        QVERIFY(!expected[i].toObject().value(QLatin1String("entries")).toArray().isEmpty());
    }
    // The smallest layer's blob hashes to its digest through the proxy too.
    const QJsonObject last = expected.last().toObject();
    if (last.value(QLatin1String("size")).toInteger() < (4 << 20)) {
        const QString digest = last.value(QLatin1String("digest")).toString();
        const HttpAnswer b
            = Harness::get(Harness::httpUrl(h.proxy(), QStringLiteral("/v2/%1/blobs/%2").arg(repo, digest)));
        QCOMPARE(b.status, 200);
        QCOMPARE(ll::Sha256::digestOf(b.body), digest);
    }
}

void TestHarnessSmoke::redirectedBlobNeverCarriesAuthorization()
{
    auto &h = Harness::instance();
    h.proxyReset();
    const QJsonObject layer
        = h.fixture(QStringLiteral("lab/app:1.0")).value(QLatin1String("layers")).toArray().at(1).toObject();
    const QString digest = layer.value(QLatin1String("digest")).toString();
    const QJsonObject ctl = h.proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("redirect_blobs") } } } } });
    QCOMPARE(ctl.value(QLatin1String("rules")).toArray().size(), 1);

    const HttpAnswer r = Harness::get(Harness::httpUrl(h.proxy(), QStringLiteral("/v2/lab/app/blobs/") + digest),
        { { "Authorization", QByteArrayLiteral("Bearer not-for-the-cdn") }, { "Range", "bytes=0-99" } });
    QCOMPARE(r.status, 307);
    const QUrl location(QString::fromLatin1(r.header("Location")));
    QCOMPARE(location.authority(), h.secondHost());
    QVERIFY(location.hasQuery());

    // A careful client follows with Range and without Authorization.
    const HttpAnswer cdn = Harness::get(location, { { "Range", "bytes=0-99" } });
    QCOMPARE(cdn.status, 206);
    QCOMPARE(cdn.body.size(), 100);
    const QJsonObject second = h.proxyStats().value(QLatin1String("second_host")).toObject();
    QCOMPARE(second.value(QLatin1String("requests")).toInt(), 1);
    QCOMPARE(second.value(QLatin1String("auth_seen")).toBool(), false);
    // The rule was used once and is gone.
    QCOMPARE(h.proxyControl(QJsonObject {}).value(QLatin1String("rules")).toArray().size(), 0);
}

void TestHarnessSmoke::secondHostRecordsAuthorizationHonestly()
{
    auto &h = Harness::instance();
    h.proxyReset();
    h.proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("redirect_blobs") } } } } });
    const QString digest = h.fixture(QStringLiteral("lab/app:1.0"))
                               .value(QLatin1String("layers"))
                               .toArray()
                               .at(1)
                               .toObject()
                               .value(QLatin1String("digest"))
                               .toString();
    const HttpAnswer r = Harness::get(Harness::httpUrl(h.proxy(), QStringLiteral("/v2/lab/app/blobs/") + digest));
    QCOMPARE(r.status, 307);
    // A leaky client: the CDN refuses it (as Cloudflare R2 does) and the stats say so.
    const HttpAnswer leak = Harness::get(
        QUrl(QString::fromLatin1(r.header("Location"))), { { "Authorization", QByteArrayLiteral("Bearer leaked") } });
    QCOMPARE(leak.status, 400);
    const QJsonObject second = h.proxyStats().value(QLatin1String("second_host")).toObject();
    QCOMPARE(second.value(QLatin1String("auth_seen")).toBool(), true);
    QCOMPARE(second.value(QLatin1String("auth_requests")).toInt(), 1);
    QCOMPARE(second.value(QLatin1String("rejected")).toInt(), 1);
}

void TestHarnessSmoke::faultsApplyToNextRequests()
{
    auto &h = Harness::instance();
    h.proxyReset();
    h.proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("status") },
                         { QStringLiteral("status"), 429 }, { QStringLiteral("path"), QStringLiteral("/manifests/") } },
            QJsonObject { { QStringLiteral("type"), QStringLiteral("status") }, { QStringLiteral("status"), 503 },
                { QStringLiteral("path"), QStringLiteral("/manifests/") } } } } });
    const QUrl url = Harness::httpUrl(h.proxy(), QStringLiteral("/v2/lab/app/manifests/1.0"));
    const HttpAnswer a = Harness::get(url, { { "Accept", kAcceptManifests } });
    QCOMPARE(a.status, 429);
    QCOMPARE(a.header("Retry-After"), QByteArrayLiteral("1"));
    QVERIFY(!a.header("RateLimit-Remaining").isEmpty());
    QCOMPARE(Harness::get(url, { { "Accept", kAcceptManifests } }).status, 503);
    QCOMPARE(Harness::get(url, { { "Accept", kAcceptManifests } }).status, 200);
    const QJsonObject stats = h.proxyStats();
    QCOMPARE(stats.value(QLatin1String("faults")).toObject().value(QLatin1String("status")).toInt(), 2);
    QCOMPARE(stats.value(QLatin1String("paths"))
                 .toObject()
                 .value(QLatin1String("/v2/lab/app/manifests/1.0"))
                 .toObject()
                 .value(QLatin1String("requests"))
                 .toInt(),
        3);

    // A reset after K body bytes: the client sees an error, not a short success.
    const QString digest = h.fixture(QStringLiteral("lab/app:1.0"))
                               .value(QLatin1String("layers"))
                               .toArray()
                               .at(0)
                               .toObject()
                               .value(QLatin1String("digest"))
                               .toString();
    h.proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject {
            { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 1000 } } } } });
    const QString blobPath = QStringLiteral("/v2/lab/app/blobs/") + digest;
    const HttpAnswer cut = Harness::get(Harness::httpUrl(h.proxy(), blobPath));
    const QJsonObject after = h.proxyStats();
    QCOMPARE(after.value(QLatin1String("faults")).toObject().value(QLatin1String("reset")).toInt(), 1);
    if (cut.error == QNetworkReply::NoError) {
        // An RST makes the kernel drop response bytes not yet read; when Qt had read none it resends the
        // request by itself (seen on a loaded machine), and the second answer is whole. The fault did fire.
        QVERIFY(after.value(QLatin1String("paths"))
                    .toObject()
                    .value(blobPath)
                    .toObject()
                    .value(QLatin1String("requests"))
                    .toInt()
            >= 2);
    } else {
        QVERIFY(cut.body.size() <= 1000);
    }
}

void TestHarnessSmoke::shortLivedTokensExpire()
{
    auto &h = Harness::instance();
    h.tokenControl(QJsonObject { { QStringLiteral("expires_in"), 2 } });
    QUrl tokenUrl = h.tokenRealm();
    tokenUrl.setQuery(QStringLiteral("service=registry.test&scope=repository:public/hello:pull"));
    const HttpAnswer tok = Harness::get(tokenUrl);
    h.tokenControl(QJsonObject { { QStringLiteral("reset"), true } });
    QCOMPARE(tok.status, 200);
    QCOMPARE(tok.json().value(QLatin1String("expires_in")).toInt(), 2);
    const QByteArray bearer = "Bearer " + tok.json().value(QLatin1String("token")).toString().toLatin1();
    const QUrl url = Harness::httpUrl(h.tokenRegistry(), QStringLiteral("/v2/public/hello/manifests/1.0"));
    QCOMPARE(Harness::get(url, { { "Accept", kAcceptManifests }, { "Authorization", bearer } }).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        Harness::get(url, { { "Accept", kAcceptManifests }, { "Authorization", bearer } }).status, 401, 6000);
}

void TestHarnessSmoke::cliRunnerRuns()
{
    if (!ll::test::CliRunner::available())
        QSKIP("LL_CLI does not name a built layerslayer-cli");
    const ll::test::CliResult r = ll::test::runCli({ QStringLiteral("--help") });
    QVERIFY(r.started);
    QVERIFY(!r.crashed);
    QVERIFY(!r.timedOut);
    QVERIFY(r.exitCode >= 0);
    QVERIFY(!QByteArray(r.out + r.err).isEmpty());
}

QTEST_GUILESS_MAIN(TestHarnessSmoke)
#include "TestHarnessSmoke.moc"
