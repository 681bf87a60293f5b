// --extract / the export dialog / multi-file drag from an indexed gzip layer's checkpoints, against the real
// registry through the fault proxy (which counts requests and bytes): the members needed are grouped by the spans
// they lie in, touching spans merge into one Range request, each span is checked before use; a span that changed
// on the registry or a network failure falls back to streaming with the right files.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "common/Sha256.h"
#include "extract/ExtractJob.h"
#include "index/IndexStore.h"
#include "stream/LayerScanJob.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace ll;
using ll::extract::ExtractItem;
using ll::extract::ExtractJob;
using ll::test::Harness;

namespace {

oci::Image imageOf(const QJsonObject &fx)
{
    return ll::test::fixtureImage(fx, Harness::instance().proxy());
}

qint64 endOf(const QJsonObject &e)
{
    const qint64 header = e.value(QLatin1String("header_offset")).toInteger();
    const qint64 data = e.value(QLatin1String("offset")).toInteger() + e.value(QLatin1String("size")).toInteger();
    return qMax(data, header + 512);
}

/** The pieces [first, last] each entry needs (from the piece holding its checkpoint to the one whose end brings
    the output past the entry), merged where they overlap or touch: what the reads should be. */
QVector<QPair<int, int>> expectedRuns(const random::GzipCheckpoints &c, const QVector<QJsonObject> &entries)
{
    QVector<QPair<int, int>> pieces;
    for (const QJsonObject &e : entries) {
        const int point = c.indexAt(e.value(QLatin1String("header_offset")).toInteger());
        const int first = c.pieceAt(c.points.at(point).spanStart());
        pieces.append({ first, c.pieceReaching(endOf(e), first) });
    }
    std::sort(pieces.begin(), pieces.end());
    QVector<QPair<int, int>> runs;
    for (const auto &s : pieces) {
        if (!runs.isEmpty() && s.first <= runs.last().second + 1)
            runs.last().second = qMax(runs.last().second, s.second);
        else
            runs.append(s);
    }
    return runs;
}

qint64 bytesOf(const random::GzipCheckpoints &c, const QVector<QPair<int, int>> &runs)
{
    qint64 total = 0;
    for (const auto &r : runs)
        total += c.pieceEnd(r.second) - c.pieceStart(r.first);
    return total;
}

/** Body bytes the proxy sent for blobs. */
qint64 proxyBlobBytes()
{
    qint64 n = 0;
    const QJsonObject paths = Harness::instance().proxyStats().value(QLatin1String("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        if (it.key().contains(QLatin1String("/blobs/sha256:")))
            n += it.value().toObject().value(QLatin1String("bytes")).toInteger();
    }
    return n;
}

/** Relative paths of the regular files under dir, sorted. */
QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    const QDir base(dir);
    while (it.hasNext())
        out << base.relativeFilePath(it.next());
    out.sort();
    return out;
}

QString sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("<missing>");
    return Sha256::digestOf(f.readAll()).mid(7);
}

} // namespace

class TestExtractSpans : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void filesInTheSameSpanFetchedOnce();
    void subtreeSpreadOverTheLayer();
    void changedSpanFallsBackWithTheRightFiles();
    void networkFailureFallsBackToStreaming();

private:
    /** Indexes lab/big's layer in a fresh store (its checkpoints are then known). */
    bool indexBig();
    std::unique_ptr<ExtractJob> run(const QStringList &paths);
    /** Checks that every given fixture file is under m_out with its content, and nothing else. */
    void checkFiles(const QVector<QJsonObject> &files);

    QJsonObject m_big;
    oci::Image m_image;
    QVector<QJsonObject> m_entries;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<index::IndexStore> m_store;
    random::GzipCheckpoints m_points;
    QString m_out;
};

void TestExtractSpans::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    m_big = h.fixture(QStringLiteral("lab/big:1.0"));
    QVERIFY(!m_big.isEmpty());
    m_image = imageOf(m_big);
    for (const QJsonValue &v :
        m_big.value(QLatin1String("layers")).toArray().at(0).toObject().value(QLatin1String("entries")).toArray())
        m_entries << v.toObject();
}

