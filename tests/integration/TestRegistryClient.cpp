// RegistryClient/RegistryCall against the harness's anonymous registry: collected and streamed bodies,
// Range, HEAD, error mapping, abort, body caps, connection refused, request headers.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using ll::Error;
using ll::registry::RegistryCall;
using ll::registry::RegistryRequest;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

QJsonObject layer(const QString &fixture, int index)
{
    return Harness::instance().fixture(fixture).value(QLatin1String("layers")).toArray().at(index).toObject();
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/** A free port with nothing listening. */
quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

} // namespace

class TestRegistryClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void baseUrlAndPlainHttp_data();
    void baseUrlAndPlainHttp();
    void pingV2();
    void manifestCollected();
    void blobStreamed();
    void blobRange_data();
    void blobRange();
    void head();
    void errorMapping_data();
    void errorMapping();
    void bodyCap();
    void abortMidStream();
    void abortBeforeStart();
    void connectionRefused();
    void linkToOtherHostRefused();
    void headersSent();
};

void TestRegistryClient::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    Harness::instance().proxyReset();
}

void TestRegistryClient::baseUrlAndPlainHttp_data()
{
    QTest::addColumn<QString>("registry");
    QTest::addColumn<bool>("plainAll");
    QTest::addColumn<QString>("url");
    QTest::newRow("loopback v4") << "127.0.0.1:5000" << false << "http://127.0.0.1:5000";
    QTest::newRow("loopback v4 other") << "127.1.2.3:5000" << false << "http://127.1.2.3:5000";
    QTest::newRow("localhost") << "localhost:5000" << false << "http://localhost:5000";
    QTest::newRow("ipv6 loopback") << "[::1]:5000" << false << "http://[::1]:5000";
    QTest::newRow("docker hub") << "registry-1.docker.io" << false << "https://registry-1.docker.io";
    QTest::newRow("lan") << "192.168.1.10:5000" << false << "https://192.168.1.10:5000";
    QTest::newRow("lan plain") << "192.168.1.10:5000" << true << "http://192.168.1.10:5000";
}

void TestRegistryClient::baseUrlAndPlainHttp()
{
    QFETCH(QString, registry);
    QFETCH(bool, plainAll);
    QFETCH(QString, url);
    ClientEnv env;
    env.client->setPlainHttp(plainAll);
    QCOMPARE(env.client->baseUrl(registry), QUrl(url));
}

void TestRegistryClient::pingV2()
{
    ClientEnv env;
    RegistryRequest r;
    r.registry = Harness::instance().anonRegistry();
    r.path = QStringLiteral("/v2/");
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 200);
    QCOMPARE(res.finishedCount, 1);
    QCOMPARE(env.client->requestCount(), qint64(1));
}

void TestRegistryClient::manifestCollected()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ClientEnv env;
    const auto res = ll::test::runCall(
        *env.client, ll::test::manifestRequest(h.anonRegistry(), QStringLiteral("lab/app"), QStringLiteral("1.0")));
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 200);
    QCOMPARE(ll::Sha256::digestOf(res.body), fx.value(QLatin1String("digest")).toString());
    QCOMPARE(QString::fromLatin1(res.dockerContentDigest), fx.value(QLatin1String("digest")).toString());
    QCOMPARE(res.readyReads, 0); // not streamed
}

void TestRegistryClient::blobStreamed()
{
    auto &h = Harness::instance();
    // The biggest layer of lab/big streams through a small read buffer in many chunks.
    const QJsonArray layers = h.fixture(QStringLiteral("lab/big:1.0")).value(QLatin1String("layers")).toArray();
    QJsonObject big;
    for (const QJsonValue &v : layers) {
        if (v.toObject().value(QLatin1String("size")).toInteger() > big.value(QLatin1String("size")).toInteger())
            big = v.toObject();
    }
    const QString digest = big.value(QLatin1String("digest")).toString();
    const qint64 size = big.value(QLatin1String("size")).toInteger();
    QVERIFY(size > 256 * 1024);
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(h.anonRegistry(), QStringLiteral("lab/big"), digest);
    r.readBufferSize = 64 * 1024;
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 200);
    QCOMPARE(qint64(res.body.size()), size);
    QCOMPARE(ll::Sha256::digestOf(res.body), digest);
    QVERIFY2(res.readyReads > 2, qPrintable(QString::number(res.readyReads)));
    QCOMPARE(res.bytesReceived, size);
}

