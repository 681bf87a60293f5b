// Layers with a table of contents against the real registry (through the fault proxy): eStargz written by the
// estargz Go package, legacy stargz, zstd:chunked written by skopeo and by the estargz package. Listings come
// from the TOC in 1-2 requests and exactly footer + TOC bytes, every file carves by its chunk offsets with the
// fixture's sha256, and TOCs that lie (lab/toc-bad:*) are refused or caught, falling back to streaming.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "extract/CarveJob.h"
#include "oci/Image.h"
#include "stream/LayerScanJob.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"
#include "toc/TocParser.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace ll;
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

/** The image as ImageResolveJob gives it (annotations included), served by the proxy. */
oci::Image imageOf(const QJsonObject &fx)
{
    oci::Image image;
    image.registry = Harness::instance().proxy();
    image.repository = fx.value(QLatin1String("repository")).toString();
    image.tag = fx.value(QLatin1String("tag")).toString();
    image.manifestDigest = fx.value(QLatin1String("digest")).toString();
    image.reference = image.registry + QLatin1Char('/') + image.repository + QLatin1Char(':') + image.tag;
    for (const QJsonValue &v : layersOf(fx)) {
        const QJsonObject l = v.toObject();
        oci::Descriptor d;
        d.digest = l.value(QLatin1String("digest")).toString();
        d.size = l.value(QLatin1String("size")).toInteger();
        d.mediaType = l.value(QLatin1String("mediaType")).toString();
        const QJsonObject ann = l.value(QLatin1String("annotations")).toObject();
        for (auto it = ann.begin(); it != ann.end(); ++it)
            d.annotations.insert(it.key(), it.value().toString());
        image.manifest.layers.append(d);
    }
    return image;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString fileSha256(const QString &path)
{
    return QString::fromLatin1(QCryptographicHash::hash(readFile(path), QCryptographicHash::Sha256).toHex());
}

QStringList filesBelow(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

/** One line per entry: what a listing from a TOC and from the blob's own tar must agree on. */
QString describe(const QString &path, const QString &type, qint64 size, uint mode, qint64 uid, qint64 gid, qint64 mtime,
    const QString &link)
{
    return QStringLiteral("%1 %2 %3 %4 %5:%6 %7 %8")
        .arg(path, type)
        .arg(size)
        .arg(mode, 4, 8, QLatin1Char('0'))
        .arg(uid)
        .arg(gid)
        .arg(mtime)
        .arg(link);
}

QStringList fixtureListing(const QJsonObject &layer)
{
    QStringList out;
    for (const QJsonValue &v : layer.value(QLatin1String("entries")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString path = e.value(QLatin1String("path")).toString();
        if (path == QLatin1String("stargz.index.json")) // the TOC's own member: not in the TOC
            continue;
        out << describe(path, e.value(QLatin1String("type")).toString(), e.value(QLatin1String("size")).toInteger(),
            e.value(QLatin1String("mode")).toString().toUInt(nullptr, 8), e.value(QLatin1String("uid")).toInteger(),
            e.value(QLatin1String("gid")).toInteger(), e.value(QLatin1String("mtime")).toInteger(),
            e.value(QLatin1String("link")).toString());
    }
    out.sort();
    return out;
}

struct Listing {
    Job::State state = Job::State::Idle;
    Error error;
    QStringList lines;
    QStringList paths;
    bool fromToc = false;
    bool verified = false;
    QString refusal;
    int tocRequests = 0;
    qint64 tocBytes = 0;
};

Listing list(const oci::Image &image, int layer, bool probe = false)
{
    ll::test::ClientEnv env;
    stream::LayerScanJob job(env.client.get(), stream::LayerSource::fromImage(image, layer));
    job.setTocProbe(probe);
    Listing out;
    QObject::connect(&job, &stream::LayerScanJob::entriesReady, &job, [&out](const QVector<stream::TarEntry> &batch) {
        for (const stream::TarEntry &e : batch) {
            out.paths << e.path;
            out.lines << describe(e.path, e.typeName(), e.size, e.mode, e.uid, e.gid, e.mtime, e.linkTarget);
        }
    });
    ll::test::runJob(job);
    out.lines.sort();
    out.state = job.state();
    out.error = job.error();
    out.fromToc = job.isFromToc();
    out.verified = job.layerToc() && job.layerToc()->verified;
    out.refusal = job.tocRefusal();
    out.tocRequests = job.tocRequestCount();
    out.tocBytes = job.tocBytesDownloaded();
    return out;
}

struct Carve {
    Job::State state = Job::State::Idle;
    Error error;
    extract::CarveResult result;
};

Carve carve(const oci::Image &image, const QString &path, const QString &outDir)
{
    ll::test::ClientEnv env;
    extract::CarveOptions o;
    o.outputDir = outDir;
    extract::CarveJob job(env.client.get(), image, path, o);
    ll::test::runJob(job);
    return { job.state(), job.error(), job.result() };
}

/** The fixture's sha256 of path in layer 0. */
QString shaOf(const QJsonObject &fx, const QString &path)
{
    for (const QJsonValue &v : layersOf(fx).at(0).toObject().value(QLatin1String("entries")).toArray()) {
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject().value(QLatin1String("sha256")).toString();
    }
    return QString();
}

/** Compressed TOC bytes of a fixture layer, as its footer or manifest-position says (footer excluded). */
qint64 tocLength(const QJsonObject &layer)
{
    const QJsonObject ann = layer.value(QLatin1String("annotations")).toObject();
    for (auto it = ann.begin(); it != ann.end(); ++it) {
        if (it.key().endsWith(QLatin1String("manifest-position")))
            return it.value().toString().section(QLatin1Char(':'), 1, 1).toLongLong();
    }
    const QByteArray blob = readFile(layer.value(QLatin1String("path")).toString());
    const Result<toc::TocParser::TocLocation> loc = toc::TocParser::parseGzipFooter(blob.right(51), blob.size());
    return loc ? loc->length : -1;
}

} // namespace

class TestTocLayers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void listsFromToc_data();
    void listsFromToc();
    void probeFindsUnannotatedToc_data();
    void probeFindsUnannotatedToc();
    void carvesEveryFile_data();
    void carvesEveryFile();
    void refusedTocFallsBackToStreaming_data();
    void refusedTocFallsBackToStreaming();
    void lyingChunksFallBackToStreaming_data();
    void lyingChunksFallBackToStreaming();
    void corruptChunkIsNeverSaved();
};

void TestTocLayers::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    if (fixture(QStringLiteral("lab/estargz:1.0")).isEmpty())
        QSKIP(
            "no eStargz fixtures: the harness needs golang-1.19-go and golang-github-containerd-stargz-snapshotter-dev "
            "(see its log)");
}

