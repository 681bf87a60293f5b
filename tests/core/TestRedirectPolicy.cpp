// The pure parts of RegistryClient's policy: which redirects keep Authorization, which are refused,
// Retry-After / ratelimit-* parsing, registry error bodies and Link headers.
#include "registry/RegistryClient.h"

#include <QTest>

using ll::registry::RegistryClient;

class TestRedirectPolicy : public QObject
{
    Q_OBJECT

private slots:
    void keepAuthorization_data();
    void keepAuthorization();
    void redirectAllowed_data();
    void redirectAllowed();
    void retryAfter_data();
    void retryAfter();
    void rateLimitReset_data();
    void rateLimitReset();
    void rateLimitCount_data();
    void rateLimitCount();
    void registryErrorText_data();
    void registryErrorText();
    void nextLink_data();
    void nextLink();
};

void TestRedirectPolicy::keepAuthorization_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("keep");
    QTest::newRow("same origin") << "http://127.0.0.1:5000/v2/a/blobs/x"
                                 << "http://127.0.0.1:5000/other" << true;
    QTest::newRow("https default port explicit") << "https://r.io/v2/"
                                                 << "https://r.io:443/v2/x" << true;
    QTest::newRow("host case") << "https://Registry.IO/v2/"
                               << "https://registry.io/x" << true;
    QTest::newRow("other port") << "http://127.0.0.1:5000/v2/"
                                << "http://127.0.0.1:5001/v2/" << false;
    QTest::newRow("other host") << "http://127.0.0.1:5000/v2/"
                                << "http://127.0.0.2:5000/v2/" << false;
    QTest::newRow("docker hub to cdn") << "https://registry-1.docker.io/v2/library/ubuntu/blobs/sha256:aa"
                                       << "https://production.cloudflare.docker.com/registry-v2/x?sig=1" << false;
    QTest::newRow("subdomain") << "https://r.io/v2/"
                               << "https://cdn.r.io/v2/" << false;
    QTest::newRow("http to https same host") << "http://r.io/v2/"
                                             << "https://r.io/v2/" << false;
    QTest::newRow("https to http same host") << "https://r.io/v2/"
                                             << "http://r.io/v2/" << false;
    QTest::newRow("ipv6 same") << "http://[::1]:5000/v2/"
                               << "http://[::1]:5000/x" << true;
    QTest::newRow("ipv6 other port") << "http://[::1]:5000/v2/"
                                     << "http://[::1]:5001/x" << false;
    QTest::newRow("empty target host") << "http://r.io/v2/"
                                       << "http:///x" << false;
}

void TestRedirectPolicy::keepAuthorization()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, keep);
    QCOMPARE(RegistryClient::keepAuthorizationOnRedirect(QUrl(from), QUrl(to)), keep);
}

void TestRedirectPolicy::redirectAllowed_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("https to https cdn") << "https://r.io/v2/"
                                        << "https://cdn.example/x" << true;
    QTest::newRow("http to http") << "http://127.0.0.1:5000/v2/"
                                  << "http://127.0.0.2:6000/x" << true;
    QTest::newRow("http to https") << "http://127.0.0.1:5000/v2/"
                                   << "https://cdn.example/x" << true;
    QTest::newRow("https to http") << "https://r.io/v2/"
                                   << "http://cdn.example/x" << false;
    QTest::newRow("https to http same host") << "https://r.io/v2/"
                                             << "http://r.io/v2/" << false;
    QTest::newRow("file scheme") << "http://r.io/v2/"
                                 << "file:///etc/passwd" << false;
    QTest::newRow("ftp scheme") << "https://r.io/v2/"
                                << "ftp://r.io/x" << false;
}

void TestRedirectPolicy::redirectAllowed()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, allowed);
    QCOMPARE(RegistryClient::isRedirectAllowed(QUrl(from), QUrl(to)), allowed);
}

void TestRedirectPolicy::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("seconds") << QByteArray("1") << qint64(1000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("spaces") << QByteArray(" 120 ") << qint64(120000);
    QTest::newRow("date in 30 s") << QByteArray("Wed, 21 Oct 2015 07:28:30 GMT") << qint64(30000);
    QTest::newRow("date with +0000") << QByteArray("Wed, 21 Oct 2015 07:29:00 +0000") << qint64(60000);
    QTest::newRow("date in the past") << QByteArray("Wed, 21 Oct 2015 07:00:00 GMT") << qint64(0);
    QTest::newRow("empty") << QByteArray() << qint64(-1);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
}

