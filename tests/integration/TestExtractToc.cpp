// --extract / the export dialog / multi-file drag from layers with a table of contents (eStargz written by the
// estargz Go package, zstd:chunked by skopeo and by the estargz package), against the real registry through the
// fault proxy (which counts requests and bytes): the files needed are fetched by their chunks, one Range request
// per run of chunks, each chunk and file checked; the result is what the blob's own tar gives (gzip -dc / zstd
// -dc | tar -x). A chunk the registry changed, or a network failure beyond the retries, streams the layer.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "extract/ExtractJob.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"
#include "toc/TocRunsJob.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace ll;
using ll::extract::ExtractItem;
using ll::extract::ExtractJob;
using ll::test::Harness;

namespace {

QJsonObject fixture(const QString &name)
{
    return Harness::instance().fixture(name);
}

QJsonArray layersOf(const QJsonObject &fx)
{
    return fx.value(QLatin1String("layers")).toArray();
}

/** The image with its layers' annotations (they announce the TOCs), served by the proxy. */
oci::Image imageOf(const QJsonObject &fx)
{
    oci::Image image = ll::test::fixtureImage(fx, Harness::instance().proxy());
    const QJsonArray layers = layersOf(fx);
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonObject ann = layers.at(i).toObject().value(QLatin1String("annotations")).toObject();
        for (auto it = ann.begin(); it != ann.end(); ++it)
            image.manifest.layers[i].annotations.insert(it.key(), it.value().toString());
    }
    return image;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256Of(const QString &path)
{
    return QString::fromLatin1(QCryptographicHash::hash(readFile(path), QCryptographicHash::Sha256).toHex());
}

/** Regular files and symlinks under dir, relative, sorted (".part" leftovers would show). */
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

/** The blob's own extraction of paths: decompressed by gzip / zstd, unpacked by GNU tar. */
bool tarExtract(const QJsonObject &layer, const QStringList &paths, const QString &dir)
{
    const QString blob = layer.value(QLatin1String("path")).toString();
    const bool zstd = layer.value(QLatin1String("mediaType")).toString().contains(QLatin1String("zstd"));
    QDir().mkpath(dir);
    QProcess p;
    QStringList args { QStringLiteral("-c"),
        QStringLiteral("b=\"$0\"; d=\"$1\"; shift; %1 -dc \"$b\" | tar -x -C \"$d\" -f - -- \"$@\"")
            .arg(zstd ? QStringLiteral("zstd -q") : QStringLiteral("gzip")),
        blob, dir };
    args += paths;
    p.start(QStringLiteral("sh"), args);
    if (!p.waitForFinished(60000))
        return false;
    if (p.exitCode() != 0)
        qWarning("tar: %s", p.readAllStandardError().constData());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QByteArray linkOf(const QString &path)
{
    char buf[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buf, sizeof buf);
    return n < 0 ? QByteArray() : QByteArray(buf, int(n));
}

/** Checks that what dir holds is what ref holds: the same files and symlinks, bytes, targets, permission bits. */
void compareTrees(const QString &ref, const QString &dir)
{
    const QStringList expected = filesUnder(ref);
    QVERIFY(!expected.isEmpty());
    QCOMPARE(filesUnder(dir), expected);
    for (const QString &rel : expected) {
        const QFileInfo a(ref + QLatin1Char('/') + rel);
        const QFileInfo b(dir + QLatin1Char('/') + rel);
        QCOMPARE(b.isSymLink(), a.isSymLink());
        if (a.isSymLink()) {
            QCOMPARE(linkOf(b.filePath()), linkOf(a.filePath()));
            continue;
        }
        QVERIFY2(readFile(b.filePath()) == readFile(a.filePath()), qPrintable(rel));
        struct stat sa {
        };
        struct stat sb {
        };
        QCOMPARE(::stat(QFile::encodeName(a.filePath()).constData(), &sa), 0);
        QCOMPARE(::stat(QFile::encodeName(b.filePath()).constData(), &sb), 0);
        // tar (as root) keeps setuid bits; the extraction drops them unless asked, as the streamed path does
        QCOMPARE(sb.st_mode & 0777, sa.st_mode & 0777);
        QCOMPARE(sb.st_mode & 06000, 0u);
        QCOMPARE(sb.st_mtim.tv_sec, sa.st_mtim.tv_sec);
    }
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

bool isUnder(const QString &path, const QString &prefix)
{
    return path == prefix || path.startsWith(prefix + QLatin1Char('/'));
}

std::shared_ptr<const toc::LayerToc> fetchToc(const oci::Image &image, int layer)
{
    ll::test::ClientEnv env;
    toc::TocFetchJob job(env.client.get(), stream::LayerSource::fromImage(image, layer));
    ll::test::runJob(job);
    return job.state() == Job::State::Succeeded ? job.toc() : nullptr;
}

/** The TOC's non-empty regular files under paths, in TOC order: what a read by chunks fetches. */
QVector<int> tocFilesUnder(const toc::LayerToc &t, const QStringList &paths)
{
    QVector<int> files;
    for (const stream::TarEntry &e : t.entries) {
        if (e.type != stream::TarEntry::Type::File || e.size == 0)
            continue;
        if (std::any_of(paths.cbegin(), paths.cend(), [&e](const QString &p) { return isUnder(e.path, p); }))
            files.append(t.fileIndex.value(e.path));
    }
    return files;
}

} // namespace

class TestExtractToc : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void planMergesAcrossSmallGaps();
    void layerByChunksMatchesTar_data();
    void layerByChunksMatchesTar();
    void mergedViewByChunks_data();
    void mergedViewByChunks();
    void corruptChunkFallsBackToStreaming_data();
    void corruptChunkFallsBackToStreaming();
    void networkFailureFallsBackToStreaming_data();
    void networkFailureFallsBackToStreaming();
    void givenTocIsNotFetchedAgain_data();
    void givenTocIsNotFetchedAgain();

private:
    std::unique_ptr<ExtractJob> run(const oci::Image &image, const QStringList &paths, int layer);
    void addFormats();

    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_out;
};

void TestExtractToc::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    if (fixture(QStringLiteral("lab/estargz:1.0")).isEmpty())
        QSKIP(
            "no eStargz fixtures: the harness needs golang-1.19-go and golang-github-containerd-stargz-snapshotter-dev "
            "(see its log)");
}

