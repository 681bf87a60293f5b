// RegistryClient through the fault-injecting proxy: blob redirects to a second host (Authorization never
// follows), 429 with Retry-After (waits, then succeeds; gives up with RateLimited), 5xx then success,
// connection resets before and during the body, a stalled answer, an ignored Range.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "registry/ImageResolveJob.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::registry::Credentials;
using ll::registry::ImageReference;
using ll::registry::ImageResolveJob;
using ll::registry::RegistryCall;
using ll::registry::RegistryClient;
using ll::registry::RegistryRequest;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

QJsonObject rule(const QString &type, const QJsonObject &extra = {})
{
    QJsonObject r = extra;
    r.insert(QStringLiteral("type"), type);
    return r;
}

void addFaults(const QJsonArray &rules)
{
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"), rules } });
}

QJsonObject biggestLayer(const QString &fixture)
{
    QJsonObject best;
    for (const QJsonValue &v : Harness::instance().fixture(fixture).value(QLatin1String("layers")).toArray()) {
        if (v.toObject().value(QLatin1String("size")).toInteger() > best.value(QLatin1String("size")).toInteger())
            best = v.toObject();
    }
    return best;
}

QString digestOf(const QJsonObject &o)
{
    return o.value(QLatin1String("digest")).toString();
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

Credentials bob()
{
    Credentials c;
    c.username = QStringLiteral("bob");
    c.password = QStringLiteral("builder");
    c.source = QStringLiteral("test");
    return c;
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void redirectToSecondHostDropsAuthorization();
    void resolveWithRedirectedConfig();
    void rateLimitedThenSuccess();
    void rateLimitExhausted();
    void rateLimitWaitTooLong();
    void serverErrorThenSuccess_data();
    void serverErrorThenSuccess();
    void serverErrorExhausted();
    void resetBeforeBodyRetried();
    void resetInCollectedBodyRetried();
    void resetAfterBodyHandedOutFails();
    void stalledAnswerTimesOutAndRetries();
    void ignoredRangeIsVisible();
};

void TestFaults::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

void TestFaults::init()
{
    Harness::instance().proxyReset();
}

void TestFaults::cleanupTestCase()
{
    if (Harness::instance().available())
        Harness::instance().proxyReset();
}

void TestFaults::redirectToSecondHostDropsAuthorization()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("redirect_blobs"), QJsonObject { { QStringLiteral("count"), 0 } }) });
    const QJsonObject layer = biggestLayer(QStringLiteral("private/secret:1.0"));
    ClientEnv env;
    env.credentials.setExplicit(h.proxyToken(), bob());
    RegistryRequest r = ll::test::blobRequest(h.proxyToken(), QStringLiteral("private/secret"), digestOf(layer));
    r.readBufferSize = 4096;
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 200);
    QCOMPARE(ll::Sha256::digestOf(res.body), digestOf(layer));
    QCOMPARE(res.body, fileBytes(layer.value(QLatin1String("path")).toString()));
    QCOMPARE(res.finalUrl.host() + QLatin1Char(':') + QString::number(res.finalUrl.port()), h.secondHost());

    const QJsonObject second = h.proxyStats().value(QLatin1String("second_host")).toObject();
    QVERIFY(second.value(QLatin1String("requests")).toInt() >= 1);
    QCOMPARE(second.value(QLatin1String("auth_seen")).toBool(), false);
    QCOMPARE(second.value(QLatin1String("rejected")).toInt(), 0);
    // The registry itself did get the bearer token (the redirect came after an authorized request).
    const auto registrySawAuth = [&h] {
        for (const QJsonValue &v : h.proxyStats().value(QLatin1String("last")).toArray()) {
            const QJsonObject e = v.toObject();
            if (e.value(QLatin1String("listener")).toString() == QLatin1String("token")
                && e.value(QLatin1String("auth")).toBool())
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(registrySawAuth(), 5000); // recorded just after answering
}

void TestFaults::resolveWithRedirectedConfig()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("redirect_blobs"), QJsonObject { { QStringLiteral("count"), 0 } }) });
    ClientEnv env;
    env.credentials.setExplicit(h.proxyToken(), bob());
    ImageResolveJob job(
        env.client.get(), *ImageReference::parse(h.reference(QStringLiteral("private/secret:1.0"), h.proxyToken())));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.image().configDigest,
        h.fixture(QStringLiteral("private/secret:1.0"))
            .value(QLatin1String("config"))
            .toObject()
            .value(QLatin1String("digest"))
            .toString());
    const QJsonObject second = h.proxyStats().value(QLatin1String("second_host")).toObject();
    QCOMPARE(second.value(QLatin1String("requests")).toInt(), 1); // the config blob
    QCOMPARE(second.value(QLatin1String("auth_seen")).toBool(), false);
}

