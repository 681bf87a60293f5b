// Layer indexes against the real registry (through the harness's proxy, which counts requests): a complete,
// verified listing keeps an index; the next listing of that layer needs no blob request and gives the same
// entries; a carve from indexed layers searches without downloading and fetches the file with one request
// within the carve budget; failed or partial passes keep nothing; the CLI uses the store unless --no-cache.
#include "CliRunner.h"
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "common/Sha256.h"
#include "extract/CarveJob.h"
#include "index/IndexStore.h"
#include "stream/LayerScanJob.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace ll;
using ll::test::CliRunner;
using ll::test::Harness;

namespace {

oci::Image imageOf(const QJsonObject &fx)
{
    return ll::test::fixtureImage(fx, Harness::instance().proxy());
}

struct Scan {
    Job::State state = Job::State::Idle;
    bool fromIndex = false;
    QVector<stream::TarEntry> entries;
    Error error;
};

Scan scan(const oci::Image &image, int layer, const index::IndexStore &store, qint64 byteLimit = -1)
{
    ll::test::ClientEnv env;
    stream::LayerScanJob job(env.client.get(), stream::LayerSource::fromImage(image, layer));
    job.setIndexStore(store);
    if (byteLimit > 0) {
        stream::FetchPolicy p;
        p.byteLimit = byteLimit;
        job.setPolicy(p);
    }
    Scan out;
    QObject::connect(&job, &stream::LayerScanJob::entriesReady, &job,
        [&out](const QVector<stream::TarEntry> &batch) { out.entries += batch; });
    ll::test::runJob(job);
    out.state = job.state();
    out.fromIndex = job.isFromIndex();
    out.error = job.error();
    return out;
}

/** Entries as text; streamed entries have no compressedEnd (-1), so it is left out unless asked for. */
QStringList describe(const QVector<stream::TarEntry> &entries, bool withCompressedEnd = false)
{
    QStringList out;
    for (const stream::TarEntry &e : entries) {
        out << QStringLiteral("%1|%2|%3|%4|%5:%6|%7|%8|%9|%10")
                   .arg(e.path, e.typeName())
                   .arg(e.size)
                   .arg(e.modeOctal())
                   .arg(e.uid)
                   .arg(e.gid)
                   .arg(e.mtime)
                   .arg(e.linkTarget)
                   .arg(e.dataOffset)
                   .arg(withCompressedEnd ? e.compressedEnd : -1);
    }
    return out;
}

/** The fixture's SHA-256 of path in its first layer. */
QString layerEntrySha256(const QJsonObject &fx, const QString &path)
{
    for (const QJsonValue &v :
        fx.value(QLatin1String("layers")).toArray().at(0).toObject().value(QLatin1String("entries")).toArray())
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject().value(QLatin1String("sha256")).toString();
    return {};
}

} // namespace

class TestLayerIndexCache : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void secondListingComesFromTheIndex();
    void compressedEndBoundsTheData();
    void failedOrPartialPassKeepsNothing();
    void carveFromIndexedLayers();
    void deletedFileFoundDeletedWithoutDownloads();
    void carveKeepsIndexesOfLayersItReadWhole();
    void cliPeekTwiceAndNoCache();
    void gzipPassKeepsCheckpoints();
    void carveFromCheckpointsAtSpanEdges();
    void changedSpanFallsBackToStreaming();
    void networkFailureFallsBackToStreaming();

private:
    QJsonObject m_app;
    QJsonObject m_big;
};

void TestLayerIndexCache::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    m_app = h.fixture(QStringLiteral("lab/app:1.0"));
    m_big = h.fixture(QStringLiteral("lab/big:1.0"));
    QVERIFY(!m_app.isEmpty() && !m_big.isEmpty());
}

void TestLayerIndexCache::init()
{
    Harness::instance().proxyReset();
}

