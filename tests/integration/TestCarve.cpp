// CarveJob against the real registry (through the fault proxy): the top layer's copy wins, whiteouts and
// opaque dirs answer "deleted", hard links and symlinks (with and without --follow), early stops within the
// byte budget, resets, ignored ranges, corrupt blobs, cancel, and output that never leaves the output dir.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "common/Sha256.h"
#include "extract/CarveJob.h"
#include "oci/Image.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::extract::CarveJob;
using ll::extract::CarveOptions;
using ll::extract::CarveResult;
using ll::stream::TarEntry;
using ll::test::ClientEnv;
using ll::test::Harness;

Q_DECLARE_METATYPE(CarveResult::Status)
Q_DECLARE_METATYPE(TarEntry::Type)

namespace {

QJsonObject fixture(const QString &name)
{
    return Harness::instance().fixture(name);
}

/** The image as ImageResolveJob would give it, served by host (the proxy by default). */
ll::oci::Image imageOf(const QJsonObject &fx, const QString &host = {})
{
    ll::oci::Image image;
    image.registry = host.isEmpty() ? Harness::instance().proxy() : host;
    image.repository = fx.value(QLatin1String("repository")).toString();
    image.tag = fx.value(QLatin1String("tag")).toString();
    image.manifestDigest = fx.value(QLatin1String("digest")).toString();
    image.reference = image.registry + QLatin1Char('/') + image.repository + QLatin1Char(':') + image.tag;
    for (const QJsonValue &v : fx.value(QLatin1String("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        ll::oci::Descriptor d;
        d.digest = l.value(QLatin1String("digest")).toString();
        d.size = l.value(QLatin1String("size")).toInteger();
        d.mediaType = l.value(QLatin1String("mediaType")).toString();
        image.manifest.layers.append(d);
    }
    return image;
}

/** The fixture's entry for path in layer index. */
QJsonObject entryOf(const QJsonObject &fx, int layer, const QString &path)
{
    const QJsonObject l = fx.value(QLatin1String("layers")).toArray().at(layer).toObject();
    for (const QJsonValue &v : l.value(QLatin1String("entries")).toArray()) {
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject();
    }
    return {};
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256Hex(const QByteArray &data)
{
    return ll::Sha256::digestOf(data).mid(7);
}

/** Every file below dir (relative paths), for "nothing else was written" checks. */
QStringList filesBelow(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

struct Carve {
    Job::State state = Job::State::Idle;
    Error error;
    CarveResult result;
    int finishedCount = 0;
};

Carve carve(const ll::oci::Image &image, const QString &path, const CarveOptions &options, int timeoutMs = 120000)
{
    ClientEnv env;
    Carve out;
    CarveJob job(env.client.get(), image, path, options);
    QObject::connect(&job, &Job::finished, &job, [&out] { ++out.finishedCount; });
    ll::test::runJob(job, timeoutMs);
    out.state = job.state();
    out.error = job.error();
    out.result = job.result();
    return out;
}

void addFault(const QJsonObject &rule)
{
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"), QJsonArray { rule } } });
}

QString blobPath(const ll::oci::Image &image, int layer)
{
    return QStringLiteral("/v2/%1/blobs/%2").arg(image.repository, image.manifest.layers.at(layer).digest);
}

} // namespace

class TestCarve : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void found_data();
    void found();
    void notFoundOrDeleted_data();
    void notFoundOrDeleted();
    void symlinkReported_data();
    void symlinkReported();
    void directoryIsAnError();
    void unsafePaths_data();
    void unsafePaths();
    void symlinkInOutputDirNotFollowed();
    void earlyStopWithinBudget_data();
    void earlyStopWithinBudget();
    void resumesAfterReset();
    void rangeIgnored();
    void tooManyResetsNameLayerAndOffset();
    void corruptBlobNamesLayer();
    void cancelLeavesNoFile();
    void symlinkedParentsAndLoops();

private:
    QJsonObject m_app;
    QJsonObject m_big;
};

void TestCarve::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    m_app = fixture(QStringLiteral("lab/app:1.0"));
    m_big = fixture(QStringLiteral("lab/big:1.0"));
    QVERIFY(!m_app.isEmpty());
    QVERIFY(!m_big.isEmpty());
}

void TestCarve::init()
{
    Harness::instance().proxyReset();
}

void TestCarve::found_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("follow");
    QTest::addColumn<int>("layer"); // where the content is
    QTest::addColumn<QString>("source"); // the fixture entry holding the content
    QTest::addColumn<TarEntry::Type>("type");
    QTest::addColumn<QString>("link");
    QTest::addColumn<int>("layersRead");

    // Layer 1 edits /etc/passwd: the top copy wins (layers 3, 2 read whole, layer 1 stops at the file).
    QTest::newRow("passwd from the upper layer")
        << QStringLiteral("etc/passwd") << false << 1 << QStringLiteral("etc/passwd") << TarEntry::Type::File
        << QString() << 3;
    QTest::newRow("leading slash and dots") << QStringLiteral("/etc/./passwd") << false << 1
                                            << QStringLiteral("etc/passwd") << TarEntry::Type::File << QString() << 3;
    QTest::newRow("top layer") << QStringLiteral("usr/local/bin/app") << false << 3
                               << QStringLiteral("usr/local/bin/app") << TarEntry::Type::File << QString() << 1;
    QTest::newRow("under the opaque dir, new content")
        << QStringLiteral("var/cache/apt/fresh.bin") << false << 2 << QStringLiteral("var/cache/apt/fresh.bin")
        << TarEntry::Type::File << QString() << 2;
    QTest::newRow("base layer") << QStringLiteral("etc/os-release") << false << 0 << QStringLiteral("etc/os-release")
                                << TarEntry::Type::File << QString() << 4;
    // A hard link's content is its target's, earlier in the same layer: re-read from the bytes the search of
    // layer 0 received, not a second pass (was 5: layer 0 downloaded again up to the target).
    QTest::newRow("hard link") << QStringLiteral("usr/bin/perl5.36.0") << false << 0 << QStringLiteral("usr/bin/perl")
                               << TarEntry::Type::Hardlink << QStringLiteral("usr/bin/perl") << 4;
    QTest::newRow("symlink followed, absolute")
        << QStringLiteral("etc/localtime") << true << 0 << QStringLiteral("usr/share/zoneinfo/UTC")
        << TarEntry::Type::Symlink << QStringLiteral("/usr/share/zoneinfo/UTC") << 5;
    QTest::newRow("symlink followed, relative") << QStringLiteral("bin/rbash") << true << 0 << QStringLiteral("bin/sh")
                                                << TarEntry::Type::Symlink << QStringLiteral("sh") << 5;
    QTest::newRow("follow on a plain file") << QStringLiteral("etc/passwd") << true << 1 << QStringLiteral("etc/passwd")
                                            << TarEntry::Type::File << QString() << 3;
}

void TestCarve::found()
{
    QFETCH(QString, path);
    QFETCH(bool, follow);
    QFETCH(int, layer);
    QFETCH(QString, source);
    QFETCH(TarEntry::Type, type);
    QFETCH(QString, link);
    QFETCH(int, layersRead);

    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path() + QStringLiteral("/carved");
    o.follow = follow;
    const ll::oci::Image image = imageOf(m_app);
    const Carve c = carve(image, path, o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QCOMPARE(c.finishedCount, 1);
    const CarveResult &r = c.result;
    QCOMPARE(r.status, CarveResult::Status::Found);
    QCOMPARE(r.layerIndex, layer);
    QCOMPARE(r.layerDigest, image.manifest.layers.at(layer).digest);
    QCOMPARE(r.layerSize, image.manifest.layers.at(layer).size);
    QCOMPARE(r.type, type);
    QCOMPARE(r.linkTarget, link);
    QCOMPARE(r.layersRead, layersRead);

    const QJsonObject expected = entryOf(m_app, layer, source);
    QVERIFY(!expected.isEmpty());
    const QString normal = QDir::cleanPath(path).remove(0, path.startsWith(QLatin1Char('/')) ? 1 : 0);
    const QString want = QDir(o.outputDir).absoluteFilePath(normal);
    QCOMPARE(r.savedTo, want);
    const QByteArray content = readFile(want);
    QCOMPARE(qint64(content.size()), expected.value(QLatin1String("size")).toInteger());
    QCOMPARE(r.size, qint64(content.size()));
    QCOMPARE(sha256Hex(content), expected.value(QLatin1String("sha256")).toString());
    QCOMPARE(filesBelow(o.outputDir), QStringList { normal }); // no .part left, nothing else

    QVERIFY(r.requests >= 1);
    QVERIFY(r.bytesDownloaded > 0);
    QVERIFY(r.physicalBound > 0);
    QVERIFY(r.elapsedMs >= 0);
}

void TestCarve::notFoundOrDeleted_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<CarveResult::Status>("status");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("layersRead");
    // Layer 2 holds etc/.wh.motd: the copy in layer 0 must not come back.
    QTest::newRow("whiteout") << QStringLiteral("etc/motd") << CarveResult::Status::Deleted << 2 << 2;
    // Layer 2 makes var/cache/apt opaque: layer 0's files below it are gone (decided at layer 2's end).
    QTest::newRow("opaque dir, file") << QStringLiteral("var/cache/apt/pkgcache.bin") << CarveResult::Status::Deleted
                                      << 2 << 2;
    QTest::newRow("opaque dir, deeper") << QStringLiteral("var/cache/apt/archives/lock") << CarveResult::Status::Deleted
                                        << 2 << 2;
    QTest::newRow("below a whited-out file") << QStringLiteral("etc/motd/x") << CarveResult::Status::Deleted << 2 << 2;
    QTest::newRow("missing") << QStringLiteral("etc/nonexistent") << CarveResult::Status::NotFound << -1 << 4;
    QTest::newRow("missing dir") << QStringLiteral("nope/nothing") << CarveResult::Status::NotFound << -1 << 4;
}

void TestCarve::notFoundOrDeleted()
{
    QFETCH(QString, path);
    QFETCH(CarveResult::Status, status);
    QFETCH(int, layer);
    QFETCH(int, layersRead);
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    const ll::oci::Image image = imageOf(m_app);
    const Carve c = carve(image, path, o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QCOMPARE(c.result.status, status);
    QCOMPARE(c.result.layerIndex, layer);
    QCOMPARE(c.result.layersRead, layersRead);
    QVERIFY(c.result.savedTo.isEmpty());
    QCOMPARE(filesBelow(out.path()), QStringList());
    if (status == CarveResult::Status::NotFound) {
        // Every layer was read whole: the bound is the sum of the layer sizes.
        QCOMPARE(c.result.physicalBound, image.totalLayerSize());
    }
}

void TestCarve::symlinkReported_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("link");
    QTest::newRow("absolute target") << QStringLiteral("etc/localtime") << QStringLiteral("/usr/share/zoneinfo/UTC");
    QTest::newRow("relative target") << QStringLiteral("bin/rbash") << QStringLiteral("sh");
}

void TestCarve::symlinkReported()
{
    QFETCH(QString, path);
    QFETCH(QString, link);
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    const ll::oci::Image image = imageOf(m_app);
    const Carve c = carve(image, path, o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QCOMPARE(c.result.status, CarveResult::Status::Found);
    QCOMPARE(c.result.type, TarEntry::Type::Symlink);
    QCOMPARE(c.result.linkTarget, link);
    QCOMPARE(c.result.layerIndex, 0);
    QVERIFY(c.result.savedTo.isEmpty());
    QCOMPARE(filesBelow(out.path()), QStringList());
    // Layer 0 stopped at the link: less than the whole image was read.
    QVERIFY(c.result.physicalBound < image.totalLayerSize());
}

void TestCarve::directoryIsAnError()
{
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    const Carve c = carve(imageOf(m_app), QStringLiteral("etc"), o);
    QCOMPARE(c.state, Job::State::Failed);
    QCOMPARE(c.error.code, Error::Code::Usage);
    QVERIFY2(c.error.message.contains(QLatin1String("directory")), qPrintable(c.error.message));
    QCOMPARE(filesBelow(out.path()), QStringList());
}

void TestCarve::unsafePaths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<Error::Code>("code");
    QTest::newRow("dotdot") << QStringLiteral("../../x") << Error::Code::UnsafePath;
    QTest::newRow("dotdot inside") << QStringLiteral("etc/../../passwd") << Error::Code::UnsafePath;
    QTest::newRow("empty") << QString() << Error::Code::Usage;
}

void TestCarve::unsafePaths()
{
    QFETCH(QString, path);
    QFETCH(Error::Code, code);
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path() + QStringLiteral("/a/b");
    const Carve c = carve(imageOf(m_app), path, o);
    QCOMPARE(c.state, Job::State::Failed);
    QCOMPARE(c.error.code, code);
    QCOMPARE(c.result.requests, 0); // refused before any request
    QCOMPARE(filesBelow(out.path()), QStringList());
    QCOMPARE(Harness::instance().proxyStats().value(QLatin1String("requests")).toInt(), 0);
}

void TestCarve::symlinkInOutputDirNotFollowed()
{
    // <out>/etc is a symlink to a directory outside: the carve must refuse to write through it.
    QTemporaryDir out;
    QTemporaryDir outside;
    QVERIFY(QFile::link(outside.path(), out.filePath(QStringLiteral("etc"))));
    CarveOptions o;
    o.outputDir = out.path();
    const Carve c = carve(imageOf(m_app), QStringLiteral("etc/passwd"), o);
    QCOMPARE(c.state, Job::State::Failed);
    QCOMPARE(c.error.code, Error::Code::UnsafePath);
    QCOMPARE(filesBelow(outside.path()), QStringList());
}

void TestCarve::earlyStopWithinBudget_data()
{
    QTest::addColumn<int>("latencyMs");
    QTest::addColumn<int>("chunkKb");
    QTest::addColumn<bool>("overlap");
    QTest::newRow("no latency") << 0 << 64 << false;
    // One big first window: the stop comes mid-response, the rest of the window is in flight.
    QTest::newRow("8 MiB first chunk") << 0 << 8192 << false;
    // With a slow link the last request's bytes arrive after Qt's (100 ms throttled) downloadProgress: they
    // must still be counted (bytesDownloaded once came out below the bytes consumed).
    QTest::newRow("50 ms per request") << 50 << 64 << false;
    QTest::newRow("open request") << 0 << 64 << true;
    QTest::newRow("open request, 50 ms") << 50 << 64 << true;
}

void TestCarve::earlyStopWithinBudget()
{
    QFETCH(int, latencyMs);
    QFETCH(int, chunkKb);
    QFETCH(bool, overlap);
    // data/needle.bin ends ~4 MiB (uncompressed) into lab/big's one large layer.
    const QJsonObject needle = m_big.value(QLatin1String("needle")).toObject();
    const QJsonObject entry = entryOf(m_big, 0, QStringLiteral("data/needle.bin"));
    const qint64 bound = needle.value(QLatin1String("compressed_bound")).toInteger();
    const ll::oci::Image image = imageOf(m_big);
    const qint64 layerSize = image.manifest.layers.at(0).size;
    QVERIFY(bound > 0 && bound < layerSize / 2);

    if (latencyMs > 0)
        addFault(QJsonObject { { QStringLiteral("type"), QStringLiteral("slow") },
            { QStringLiteral("latency_ms"), latencyMs }, { QStringLiteral("count"), 0 } });
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    o.firstChunk = chunkKb * 1024;
    o.overlap = overlap;
    const Carve c = carve(image, QStringLiteral("data/needle.bin"), o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    const CarveResult &r = c.result;
    QCOMPARE(r.status, CarveResult::Status::Found);
    QCOMPARE(sha256Hex(readFile(r.savedTo)), entry.value(QLatin1String("sha256")).toString());

    qInfo("layer %lld, fixture bound %lld, physical bound %lld, requested %lld, downloaded %lld, %d requests",
        layerSize, bound, r.physicalBound, r.bytesRequested, r.bytesDownloaded, r.requests);
    QVERIFY(r.bytesDownloaded < layerSize);
    QVERIFY(r.bytesDownloaded >= r.physicalBound); // nothing is consumed that did not arrive
    // The stop point is measured in 8 KiB inflater slices: it lies at or just past the true bound.
    QVERIFY(r.physicalBound >= bound);
    QVERIFY(r.physicalBound <= bound + 64 * 1024);
    // The budget: requested <= 1.25 x consumed + first chunk (a tail request may round up to half a chunk).
    QVERIFY(r.bytesRequested <= qint64(1.25 * r.physicalBound) + o.firstChunk + o.firstChunk / 2);
    QVERIFY(r.bytesDownloaded <= r.bytesRequested);
    // Open request: the first window, then one request read as the allowance grows; bounded: a request per window.
    QVERIFY2(r.requests <= (overlap ? 2 : 20), qPrintable(QString::number(r.requests)));
    // What the proxy wrote into its socket (for an aborted response: up to the failed write).
    const qint64 proxyBytes = Harness::instance()
                                  .proxyStats()
                                  .value(QLatin1String("paths"))
                                  .toObject()
                                  .value(blobPath(image, 0))
                                  .toObject()
                                  .value(QLatin1String("bytes"))
                                  .toInteger();
    if (overlap) {
        // An open request closed at the stop: the sockets' buffers (the proxy's send buffer, our receive buffer;
        // a few MB on loopback) were filled beyond what was read, but the layer's rest was never sent.
        QVERIFY2(proxyBytes < layerSize - bound, qPrintable(QString::number(proxyBytes)));
    } else {
        // Bounded Range windows: the proxy never sent more than was asked for, so the wire keeps the budget too.
        QVERIFY2(proxyBytes <= r.bytesRequested, qPrintable(QString::number(proxyBytes)));
        QVERIFY2(proxyBytes <= qint64(1.25 * r.physicalBound) + o.firstChunk + o.firstChunk / 2,
            qPrintable(QString::number(proxyBytes)));
    }
}

void TestCarve::resumesAfterReset()
{
    const ll::oci::Image image = imageOf(m_big);
    addFault(
        QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 300000 },
            { QStringLiteral("count"), 2 }, { QStringLiteral("path"), blobPath(image, 0) } });
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    o.firstChunk = 1 << 20; // requests long enough to be cut
    const Carve c = carve(image, QStringLiteral("data/needle.bin"), o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QCOMPARE(c.result.status, CarveResult::Status::Found);
    QCOMPARE(sha256Hex(readFile(c.result.savedTo)),
        entryOf(m_big, 0, QStringLiteral("data/needle.bin")).value(QLatin1String("sha256")).toString());
    const QJsonObject faults = Harness::instance().proxyStats().value(QLatin1String("faults")).toObject();
    QCOMPARE(faults.value(QLatin1String("reset")).toInt(), 2);
}

void TestCarve::rangeIgnored()
{
    const ll::oci::Image image = imageOf(m_app);
    addFault(
        QJsonObject { { QStringLiteral("type"), QStringLiteral("ignore_range") }, { QStringLiteral("count"), 0 } });
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    o.firstChunk = 16 * 1024;
    const Carve c = carve(image, QStringLiteral("usr/bin/perl5.36.0"), o);
    QVERIFY2(c.state == Job::State::Succeeded, qPrintable(c.error.toString()));
    QCOMPARE(c.result.layerIndex, 0);
    QCOMPARE(sha256Hex(readFile(c.result.savedTo)),
        entryOf(m_app, 0, QStringLiteral("usr/bin/perl")).value(QLatin1String("sha256")).toString());
    QVERIFY(Harness::instance()
                .proxyStats()
                .value(QLatin1String("faults"))
                .toObject()
                .value(QLatin1String("ignore_range"))
                .toInt()
        >= 1);
}

void TestCarve::tooManyResetsNameLayerAndOffset()
{
    const ll::oci::Image image = imageOf(m_big);
    addFault(
        QJsonObject { { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 100000 },
            { QStringLiteral("count"), 0 }, { QStringLiteral("path"), blobPath(image, 0) } });
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    o.firstChunk = 1 << 20;
    const Carve c = carve(image, QStringLiteral("data/needle.bin"), o);
    QCOMPARE(c.state, Job::State::Failed);
    QCOMPARE(c.error.code, Error::Code::Network);
    const QString text = c.error.toString();
    QVERIFY2(text.contains(QLatin1String("layer 0")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("offset")), qPrintable(text));
    QCOMPARE(filesBelow(out.path()), QStringList());
}

void TestCarve::corruptBlobNamesLayer()
{
    // A layer whose gzip stream turns to garbage after 100 KB: the error names the layer and an offset,
    // and no file is left (not even a .part).
    const QJsonObject l0 = m_app.value(QLatin1String("layers")).toArray().at(0).toObject();
    QByteArray blob = readFile(l0.value(QLatin1String("path")).toString());
    QVERIFY(blob.size() > 100000);
    for (int i = 100000; i < 120000; ++i)
        blob[i] = char(i * 7);
    const QString repository = m_app.value(QLatin1String("repository")).toString();
    const QString digest = Harness::instance().pushBlob(repository, blob);
    QVERIFY(!digest.isEmpty());
    ll::oci::Image image = imageOf(m_app);
    image.manifest.layers = { image.manifest.layers.at(0) };
    image.manifest.layers[0].digest = digest;
    image.manifest.layers[0].size = blob.size();

    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    // pkgcache.bin lies past the damage (near the end), etc/passwd before it.
    const Carve bad = carve(image, QStringLiteral("var/cache/apt/pkgcache.bin"), o);
    QCOMPARE(bad.state, Job::State::Failed);
    QCOMPARE(bad.error.code, Error::Code::Corrupt);
    const QString text = bad.error.toString();
    QVERIFY2(text.contains(QLatin1String("layer 0")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("offset")), qPrintable(text));
    QCOMPARE(filesBelow(out.path()), QStringList());

    // etc/passwd lies before the damage. With one Range request per window, the window its pass asked for reaches
    // into the damage: those bytes are read on and checked before the file gets its name, so the damaged layer is
    // refused too (never trusted).
    const Carve early = carve(image, QStringLiteral("etc/passwd"), o);
    QCOMPARE(early.state, Job::State::Failed);
    QVERIFY2(early.error.code == Error::Code::Corrupt || early.error.code == Error::Code::DigestMismatch,
        qPrintable(early.error.toString()));
    QCOMPARE(filesBelow(out.path()), QStringList());
    // Overlapped, only what had arrived at the stop is checked: either that reached the damage (refused), or the
    // file comes out whole and right, marked unverified.
    CarveOptions openRequest = o;
    openRequest.overlap = true;
    const Carve open = carve(image, QStringLiteral("etc/passwd"), openRequest);
    if (open.state == Job::State::Failed) {
        QVERIFY2(open.error.code == Error::Code::Corrupt || open.error.code == Error::Code::DigestMismatch,
            qPrintable(open.error.toString()));
        QCOMPARE(filesBelow(out.path()), QStringList());
    } else {
        QCOMPARE(open.state, Job::State::Succeeded);
        QVERIFY(!open.result.verified);
        QCOMPARE(sha256Hex(readFile(open.result.savedTo)),
            entryOf(m_app, 0, QStringLiteral("etc/passwd")).value(QLatin1String("sha256")).toString());
    }
}

void TestCarve::cancelLeavesNoFile()
{
    // The last file of lab/big, fetched slowly: cancel once bytes flow.
    const ll::oci::Image image = imageOf(m_big);
    addFault(QJsonObject { { QStringLiteral("type"), QStringLiteral("slow") }, { QStringLiteral("rate"), 2000000 },
        { QStringLiteral("count"), 0 }, { QStringLiteral("path"), blobPath(image, 0) } });
    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    ClientEnv env;
    CarveJob job(env.client.get(), image, QStringLiteral("data/needle-end.bin"), o);
    int finished = 0;
    connect(&job, &Job::finished, &job, [&finished] { ++finished; });
    job.start();
    QVERIFY(ll::test::spinUntil([&job] { return job.progressDone() > 500000 || job.isFinished(); }));
    QVERIFY(job.isRunning());
    job.cancel();
    QVERIFY(ll::test::spinUntil([&job] { return job.isFinished(); }));
    QTest::qWait(50);
    QCOMPARE(finished, 1);
    QCOMPARE(job.state(), Job::State::Cancelled);
    QCOMPARE(job.error().code, Error::Code::Cancelled);
    QCOMPARE(filesBelow(out.path()), QStringList());
}

void TestCarve::symlinkedParentsAndLoops()
{
    // Two layers made here with tar: lower has usr/lib/libx.so, lib -> usr/lib (usr-merge style) and a link
    // loop; upper has usr/lib64 -> lib and a relative link through it.
    QTemporaryDir work;
    auto sh = [&work](const QString &command) {
        QProcess p;
        p.setWorkingDirectory(work.path());
        p.start(QStringLiteral("/bin/sh"), { QStringLiteral("-c"), command });
        return p.waitForFinished(30000) && p.exitCode() == 0;
    };
    QVERIFY(sh(QStringLiteral("mkdir -p l0/usr/lib l1/usr l1/etc && printf 'libx contents\\n' > l0/usr/lib/libx.so"
                              " && ln -s usr/lib l0/lib && ln -s loop-b l0/loop-a && ln -s loop-a l0/loop-b"
                              " && ln -s lib l1/usr/lib64 && ln -s ../usr/lib64/libx.so l1/etc/libx-link"
                              " && tar -C l0 -czf l0.tar.gz . && tar -C l1 -czf l1.tar.gz .")));
    const QString repository = m_app.value(QLatin1String("repository")).toString();
    ll::oci::Image image = imageOf(m_app);
    image.manifest.layers.clear();
    for (const QString &name : { QStringLiteral("l0.tar.gz"), QStringLiteral("l1.tar.gz") }) {
        const QByteArray blob = readFile(work.filePath(name));
        QVERIFY(!blob.isEmpty());
        ll::oci::Descriptor d;
        d.digest = Harness::instance().pushBlob(repository, blob);
        QVERIFY(!d.digest.isEmpty());
        d.size = blob.size();
        d.mediaType = QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
        image.manifest.layers.append(d);
    }
    const QByteArray expected("libx contents\n");

    struct Case {
        QString path;
        bool follow;
        QString resolved;
    };
    const Case cases[] = {
        { QStringLiteral("lib/libx.so"), false, QStringLiteral("usr/lib/libx.so") }, // parent in layer 0
        { QStringLiteral("usr/lib64/libx.so"), false, QStringLiteral("usr/lib/libx.so") }, // parent chain 1 -> 0
        { QStringLiteral("etc/libx-link"), true, QStringLiteral("usr/lib/libx.so") }, // final link + parents
    };
    for (const Case &k : cases) {
        QTemporaryDir out;
        CarveOptions o;
        o.outputDir = out.path();
        o.follow = k.follow;
        const Carve c = carve(image, k.path, o);
        QVERIFY2(c.state == Job::State::Succeeded, qPrintable(k.path + QLatin1Char(' ') + c.error.toString()));
        QCOMPARE(c.result.status, CarveResult::Status::Found);
        QCOMPARE(c.result.resolvedPath, k.resolved);
        QCOMPARE(c.result.layerIndex, 0);
        QCOMPARE(c.result.savedTo, QDir(out.path()).absoluteFilePath(k.path)); // under the requested name
        QCOMPARE(readFile(c.result.savedTo), expected);
    }

    QTemporaryDir out;
    CarveOptions o;
    o.outputDir = out.path();
    o.follow = true;
    const Carve loop = carve(image, QStringLiteral("loop-a"), o);
    QCOMPARE(loop.state, Job::State::Failed);
    QVERIFY2(loop.error.message.contains(QLatin1String("symbolic links")), qPrintable(loop.error.toString()));
    QCOMPARE(filesBelow(out.path()), QStringList());
}

QTEST_GUILESS_MAIN(TestCarve)
#include "TestCarve.moc"
