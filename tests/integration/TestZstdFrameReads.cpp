// Multi-frame zstd layers (pzstd) against the real registry through the fault proxy (which counts requests and
// flips bytes): a complete listing keeps the frame starts as checkpoints with each span's SHA-256; a carve or an
// extraction of any file then fetches one Range over the spans holding it, checked before use, with the bytes
// pzstd -d | tar -x gives; a span changed on the registry falls back to streaming (or fails with nothing saved),
// a network failure streams and keeps the index; a single-frame layer (plain zstd) keeps no checkpoints.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "common/Sha256.h"
#include "extract/CarveJob.h"
#include "extract/ExtractJob.h"
#include "index/IndexStore.h"
#include "stream/LayerScanJob.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QMap>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ll;
using ll::test::Harness;

namespace {

oci::Image imageOf(const QJsonObject &fx)
{
    return ll::test::fixtureImage(fx, Harness::instance().proxy());
}

QJsonObject layerOf(const QJsonObject &fx)
{
    return fx.value(QLatin1String("layers")).toArray().at(0).toObject();
}

QVector<QJsonObject> filesOf(const QJsonObject &fx)
{
    QVector<QJsonObject> files;
    for (const QJsonValue &v : layerOf(fx).value(QLatin1String("entries")).toArray())
        if (v.toObject().value(QLatin1String("type")).toString() == QLatin1String("file"))
            files << v.toObject();
    return files;
}

qint64 headerOf(const QJsonObject &f)
{
    return f.value(QLatin1String("header_offset")).toInteger();
}
qint64 dataOf(const QJsonObject &f)
{
    return f.value(QLatin1String("offset")).toInteger();
}
qint64 endOf(const QJsonObject &f)
{
    return dataOf(f) + f.value(QLatin1String("size")).toInteger();
}
QString pathOf(const QJsonObject &f)
{
    return f.value(QLatin1String("path")).toString();
}

struct Scan {
    Job::State state = Job::State::Idle;
    bool fromIndex = false;
    int checkpoints = 0;
    Error error;
};

Scan scan(const oci::Image &image, const index::IndexStore &store)
{
    ll::test::ClientEnv env;
    stream::LayerScanJob job(env.client.get(), stream::LayerSource::fromImage(image, 0));
    job.setIndexStore(store);
    ll::test::runJob(job, 120000);
    return Scan { job.state(), job.isFromIndex(), job.checkpointCount(), job.error() };
}

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
    ll::test::runJob(job, 120000);
    Carved c;
    c.state = job.state();
    c.error = job.error();
    c.result = job.result();
    QFile f(c.result.savedTo);
    if (!c.result.savedTo.isEmpty() && f.open(QIODevice::ReadOnly))
        c.content = f.readAll();
    return c;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestZstdFrameReads : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void passKeepsFrameCheckpoints();
    void carveAroundEveryCheckpoint();
    void extractMergesTouchingSpans();
    void changedSpanFallsBackToStreaming();
    void networkFailureStreamsAndKeepsTheIndex();
    void singleFrameLayerKeepsNone();

private:
    /** Lists lab/bigzstd:1.0's layer into the store; its frames then. */
    bool indexLayer();

    QJsonObject m_multi;
    QJsonObject m_single;
    oci::Image m_image;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<index::IndexStore> m_store;
    random::ZstdFrames m_frames;
};

void TestZstdFrameReads::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    m_multi = h.fixture(QStringLiteral("lab/bigzstd:1.0"));
    m_single = h.fixture(QStringLiteral("lab/bigzstd:single"));
    if (m_multi.isEmpty())
        QSKIP("no lab/bigzstd fixture (zstd or pzstd missing when the harness started)");
    QVERIFY(!m_single.isEmpty());
    m_image = imageOf(m_multi);
    QCOMPARE(m_image.manifest.layers.at(0).mediaType, QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd"));
}

void TestZstdFrameReads::init()
{
    Harness::instance().proxyReset();
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_store = std::make_unique<index::IndexStore>(m_tmp->filePath(QStringLiteral("index")));
}

bool TestZstdFrameReads::indexLayer()
{
    const Scan s = scan(m_image, *m_store);
    const auto kept = m_store->load(m_image.manifest.layers.at(0).digest);
    if (s.state != Job::State::Succeeded || !kept || kept->frames.points.size() < 4)
        return false;
    m_frames = kept->frames;
    Harness::instance().proxyReset();
    return true;
}