void TestLayerIndexCache::secondListingComesFromTheIndex()
{
    QTemporaryDir dir;
    const index::IndexStore store(dir.path() + QStringLiteral("/index"));
    const oci::Image image = imageOf(m_app);

    const Scan first = scan(image, 0, store);
    QCOMPARE(first.state, Job::State::Succeeded);
    QVERIFY(!first.fromIndex);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 1);
    const QString file = store.pathFor(image.manifest.layers.at(0).digest);
    QVERIFY(QFile::exists(file));
    struct stat st {
    };
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);
    QCOMPARE(::stat(QFile::encodeName(store.directory()).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0700);
    const auto firstIndex = store.load(image.manifest.layers.at(0).digest);
    QVERIFY(firstIndex.has_value());
    for (const stream::TarEntry &e : firstIndex->entries)
        QVERIFY2(e.compressedEnd > 0, qPrintable(e.path));

    Harness::instance().proxyReset();
    const Scan second = scan(image, 0, store);
    QCOMPARE(second.state, Job::State::Succeeded);
    QVERIFY(second.fromIndex);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 0);
    QCOMPARE(describe(second.entries), describe(first.entries));
    QCOMPARE(describe(second.entries, true), describe(firstIndex->entries, true));
    QCOMPARE(second.entries.size(),
        m_app.value(QLatin1String("layers"))
            .toArray()
            .at(0)
            .toObject()
            .value(QLatin1String("entries"))
            .toArray()
            .size());

    // A damaged index is refused (and removed): the layer is downloaded again and the index rewritten.
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(f.size() / 2);
    const char flipped = char(f.peek(1).at(0) ^ 0x5a);
    f.write(&flipped, 1);
    f.close();
    Harness::instance().proxyReset();
    const Scan third = scan(image, 0, store);
    QCOMPARE(third.state, Job::State::Succeeded);
    QVERIFY(!third.fromIndex);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 1);
    QCOMPARE(describe(third.entries), describe(first.entries));
    // Rewritten the same: compressedEnd does not depend on how the network cut the bytes.
    const auto rewritten = store.load(image.manifest.layers.at(0).digest);
    QVERIFY(rewritten.has_value());
    QCOMPARE(describe(rewritten->entries, true), describe(firstIndex->entries, true));
}

void TestLayerIndexCache::compressedEndBoundsTheData()
{
    // The needle's compressedEnd lies between the fixture's exact bound (where its last byte comes out of
    // zlib) and that bound plus one input slice of the pipeline (64 KiB) and the next header.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    const oci::Image image = imageOf(m_big);
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded);
    const auto kept = store.load(image.manifest.layers.at(0).digest);
    QVERIFY(kept.has_value());
    const index::LayerIndex &s = *kept;
    const QJsonObject needle = m_big.value(QLatin1String("needle")).toObject();
    const qint64 bound = needle.value(QLatin1String("compressed_bound")).toInteger();
    const stream::TarEntry *e = nullptr;
    qint64 previous = 0;
    for (const stream::TarEntry &entry : s.entries) {
        QVERIFY2(entry.compressedEnd >= previous, qPrintable(entry.path)); // archive order: never backwards
        QVERIFY(entry.compressedEnd <= image.manifest.layers.at(0).size);
        previous = entry.compressedEnd;
        if (entry.path == QLatin1String("data/needle.bin"))
            e = &entry;
    }
    QVERIFY(e);
    QVERIFY2(e->compressedEnd >= bound && e->compressedEnd <= bound + 64 * 1024 + 4096,
        qPrintable(QStringLiteral("compressedEnd %1, bound %2").arg(e->compressedEnd).arg(bound)));
    QCOMPARE(s.entries.last().compressedEnd, image.manifest.layers.at(0).size);
}