void TestTocLayers::init()
{
    Harness::instance().proxyReset();
}

void TestTocLayers::listsFromToc_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("requests");
    for (const char *n : { "lab/estargz:1.0", "lab/zstdchunked-stargz:1.0", "lab/zstdchunked:1.0" }) {
        if (fixture(QLatin1String(n)).isEmpty())
            continue; // zstd:chunked by skopeo needs skopeo and zstd
        const int requests = QByteArray(n).contains("zstd") ? 1 : 2;
        QTest::addRow("%s layer 0", n) << QString::fromLatin1(n) << 0 << requests;
        QTest::addRow("%s layer 1", n) << QString::fromLatin1(n) << 1 << requests;
    }
}

void TestTocLayers::listsFromToc()
{
    QFETCH(QString, name);
    QFETCH(int, layer);
    QFETCH(int, requests);
    const QJsonObject fx = fixture(name);
    const QJsonObject l = layersOf(fx).at(layer).toObject();
    const Listing got = list(imageOf(fx), layer);
    QVERIFY2(got.state == Job::State::Succeeded, qPrintable(got.error.toString()));
    QVERIFY2(got.fromToc, qPrintable(got.refusal));
    QVERIFY(got.verified);
    QCOMPARE(got.lines, fixtureListing(l));
    // No layer download: the footer (eStargz) and the TOC, nothing else.
    QCOMPARE(got.tocRequests, requests);
    QCOMPARE(Harness::instance().proxyBlobRequests(), requests);
    const qint64 footer = requests == 2 ? toc::TocParser::EStargzFooterSize : 0;
    QCOMPARE(got.tocBytes, footer + tocLength(l));
}

void TestTocLayers::probeFindsUnannotatedToc_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("eStargz without annotations") << QStringLiteral("lab/estargz-bare:1.0");
    QTest::addRow("legacy stargz (47-byte footer)") << QStringLiteral("lab/stargz-legacy:1.0");
}

