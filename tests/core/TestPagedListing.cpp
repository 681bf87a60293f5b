// PagedListing: a paged registry listing's bookkeeping between pages (no network): names listed twice are
// dropped, a next link back to a page already read (a Link loop) or a page made of names already listed stop
// the listing with a reason, the first page named by path equals the same page named by absolute URL.
#include "browse/PagedListing.h"

#include <QTest>

using ll::browse::PagedListing;

class TestPagedListing : public QObject
{
    Q_OBJECT

private slots:
    void followsPagesToTheEnd();
    void dropsNamesListedTwice();
    void linkLoopStops();
    void linkBackToFirstPageByUrlStops();
    void repeatedPageStops();
    void tooManyPagesStop();
};

void TestPagedListing::followsPagesToTheEnd()
{
    PagedListing l(QStringLiteral("/v2/x/tags/list?n=2"));
    QCOMPARE(l.next(), QStringLiteral("/v2/x/tags/list?n=2"));
    QVERIFY(!l.atEnd());
    QCOMPARE(
        l.accept({ QStringLiteral("a"), QStringLiteral("b") }, QStringLiteral("http://h/v2/x/tags/list?last=b&n=2")),
        QStringList({ QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(l.next(), QStringLiteral("http://h/v2/x/tags/list?last=b&n=2"));
    QCOMPARE(l.accept({ QStringLiteral("c") }, QString()), QStringList { QStringLiteral("c") });
    QVERIFY(l.atEnd());
    QVERIFY(!l.error());
    QCOMPARE(l.pages(), 2);
    QCOMPARE(l.itemCount(), 3);
}

void TestPagedListing::dropsNamesListedTwice()
{
    PagedListing l(QStringLiteral("/v2/_catalog?n=2"));
    l.accept({ QStringLiteral("a"), QStringLiteral("b") }, QStringLiteral("http://h/v2/_catalog?last=b&n=2"));
    // An overlapping page: only what is new, and the listing goes on.
    QCOMPARE(l.accept({ QStringLiteral("b"), QStringLiteral("c") }, QStringLiteral("http://h/v2/_catalog?last=c&n=2")),
        QStringList { QStringLiteral("c") });
    QVERIFY(!l.atEnd());
    QVERIFY(!l.error());
}

void TestPagedListing::linkLoopStops()
{
    PagedListing l(QStringLiteral("/v2/x/tags/list?n=2"));
    l.accept({ QStringLiteral("a"), QStringLiteral("b") }, QStringLiteral("http://h/v2/x/tags/list?last=b&n=2"));
    // Page 2 is new, but its next link is page 2 again: its names are kept, the listing ends with a reason.
    const QStringList fresh
        = l.accept({ QStringLiteral("c"), QStringLiteral("d") }, QStringLiteral("http://h/v2/x/tags/list?last=b&n=2"));
    QCOMPARE(fresh, QStringList({ QStringLiteral("c"), QStringLiteral("d") }));
    QVERIFY(l.atEnd());
    QCOMPARE(l.error().code, ll::Error::Code::Protocol);
    QVERIFY(l.error().message.contains(QLatin1String("points back")));
}

void TestPagedListing::linkBackToFirstPageByUrlStops()
{
    PagedListing l(QStringLiteral("/v2/x/tags/list?n=2"));
    l.accept({ QStringLiteral("a") }, QStringLiteral("http://127.0.0.1:5000/v2/x/tags/list?n=2"));
    QVERIFY(l.atEnd());
    QVERIFY(l.error().message.contains(QLatin1String("points back")));
}

void TestPagedListing::repeatedPageStops()
{
    PagedListing l(QStringLiteral("/v2/x/tags/list?n=2"));
    l.accept({ QStringLiteral("a"), QStringLiteral("b") }, QStringLiteral("http://h/v2/x/tags/list?n=2&again=1"));
    QVERIFY(
        l.accept({ QStringLiteral("a"), QStringLiteral("b") }, QStringLiteral("http://h/v2/x/tags/list?n=2&again=2"))
            .isEmpty());
    QVERIFY(l.atEnd());
    QVERIFY(l.error().message.contains(QLatin1String("repeats")));
}

void TestPagedListing::tooManyPagesStop()
{
    PagedListing l(QStringLiteral("/p?n=1"), 3);
    for (int i = 0; i < 3; ++i)
        l.accept({ QString::number(i) }, QStringLiteral("http://h/p?n=1&last=%1").arg(i));
    QVERIFY(l.atEnd());
    QVERIFY(l.error().message.contains(QLatin1String("more than 3 pages")));
    QCOMPARE(l.itemCount(), 3);
}

QTEST_APPLESS_MAIN(TestPagedListing)
#include "TestPagedListing.moc"