void TestLayerIndexCache::failedOrPartialPassKeepsNothing()
{
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    const oci::Image image = imageOf(m_app);
    // A corrupt byte: the digest does not match, the scan fails, no index.
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") }, { QStringLiteral("at_byte"), 150000 },
                { QStringLiteral("path"), image.manifest.layers.at(0).digest } } } } });
    const Scan bad = scan(image, 0, store);
    QCOMPARE(bad.state, Job::State::Failed);
    QVERIFY(!QFile::exists(store.pathFor(image.manifest.layers.at(0).digest)));
    // A partial peek (--partial) lists the start only: no index either.
    Harness::instance().proxyReset();
    const Scan partial = scan(image, 0, store, 16 * 1024);
    QCOMPARE(partial.state, Job::State::Succeeded);
    QVERIFY(!QFile::exists(store.pathFor(image.manifest.layers.at(0).digest)));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList()); // no temporary left
}

void TestLayerIndexCache::carveFromIndexedLayers()
{
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    const oci::Image image = imageOf(m_big);
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded);
    Harness::instance().proxyReset();

    QTemporaryDir out;
    ll::test::ClientEnv env;
    extract::CarveOptions o;
    o.outputDir = out.path();
    extract::CarveJob job(env.client.get(), image, QStringLiteral("data/needle.bin"), o);
    job.setIndexStore(store);
    ll::test::runJob(job);
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    const extract::CarveResult &r = job.result();
    QCOMPARE(r.status, extract::CarveResult::Status::Found);
    QCOMPARE(r.layersFromIndex, 1);
    QCOMPARE(r.requests, 1); // one Range request: the spans of the index's checkpoints that hold the needle
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), 1, 10000); // recorded once written
    QVERIFY(r.randomAccess);
    QVERIFY(r.verified);
    QFile f(r.savedTo);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QString expected;
    for (const QJsonValue &v :
        m_big.value(QLatin1String("layers")).toArray().at(0).toObject().value(QLatin1String("entries")).toArray())
        if (v.toObject().value(QLatin1String("path")).toString() == QLatin1String("data/needle.bin"))
            expected = v.toObject().value(QLatin1String("sha256")).toString();
    QCOMPARE(QString::fromLatin1(ll::Sha256::digestOf(f.readAll()).mid(7).toLatin1()), expected);
}

void TestLayerIndexCache::deletedFileFoundDeletedWithoutDownloads()
{
    // Every layer indexed: the top-down search sees layer 2's whiteout of etc/motd without a request, and
    // the upper layer's passwd is fetched from layer 1 alone.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    const oci::Image image = imageOf(m_app);
    for (int i = 0; i < image.manifest.layers.size(); ++i)
        QCOMPARE(scan(image, i, store).state, Job::State::Succeeded);
    Harness::instance().proxyReset();
    ll::test::ClientEnv env;
    QTemporaryDir out;
    extract::CarveOptions o;
    o.outputDir = out.path();
    extract::CarveJob gone(env.client.get(), image, QStringLiteral("etc/motd"), o);
    gone.setIndexStore(store);
    ll::test::runJob(gone);
    QCOMPARE(gone.state(), Job::State::Succeeded);
    QCOMPARE(gone.result().status, extract::CarveResult::Status::Deleted);
    QCOMPARE(gone.result().layerIndex, 2);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 0);

    extract::CarveJob passwd(env.client.get(), image, QStringLiteral("etc/passwd"), o);
    passwd.setIndexStore(store);
    ll::test::runJob(passwd);
    QCOMPARE(passwd.state(), Job::State::Succeeded);
    QCOMPARE(passwd.result().layerIndex, 1);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 1);
    const QJsonObject proxyPaths = Harness::instance().proxyStats().value(QLatin1String("paths")).toObject();
    QVERIFY(proxyPaths.contains(QStringLiteral("/v2/lab/app/blobs/") + image.manifest.layers.at(1).digest));
}

