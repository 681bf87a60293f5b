// Auth against the harness: token registry (anonymous public pulls, private repositories with explicit
// credentials, a docker config.json with base64 auth or an identity token, a token file), the token cache
// and its expiry (proactive refresh and refresh once on 401), and the htpasswd Basic registry.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "registry/ImageResolveJob.h"
#include "registry/TagListJob.h"
#include "registry/TokenCache.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::registry::Credentials;
using ll::registry::ImageReference;
using ll::registry::ImageResolveJob;
using ll::registry::TagListJob;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

ImageReference ref(const QString &text)
{
    return *ImageReference::parse(text);
}

Credentials login(const QString &user, const QString &password)
{
    Credentials c;
    c.username = user;
    c.password = password;
    c.source = QStringLiteral("test");
    return c;
}

int tokenRequests()
{
    return Harness::instance().tokenStats().value(QLatin1String("token_requests")).toInt();
}

QString fixtureDigest(const QString &name)
{
    return Harness::instance().fixture(name).value(QLatin1String("digest")).toString();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TestAuthFlows : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void publicAnonymous();
    void privateAnonymousIsUnauthorized();
    void privateWithExplicitCredentials();
    void wrongPassword();
    void dockerConfigBasicAuth();
    void dockerConfigIdentityToken();
    void tokenFile();
    void rejectedTokenFileFallsBackToChallenge();
    void tokenCachedAcrossRequests();
    void expiredTokenRefreshedBeforeUse();
    void expiredTokenRefusedThenRefetchedOnce();
    void catalogScope();
    void tokenServerFailureRetried();
    void basicRegistry_data();
    void basicRegistry();
};

void TestAuthFlows::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

void TestAuthFlows::cleanup()
{
    Harness::instance().tokenControl(QJsonObject { { QStringLiteral("reset"), true } });
}

void TestAuthFlows::publicAnonymous()
{
    auto &h = Harness::instance();
    ClientEnv env;
    const int before = tokenRequests();
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.image().manifestDigest, fixtureDigest(QStringLiteral("public/hello:1.0")));
    // One anonymous token, reused for the config blob.
    QCOMPARE(env.client->tokenRequestCount(), qint64(1));
    QCOMPARE(tokenRequests() - before, 1);
    const QJsonArray last = h.tokenStats().value(QLatin1String("last")).toArray();
    const QJsonObject t = last.last().toObject();
    QVERIFY(t.value(QLatin1String("user")).isNull());
    QCOMPARE(t.value(QLatin1String("service")).toString(), QStringLiteral("registry.test"));
    QCOMPARE(
        t.value(QLatin1String("scopes")).toArray().first().toString(), QStringLiteral("repository:public/hello:pull"));
}

void TestAuthFlows::privateAnonymousIsUnauthorized()
{
    auto &h = Harness::instance();
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.state(), Job::State::Failed);
    QCOMPARE(job.error().code, Error::Code::Unauthorized);
    QCOMPARE(job.error().message,
        QStringLiteral("authentication required for %1/private/secret: use "
                       "--username/--password-stdin or docker login")
            .arg(h.tokenRegistry()));
    // The token was asked for once; the registry refused it; no loop.
    QCOMPARE(env.client->tokenRequestCount(), qint64(1));
}

void TestAuthFlows::privateWithExplicitCredentials()
{
    auto &h = Harness::instance();
    ClientEnv env;
    env.credentials.setExplicit(h.tokenRegistry(), login(QStringLiteral("bob"), QStringLiteral("builder")));
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.image().manifestDigest, fixtureDigest(QStringLiteral("private/secret:1.0")));
    const QJsonObject t = h.tokenStats().value(QLatin1String("last")).toArray().last().toObject();
    QCOMPARE(t.value(QLatin1String("user")).toString(), QStringLiteral("bob"));
}

void TestAuthFlows::wrongPassword()
{
    auto &h = Harness::instance();
    ClientEnv env;
    env.credentials.setExplicit(h.tokenRegistry(), login(QStringLiteral("bob"), QStringLiteral("wrong")));
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.error().code, Error::Code::Unauthorized);
    QCOMPARE(
        job.error().message, QStringLiteral("invalid username or password for %1 (user bob)").arg(h.tokenRegistry()));
    QVERIFY(!job.error().toString().contains(QLatin1String("wrong"))); // never the password

    // The same client, once given the right password (e.g. after a GUI prompt), succeeds.
    env.credentials.setExplicit(h.tokenRegistry(), login(QStringLiteral("bob"), QStringLiteral("builder")));
    ImageResolveJob ok(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(ok));
    QCOMPARE(ok.state(), Job::State::Succeeded);
}