void TestRedirectPolicy::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, ms);
    const QDateTime now(QDate(2015, 10, 21), QTime(7, 28, 0), Qt::UTC);
    QCOMPARE(RegistryClient::parseRetryAfter(value, now), ms);
}

void TestRedirectPolicy::rateLimitReset_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("ms");
    const QDateTime now(QDate(2024, 1, 1), QTime(0, 0, 0), Qt::UTC);
    QTest::newRow("delta") << QByteArray("30") << qint64(30000);
    QTest::newRow("delta with window") << QByteArray("7;w=21600") << qint64(7000);
    QTest::newRow("epoch") << QByteArray::number(now.toSecsSinceEpoch() + 90) << qint64(90000);
    QTest::newRow("epoch past") << QByteArray::number(now.toSecsSinceEpoch() - 90) << qint64(0);
    QTest::newRow("garbage") << QByteArray("x") << qint64(-1);
}

void TestRedirectPolicy::rateLimitReset()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, ms);
    const QDateTime now(QDate(2024, 1, 1), QTime(0, 0, 0), Qt::UTC);
    QCOMPARE(RegistryClient::parseRateLimitReset(value, now), ms);
}

void TestRedirectPolicy::rateLimitCount_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("count");
    QTest::newRow("docker hub") << QByteArray("100;w=21600") << qint64(100);
    QTest::newRow("zero") << QByteArray("0;w=21600") << qint64(0);
    QTest::newRow("plain") << QByteArray("42") << qint64(42);
    QTest::newRow("absent") << QByteArray() << qint64(-1);
}

void TestRedirectPolicy::rateLimitCount()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, count);
    QCOMPARE(RegistryClient::parseRateLimitCount(value), count);
}

void TestRedirectPolicy::registryErrorText_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("text");
    QTest::newRow("manifest unknown") << QByteArray(
        R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]})")
                                      << QStringLiteral("manifest unknown (MANIFEST_UNKNOWN)");
    QTest::newRow("two errors") << QByteArray(R"({"errors":[{"code":"A","message":"a"},{"code":"B"}]})")
                                << QStringLiteral("a (A); B");
    QTest::newRow("auth details") << QByteArray(R"({"details":"incorrect username or password"})")
                                  << QStringLiteral("incorrect username or password");
    QTest::newRow("html") << QByteArray("<html>404</html>") << QString();
    QTest::newRow("empty") << QByteArray() << QString();
}

void TestRedirectPolicy::registryErrorText()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, text);
    QCOMPARE(RegistryClient::registryErrorText(body), text);
}

void TestRedirectPolicy::nextLink_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("next");
    QTest::newRow("distribution") << QByteArray(R"(</v2/_catalog?last=b&n=10>; rel="next")")
                                  << QStringLiteral("/v2/_catalog?last=b&n=10");
    QTest::newRow("absolute") << QByteArray(R"(<https://r.io/v2/a/tags/list?last=t10&n=10>; rel="next")")
                              << QStringLiteral("https://r.io/v2/a/tags/list?last=t10&n=10");
    QTest::newRow("unquoted rel") << QByteArray("</v2/x?last=1>; rel=next") << QStringLiteral("/v2/x?last=1");
    QTest::newRow("prev then next") << QByteArray(R"(</p>; rel="prev", </n>; rel="next")") << QStringLiteral("/n");
    QTest::newRow("only prev") << QByteArray(R"(</p>; rel="prev")") << QString();
    QTest::newRow("several rels") << QByteArray(R"(</n>; rel="last next")") << QStringLiteral("/n");
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("broken") << QByteArray("</v2/x; rel=next") << QString();
}

void TestRedirectPolicy::nextLink()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, next);
    QCOMPARE(RegistryClient::nextLink(header), next);
}

QTEST_APPLESS_MAIN(TestRedirectPolicy)
#include "TestRedirectPolicy.moc"