void TestLayerIndexCache::carveKeepsIndexesOfLayersItReadWhole()
{
    // etc/passwd is in layer 1: a carve reads layers 3 and 2 to their (verified) ends and keeps their indexes;
    // layer 1 is small, so after the file it reads on to its end too (a later copy of the path there would win)
    // and keeps that index as well. The same carve again searches all three indexes and downloads only the file's
    // part of layer 1.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    const oci::Image image = imageOf(m_app);
    ll::test::ClientEnv env;
    QTemporaryDir out;
    extract::CarveOptions o;
    o.outputDir = out.path();
    QString firstSha;
    for (int round = 0; round < 2; ++round) {
        Harness::instance().proxyReset();
        extract::CarveJob job(env.client.get(), image, QStringLiteral("etc/passwd"), o);
        job.setIndexStore(store);
        ll::test::runJob(job);
        QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
        QCOMPARE(job.result().layerIndex, 1);
        QFile f(job.result().savedTo);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString sha = ll::Sha256::digestOf(f.readAll());
        f.close();
        QFile::remove(job.result().savedTo);
        const QJsonObject paths = Harness::instance().proxyStats().value(QLatin1String("paths")).toObject();
        const auto fetched = [&](int layer) {
            return paths.contains(QStringLiteral("/v2/lab/app/blobs/") + image.manifest.layers.at(layer).digest);
        };
        if (round == 0) {
            QCOMPARE(job.result().layersFromIndex, 0);
            QVERIFY(fetched(3) && fetched(2) && fetched(1));
            QVERIFY(store.load(image.manifest.layers.at(3).digest).has_value());
            QVERIFY(store.load(image.manifest.layers.at(2).digest).has_value());
            QVERIFY(store.load(image.manifest.layers.at(1).digest).has_value()); // read on to its end
            firstSha = sha;
        } else {
            QCOMPARE(job.result().layersFromIndex, 3);
            QVERIFY(!fetched(3) && !fetched(2) && fetched(1));
            QCOMPARE(sha, firstSha);
        }
    }
    // The index a carve kept lists the layer like a scan does (compressedEnd aside: finer input slices).
    const auto kept = store.load(image.manifest.layers.at(3).digest);
    QVERIFY(kept.has_value());
    const QJsonArray expected
        = m_app.value(QLatin1String("layers")).toArray().at(3).toObject().value(QLatin1String("entries")).toArray();
    QCOMPARE(kept->entries.size(), expected.size());
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(kept->entries.at(i).path, expected.at(i).toObject().value(QLatin1String("path")).toString());
    QCOMPARE(kept->entries.last().compressedEnd, image.manifest.layers.at(3).size);
}

void TestLayerIndexCache::cliPeekTwiceAndNoCache()
{
    auto &h = Harness::instance();
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LL_INDEX_DIR"), dir.path() + QStringLiteral("/idx"));
    const QStringList peek { QStringLiteral("-t"), h.proxy() + QStringLiteral("/lab/app:1.0"),
        QStringLiteral("--peek-all"), QStringLiteral("--json"), QStringLiteral("-q") };
    const auto first = CliRunner::run(peek, {}, 120000, env);
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QCOMPARE(Harness::instance().proxyBlobRequests(), 5); // the config and the 4 layers
    QCOMPARE(QDir(dir.path() + QStringLiteral("/idx")).entryList({ QStringLiteral("*.idx") }, QDir::Files).size(), 4);
    QVERIFY(QFile::exists(dir.path() + QStringLiteral("/idx/images.catalog"))); // the image, seen

    h.proxyReset();
    const auto second = CliRunner::run(peek, {}, 120000, env);
    QVERIFY2(second.exitCode == 0, second.err.constData());
    QCOMPARE(second.out, first.out);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 1); // the config only

    h.proxyReset();
    const auto uncached = CliRunner::run(peek + QStringList { QStringLiteral("--no-cache") }, {}, 120000, env);
    QVERIFY2(uncached.exitCode == 0, uncached.err.constData());
    QCOMPARE(uncached.out, first.out);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 5);
}