void TestZstdFrameReads::passKeepsFrameCheckpoints()
{
    const Scan first = scan(m_image, *m_store);
    QVERIFY2(first.state == Job::State::Succeeded, qPrintable(first.error.toString()));
    QVERIFY(!first.fromIndex);
    const auto kept = m_store->load(m_image.manifest.layers.at(0).digest);
    QVERIFY(kept.has_value());
    QCOMPARE(kept->compression, QStringLiteral("zstd"));
    QVERIFY(kept->checkpoints.isEmpty());
    const random::ZstdFrames &f = kept->frames;
    const QJsonObject layer = layerOf(m_multi);
    QFile blob(layer.value(QLatin1String("path")).toString());
    QVERIFY(blob.open(QIODevice::ReadOnly));
    QCOMPARE(f.compressedSize, blob.size());
    QCOMPARE(f.uncompressedSize, layer.value(QLatin1String("uncompressed_size")).toInteger());
    QCOMPARE(first.checkpoints, int(f.points.size()));

    // The checkpoints the format itself gives (the harness parsed pzstd's frames): offset 0, then each
    // zstd frame start (never a skippable frame) at least MinSpan compressed bytes after the previous one.
    QVector<QPair<qint64, qint64>> expected { { 0, 0 } };
    for (const QJsonValue &v : m_multi.value(QLatin1String("frames")).toArray()) {
        const QJsonObject fr = v.toObject();
        const qint64 c = fr.value(QLatin1String("compressed")).toInteger();
        if (!fr.value(QLatin1String("skippable")).toBool() && c - expected.last().first >= random::ZstdFrames::MinSpan)
            expected.append({ c, fr.value(QLatin1String("uncompressed")).toInteger() });
    }
    QVERIFY2(expected.size() >= 6, qPrintable(QString::number(expected.size())));
    QCOMPARE(f.points.size(), expected.size());
    for (int i = 0; i < f.points.size(); ++i) {
        QCOMPARE(f.points.at(i).compressedOffset, expected.at(i).first);
        QCOMPARE(f.points.at(i).uncompressedOffset, expected.at(i).second);
        QVERIFY(blob.seek(f.spanStart(i)));
        const QByteArray span = blob.read(f.spanEnd(i) - f.spanStart(i));
        QCOMPARE(Sha256::digestOf(span).mid(7), QString::fromLatin1(f.points.at(i).spanSha256.toHex()));
    }
    qInfo("%d frame checkpoints, %lld bytes for a %lld-byte tar (%.4f %%)", int(f.points.size()), f.storageSize(),
        f.uncompressedSize, 100.0 * double(f.storageSize()) / double(f.uncompressedSize));
    QVERIFY(f.storageSize() * 100 <= f.uncompressedSize);

    // Listed again from the index: no blob request, the same checkpoint count (the Layers list's mark).
    Harness::instance().proxyReset();
    const Scan second = scan(m_image, *m_store);
    QCOMPARE(second.state, Job::State::Succeeded);
    QVERIFY(second.fromIndex);
    QCOMPARE(second.checkpoints, first.checkpoints);
    QCOMPARE(Harness::instance().proxyBlobRequests(), 0);
}