void TestExtractToc::init()
{
    Harness::instance().proxyReset();
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_out = m_tmp->filePath(QStringLiteral("out"));
}

void TestExtractToc::addFormats()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("tocRequests");
    for (const char *n : { "lab/estargz:1.0", "lab/zstdchunked-stargz:1.0", "lab/zstdchunked:1.0" }) {
        if (!fixture(QLatin1String(n)).isEmpty()) // zstd:chunked by skopeo needs skopeo and zstd
            QTest::newRow(n) << QString::fromLatin1(n) << (QByteArray(n).contains("zstd") ? 1 : 2);
    }
}

std::unique_ptr<ExtractJob> TestExtractToc::run(const oci::Image &image, const QStringList &paths, int layer)
{
    ll::test::ClientEnv env;
    extract::ExtractOptions options;
    options.layer = layer;
    auto job = std::make_unique<ExtractJob>(env.client.get(), image, paths, m_out, options);
    ll::test::runJob(*job, 120000);
    return job;
}

void TestExtractToc::planMergesAcrossSmallGaps()
{
    // Chunks that touch or lie within the gap share a request; one beyond it, or one before the run's end (a
    // TOC out of blob order), starts a new one.
    toc::LayerToc t;
    auto file = [&t](QVector<QPair<qint64, qint64>> chunks) {
        toc::TocFile f;
        for (const auto &c : chunks) {
            toc::TocChunk k;
            k.offset = c.first;
            k.end = c.second;
            f.chunks.append(k);
        }
        t.files.push_back(f);
        return int(t.files.size()) - 1;
    };
    const int a = file({ { 100, 200 }, { 200, 300 } });
    const int b = file({ { 300 + 1000, 2000 } }); // 1000 bytes later
    const int c = file({ { 2000 + 70000, 80000 } }); // 70,000 bytes later
    const int d = file({ { 150, 160 } }); // before: out of order
    const QVector<toc::TocRun> runs = toc::TocRunsJob::planRuns(t, { a, b, c, d }, 64 * 1024);
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs.at(0).start, 100);
    QCOMPARE(runs.at(0).end, 2000);
    QCOMPARE(runs.at(0).endPiece, 3);
    QCOMPARE(runs.at(1).start, 72000);
    QCOMPARE(runs.at(1).end, 80000);
    QCOMPARE(runs.at(2).start, 150);
    QCOMPARE(runs.at(2).firstPiece, 4);
    QCOMPARE(toc::TocRunsJob::bytesOf(runs), 1900 + 8000 + 10);
    QCOMPARE(toc::TocRunsJob::planRuns(t, { a, b, c }, 0).size(), 3);
}