void TestFaults::rateLimitedThenSuccess()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("status"),
        QJsonObject { { QStringLiteral("status"), 429 }, { QStringLiteral("retry_after"), QStringLiteral("1") },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    QSignalSpy notices(env.client.get(), &RegistryClient::notice);
    QElapsedTimer t;
    t.start();
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    const qint64 elapsed = t.elapsed();
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(ll::Sha256::digestOf(res.body),
        h.fixture(QStringLiteral("lab/app:1.0")).value(QLatin1String("digest")).toString());
    QCOMPARE(res.retries, 1);
    QVERIFY2(elapsed >= 950, qPrintable(QString::number(elapsed))); // Retry-After: 1 was honoured
    QCOMPARE(notices.size(), 1);
    const QString notice = notices.first().first().toString();
    QCOMPARE(notice, QStringLiteral("rate limited by %1 (0 of 100 requests left), retrying in 1 s").arg(h.proxy()));
}

void TestFaults::rateLimitExhausted()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("status"),
        QJsonObject { { QStringLiteral("status"), 429 }, { QStringLiteral("count"), 0 },
            { QStringLiteral("retry_after"), QStringLiteral("0") },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    env.client->setMaxRetries(2);
    QSignalSpy notices(env.client.get(), &RegistryClient::notice);
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QCOMPARE(res.error.code, Error::Code::RateLimited);
    QCOMPARE(res.error.httpStatus, 429);
    QCOMPARE(res.error.message,
        QStringLiteral("rate limit reached on %1 (0 of 100 requests left); try later or log in").arg(h.proxy()));
    QCOMPARE(res.requests, 3);
    QCOMPARE(notices.size(), 2);
    QCOMPARE(res.finishedCount, 1);
}

void TestFaults::rateLimitWaitTooLong()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("status"),
        QJsonObject { { QStringLiteral("status"), 429 }, { QStringLiteral("retry_after"), QStringLiteral("3600") },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    QElapsedTimer t;
    t.start();
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QVERIFY(t.elapsed() < 5000);
    QCOMPARE(res.error.code, Error::Code::RateLimited);
    QVERIFY2(res.error.message.contains(QLatin1String("retry after 3600 s")), qPrintable(res.error.message));
    QCOMPARE(res.requests, 1);
}

void TestFaults::serverErrorThenSuccess_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("count");
    QTest::newRow("503 once") << 503 << 1;
    QTest::newRow("503 twice") << 503 << 2;
    QTest::newRow("500") << 500 << 1;
    QTest::newRow("502") << 502 << 1;
    QTest::newRow("504") << 504 << 3;
}

void TestFaults::serverErrorThenSuccess()
{
    QFETCH(int, status);
    QFETCH(int, count);
    auto &h = Harness::instance();
    const QJsonObject layer = biggestLayer(QStringLiteral("lab/app:1.0"));
    addFaults({ rule(QStringLiteral("status"),
        QJsonObject { { QStringLiteral("status"), status }, { QStringLiteral("count"), count },
            { QStringLiteral("path"), QString(QStringLiteral("/blobs/") + digestOf(layer)) } }) });
    ClientEnv env;
    QElapsedTimer t;
    t.start();
    const auto res
        = ll::test::runCall(*env.client, ll::test::blobRequest(h.proxy(), QStringLiteral("lab/app"), digestOf(layer)));
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(ll::Sha256::digestOf(res.body), digestOf(layer));
    QCOMPARE(res.retries, count);
    // Exponential backoff from 50 ms (the test's base): 50, 100, 200, ... each with jitter down to half.
    QVERIFY(t.elapsed() >= 25 * ((1 << count) - 1));
}

void TestFaults::serverErrorExhausted()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("status"),
        QJsonObject { { QStringLiteral("status"), 503 }, { QStringLiteral("count"), 0 },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    env.client->setMaxRetries(2);
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QCOMPARE(res.error.code, Error::Code::Network);
    QCOMPARE(res.error.httpStatus, 503);
    QCOMPARE(res.requests, 3);
    QVERIFY2(res.error.message.contains(QLatin1String("503")), qPrintable(res.error.message));
    QVERIFY2(res.error.detail.contains(QLatin1String("injected 503")), qPrintable(res.error.detail));
}

