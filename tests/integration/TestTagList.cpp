// TagListJob: tags and catalog pages through Link headers (the proxy paginates tags/list as distribution 3
// and Docker Hub do; docker-registry 2.8 paginates _catalog itself).
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "registry/TagListJob.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::registry::TagListJob;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

QStringList fixtureTags()
{
    QStringList tags;
    for (const QJsonValue &v :
        Harness::instance().fixture(QStringLiteral("lab/tags:t01")).value(QLatin1String("tags")).toArray())
        tags << v.toString();
    return tags;
}

/** Repositories the fixtures pushed to a registry ("anon", "token", "basic"). */
QStringList fixtureRepositories(const QString &which)
{
    QSet<QString> repos;
    const QJsonObject all = Harness::instance().fixtures();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonObject f = it.value().toObject();
        if (f.value(QLatin1String("registry")).toString() == which)
            repos.insert(f.value(QLatin1String("repository")).toString());
    }
    QStringList out(repos.begin(), repos.end());
    out.sort();
    return out;
}

} // namespace

class TestTagList : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tagsPaginated_data();
    void tagsPaginated();
    void tagsPaginatedWithoutN();
    void catalogPaginated_data();
    void catalogPaginated();
    void unknownRepository();
    void cancel();
};

void TestTagList::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    QCOMPARE(fixtureTags().size(), 25);
}

void TestTagList::tagsPaginated_data()
{
    QTest::addColumn<bool>("viaProxy");
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("pages");
    QTest::newRow("n=10 via proxy: 3 pages") << true << 10 << 3;
    QTest::newRow("n=5 via proxy: 5 pages") << true << 5 << 5;
    QTest::newRow("n=100 via proxy: 1 page") << true << 100 << 1;
    QTest::newRow("n=25 via proxy: 1 page") << true << 25 << 1;
    QTest::newRow("registry ignores n: 1 page") << false << 10 << 1;
}

void TestTagList::tagsPaginated()
{
    QFETCH(bool, viaProxy);
    QFETCH(int, pageSize);
    QFETCH(int, pages);
    auto &h = Harness::instance();
    h.proxyReset();
    ClientEnv env;
    TagListJob job(env.client.get(), TagListJob::Mode::Tags, viaProxy ? h.proxy() : h.anonRegistry(),
        QStringLiteral("lab/tags"), pageSize);
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QStringList expected = fixtureTags();
    QStringList got = job.items();
    got.sort();
    expected.sort();
    QCOMPARE(got, expected);
    QCOMPARE(job.pageCount(), pages);
    QCOMPARE(env.client->requestCount(), qint64(pages));
}

void TestTagList::tagsPaginatedWithoutN()
{
    // Docker Hub paginates even when n is not sent; a page size of 0 sends none.
    auto &h = Harness::instance();
    h.proxyReset();
    h.proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("paginate_tags") },
            { QStringLiteral("page_size"), 10 },
            { QStringLiteral("path"), QStringLiteral("^/v2/lab/tags/tags/list$") } } } } });
    ClientEnv env;
    TagListJob job(env.client.get(), TagListJob::Mode::Tags, h.proxy(), QStringLiteral("lab/tags"), 0);
    QVERIFY(ll::test::runJob(job));
    h.proxyReset();
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.pageCount(), 3);
    QCOMPARE(job.items().size(), 25);
}

void TestTagList::catalogPaginated_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::newRow("n=3") << 3;
    QTest::newRow("n=7") << 7;
    QTest::newRow("n=1000") << 1000;
}

void TestTagList::catalogPaginated()
{
    QFETCH(int, pageSize);
    auto &h = Harness::instance();
    ClientEnv env;
    TagListJob job(env.client.get(), TagListJob::Mode::Catalog, h.anonRegistry(), {}, pageSize);
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    const QStringList repos = fixtureRepositories(QStringLiteral("anon"));
    QVERIFY(repos.size() > 7);
    // Others may push more repositories while we run: every fixture repository is there, none twice.
    for (const QString &r : repos)
        QVERIFY2(job.items().contains(r), qPrintable(r));
    QCOMPARE(QSet<QString>(job.items().begin(), job.items().end()).size(), job.items().size());
    const int minPages = (int(job.items().size()) + pageSize - 1) / pageSize;
    QVERIFY2(job.pageCount() >= minPages && job.pageCount() <= minPages + 1,
        qPrintable(QStringLiteral("%1 pages for %2 items").arg(job.pageCount()).arg(job.items().size())));
}

void TestTagList::unknownRepository()
{
    auto &h = Harness::instance();
    ClientEnv env;
    TagListJob job(env.client.get(), TagListJob::Mode::Tags, h.anonRegistry(), QStringLiteral("lab/none"));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.error().code, Error::Code::NotFound);
    QCOMPARE(job.error().message, QStringLiteral("repository lab/none not found on %1").arg(h.anonRegistry()));
    QVERIFY2(job.error().detail.contains(QLatin1String("NAME_UNKNOWN")), qPrintable(job.error().detail));
}

void TestTagList::cancel()
{
    auto &h = Harness::instance();
    ClientEnv env;
    TagListJob job(env.client.get(), TagListJob::Mode::Tags, h.proxy(), QStringLiteral("lab/tags"), 5);
    int pagesAtCancel = -1;
    connect(&job, &Job::progress, &job, [&job, &pagesAtCancel] {
        if (pagesAtCancel < 0) {
            pagesAtCancel = job.pageCount();
            job.cancel();
        }
    });
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.state(), Job::State::Cancelled);
    QCOMPARE(pagesAtCancel, 1);
    QTest::qWait(100);
    QCOMPARE(job.pageCount(), 1);
}

QTEST_GUILESS_MAIN(TestTagList)
#include "TestTagList.moc"