void TestExtractSpans::init()
{
    Harness::instance().proxyReset();
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_out = m_tmp->filePath(QStringLiteral("out"));
    m_store = std::make_unique<index::IndexStore>(m_tmp->filePath(QStringLiteral("index")));
}

bool TestExtractSpans::indexBig()
{
    ll::test::ClientEnv env;
    stream::LayerScanJob scan(env.client.get(), stream::LayerSource::fromImage(m_image, 0));
    scan.setIndexStore(*m_store);
    ll::test::runJob(scan, 120000);
    const auto kept = m_store->load(m_image.manifest.layers.at(0).digest);
    if (scan.state() != Job::State::Succeeded || !kept || kept->checkpoints.points.size() < 4)
        return false;
    m_points = kept->checkpoints;
    Harness::instance().proxyReset();
    return true;
}

std::unique_ptr<ExtractJob> TestExtractSpans::run(const QStringList &paths)
{
    ll::test::ClientEnv env;
    auto job = std::make_unique<ExtractJob>(env.client.get(), m_image, paths, m_out);
    job->setIndexStore(*m_store);
    ll::test::runJob(*job, 120000);
    return job;
}

void TestExtractSpans::checkFiles(const QVector<QJsonObject> &files)
{
    QStringList expected;
    for (const QJsonObject &f : files) {
        const QString path = f.value(QLatin1String("path")).toString();
        expected << path;
        QCOMPARE(sha256Of(m_out + QLatin1Char('/') + path), f.value(QLatin1String("sha256")).toString());
    }
    expected.sort();
    QCOMPARE(filesUnder(m_out), expected);
}

void TestExtractSpans::filesInTheSameSpanFetchedOnce()
{
    // Two files inside span 1, one inside span 3 and the layer's last file: three reads (spans 1, 3 and the
    // last), the two files of span 1 in one of them; every span checked; nothing else downloaded.
    QVERIFY(indexBig());
    const random::GzipCheckpoints &c = m_points;
    auto inSpan = [&c](const QJsonObject &e, int span) {
        return e.value(QLatin1String("type")).toString() == QLatin1String("file")
            && c.indexAt(e.value(QLatin1String("header_offset")).toInteger()) == span
            && c.indexAt(endOf(e) - 1) == span;
    };
    QVector<QJsonObject> picked;
    for (const QJsonObject &e : std::as_const(m_entries)) {
        if (inSpan(e, 1)
            && std::count_if(picked.cbegin(), picked.cend(), [&](const QJsonObject &p) { return inSpan(p, 1); }) < 2)
            picked << e;
    }
    for (const QJsonObject &e : std::as_const(m_entries)) {
        if (inSpan(e, 3)) {
            picked << e;
            break;
        }
    }
    picked << m_entries.last(); // data/needle-end.bin
    QCOMPARE(picked.size(), 4);
    QStringList paths;
    for (const QJsonObject &e : std::as_const(picked))
        paths << e.value(QLatin1String("path")).toString();
    const QVector<QPair<int, int>> runs = expectedRuns(c, picked);
    QVERIFY2(runs.size() >= 3, qPrintable(QString::number(runs.size())));
    const qint64 bytes = bytesOf(c, runs);
    QCOMPARE(ExtractJob::expectedDownload(m_image, paths, -1, *m_store), bytes);

    const auto job = run(paths);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    checkFiles(picked);
    QCOMPARE(job->randomAccessLayers(), QVector<int>({ 0 }));
    QCOMPARE(job->unverifiedLayers(), QVector<int>());
    QVERIFY(job->indexFallback().isEmpty());
    QCOMPARE(job->requestCount(), int(runs.size()));
    int pieces = 0;
    for (const auto &r : runs)
        pieces += r.second - r.first + 1;
    QCOMPARE(job->piecesVerified(), pieces);
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), int(runs.size()), 10000);
    QVERIFY2(proxyBlobBytes() <= bytes, qPrintable(QStringLiteral("%1 > %2").arg(proxyBlobBytes()).arg(bytes)));
    QVERIFY(job->bytesDownloaded() <= bytes);
    qInfo("%d files in %d requests, %lld bytes of a %lld-byte layer", int(picked.size()), int(runs.size()),
        job->bytesDownloaded(), m_image.manifest.layers.at(0).size);
}