void TestZstdFrameReads::carveAroundEveryCheckpoint()
{
    // Files around every checkpoint: the one whose data runs across it, the first member after it, the last one
    // ending before it; the first and the last file of the layer. Each in one Range request from the frame
    // checkpoints, spans verified, with the bytes pzstd -d | tar -x gives.
    QVERIFY(indexLayer());
    const random::ZstdFrames &c = m_frames;
    const QVector<QJsonObject> files = filesOf(m_multi);
    QVERIFY(files.size() > 4);
    QMap<QString, QJsonObject> picked;
    auto pick = [&picked](const QJsonObject &f) { picked.insert(pathOf(f), f); };
    pick(files.first());
    pick(files.last());
    for (int k = 1; k < c.points.size(); ++k) {
        const qint64 u = c.points.at(k).uncompressedOffset;
        for (int i = 0; i < files.size(); ++i) {
            const QJsonObject &f = files.at(i);
            if (dataOf(f) < u && endOf(f) > u)
                pick(f);
            if (headerOf(f) >= u) {
                pick(f);
                if (i > 0 && endOf(files.at(i - 1)) <= u)
                    pick(files.at(i - 1));
                break;
            }
        }
    }
    QVERIFY(picked.size() >= 10);

    QTemporaryDir reference;
    QVERIFY(reference.isValid());
    if (!QStandardPaths::findExecutable(QStringLiteral("pzstd")).isEmpty()) {
        QProcess unpack;
        unpack.start(QStringLiteral("sh"),
            { QStringLiteral("-c"), QStringLiteral("pzstd -q -d -c \"$0\" | tar -x -C \"$1\""),
                layerOf(m_multi).value(QLatin1String("path")).toString(), reference.path() });
        QVERIFY(unpack.waitForFinished(120000) && unpack.exitCode() == 0);
    }
    for (auto it = picked.cbegin(); it != picked.cend(); ++it) {
        const QJsonObject &f = it.value();
        const int first = c.indexAt(headerOf(f));
        const int last = c.indexAt(qMax(endOf(f), headerOf(f) + 512) - 1);
        const qint64 range = c.spanEnd(last) - c.spanStart(first);
        QTemporaryDir out;
        Harness::instance().proxyReset();
        const Carved r = carveWith(m_image, it.key(), *m_store, out.path());
        QVERIFY2(r.state == Job::State::Succeeded, qPrintable(it.key() + QLatin1Char(' ') + r.error.toString()));
        QVERIFY2(r.result.randomAccess, qPrintable(it.key()));
        QVERIFY(r.result.verified);
        QCOMPARE(r.result.piecesVerified, last - first + 1);
        QCOMPARE(r.result.requests, 1);
        QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), 1, 10000);
        QVERIFY2(r.result.bytesDownloaded <= range,
            qPrintable(QStringLiteral("%1: %2 > %3").arg(it.key()).arg(r.result.bytesDownloaded).arg(range)));
        QCOMPARE(Sha256::digestOf(r.content).mid(7), f.value(QLatin1String("sha256")).toString());
        const QString unpacked = reference.filePath(it.key());
        if (QFile::exists(unpacked))
            QVERIFY2(r.content == readFile(unpacked), qPrintable(it.key()));
        qInfo("%s: spans %d-%d, %lld bytes for a %lld-byte file", qPrintable(it.key()), first, last,
            r.result.bytesDownloaded, f.value(QLatin1String("size")).toInteger());
    }
}

void TestZstdFrameReads::extractMergesTouchingSpans()
{
    // --extract of files in spans 1, 2 (touching: one run) and the last span: two Range requests, every span
    // checked, the files with their content and nothing else.
    QVERIFY(indexLayer());
    const random::ZstdFrames &c = m_frames;
    const QVector<QJsonObject> files = filesOf(m_multi);
    const int lastSpan = int(c.points.size()) - 1;
    QVector<QJsonObject> wanted;
    for (int span : { 1, 2, lastSpan }) {
        for (const QJsonObject &f : files) {
            if (c.indexAt(headerOf(f)) == span && c.indexAt(endOf(f) - 1) == span) {
                wanted << f;
                break;
            }
        }
    }
    QCOMPARE(wanted.size(), 3);
    QStringList paths;
    for (const QJsonObject &f : wanted)
        paths << pathOf(f);
    const QString out = m_tmp->filePath(QStringLiteral("out"));
    ll::test::ClientEnv env;
    extract::ExtractJob job(env.client.get(), m_image, paths, out);
    job.setIndexStore(*m_store);
    ll::test::runJob(job, 120000);
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.randomAccessLayers(), QVector<int> { 0 });
    QVERIFY(job.indexFallback().isEmpty());
    QCOMPARE(job.requestCount(), lastSpan > 3 ? 2 : 1);
    QCOMPARE(job.piecesVerified(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(Harness::instance().proxyBlobRequests(), job.requestCount(), 10000);
    for (const QJsonObject &f : wanted)
        QCOMPARE(Sha256::digestOf(readFile(out + QLatin1Char('/') + pathOf(f))).mid(7),
            f.value(QLatin1String("sha256")).toString());
    QVERIFY(job.unverifiedLayers().isEmpty());
}

void TestZstdFrameReads::changedSpanFallsBackToStreaming()
{
    // The registry's bytes in the needle's span differ from the index's (the proxy flips one): the span's SHA-256
    // fails before any of its bytes is decoded, the index is discarded, the layer streamed and checked as usual.
    QVERIFY(indexLayer());
    const QString digest = m_image.manifest.layers.at(0).digest;
    const QString needle = m_multi.value(QLatin1String("needle")).toObject().value(QLatin1String("path")).toString();
    const auto kept = m_store->load(digest);
    QVERIFY(kept.has_value());
    const stream::TarEntry *e = kept->find(needle);
    QVERIFY(e);
    const qint64 flip = m_frames.spanStart(m_frames.indexAt(e->headerOffset)) + 100;
    QString needleSha;
    for (const QJsonObject &f : filesOf(m_multi))
        if (pathOf(f) == needle)
            needleSha = f.value(QLatin1String("sha256")).toString();

    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 1 } } } } });
    QTemporaryDir out;
    const Carved r = carveWith(m_image, needle, *m_store, out.path());
    QVERIFY2(r.result.indexFallback.contains(QLatin1String("do not match the layer index")),
        qPrintable(r.result.indexFallback + QLatin1Char(' ') + r.error.toString()));
    QVERIFY2(r.state == Job::State::Succeeded, qPrintable(r.error.toString()));
    QVERIFY(!r.result.randomAccess);
    // The index was discarded and the layer read to its end (its digest decides); that pass made the index again.
    QVERIFY(r.result.verified);
    QVERIFY(m_store->load(digest).has_value());
    QCOMPARE(Sha256::digestOf(r.content).mid(7), needleSha);
    QTRY_VERIFY_WITH_TIMEOUT(Harness::instance().proxyBlobRequests() >= 2, 10000);

    // The same damage on every response: the span read fails, the streamed read too; nothing is saved.
    QVERIFY(indexLayer());
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 0 } } } } });
    QTemporaryDir out2;
    const Carved bad = carveWith(m_image, needle, *m_store, out2.path());
    QVERIFY(!bad.result.indexFallback.isEmpty());
    QCOMPARE(bad.state, Job::State::Failed);
    // The fallback reads the layer to its end: the needle's bytes had come out to its .part and its directory was
    // made before the digest refused them; neither is left.
    QDirIterator files(out2.path(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
        QDirIterator::Subdirectories);
    QVERIFY2(!files.hasNext(), qPrintable(files.hasNext() ? files.next() : QString()));

    // --extract the same way: the fallback streams the layer and writes the right file.
    Harness::instance().proxyReset();
    QVERIFY(indexLayer());
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), flip }, { QStringLiteral("count"), 1 } } } } });
    const QString out3 = m_tmp->filePath(QStringLiteral("out3"));
    ll::test::ClientEnv env;
    extract::ExtractJob job(env.client.get(), m_image, { needle }, out3);
    job.setIndexStore(*m_store);
    ll::test::runJob(job, 120000);
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QVERIFY2(
        job.indexFallback().contains(QLatin1String("do not match the layer index")), qPrintable(job.indexFallback()));
    QVERIFY(job.randomAccessLayers().isEmpty());
    QCOMPARE(Sha256::digestOf(readFile(out3 + QLatin1Char('/') + needle)).mid(7), needleSha);
    Harness::instance().proxyReset();
}