void TestExtractToc::layerByChunksMatchesTar_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("tocRequests");
    QTest::addColumn<QStringList>("paths");
    const QStringList several { QStringLiteral("etc/passwd"), QStringLiteral("usr/share/doc/big.txt"),
        QStringLiteral("var/lib/blob.bin"), QStringLiteral("bin/sh"), QStringLiteral("usr/bin/sh-link"),
        QStringLiteral("bin/rbash"), QStringLiteral("usr/bin/setuid-tool"), QStringLiteral("etc/empty") };
    const QStringList subtrees { QStringLiteral("usr"), QStringLiteral("bin"), QStringLiteral("opt") };
    for (const char *n : { "lab/estargz:1.0", "lab/zstdchunked-stargz:1.0", "lab/zstdchunked:1.0" }) {
        if (fixture(QLatin1String(n)).isEmpty())
            continue;
        const int requests = QByteArray(n).contains("zstd") ? 1 : 2;
        QTest::addRow("%s several files", n) << QString::fromLatin1(n) << requests << several;
        QTest::addRow("%s subtrees", n) << QString::fromLatin1(n) << requests << subtrees;
    }
}

void TestExtractToc::layerByChunksMatchesTar()
{
    QFETCH(QString, name);
    QFETCH(int, tocRequests);
    QFETCH(QStringList, paths);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    const QJsonObject layer = layersOf(fx).at(0).toObject();
    const auto t = fetchToc(image, 0);
    QVERIFY(t);
    const QVector<toc::TocRun> runs
        = toc::TocRunsJob::planRuns(*t, tocFilesUnder(*t, paths), toc::TocRunsJob::DefaultMaxGap);
    QVERIFY(!runs.isEmpty());
    Harness::instance().proxyReset();

    const auto job = run(image, paths, 0);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(job->tocFallback().isEmpty(), qPrintable(job->tocFallback()));
    QCOMPARE(job->tocLayers(), QVector<int>({ 0 }));
    QCOMPARE(job->unverifiedLayers(), QVector<int>());
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    QVERIFY(job->chunksVerified() >= tocFilesUnder(*t, paths).size());
    // The TOC (footer + TOC, or the manifest frame), then one request per run; far less than the layer.
    QCOMPARE(job->requestCount(), tocRequests + int(runs.size()));
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), tocRequests + int(runs.size()), 10000);
    QVERIFY(runs.size() < tocFilesUnder(*t, paths).size()); // neighbours shared requests
    const qint64 layerSize = image.manifest.layers.at(0).size;
    QVERIFY2(proxyBlobBytes() < layerSize, qPrintable(QStringLiteral("%1 of %2").arg(proxyBlobBytes()).arg(layerSize)));

    const QString ref = m_tmp->filePath(QStringLiteral("ref"));
    QVERIFY(tarExtract(layer, paths, ref));
    compareTrees(ref, m_out);
    qInfo("%s: %d file(s) in %d run(s), %lld of %lld bytes, %d chunks verified",
        qPrintable(paths.join(QLatin1Char(' '))), int(tocFilesUnder(*t, paths).size()), int(runs.size()),
        proxyBlobBytes(), layerSize, job->chunksVerified());
}

void TestExtractToc::mergedViewByChunks_data()
{
    addFormats();
}