void TestAuthFlows::dockerConfigBasicAuth()
{
    auto &h = Harness::instance();
    ClientEnv env;
    const QJsonObject config { { QStringLiteral("auths"),
        QJsonObject { { QStringLiteral("http://") + h.tokenRegistry(),
            QJsonObject {
                { QStringLiteral("auth"), QString::fromLatin1(QByteArray("bob:builder").toBase64()) } } } } } };
    QVERIFY(writeFile(env.configDir.filePath(QStringLiteral("config.json")), QJsonDocument(config).toJson()));
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(
        h.tokenStats().value(QLatin1String("last")).toArray().last().toObject().value(QLatin1String("user")).toString(),
        QStringLiteral("bob"));
}

void TestAuthFlows::dockerConfigIdentityToken()
{
    auto &h = Harness::instance();
    ClientEnv env;
    const QString identity
        = h.users().value(QLatin1String("token")).toObject().value(QLatin1String("identitytoken")).toString();
    QVERIFY(!identity.isEmpty());
    const QJsonObject config { { QStringLiteral("auths"),
        QJsonObject { { h.tokenRegistry(),
            QJsonObject { { QStringLiteral("auth"), QString::fromLatin1(QByteArray("bob:").toBase64()) },
                { QStringLiteral("identitytoken"), identity } } } } } };
    QVERIFY(writeFile(env.configDir.filePath(QStringLiteral("config.json")), QJsonDocument(config).toJson()));
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    const QJsonObject t = h.tokenStats().value(QLatin1String("last")).toArray().last().toObject();
    QCOMPARE(t.value(QLatin1String("oauth")).toBool(), true); // the OAuth2 refresh-token POST
    QCOMPARE(t.value(QLatin1String("user")).toString(), QStringLiteral("bob"));

    // A revoked identity token: a clear message, no secret in it.
    ClientEnv env2;
    const QJsonObject bad { { QStringLiteral("auths"),
        QJsonObject { { h.tokenRegistry(),
            QJsonObject { { QStringLiteral("identitytoken"), QStringLiteral("revoked-token") } } } } } };
    QVERIFY(writeFile(env2.configDir.filePath(QStringLiteral("config.json")), QJsonDocument(bad).toJson()));
    ImageResolveJob job2(env2.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job2));
    QCOMPARE(job2.error().code, Error::Code::Unauthorized);
    QVERIFY(!job2.error().toString().contains(QLatin1String("revoked-token")));
}

void TestAuthFlows::tokenFile()
{
    auto &h = Harness::instance();
    // A token obtained elsewhere (the original tool's token.txt) is used as is: no token request.
    QUrl tokenUrl = h.tokenRealm();
    tokenUrl.setQuery(QStringLiteral("service=registry.test&scope=repository:private/secret:pull"));
    const auto tok = Harness::get(tokenUrl, { { "Authorization", "Basic " + QByteArray("bob:builder").toBase64() } });
    QCOMPARE(tok.status, 200);
    ClientEnv env;
    const QString path = env.configDir.filePath(QStringLiteral("token.txt"));
    QVERIFY(writeFile(path, tok.json().value(QLatin1String("token")).toString().toLatin1() + '\n'));
    env.credentials.setTokenFile(path);
    const int before = tokenRequests();
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/secret:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(0));
    QCOMPARE(tokenRequests(), before);
}

void TestAuthFlows::rejectedTokenFileFallsBackToChallenge()
{
    auto &h = Harness::instance();
    ClientEnv env;
    const QString path = env.configDir.filePath(QStringLiteral("token.txt"));
    QVERIFY(writeFile(path, "not-a-valid-token\n"));
    env.credentials.setTokenFile(path);
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(1)); // fell back to an anonymous token, once
}

void TestAuthFlows::tokenCachedAcrossRequests()
{
    auto &h = Harness::instance();
    ClientEnv env;
    for (int i = 0; i < 3; ++i) {
        ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
        QVERIFY(ll::test::runJob(job));
        QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    }
    QCOMPARE(env.client->tokenRequestCount(), qint64(1));
    QCOMPARE(env.client->tokenCache()->size(), 1);
}