void TestTocLayers::probeFindsUnannotatedToc()
{
    QFETCH(QString, name);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    for (int layer = 0; layer < 2; ++layer) {
        const QJsonObject l = layersOf(fx).at(layer).toObject();
        // Without the probe nothing announces a TOC: the layer streams (and its own TOC member is listed).
        const Listing streamed = list(image, layer, false);
        QVERIFY2(streamed.state == Job::State::Succeeded, qPrintable(streamed.error.toString()));
        QVERIFY(!streamed.fromToc);
        QVERIFY(streamed.paths.contains(QLatin1String("stargz.index.json")));

        Harness::instance().proxyReset();
        const Listing probed = list(image, layer, true);
        QVERIFY2(probed.state == Job::State::Succeeded, qPrintable(probed.error.toString()));
        QVERIFY2(probed.fromToc, qPrintable(probed.refusal));
        QVERIFY(!probed.verified); // no annotation to check the TOC against
        QCOMPARE(probed.lines, fixtureListing(l));
        QCOMPARE(probed.tocRequests, 2);
        QCOMPARE(Harness::instance().proxyBlobRequests(), 2);
    }

    // A plain gzip layer probed: no footer, streamed, no refusal reported as an error.
    const QJsonObject app = fixture(QStringLiteral("lab/app:1.0"));
    const Listing plain = list(imageOf(app), 1, true);
    QVERIFY2(plain.state == Job::State::Succeeded, qPrintable(plain.error.toString()));
    QVERIFY(!plain.fromToc);
    QCOMPARE(plain.lines.size(), layersOf(app).at(1).toObject().value(QLatin1String("entries")).toArray().size());
}

void TestTocLayers::carvesEveryFile_data()
{
    QTest::addColumn<QString>("name");
    for (const char *n : { "lab/estargz:1.0", "lab/zstdchunked-stargz:1.0", "lab/zstdchunked:1.0" }) {
        if (!fixture(QLatin1String(n)).isEmpty())
            QTest::newRow(n) << QString::fromLatin1(n);
    }
}

void TestTocLayers::carvesEveryFile()
{
    QFETCH(QString, name);
    const QJsonObject fx = fixture(name);
    const oci::Image image = imageOf(fx);
    QTemporaryDir out;
    int files = 0;
    for (const QJsonValue &v : fx.value(QLatin1String("merged")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString type = m.value(QLatin1String("type")).toString();
        if (type != QLatin1String("file") && type != QLatin1String("hardlink"))
            continue;
        const QString path = m.value(QLatin1String("path")).toString();
        if (path == QLatin1String("stargz.index.json"))
            continue;
        const Carve c = carve(image, path, out.path());
        QVERIFY2(c.state == Job::State::Succeeded, qPrintable(path + QLatin1String(": ") + c.error.toString()));
        QCOMPARE(c.result.status, extract::CarveResult::Status::Found);
        QVERIFY2(c.result.fromToc, qPrintable(path));
        QCOMPARE(c.result.layersRead, 0); // no layer streamed
        QCOMPARE(c.result.layerIndex, m.value(QLatin1String("layer")).toInt());
        const QByteArray data = readFile(c.result.savedTo);
        if (type == QLatin1String("file")) {
            QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()),
                m.value(QLatin1String("sha256")).toString());
        } else {
            QVERIFY(!data.isEmpty() || m.value(QLatin1String("size")).toInteger() == 0);
        }
        ++files;
    }
    QVERIFY(files >= 45);
    QVERIFY(!filesBelow(out.path()).join(QLatin1Char(' ')).contains(QLatin1String(".part")));
}

void TestTocLayers::refusedTocFallsBackToStreaming_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("words");
    QTest::addColumn<Error::Code>("code");
    QTest::newRow("toc.digest mismatch") << QStringLiteral("digest") << QStringLiteral("toc.digest")
                                         << Error::Code::DigestMismatch;
    QTest::newRow("footer past the end") << QStringLiteral("footer") << QStringLiteral("past the end")
                                         << Error::Code::Malformed;
    if (!fixture(QStringLiteral("lab/toc-bad:position")).isEmpty()) {
        QTest::newRow("manifest-position outside the blob")
            << QStringLiteral("position") << QStringLiteral("outside") << Error::Code::Malformed;
        QTest::newRow("manifest-checksum mismatch")
            << QStringLiteral("checksum") << QStringLiteral("checksum") << Error::Code::DigestMismatch;
    }
}