void TestRegistryClient::blobRange_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::newRow("first 100") << qint64(0) << qint64(99);
    QTest::newRow("middle") << qint64(10) << qint64(49);
    QTest::newRow("open-ended") << qint64(20) << qint64(-1);
}

void TestRegistryClient::blobRange()
{
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    auto &h = Harness::instance();
    const QJsonObject l = layer(QStringLiteral("lab/app:1.0"), 0);
    const QByteArray whole = fileBytes(l.value(QLatin1String("path")).toString());
    QVERIFY(whole.size() > 100);
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(
        h.anonRegistry(), QStringLiteral("lab/app"), l.value(QLatin1String("digest")).toString());
    r.rangeStart = start;
    r.rangeEnd = end;
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.status, 206);
    const qint64 last = end < 0 ? whole.size() - 1 : end;
    QCOMPARE(res.body, whole.mid(int(start), int(last - start + 1)));
    QVERIFY2(res.contentRange.startsWith(QByteArray("bytes " + QByteArray::number(start) + "-")),
        res.contentRange.constData());
}

void TestRegistryClient::head()
{
    auto &h = Harness::instance();
    const QJsonObject l = layer(QStringLiteral("lab/app:1.0"), 0);
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(
        h.anonRegistry(), QStringLiteral("lab/app"), l.value(QLatin1String("digest")).toString(), false);
    r.method = "HEAD";
    RegistryCall *call = env.client->send(r);
    QVERIFY(ll::test::spinUntil([call] { return call->isFinished(); }));
    QVERIFY2(!call->hasError(), qPrintable(call->error().toString()));
    QCOMPARE(call->httpStatus(), 200);
    QCOMPARE(call->rawHeader("content-length").toLongLong(), l.value(QLatin1String("size")).toInteger());
    QVERIFY(call->body().isEmpty());
    delete call;
}

void TestRegistryClient::errorMapping_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mention");
    QTest::newRow("manifest unknown") << QStringLiteral("/v2/lab/app/manifests/nope") << int(Error::Code::NotFound)
                                      << 404 << QStringLiteral("MANIFEST_UNKNOWN");
    QTest::newRow("blob unknown") << QStringLiteral("/v2/lab/app/blobs/sha256:") + QString(64, QLatin1Char('1'))
                                  << int(Error::Code::NotFound) << 404 << QStringLiteral("BLOB_UNKNOWN");
    QTest::newRow("repository unknown") << QStringLiteral("/v2/lab/none/tags/list") << int(Error::Code::NotFound) << 404
                                        << QStringLiteral("NAME_UNKNOWN");
    QTest::newRow("bad digest") << QStringLiteral("/v2/lab/app/blobs/sha256:xyz") << int(Error::Code::Protocol) << 400
                                << QStringLiteral("400");
}

void TestRegistryClient::errorMapping()
{
    QFETCH(QString, path);
    QFETCH(int, code);
    QFETCH(int, status);
    QFETCH(QString, mention);
    ClientEnv env;
    RegistryRequest r;
    r.registry = Harness::instance().anonRegistry();
    r.repository = QStringLiteral("lab/app");
    r.path = path;
    const auto res = ll::test::runCall(*env.client, r);
    QCOMPARE(int(res.error.code), code);
    QCOMPARE(res.error.httpStatus, status);
    QVERIFY2(res.error.toString().contains(mention), qPrintable(res.error.toString()));
    QCOMPARE(res.finishedCount, 1);
    QCOMPARE(res.retries, 0);
}

void TestRegistryClient::bodyCap()
{
    auto &h = Harness::instance();
    const QJsonObject l = layer(QStringLiteral("lab/app:1.0"), 0);
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(
        h.anonRegistry(), QStringLiteral("lab/app"), l.value(QLatin1String("digest")).toString(), false);
    r.maxBodySize = 10;
    const auto res = ll::test::runCall(*env.client, r);
    QCOMPARE(res.error.code, Error::Code::Protocol);
    QVERIFY(res.body.isEmpty());
}