void TestExtractToc::mergedViewByChunks()
{
    // Both layers by their chunks: the upper copy of etc/passwd wins, etc/motd stays deleted, var/lib is opaque
    // (blob.bin not resurrected), directories merge; the files are the fixture's merged view.
    QFETCH(QString, name);
    QFETCH(int, tocRequests);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    const QStringList paths { QStringLiteral("etc"), QStringLiteral("var"), QStringLiteral("opt"),
        QStringLiteral("usr/share/doc/big.txt") };
    const auto job = run(image, paths, -1);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(job->tocFallback().isEmpty(), qPrintable(job->tocFallback()));
    QCOMPARE(job->tocLayers(), QVector<int>({ 1, 0 }));
    QCOMPARE(job->unverifiedLayers(), QVector<int>());
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    QVERIFY(job->requestCount() > 2 * tocRequests);

    QStringList expected;
    for (const QJsonValue &v : fx.value(QLatin1String("merged")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString path = m.value(QLatin1String("path")).toString();
        if (m.value(QLatin1String("type")).toString() != QLatin1String("file")
            || !std::any_of(paths.cbegin(), paths.cend(), [&path](const QString &p) { return isUnder(path, p); }))
            continue;
        expected << path;
        QCOMPARE(sha256Of(m_out + QLatin1Char('/') + path), m.value(QLatin1String("sha256")).toString());
    }
    expected.sort();
    QCOMPARE(filesUnder(m_out), expected);
    QVERIFY(expected.contains(QLatin1String("var/lib/fresh.txt")));
    QVERIFY(!QFile::exists(m_out + QLatin1String("/etc/motd")));
    QVERIFY(!QFile::exists(m_out + QLatin1String("/var/lib/blob.bin")));
    QVERIFY(readFile(m_out + QLatin1String("/etc/passwd")).contains("/bin/bash"));
}

void TestExtractToc::corruptChunkFallsBackToStreaming_data()
{
    addFormats();
}

void TestExtractToc::corruptChunkFallsBackToStreaming()
{
    // The registry's bytes in big.txt's second chunk differ from what the TOC was made from (the proxy flips one
    // in the chunk read's answer): the chunk is refused, nothing of the read is kept, the layer is streamed and
    // the files are right. When every answer carries the flip, the stream fails its digest too: a clear failure
    // and no file under any name.
    QFETCH(QString, name);
    QFETCH(int, tocRequests);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    const auto t = fetchToc(image, 0);
    QVERIFY(t);
    const toc::TocFile *big = t->file(QStringLiteral("usr/share/doc/big.txt"));
    QVERIFY(big && big->chunks.size() > 1);
    const qint64 flip = big->chunks.at(1).offset + (big->chunks.at(1).end - big->chunks.at(1).offset) / 2;
    const QString digest = image.manifest.layers.at(0).digest;
    const QStringList paths { QStringLiteral("etc/passwd"), QStringLiteral("usr/share/doc/big.txt") };
    const QJsonObject layer = layersOf(fx).at(0).toObject();
    const QString ref = m_tmp->filePath(QStringLiteral("ref"));
    QVERIFY(tarExtract(layer, paths, ref));

    auto corrupt = [&](int count) {
        Harness::instance().proxyReset();
        Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
            QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
                { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), count },
                { QStringLiteral("path"), digest.mid(7) } } } } });
    };
    corrupt(tocRequests + 1); // the TOC's requests and the chunk read
    const auto job = run(image, paths, 0);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(
        job->tocFallback().contains(QLatin1String("usr/share/doc/big.txt: chunk 1")), qPrintable(job->tocFallback()));
    QCOMPARE(job->tocLayers(), QVector<int>());
    QCOMPARE(job->layersRead(), QVector<int>({ 0 }));
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    compareTrees(ref, m_out);

    QDir(m_out).removeRecursively();
    corrupt(0);
    const auto bad = run(image, paths, 0);
    QCOMPARE(bad->state(), Job::State::Failed);
    QVERIFY2(bad->error().code == Error::Code::DigestMismatch || bad->error().code == Error::Code::Corrupt,
        qPrintable(bad->error().toString()));
    QVERIFY(!bad->tocFallback().isEmpty());
    QCOMPARE(filesUnder(m_out), QStringList());
}

void TestExtractToc::networkFailureFallsBackToStreaming_data()
{
    addFormats();
}

void TestExtractToc::networkFailureFallsBackToStreaming()
{
    // Every attempt at the chunk read is cut after 20,000 bytes (inside blob.bin's first, incompressible chunk,
    // so no attempt gets further): the read resumes, gives up and the layer is streamed instead.
    QFETCH(QString, name);
    QFETCH(int, tocRequests);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    const QStringList paths { QStringLiteral("var/lib/blob.bin") };
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 20000 },
                { QStringLiteral("path"), image.manifest.layers.at(0).digest.mid(7) },
                { QStringLiteral("count"), tocRequests + 1 + toc::TocRunsJob::MaxResumes } } } } });
    const auto job = run(image, paths, 0);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(!job->tocFallback().isEmpty(), "no fallback");
    QCOMPARE(job->tocLayers(), QVector<int>());
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    const QString ref = m_tmp->filePath(QStringLiteral("ref"));
    QVERIFY(tarExtract(layersOf(fx).at(0).toObject(), paths, ref));
    compareTrees(ref, m_out);
}

void TestExtractToc::givenTocIsNotFetchedAgain_data()
{
    addFormats();
}

void TestExtractToc::givenTocIsNotFetchedAgain()
{
    // The GUI's listing already fetched and checked the TOC (ImageController::layerToc): the export reads the
    // files' chunks only, one request for two neighbouring small files.
    QFETCH(QString, name);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    const auto t = fetchToc(image, 0);
    QVERIFY(t && t->verified);
    Harness::instance().proxyReset();
    const QStringList paths { QStringLiteral("etc/passwd"), QStringLiteral("etc/motd") };
    ll::test::ClientEnv env;
    extract::ExtractOptions options;
    options.layer = 0;
    ExtractJob job(env.client.get(), image, paths, m_out, options);
    job.setLayerToc(0, t);
    ll::test::runJob(job, 120000);
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.tocLayers(), QVector<int>({ 0 }));
    QCOMPARE(job.requestCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), 1, 10000);
    const QString ref = m_tmp->filePath(QStringLiteral("ref"));
    QVERIFY(tarExtract(layersOf(fx).at(0).toObject(), paths, ref));
    compareTrees(ref, m_out);
}

QTEST_GUILESS_MAIN(TestExtractToc)
#include "TestExtractToc.moc"