void TestTocLayers::refusedTocFallsBackToStreaming()
{
    QFETCH(QString, tag);
    QFETCH(QString, words);
    QFETCH(Error::Code, code);
    const QJsonObject fx = fixture(QStringLiteral("lab/toc-bad:") + tag);
    QVERIFY(!fx.isEmpty());
    const oci::Image image = imageOf(fx);

    ll::test::ClientEnv env;
    toc::TocFetchJob fetch(env.client.get(), stream::LayerSource::fromImage(image, 0));
    ll::test::runJob(fetch);
    QCOMPARE(fetch.state(), Job::State::Failed);
    QCOMPARE(fetch.error().code, code);
    QVERIFY2(fetch.error().toString().contains(words), qPrintable(fetch.error().toString()));

    // The listing says why and streams the (sound) blob instead: what its own tar holds.
    const Listing got = list(image, 0);
    QVERIFY2(got.state == Job::State::Succeeded, qPrintable(got.error.toString()));
    QVERIFY(!got.fromToc);
    QVERIFY2(got.refusal.contains(words), qPrintable(got.refusal));
    QStringList all;
    for (const QJsonValue &v : layersOf(fx).at(0).toObject().value(QLatin1String("entries")).toArray())
        all << v.toObject().value(QLatin1String("path")).toString();
    QCOMPARE(got.paths, all);

    // A carve still gets the right bytes, by streaming.
    QTemporaryDir out;
    const Carve c = carve(image, QStringLiteral("usr/share/doc/big.txt"), out.path());
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QVERIFY(!c.result.fromToc);
    QCOMPARE(c.result.layersFromToc, 0);
    QCOMPARE(fileSha256(c.result.savedTo), shaOf(fx, QStringLiteral("usr/share/doc/big.txt")));
}

void TestTocLayers::lyingChunksFallBackToStreaming_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("path");
    // The TOC's digest matches its annotation, but what it says about a file is wrong.
    QTest::newRow("chunk offset moved") << QStringLiteral("offset") << QStringLiteral("usr/share/doc/big.txt");
    QTest::newRow("file size larger") << QStringLiteral("size") << QStringLiteral("etc/passwd");
}

void TestTocLayers::lyingChunksFallBackToStreaming()
{
    QFETCH(QString, tag);
    QFETCH(QString, path);
    const QJsonObject fx = fixture(QStringLiteral("lab/toc-bad:") + tag);
    QVERIFY(!fx.isEmpty());
    const QString sha = shaOf(fx, path);
    QVERIFY(!sha.isEmpty());
    QTemporaryDir out;
    const Carve c = carve(imageOf(fx), path, out.path());
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QVERIFY(!c.result.fromToc); // the chunk failed its check; the layer was streamed
    QCOMPARE(c.result.layersRead, 1);
    QCOMPARE(fileSha256(c.result.savedTo), sha);
    QCOMPARE(filesBelow(out.path()), QStringList { path });
}

void TestTocLayers::corruptChunkIsNeverSaved()
{
    // The registry's bytes of layer 0 change (the proxy flips one byte of every answer at body byte 20,000):
    // the chunk fails its digest, the fallback stream fails the blob's digest, no file is left.
    const QJsonObject fx = fixture(QStringLiteral("lab/estargz:1.0"));
    const oci::Image image = imageOf(fx);
    const QString digest = image.manifest.layers.at(0).digest;
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") }, { QStringLiteral("at_byte"), 20000 },
                { QStringLiteral("count"), 0 }, { QStringLiteral("path"), digest.mid(7) } } } } });
    QTemporaryDir out;
    const Carve c = carve(image, QStringLiteral("usr/share/doc/big.txt"), out.path());
    QCOMPARE(c.state, Job::State::Failed);
    QVERIFY2(c.error.code == Error::Code::DigestMismatch || c.error.code == Error::Code::Corrupt,
        qPrintable(c.error.toString()));
    QCOMPARE(filesBelow(out.path()), QStringList());
    Harness::instance().proxyReset();

    // Only the file's own request damaged (layer 0's requests: footer, TOC, file; the first two are shorter
    // than 20,000 bytes): the chunk fails its chunkDigest, the layer is streamed cleanly and gives the right file.
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") }, { QStringLiteral("at_byte"), 20000 },
                { QStringLiteral("count"), 3 }, { QStringLiteral("path"), digest.mid(7) } } } } });
    const Carve ok = carve(image, QStringLiteral("usr/share/doc/big.txt"), out.path());
    QVERIFY2(ok.state == Job::State::Succeeded, qPrintable(ok.error.toString()));
    QVERIFY(!ok.result.fromToc);
    QCOMPARE(ok.result.layersRead, 1);
    QCOMPARE(fileSha256(ok.result.savedTo), shaOf(fx, QStringLiteral("usr/share/doc/big.txt")));
}

QTEST_GUILESS_MAIN(TestTocLayers)
#include "TestTocLayers.moc"