void TestLayerIndexCache::gzipPassKeepsCheckpoints()
{
    // A complete listing of a gzip layer keeps inflate checkpoints in its index: every piece's SHA-256 is that of
    // the blob's own bytes (the harness's local copy), the pieces cover the blob, and they cost under 1 % of the tar.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path() + QStringLiteral("/index"));
    const oci::Image image = imageOf(m_big);
    const Scan first = scan(image, 0, store);
    QCOMPARE(first.state, Job::State::Succeeded);
    const auto kept = store.load(image.manifest.layers.at(0).digest);
    QVERIFY(kept.has_value());
    const random::GzipCheckpoints &c = kept->checkpoints;
    const QJsonObject layer = m_big.value(QLatin1String("layers")).toArray().at(0).toObject();
    QFile blob(layer.value(QLatin1String("path")).toString());
    QVERIFY(blob.open(QIODevice::ReadOnly));
    QCOMPARE(c.compressedSize, blob.size());
    QCOMPARE(c.uncompressedSize, layer.value(QLatin1String("uncompressed_size")).toInteger());
    QVERIFY2(c.points.size() >= 3, qPrintable(QString::number(c.points.size()))); // LL_BIG_LAYER_MB >= 24
    QCOMPARE(c.validate(), QString());
    for (int k = 0; k < c.pieces.size(); ++k) {
        QVERIFY(blob.seek(c.pieceStart(k)));
        const QByteArray piece = blob.read(c.pieceEnd(k) - c.pieceStart(k));
        QCOMPARE(Sha256::digestOf(piece).mid(7), QString::fromLatin1(c.pieces.at(k).sha256.toHex()));
    }
    QVERIFY(blob.atEnd());
    // A checkpoint once 1 MiB of compressed bytes or 4 MiB of output passed (the next deflate block boundary
    // after it); lab/big's tar is mostly incompressible, so its windows cost little and the budget keeps them.
    for (int i = 0; i + 1 < c.points.size(); ++i) {
        const qint64 in = c.spanEnd(i) - c.points.at(i).spanStart();
        const qint64 out = c.uncompressedEnd(i) - c.points.at(i).uncompressedOffset;
        QVERIFY2(in >= (1 << 20) || out >= (4 << 20),
            qPrintable(QStringLiteral("span %1: %2 / %3").arg(i).arg(in).arg(out)));
        QVERIFY2(
            in <= (1 << 20) + (256 << 10), qPrintable(QStringLiteral("span %1: %2 compressed bytes").arg(i).arg(in)));
    }
    qInfo("%lld checkpoints, %lld bytes for a %lld-byte tar (%.3f %%)", qint64(c.points.size()), c.storageSize(),
        c.uncompressedSize, 100.0 * double(c.storageSize()) / double(c.uncompressedSize));
    QVERIFY(c.storageSize() * 100 <= c.uncompressedSize);
}

namespace {

struct Carved {
    Job::State state = Job::State::Idle;
    Error error;
    extract::CarveResult result;
    QByteArray content;
};

Carved carveWith(const oci::Image &image, const QString &path, const index::IndexStore &store, const QString &outDir)
{
    ll::test::ClientEnv env;
    extract::CarveOptions o;
    o.outputDir = outDir;
    extract::CarveJob job(env.client.get(), image, path, o);
    job.setIndexStore(store);
    ll::test::runJob(job);
    Carved c;
    c.state = job.state();
    c.error = job.error();
    c.result = job.result();
    QFile f(c.result.savedTo);
    if (!c.result.savedTo.isEmpty() && f.open(QIODevice::ReadOnly))
        c.content = f.readAll();
    return c;
}

} // namespace