void TestExtractSpans::subtreeSpreadOverTheLayer()
{
    // data/txt has files all over the layer: the reads are the runs of spans they need, and the result is
    // the fixture's subtree, every file with its content.
    QVERIFY(indexBig());
    QVector<QJsonObject> under;
    QVector<QJsonObject> files;
    for (const QJsonObject &e : std::as_const(m_entries)) {
        const QString path = e.value(QLatin1String("path")).toString();
        if (path == QLatin1String("data/txt") || path.startsWith(QLatin1String("data/txt/"))) {
            under << e;
            if (e.value(QLatin1String("type")).toString() == QLatin1String("file"))
                files << e;
        }
    }
    QVERIFY(files.size() > 10);
    const QVector<QPair<int, int>> runs = expectedRuns(m_points, under);
    const auto job = run({ QStringLiteral("data/txt") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    checkFiles(files);
    QCOMPARE(job->randomAccessLayers(), QVector<int>({ 0 }));
    QCOMPARE(job->requestCount(), int(runs.size()));
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), int(runs.size()), 10000);
    QVERIFY(proxyBlobBytes() <= bytesOf(m_points, runs));
    qInfo("data/txt: %d files, %d runs, %lld bytes", int(files.size()), int(runs.size()), job->bytesDownloaded());
}

void TestExtractSpans::changedSpanFallsBackWithTheRightFiles()
{
    // The registry's bytes in the first read's span differ from what the index was made from (the proxy flips
    // one in that answer): the span is refused before use, the index is discarded, the layer streamed, and the
    // files are the right ones; none from the failed read kept.
    QVERIFY(indexBig());
    const QVector<QJsonObject> picked { m_entries.at(m_entries.size() / 3), m_entries.last() };
    for (const QJsonObject &e : picked)
        QCOMPARE(e.value(QLatin1String("type")).toString(), QStringLiteral("file"));
    const int first = m_points.indexAt(picked.at(0).value(QLatin1String("header_offset")).toInteger());
    QVERIFY(first < m_points.indexAt(picked.at(1).value(QLatin1String("header_offset")).toInteger()) - 1);
    const qint64 flip = m_points.points.at(first).spanStart() + 1000;
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 1 } } } } });
    const auto job = run(
        { picked.at(0).value(QLatin1String("path")).toString(), picked.at(1).value(QLatin1String("path")).toString() });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(
        job->indexFallback().contains(QLatin1String("do not match the layer index")), qPrintable(job->indexFallback()));
    QVERIFY(!QFile::exists(m_store->pathFor(m_image.manifest.layers.at(0).digest)));
    QCOMPARE(job->randomAccessLayers(), QVector<int>());
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    checkFiles(picked);
}

void TestExtractSpans::networkFailureFallsBackToStreaming()
{
    // Every attempt of the read from checkpoints is reset (more than its retries): the layer is streamed
    // instead of the extraction failing; the index is right, so it stays.
    QVERIFY(indexBig());
    const QVector<QJsonObject> picked { m_entries.last() };
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") },
            { QStringLiteral("path"), m_image.manifest.layers.at(0).digest },
            { QStringLiteral("count"), stream::FetchPolicy().maxResumes + 1 } } } } });
    const auto job = run({ picked.at(0).value(QLatin1String("path")).toString() });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(!job->indexFallback().isEmpty(), "no fallback");
    QVERIFY(QFile::exists(m_store->pathFor(m_image.manifest.layers.at(0).digest)));
    QCOMPARE(job->randomAccessLayers(), QVector<int>());
    checkFiles(picked);
}

QTEST_GUILESS_MAIN(TestExtractSpans)
#include "TestExtractSpans.moc"
