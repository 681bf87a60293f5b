// TokenCache: per registry + scope, used until shortly before expiry, with an injected clock.
#include "registry/TokenCache.h"

#include <QTest>

using ll::registry::TokenCache;

class TestTokenCache : public QObject
{
    Q_OBJECT

private slots:
    void lookupPerRegistryAndScope();
    void expiry_data();
    void expiry();
    void removeAndClear();
    void refreshMargin_data();
    void refreshMargin();
};

void TestTokenCache::lookupPerRegistryAndScope()
{
    TokenCache cache;
    qint64 now = 1000;
    cache.setClock([&now] { return now; });
    cache.insert(QStringLiteral("r:5000"), QStringLiteral("repository:a:pull"), "tok-a", 300);
    cache.insert(QStringLiteral("r:5000"), QStringLiteral("repository:b:pull"), "tok-b", 300);
    QCOMPARE(cache.lookup(QStringLiteral("r:5000"), QStringLiteral("repository:a:pull")), QByteArray("tok-a"));
    QCOMPARE(cache.lookup(QStringLiteral("r:5000"), QStringLiteral("repository:b:pull")), QByteArray("tok-b"));
    QVERIFY(cache.lookup(QStringLiteral("r:5001"), QStringLiteral("repository:a:pull")).isEmpty());
    QVERIFY(cache.lookup(QStringLiteral("r:5000"), QStringLiteral("repository:c:pull")).isEmpty());
    cache.insert(QStringLiteral("r:5000"), QStringLiteral("repository:a:pull"), "tok-a2", 300);
    QCOMPARE(cache.lookup(QStringLiteral("r:5000"), QStringLiteral("repository:a:pull")), QByteArray("tok-a2"));
    cache.insert(QStringLiteral("r:5000"), QStringLiteral("repository:z:pull"), QByteArray(), 300);
    QCOMPARE(cache.size(), 2);
}

void TestTokenCache::expiry_data()
{
    QTest::addColumn<int>("expiresIn");
    QTest::addColumn<qint64>("stillValidAt"); // ms after insert
    QTest::addColumn<qint64>("goneAt");
    QTest::newRow("five minutes: 10 s early") << 300 << qint64(289999) << qint64(290000);
    QTest::newRow("default 60 s when 0") << 0 << qint64(49999) << qint64(50000);
    QTest::newRow("default 60 s when negative") << -3 << qint64(49999) << qint64(50000);
    QTest::newRow("short-lived 2 s: a quarter early") << 2 << qint64(1499) << qint64(1500);
}

void TestTokenCache::expiry()
{
    QFETCH(int, expiresIn);
    QFETCH(qint64, stillValidAt);
    QFETCH(qint64, goneAt);
    TokenCache cache;
    qint64 now = 5000;
    cache.setClock([&now] { return now; });
    cache.insert(QStringLiteral("r"), QStringLiteral("s"), "t", expiresIn);
    now = 5000 + stillValidAt;
    QCOMPARE(cache.lookup(QStringLiteral("r"), QStringLiteral("s")), QByteArray("t"));
    now = 5000 + goneAt;
    QVERIFY(cache.lookup(QStringLiteral("r"), QStringLiteral("s")).isEmpty());
}

void TestTokenCache::removeAndClear()
{
    TokenCache cache;
    cache.insert(QStringLiteral("r"), QStringLiteral("a"), "1", 300);
    cache.insert(QStringLiteral("r"), QStringLiteral("b"), "2", 300);
    cache.remove(QStringLiteral("r"), QStringLiteral("a"));
    QVERIFY(cache.lookup(QStringLiteral("r"), QStringLiteral("a")).isEmpty());
    QCOMPARE(cache.lookup(QStringLiteral("r"), QStringLiteral("b")), QByteArray("2"));
    cache.clear();
    QCOMPARE(cache.size(), 0);
}

void TestTokenCache::refreshMargin_data()
{
    QTest::addColumn<qint64>("lifetime");
    QTest::addColumn<qint64>("margin");
    QTest::newRow("hour") << qint64(3600000) << qint64(10000);
    QTest::newRow("40 s") << qint64(40000) << qint64(10000);
    QTest::newRow("20 s") << qint64(20000) << qint64(5000);
    QTest::newRow("1 s") << qint64(1000) << qint64(250);
}

void TestTokenCache::refreshMargin()
{
    QFETCH(qint64, lifetime);
    QFETCH(qint64, margin);
    QCOMPARE(TokenCache::refreshMargin(lifetime), margin);
}

QTEST_APPLESS_MAIN(TestTokenCache)
#include "TestTokenCache.moc"