void TestLayerIndexCache::carveFromCheckpointsAtSpanEdges()
{
    // Files around every checkpoint of lab/big's layer: the one whose data runs across it (two spans), the first
    // starting after it, the last ending before it; the first and the last file of the layer. Each comes in one
    // Range request from the checkpoints, spans verified, with the fixture's content.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path() + QStringLiteral("/index"));
    const oci::Image image = imageOf(m_big);
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded);
    const auto kept = store.load(image.manifest.layers.at(0).digest);
    QVERIFY(kept.has_value() && kept->checkpoints.points.size() >= 3);
    const random::GzipCheckpoints &c = kept->checkpoints;

    QVector<QJsonObject> files;
    for (const QJsonValue &v :
        m_big.value(QLatin1String("layers")).toArray().at(0).toObject().value(QLatin1String("entries")).toArray())
        if (v.toObject().value(QLatin1String("type")).toString() == QLatin1String("file"))
            files << v.toObject();
    QVERIFY(files.size() > 4);
    auto dataOf = [](const QJsonObject &f) { return f.value(QLatin1String("offset")).toInteger(); };
    auto endOf = [&](const QJsonObject &f) { return dataOf(f) + f.value(QLatin1String("size")).toInteger(); };
    QMap<QString, QJsonObject> picked;
    auto pick = [&picked](const QJsonObject &f) { picked.insert(f.value(QLatin1String("path")).toString(), f); };
    pick(files.first());
    pick(files.last());
    for (int k = 1; k < c.points.size(); ++k) {
        const qint64 u = c.points.at(k).uncompressedOffset;
        for (int i = 0; i < files.size(); ++i) {
            const QJsonObject &f = files.at(i);
            if (dataOf(f) < u && endOf(f) > u)
                pick(f); // across the checkpoint
            if (f.value(QLatin1String("header_offset")).toInteger() >= u) {
                pick(f); // the first member after it
                if (i > 0 && endOf(files.at(i - 1)) <= u)
                    pick(files.at(i - 1)); // the last one before it
                break;
            }
        }
    }
    QVERIFY(picked.size() >= 5);
    for (auto it = picked.cbegin(); it != picked.cend(); ++it) {
        const QJsonObject &f = it.value();
        const qint64 header = f.value(QLatin1String("header_offset")).toInteger();
        const int point = c.indexAt(header);
        const int first = c.pieceAt(c.points.at(point).spanStart());
        const int last = c.pieceReaching(qMax(endOf(f), header + 512), first);
        const qint64 range = c.pieceEnd(last) - c.pieceStart(first);
        QTemporaryDir out;
        Harness::instance().proxyReset();
        const Carved r = carveWith(image, it.key(), store, out.path());
        QVERIFY2(r.state == Job::State::Succeeded, qPrintable(it.key() + QLatin1Char(' ') + r.error.toString()));
        QVERIFY2(r.result.randomAccess, qPrintable(it.key()));
        QCOMPARE(r.result.piecesVerified, last - first + 1);
        QCOMPARE(r.result.requests, 1);
        // The proxy records a request once its answer is written, which may be a moment after the client has it.
        QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), 1, 10000);
        QVERIFY2(r.result.bytesDownloaded <= range,
            qPrintable(QStringLiteral("%1: %2 > %3").arg(it.key()).arg(r.result.bytesDownloaded).arg(range)));
        QCOMPARE(Sha256::digestOf(r.content).mid(7), f.value(QLatin1String("sha256")).toString());
        qInfo("%s: checkpoint %d, pieces %d-%d, %lld bytes for a %lld-byte file", qPrintable(it.key()), point, first,
            last, r.result.bytesDownloaded, f.value(QLatin1String("size")).toInteger());
    }
}