void TestAuthFlows::expiredTokenRefreshedBeforeUse()
{
    auto &h = Harness::instance();
    h.tokenControl(QJsonObject { { QStringLiteral("expires_in"), 2 } });
    ClientEnv env;
    ImageResolveJob first(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(first));
    QVERIFY2(first.state() == Job::State::Succeeded, qPrintable(first.error().toString()));
    const qint64 registryRequests = env.client->requestCount();
    QTest::qWait(2500);
    ImageResolveJob second(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(second));
    QVERIFY2(second.state() == Job::State::Succeeded, qPrintable(second.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(2));
    // The cache knew the token was stale: no 401 round trip (manifest + config only).
    QCOMPARE(env.client->requestCount() - registryRequests, qint64(2));
}

void TestAuthFlows::expiredTokenRefusedThenRefetchedOnce()
{
    auto &h = Harness::instance();
    h.tokenControl(QJsonObject { { QStringLiteral("expires_in"), 2 } });
    ClientEnv env;
    // The cache's clock stands still, so it hands out the expired token and the registry refuses it.
    env.client->tokenCache()->setClock([] { return qint64(0); });
    ImageResolveJob first(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(first));
    QVERIFY2(first.state() == Job::State::Succeeded, qPrintable(first.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(1));
    QTest::qWait(3000);
    const qint64 registryRequests = env.client->requestCount();
    ImageResolveJob second(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(second));
    QVERIFY2(second.state() == Job::State::Succeeded, qPrintable(second.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(2));
    // manifest (401), manifest again, config
    QCOMPARE(env.client->requestCount() - registryRequests, qint64(3));
}

void TestAuthFlows::catalogScope()
{
    auto &h = Harness::instance();
    {
        ClientEnv env;
        TagListJob job(env.client.get(), TagListJob::Mode::Catalog, h.tokenRegistry());
        QVERIFY(ll::test::runJob(job));
        QCOMPARE(job.error().code, Error::Code::Unauthorized);
        QVERIFY2(job.error().message.contains(QLatin1String("authentication required for ") + h.tokenRegistry()),
            qPrintable(job.error().message));
    }
    ClientEnv env;
    env.credentials.setExplicit(h.tokenRegistry(), login(QStringLiteral("bob"), QStringLiteral("builder")));
    TagListJob job(env.client.get(), TagListJob::Mode::Catalog, h.tokenRegistry());
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QVERIFY(job.items().contains(QStringLiteral("private/secret")));
    QVERIFY(job.items().contains(QStringLiteral("public/hello")));
    const QJsonObject t = h.tokenStats().value(QLatin1String("last")).toArray().last().toObject();
    QCOMPARE(t.value(QLatin1String("scopes")).toArray().first().toString(), QStringLiteral("registry:catalog:*"));
}

void TestAuthFlows::tokenServerFailureRetried()
{
    auto &h = Harness::instance();
    h.tokenControl(QJsonObject { { QStringLiteral("fail_next"), 2 }, { QStringLiteral("status"), 503 } });
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(env.client->tokenRequestCount(), qint64(3));

    h.tokenControl(QJsonObject { { QStringLiteral("fail_next"), 100 }, { QStringLiteral("status"), 503 } });
    ClientEnv env2;
    env2.client->setMaxRetries(1);
    ImageResolveJob job2(env2.client.get(), ref(h.reference(QStringLiteral("public/hello:1.0"))));
    QVERIFY(ll::test::runJob(job2));
    QCOMPARE(job2.state(), Job::State::Failed);
    QCOMPARE(job2.error().httpStatus, 503);
    QCOMPARE(env2.client->tokenRequestCount(), qint64(2));
}

void TestAuthFlows::basicRegistry_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    auto &h = Harness::instance();
    const QString reg = h.basicRegistry();
    QTest::newRow("right password") << QStringLiteral("alice") << QStringLiteral("wonderland") << int(Error::Code::None)
                                    << QString();
    QTest::newRow("wrong password") << QStringLiteral("alice") << QStringLiteral("nope")
                                    << int(Error::Code::Unauthorized)
                                    << QStringLiteral("invalid username or password for %1 (user alice)").arg(reg);
    QTest::newRow("no credentials") << QString() << QString() << int(Error::Code::Unauthorized)
                                    << QStringLiteral("authentication required for %1/private/basic: use "
                                                      "--username/--password-stdin or docker login")
                                           .arg(reg);
}

void TestAuthFlows::basicRegistry()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(int, code);
    QFETCH(QString, message);
    auto &h = Harness::instance();
    ClientEnv env;
    if (!user.isEmpty())
        env.credentials.setExplicit(h.basicRegistry(), login(user, password));
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("private/basic:1.0"))));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(int(job.error().code), code);
    if (code == int(Error::Code::None)) {
        QCOMPARE(job.image().manifestDigest, fixtureDigest(QStringLiteral("private/basic:1.0")));
        QCOMPARE(env.client->tokenRequestCount(), qint64(0));
        // manifest 401, manifest, config: Basic is then sent up front
        QCOMPARE(env.client->requestCount(), qint64(3));
    } else {
        QCOMPARE(job.error().message, message);
    }
}

QTEST_GUILESS_MAIN(TestAuthFlows)
#include "TestAuthFlows.moc"