void TestZstdFrameReads::networkFailureStreamsAndKeepsTheIndex()
{
    QVERIFY(indexLayer());
    const QString digest = m_image.manifest.layers.at(0).digest;
    const QJsonObject last = filesOf(m_multi).last();
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("path"), digest },
                { QStringLiteral("count"), stream::FetchPolicy().maxResumes + 1 } } } } });
    QTemporaryDir out;
    const Carved r = carveWith(m_image, pathOf(last), *m_store, out.path());
    QVERIFY2(r.state == Job::State::Succeeded, qPrintable(r.error.toString()));
    QVERIFY2(!r.result.indexFallback.isEmpty(), "no fallback");
    QVERIFY(!r.result.randomAccess);
    QVERIFY(QFile::exists(m_store->pathFor(digest)));
    QCOMPARE(Sha256::digestOf(r.content).mid(7), last.value(QLatin1String("sha256")).toString());
    Harness::instance().proxyReset();
}

void TestZstdFrameReads::singleFrameLayerKeepsNone()
{
    // Plain zstd output is one frame: the index keeps entries only, and a carve reads from the layer's start to
    // the member's compressedEnd as before (one request, not from checkpoints).
    const oci::Image image = imageOf(m_single);
    const Scan s = scan(image, *m_store);
    QCOMPARE(s.state, Job::State::Succeeded);
    QCOMPARE(s.checkpoints, 0);
    const auto kept = m_store->load(image.manifest.layers.at(0).digest);
    QVERIFY(kept.has_value());
    QVERIFY(kept->frames.isEmpty());
    QVERIFY(kept->checkpoints.isEmpty());
    const QJsonObject last = filesOf(m_single).last();
    Harness::instance().proxyReset();
    QTemporaryDir out;
    const Carved r = carveWith(image, pathOf(last), *m_store, out.path());
    QVERIFY2(r.state == Job::State::Succeeded, qPrintable(r.error.toString()));
    QVERIFY(!r.result.randomAccess);
    QCOMPARE(r.result.requests, 1);
    QCOMPARE(Sha256::digestOf(r.content).mid(7), last.value(QLatin1String("sha256")).toString());
}

QTEST_GUILESS_MAIN(TestZstdFrameReads)
#include "TestZstdFrameReads.moc"