void TestLayerIndexCache::changedSpanFallsBackToStreaming()
{
    // The registry's bytes in the needle's piece differ from what the index was made from (the proxy flips one):
    // the piece's SHA-256 fails before any of its bytes is used, the index is discarded, the layer is streamed to
    // its end and checked against its digest; never a wrong file under the final name.
    QTemporaryDir dir;
    const index::IndexStore store(dir.path() + QStringLiteral("/index"));
    const oci::Image image = imageOf(m_big);
    const QString digest = image.manifest.layers.at(0).digest;
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded);
    const auto kept = store.load(digest);
    QVERIFY(kept.has_value());
    const QString needle = m_big.value(QLatin1String("needle")).toObject().value(QLatin1String("path")).toString();
    const stream::TarEntry *e = kept->find(needle);
    QVERIFY(e);
    const int span = kept->checkpoints.indexAt(e->headerOffset);
    const qint64 flip = kept->checkpoints.points.at(span).spanStart() + 100;

    Harness::instance().proxyReset();
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 1 } } } } });
    QTemporaryDir out;
    const Carved r = carveWith(image, needle, store, out.path());
    QVERIFY2(!r.result.indexFallback.isEmpty(), qPrintable(r.error.toString()));
    QVERIFY2(r.result.indexFallback.contains(QLatin1String("do not match the layer index")),
        qPrintable(r.result.indexFallback));
    QVERIFY2(r.state == Job::State::Succeeded, qPrintable(r.error.toString()));
    // The registry sent bytes the index was not made from: the index was discarded and the layer read to its end
    // (a read that stops early could keep a changed byte no check catches); its digest matched (the fault hit
    // one response), so that pass made the index again.
    QVERIFY(r.result.verified);
    QVERIFY(store.load(digest).has_value());
    QVERIFY(!r.result.randomAccess);
    QCOMPARE(Sha256::digestOf(r.content).mid(7), layerEntrySha256(m_big, needle));
    QTRY_VERIFY_WITH_TIMEOUT(Harness::instance().proxyBlobRequests() >= 2, 10000); // the span read, then the stream

    // The same damage on every response: the span read fails, and the streamed read is refused too (corrupt
    // inflate or a digest mismatch); nothing lands under the final name.
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded); // a new index
    Harness::instance().proxyReset();
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 0 } } } } });
    QTemporaryDir out2;
    const Carved bad = carveWith(image, needle, store, out2.path());
    QVERIFY(!bad.result.indexFallback.isEmpty());
    QCOMPARE(bad.state, Job::State::Failed);
    QDirIterator left(
        out2.path(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    QStringList found;
    while (left.hasNext())
        found << left.next();
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char(' '))));
    Harness::instance().proxyReset();
}

void TestLayerIndexCache::networkFailureFallsBackToStreaming()
{
    // Every attempt of the read from checkpoints is reset, more often than its retries allow: the carve streams
    // the layer instead of failing, and keeps the index (it is right; the network was not).
    QTemporaryDir dir;
    const index::IndexStore store(dir.path() + QStringLiteral("/index"));
    const oci::Image image = imageOf(m_big);
    const QString digest = image.manifest.layers.at(0).digest;
    QCOMPARE(scan(image, 0, store).state, Job::State::Succeeded);
    const QString needle = m_big.value(QLatin1String("needle")).toObject().value(QLatin1String("path")).toString();
    Harness::instance().proxyReset();
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("path"), digest },
                { QStringLiteral("count"), stream::FetchPolicy().maxResumes + 1 } } } } });
    QTemporaryDir out;
    const Carved r = carveWith(image, needle, store, out.path());
    QVERIFY2(r.state == Job::State::Succeeded, qPrintable(r.error.toString()));
    QVERIFY2(!r.result.indexFallback.isEmpty(), "no fallback");
    QVERIFY(!r.result.randomAccess);
    QVERIFY(QFile::exists(store.pathFor(digest)));
    QCOMPARE(Sha256::digestOf(r.content).mid(7), layerEntrySha256(m_big, needle));
    Harness::instance().proxyReset();
}

QTEST_GUILESS_MAIN(TestLayerIndexCache)
#include "TestLayerIndexCache.moc"