void TestRegistryClient::abortMidStream()
{
    auto &h = Harness::instance();
    const QJsonArray layers = h.fixture(QStringLiteral("lab/big:1.0")).value(QLatin1String("layers")).toArray();
    QString digest;
    qint64 size = 0;
    for (const QJsonValue &v : layers) {
        if (v.toObject().value(QLatin1String("size")).toInteger() > size) {
            size = v.toObject().value(QLatin1String("size")).toInteger();
            digest = v.toObject().value(QLatin1String("digest")).toString();
        }
    }
    ClientEnv env;
    RegistryRequest r = ll::test::blobRequest(h.anonRegistry(), QStringLiteral("lab/big"), digest);
    r.readBufferSize = 16 * 1024;
    RegistryCall *call = env.client->send(r);
    QSignalSpy finished(call, &RegistryCall::finished);
    qint64 got = 0;
    connect(call, &RegistryCall::readyRead, call, [call, &got] {
        got += call->read(call->bytesAvailable()).size();
        if (got > 0)
            call->abort();
    });
    QVERIFY(ll::test::spinUntil([call] { return call->isFinished(); }));
    QTest::qWait(100);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(call->error().code, Error::Code::Cancelled);
    QVERIFY(got > 0 && got < size);
    QCOMPARE(call->bytesAvailable(), qint64(0));
    call->abort(); // idempotent
    QCOMPARE(finished.size(), 1);
    delete call;
}

void TestRegistryClient::abortBeforeStart()
{
    ClientEnv env;
    RegistryRequest r;
    r.registry = Harness::instance().anonRegistry();
    r.path = QStringLiteral("/v2/");
    RegistryCall *call = env.client->send(r);
    QSignalSpy finished(call, &RegistryCall::finished);
    call->abort();
    QTest::qWait(100);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(call->error().code, Error::Code::Cancelled);
    QCOMPARE(env.client->requestCount(), qint64(0));
    delete call;
}

void TestRegistryClient::connectionRefused()
{
    ClientEnv env;
    RegistryRequest r;
    r.registry = QStringLiteral("127.0.0.1:%1").arg(closedPort());
    r.path = QStringLiteral("/v2/");
    const auto res = ll::test::runCall(*env.client, r);
    QCOMPARE(res.error.code, Error::Code::Network);
    QCOMPARE(res.error.message, QStringLiteral("cannot connect to %1: connection refused").arg(r.registry));
    QCOMPARE(res.retries, 0); // a refused first connection is not retried
}

void TestRegistryClient::linkToOtherHostRefused()
{
    ClientEnv env;
    RegistryRequest r;
    r.registry = Harness::instance().anonRegistry();
    r.absoluteUrl = QUrl(QStringLiteral("http://127.0.0.2:1/v2/_catalog"));
    const auto res = ll::test::runCall(*env.client, r);
    QCOMPARE(res.error.code, Error::Code::Protocol);
    QCOMPARE(env.client->requestCount(), qint64(0));
}

void TestRegistryClient::headersSent()
{
    // The proxy records what it saw: Range is sent, nothing else leaks (no Authorization for anonymous).
    auto &h = Harness::instance();
    h.proxyReset();
    const QJsonObject l = layer(QStringLiteral("lab/app:1.0"), 1);
    ClientEnv env;
    RegistryRequest r
        = ll::test::blobRequest(h.proxy(), QStringLiteral("lab/app"), l.value(QLatin1String("digest")).toString());
    r.rangeStart = 5;
    r.rangeEnd = 9;
    const auto res = ll::test::runCall(*env.client, r);
    QVERIFY2(!res.error, qPrintable(res.error.toString()));
    QCOMPARE(res.body.size(), 5);
    // The proxy records an exchange after answering it: look for ours, allowing it a moment.
    const QString digest = l.value(QLatin1String("digest")).toString();
    QJsonObject seen;
    const auto findOurs = [&h, &seen, &digest] {
        for (const QJsonValue &v : h.proxyStats().value(QLatin1String("last")).toArray()) {
            if (v.toObject().value(QLatin1String("path")).toString().endsWith(digest))
                seen = v.toObject();
        }
        return !seen.isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(findOurs(), 5000);
    QCOMPARE(seen.value(QLatin1String("range")).toString(), QStringLiteral("bytes=5-9"));
    QCOMPARE(seen.value(QLatin1String("auth")).toBool(), false);
}

QTEST_GUILESS_MAIN(TestRegistryClient)
#include "TestRegistryClient.moc"