void TestFaults::resetBeforeBodyRetried()
{
    // Qt itself re-sends a request whose connection closed before any answer (twice); resets beyond that
    // reach the client, which retries with backoff.
    auto &h = Harness::instance();
    const QJsonObject layer = biggestLayer(QStringLiteral("lab/app:1.0"));
    const int resets = 3;
    addFaults({ rule(QStringLiteral("reset"),
        QJsonObject { { QStringLiteral("count"), resets },
            { QStringLiteral("path"), QString(QStringLiteral("/blobs/") + digestOf(layer)) } }) });
    ClientEnv env;
    const auto res
        = ll::test::runCall(*env.client, ll::test::blobRequest(h.proxy(), QStringLiteral("lab/app"), digestOf(layer)));
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(ll::Sha256::digestOf(res.body), digestOf(layer));
    QVERIFY2(res.retries >= 1, qPrintable(QString::number(res.retries)));
    QTRY_COMPARE_WITH_TIMEOUT(
        h.proxyStats().value(QLatin1String("faults")).toObject().value(QLatin1String("reset")).toInt(), resets, 5000);

    // More resets than retries: a Network error naming the host.
    h.proxyReset();
    addFaults({ rule(QStringLiteral("reset"),
        QJsonObject { { QStringLiteral("count"), 0 },
            { QStringLiteral("path"), QString(QStringLiteral("/blobs/") + digestOf(layer)) } }) });
    ClientEnv env2;
    env2.client->setMaxRetries(1);
    const auto res2
        = ll::test::runCall(*env2.client, ll::test::blobRequest(h.proxy(), QStringLiteral("lab/app"), digestOf(layer)));
    QCOMPARE(res2.error.code, Error::Code::Network);
    QCOMPARE(res2.retries, 1);
    QVERIFY2(res2.error.message.contains(h.proxy()), qPrintable(res2.error.message));
}

void TestFaults::resetInCollectedBodyRetried()
{
    // A non-streaming answer cut after 100 bytes: nothing was handed out, so it is fetched again.
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("reset"),
        QJsonObject { { QStringLiteral("after_bytes"), 100 },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(ll::Sha256::digestOf(res.body),
        h.fixture(QStringLiteral("lab/app:1.0")).value(QLatin1String("digest")).toString());
    QCOMPARE(res.retries, 1);
}

void TestFaults::resetAfterBodyHandedOutFails()
{
    // Once bytes went to the consumer the call cannot start over: a Network error, never silently spliced data.
    auto &h = Harness::instance();
    const QJsonObject layer = biggestLayer(QStringLiteral("lab/big:1.0"));
    const qint64 size = layer.value(QLatin1String("size")).toInteger();
    QVERIFY(size > 300000);
    addFaults({ rule(QStringLiteral("reset"),
        QJsonObject { { QStringLiteral("after_bytes"), 200000 }, { QStringLiteral("graceful"), true },
            { QStringLiteral("path"), QString(QStringLiteral("/blobs/") + digestOf(layer)) } }) });
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(h.proxy(), QStringLiteral("lab/big"), digestOf(layer));
    r.readBufferSize = 16384;
    const auto res = ll::test::runCall(*env.client, r);
    QCOMPARE(res.error.code, Error::Code::Network);
    // A clean close (FIN) after 200,000 bytes, so some of the body reaches even a slow client (an RST lets the
    // kernel drop what the client had not read yet: under ASan on one core it could see no body at all). Qt
    // itself drops what its bounded read buffer had not taken in when the close came, hence "at most".
    QVERIFY2(res.body.size() > 0 && res.body.size() <= 200000, qPrintable(QString::number(res.body.size())));
    QCOMPARE(res.retries, 0);
    QVERIFY2(res.error.message.contains(QLatin1String("closed the connection")), qPrintable(res.error.message));
}

void TestFaults::stalledAnswerTimesOutAndRetries()
{
    auto &h = Harness::instance();
    addFaults({ rule(QStringLiteral("slow"),
        QJsonObject { { QStringLiteral("latency_ms"), 2000 },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/app/manifests/") } }) });
    ClientEnv env;
    env.client->setTransferTimeout(500);
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.proxy(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.retries, 1);
    QCOMPARE(ll::Sha256::digestOf(res.body),
        h.fixture(QStringLiteral("lab/app:1.0")).value(QLatin1String("digest")).toString());
}

void TestFaults::ignoredRangeIsVisible()
{
    auto &h = Harness::instance();
    const QJsonObject layer = biggestLayer(QStringLiteral("lab/app:1.0"));
    addFaults({ rule(QStringLiteral("ignore_range")) });
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(h.proxy(), QStringLiteral("lab/app"), digestOf(layer));
    r.rangeStart = 10;
    r.rangeEnd = 19;
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 200); // the caller sees the range was ignored and skips bytes itself
    QVERIFY(res.contentRange.isEmpty());
    QCOMPARE(qint64(res.body.size()), layer.value(QLatin1String("size")).toInteger());
}

QTEST_GUILESS_MAIN(TestFaults)
#include "TestFaults.moc"
