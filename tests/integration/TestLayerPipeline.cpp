// LayerPipeline / LayerScanJob against the real registry through the fault proxy: full passes equal the
// fixture listing and `tar -tf`, resume after resets and short bodies, 200 for a Range request, digest
// mismatch, truncated gzip and bad tar checksums, 404, cancel mid-stream, --partial byte limits.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "common/Sha256.h"
#include "stream/LayerPipeline.h"
#include "stream/LayerScanJob.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::stream::Decompressor;
using ll::stream::FetchPolicy;
using ll::stream::LayerPipeline;
using ll::stream::LayerScanJob;
using ll::stream::LayerSource;
using ll::stream::TarEntry;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

QJsonObject imageFixture(const QString &name, int manifest = -1)
{
    QJsonObject fx = Harness::instance().fixture(name);
    if (manifest >= 0) {
        const QString repo = fx.value(QLatin1String("repository")).toString();
        fx = fx.value(QLatin1String("manifests"))
                 .toArray()
                 .at(manifest)
                 .toObject()
                 .value(QLatin1String("image"))
                 .toObject();
        fx.insert(QStringLiteral("repository"), repo);
    }
    return fx;
}

QJsonObject layerFixture(const QJsonObject &fx, int index)
{
    return fx.value(QLatin1String("layers")).toArray().at(index).toObject();
}

LayerSource sourceFor(const QJsonObject &fx, int index, const QString &host = {})
{
    const QJsonObject l = layerFixture(fx, index);
    LayerSource s;
    s.registry = host.isEmpty() ? Harness::instance().proxy() : host;
    s.repository = fx.value(QLatin1String("repository")).toString();
    s.layer.digest = l.value(QLatin1String("digest")).toString();
    s.layer.size = l.value(QLatin1String("size")).toInteger();
    s.layer.mediaType = l.value(QLatin1String("mediaType")).toString();
    s.index = index;
    return s;
}

QString describe(const TarEntry &e)
{
    QString line = QStringLiteral("%1 %2 %3 %4 %5/%6 %7 hdr=%8")
                       .arg(e.path, e.typeName())
                       .arg(e.size)
                       .arg(e.modeOctal())
                       .arg(e.uid)
                       .arg(e.gid)
                       .arg(e.mtime)
                       .arg(e.headerOffset);
    if (e.type == TarEntry::Type::File)
        line += QStringLiteral(" data=%1").arg(e.dataOffset);
    if (e.type == TarEntry::Type::Symlink || e.type == TarEntry::Type::Hardlink)
        line += QStringLiteral(" -> ") + e.linkTarget;
    return line;
}

QStringList expectedListing(const QJsonObject &layer)
{
    QStringList out;
    for (const QJsonValue &v : layer.value(QLatin1String("entries")).toArray()) {
        const QJsonObject o = v.toObject();
        TarEntry e;
        e.path = TarEntry::normalizePath(o.value(QLatin1String("path")).toString());
        const QString type = o.value(QLatin1String("type")).toString();
        for (auto t :
            { TarEntry::Type::File, TarEntry::Type::Directory, TarEntry::Type::Symlink, TarEntry::Type::Hardlink,
                TarEntry::Type::CharDevice, TarEntry::Type::BlockDevice, TarEntry::Type::Fifo }) {
            if (TarEntry::typeName(t) == type)
                e.type = t;
        }
        e.size = o.value(QLatin1String("size")).toInteger();
        e.mode = o.value(QLatin1String("mode")).toString().toUInt(nullptr, 8);
        e.uid = o.value(QLatin1String("uid")).toInteger();
        e.gid = o.value(QLatin1String("gid")).toInteger();
        e.mtime = o.value(QLatin1String("mtime")).toInteger();
        e.headerOffset = o.value(QLatin1String("header_offset")).toInteger();
        e.dataOffset = o.value(QLatin1String("offset")).toInteger();
        e.linkTarget = o.value(QLatin1String("link")).toString();
        if (e.type == TarEntry::Type::Hardlink)
            e.linkTarget = TarEntry::normalizePath(e.linkTarget);
        out << describe(e);
    }
    return out;
}

/** What a scan gave. */
struct Scan {
    Job::State state = Job::State::Idle;
    Error error;
    QVector<TarEntry> entries;
    bool incomplete = false;
    qint64 consumed = 0;
    qint64 produced = 0;
    qint64 downloaded = 0;
    int requests = 0;
    int finishedCount = 0;
    Decompressor::Format format = Decompressor::Format::Plain;

    QStringList listing() const
    {
        QStringList out;
        for (const TarEntry &e : entries)
            out << describe(e);
        return out;
    }
    QStringList paths() const
    {
        QStringList out;
        for (const TarEntry &e : entries)
            out << e.path;
        return out;
    }
};

Scan scan(const LayerSource &source, const FetchPolicy &policy = FetchPolicy(), int timeoutMs = 120000)
{
    ClientEnv env;
    Scan out;
    LayerScanJob job(env.client.get(), source);
    job.setPolicy(policy);
    QObject::connect(
        &job, &LayerScanJob::entriesReady, &job, [&out](const QVector<TarEntry> &batch) { out.entries += batch; });
    QObject::connect(&job, &Job::finished, &job, [&out] { ++out.finishedCount; });
    ll::test::runJob(job, timeoutMs);
    out.state = job.state();
    out.error = job.error();
    out.incomplete = job.isIncomplete();
    out.consumed = job.compressedConsumed();
    out.produced = job.uncompressedProduced();
    out.downloaded = job.bytesDownloaded();
    out.requests = job.requestCount();
    out.format = job.format();
    return out;
}

QString blobPath(const LayerSource &s)
{
    return QStringLiteral("/v2/%1/blobs/%2").arg(s.repository, s.layer.digest);
}

/** The proxy's log lines ("last") for one blob, oldest first. */
QList<QJsonObject> proxyRequests(const LayerSource &s)
{
    QList<QJsonObject> out;
    for (const QJsonValue &v : Harness::instance().proxyStats().value(QLatin1String("last")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("path")).toString().startsWith(blobPath(s)))
            out << o;
    }
    return out;
}

void addFault(const QJsonObject &rule)
{
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"), QJsonArray { rule } } });
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestLayerPipeline : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void fullPassMatchesFixtureAndTar_data();
    void fullPassMatchesFixtureAndTar();
    void directAndProxiedAgree();
    void resumeAfterReset();
    void shortBodyIsResumed();
    void rangeIgnoredGivesRightBytes();
    void persistentDropsFailNamingLayerAndOffset();
    void digestMismatch_data();
    void digestMismatch();
    void truncatedGzipIsCorrupt();
    void badTarChecksumIsCorrupt();
    void missingBlobIsNotFound();
    void cancelMidStreamClosesConnection();
    void partialListsAPrefix_data();
    void partialListsAPrefix();
    void rawSinkSeesEveryByteOnce();
};

void TestLayerPipeline::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    qRegisterMetaType<QVector<TarEntry>>();
}

void TestLayerPipeline::init()
{
    Harness::instance().proxyReset();
}

void TestLayerPipeline::cleanupTestCase()
{
    if (Harness::instance().available())
        Harness::instance().proxyReset();
}

void TestLayerPipeline::fullPassMatchesFixtureAndTar_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<int>("manifest");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("format");
    for (int i = 0; i < 4; ++i)
        QTest::addRow("lab/app layer %d (gzip)", i) << "lab/app:1.0" << -1 << i << int(Decompressor::Format::Gzip);
    QTest::newRow("lab/oci gzip") << "lab/oci:1.0" << 0 << 0 << int(Decompressor::Format::Gzip);
    QTest::newRow("lab/oci uncompressed GNU tar") << "lab/oci:1.0" << 0 << 1 << int(Decompressor::Format::Plain);
    QTest::newRow("lab/oci zstd") << "lab/oci:1.0" << 0 << 2 << int(Decompressor::Format::Zstd);
    QTest::newRow("lab/hostile layer 1") << "lab/hostile:1.0" << -1 << 1 << int(Decompressor::Format::Gzip);
    QTest::newRow("lab/big") << "lab/big:1.0" << -1 << 0 << int(Decompressor::Format::Gzip);
}

void TestLayerPipeline::fullPassMatchesFixtureAndTar()
{
    QFETCH(QString, image);
    QFETCH(int, manifest);
    QFETCH(int, layer);
    QFETCH(int, format);
    if (format == int(Decompressor::Format::Zstd) && !Harness::instance().state().value(QLatin1String("zstd")).toBool())
        QSKIP("the harness has no zstd layer (zstd CLI missing)");
    const QJsonObject fx = imageFixture(image, manifest);
    const QJsonObject lf = layerFixture(fx, layer);
    const LayerSource source = sourceFor(fx, layer);

    const Scan s = scan(source);
    QVERIFY2(s.state == Job::State::Succeeded, qPrintable(s.error.toString()));
    QCOMPARE(s.finishedCount, 1);
    QCOMPARE(int(s.format), format);
    QVERIFY(!s.incomplete);
    QCOMPARE(s.listing(), expectedListing(lf));
    QCOMPARE(s.consumed, source.layer.size);
    QCOMPARE(s.produced, lf.value(QLatin1String("uncompressed_size")).toInteger());
    QCOMPARE(s.downloaded, source.layer.size);
    QCOMPARE(s.requests, 1);

    // The same blob through GNU tar.
    QProcess tar;
    tar.start(QStringLiteral("tar"), { QStringLiteral("-tf"), lf.value(QLatin1String("path")).toString() });
    QVERIFY(tar.waitForFinished(60000));
    QCOMPARE(tar.exitCode(), 0);
    QStringList names;
    const QList<QByteArray> lines = tar.readAllStandardOutput().split('\n');
    for (const QByteArray &l : lines) {
        if (!l.isEmpty())
            names << TarEntry::normalizePath(QString::fromUtf8(l));
    }
    QCOMPARE(s.paths(), names);
}

void TestLayerPipeline::directAndProxiedAgree()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/app:1.0"));
    const Scan direct = scan(sourceFor(fx, 0, Harness::instance().anonRegistry()));
    const Scan proxied = scan(sourceFor(fx, 0));
    QCOMPARE(direct.state, Job::State::Succeeded);
    QCOMPARE(direct.listing(), proxied.listing());
}

void TestLayerPipeline::resumeAfterReset()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    const qint64 cut = 3 << 20;
    addFault({ { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), cut },
        { QStringLiteral("path"), source.layer.digest } });
    const Scan s = scan(source);
    QVERIFY2(s.state == Job::State::Succeeded, qPrintable(s.error.toString())); // digest verified over both parts
    QCOMPARE(s.listing(), expectedListing(layerFixture(fx, 0)));
    QCOMPARE(s.requests, 2);
    const QList<QJsonObject> reqs = proxyRequests(source);
    QCOMPARE(reqs.size(), 2);
    QCOMPARE(reqs.at(0).value(QLatin1String("fault")).toString(), QStringLiteral("reset"));
    const QString range = reqs.at(1).value(QLatin1String("range")).toString();
    QVERIFY2(range.startsWith(QLatin1String("bytes=")) && range.endsWith(QLatin1Char('-')), qPrintable(range));
    const qint64 from = range.mid(6, range.size() - 7).toLongLong();
    // An RST may drop bytes still in flight: the resume starts at what really arrived.
    QVERIFY2(from > 0 && from <= cut, qPrintable(range));
    QCOMPARE(reqs.at(1).value(QLatin1String("status")).toInt(), 206);
    QCOMPARE(reqs.at(1).value(QLatin1String("bytes")).toInteger(), source.layer.size - from);
}

void TestLayerPipeline::shortBodyIsResumed()
{
    // The server closes cleanly before Content-Length bytes were sent.
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    addFault({ { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 1 << 20 },
        { QStringLiteral("graceful"), true }, { QStringLiteral("path"), source.layer.digest } });
    const Scan s = scan(source);
    QVERIFY2(s.state == Job::State::Succeeded, qPrintable(s.error.toString()));
    QCOMPARE(s.entries.size(), layerFixture(fx, 0).value(QLatin1String("entries")).toArray().size());
    QCOMPARE(s.requests, 2);
    const QList<QJsonObject> reqs = proxyRequests(source);
    QCOMPARE(reqs.size(), 2);
    QCOMPARE(reqs.at(1).value(QLatin1String("range")).toString(), QStringLiteral("bytes=%1-").arg(1 << 20));
}

void TestLayerPipeline::rangeIgnoredGivesRightBytes()
{
    // Drop the connection, then answer the resume's Range with 200 + the whole blob.
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    addFault({ { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 2 << 20 },
        { QStringLiteral("path"), source.layer.digest } });
    addFault({ { QStringLiteral("type"), QStringLiteral("ignore_range") },
        { QStringLiteral("path"), source.layer.digest } });
    const Scan s = scan(source);
    QVERIFY2(s.state == Job::State::Succeeded, qPrintable(s.error.toString()));
    QCOMPARE(s.listing(), expectedListing(layerFixture(fx, 0)));
    const QList<QJsonObject> reqs = proxyRequests(source);
    QCOMPARE(reqs.size(), 2);
    QCOMPARE(reqs.at(1).value(QLatin1String("fault")).toString(), QStringLiteral("ignore_range"));
    QCOMPARE(reqs.at(1).value(QLatin1String("status")).toInt(), 200);
    QVERIFY(reqs.at(1).value(QLatin1String("range")).toString().startsWith(QLatin1String("bytes=")));
    QCOMPARE(s.consumed, source.layer.size);
}

void TestLayerPipeline::persistentDropsFailNamingLayerAndOffset()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    addFault({ { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 256 * 1024 },
        { QStringLiteral("graceful"), true }, { QStringLiteral("count"), 0 },
        { QStringLiteral("path"), source.layer.digest } });
    FetchPolicy policy;
    policy.maxResumes = 2;
    const Scan s = scan(source, policy);
    QCOMPARE(s.state, Job::State::Failed);
    QCOMPARE(s.error.code, Error::Code::Network);
    QVERIFY2(s.error.message.contains(source.label()), qPrintable(s.error.toString()));
    QVERIFY2(
        s.error.toString().contains(QStringLiteral("offset %1").arg(3 * 256 * 1024)), qPrintable(s.error.toString()));
    QCOMPARE(s.requests, 3);
    QCOMPARE(s.finishedCount, 1);
}

void TestLayerPipeline::digestMismatch_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<int>("manifest");
    QTest::addColumn<int>("layer");
    QTest::addColumn<bool>("decode");
    QTest::addColumn<qint64>("flipAt"); // -1: in the middle of the first file's data
    QTest::addColumn<bool>("corruptAccepted"); // a flipped gzip byte may be caught by inflate first

    QTest::newRow("raw only (save)") << "lab/app:1.0" << -1 << 0 << false << qint64(1000) << false;
    QTest::newRow("uncompressed layer, in file data") << "lab/oci:1.0" << 0 << 1 << true << qint64(-1) << false;
    QTest::newRow("gzip layer") << "lab/app:1.0" << -1 << 0 << true << qint64(90000) << true;
    QTest::newRow("gzip trailer (ISIZE)") << "lab/app:1.0" << -1 << 1 << true << qint64(437) << true;
}

void TestLayerPipeline::digestMismatch()
{
    QFETCH(QString, image);
    QFETCH(int, manifest);
    QFETCH(int, layer);
    QFETCH(bool, decode);
    QFETCH(qint64, flipAt);
    QFETCH(bool, corruptAccepted);
    const QJsonObject fx = imageFixture(image, manifest);
    const LayerSource source = sourceFor(fx, layer);
    if (flipAt < 0) {
        for (const QJsonValue &v : layerFixture(fx, layer).value(QLatin1String("entries")).toArray()) {
            const QJsonObject e = v.toObject();
            if (e.value(QLatin1String("type")).toString() == QLatin1String("file")
                && e.value(QLatin1String("size")).toInt() > 4) {
                flipAt = e.value(QLatin1String("offset")).toInteger() + 2;
                break;
            }
        }
    }
    QVERIFY(flipAt >= 0 && flipAt < source.layer.size);
    addFault({ { QStringLiteral("type"), QStringLiteral("corrupt") }, { QStringLiteral("at_byte"), flipAt },
        { QStringLiteral("path"), source.layer.digest } });

    Error error;
    Job::State state;
    if (decode) {
        const Scan s = scan(source);
        state = s.state;
        error = s.error;
        if (!corruptAccepted) // the tar still parses: every entry came, the digest check at the end failed
            QCOMPARE(s.entries.size(), layerFixture(fx, layer).value(QLatin1String("entries")).toArray().size());
    } else {
        ClientEnv env;
        LayerPipeline job(env.client.get(), source);
        qint64 sunk = 0;
        job.setRawSink([&sunk](qint64, const char *, qint64 size) {
            sunk += size;
            return ll::Status();
        });
        ll::test::runJob(job);
        state = job.state();
        error = job.error();
        QCOMPARE(sunk, source.layer.size);
    }
    QCOMPARE(state, Job::State::Failed);
    if (corruptAccepted)
        QVERIFY2(error.code == Error::Code::DigestMismatch || error.code == Error::Code::Corrupt,
            qPrintable(error.toString()));
    else
        QCOMPARE(error.code, Error::Code::DigestMismatch);
    QVERIFY2(error.message.contains(source.label()), qPrintable(error.toString()));
    if (error.code == Error::Code::DigestMismatch)
        QVERIFY2(error.detail.contains(source.layer.digest), qPrintable(error.detail));
}

void TestLayerPipeline::truncatedGzipIsCorrupt()
{
    // A blob that is a gzip stream cut in the middle: its digest is right (the registry checked it on push),
    // its content is not.
    const QJsonObject fx = imageFixture(QStringLiteral("lab/app:1.0"));
    const QByteArray whole = readFile(layerFixture(fx, 0).value(QLatin1String("path")).toString());
    QVERIFY(whole.size() > 100000);
    const QByteArray cut = whole.left(whole.size() / 2);
    const QString digest = Harness::instance().pushBlob(QStringLiteral("lab/app"), cut);
    QVERIFY(!digest.isEmpty());
    LayerSource source = sourceFor(fx, 0);
    source.layer.digest = digest;
    source.layer.size = cut.size();
    const Scan s = scan(source);
    QCOMPARE(s.state, Job::State::Failed);
    QCOMPARE(s.error.code, Error::Code::Corrupt);
    QVERIFY2(s.error.message.contains(source.label()), qPrintable(s.error.toString()));
    QVERIFY2(s.error.toString().contains(QLatin1String("offset")), qPrintable(s.error.toString()));
    QVERIFY(!s.entries.isEmpty()); // what came before the cut was listed
    QVERIFY(s.entries.size() < layerFixture(fx, 0).value(QLatin1String("entries")).toArray().size());
}

void TestLayerPipeline::badTarChecksumIsCorrupt()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/oci:1.0"), 0);
    const QJsonObject lf = layerFixture(fx, 1); // uncompressed
    QByteArray tar = readFile(lf.value(QLatin1String("path")).toString());
    const QJsonArray entries = lf.value(QLatin1String("entries")).toArray();
    QVERIFY(entries.size() >= 3);
    const qint64 header = entries.at(2).toObject().value(QLatin1String("header_offset")).toInteger();
    tar[int(header) + 3] = char(tar.at(int(header) + 3) ^ 0x20); // a name byte: the header checksum breaks
    const QString digest = Harness::instance().pushBlob(QStringLiteral("lab/oci"), tar);
    QVERIFY(!digest.isEmpty());
    LayerSource source = sourceFor(fx, 1);
    source.layer.digest = digest;
    const Scan s = scan(source);
    QCOMPARE(s.state, Job::State::Failed);
    QCOMPARE(s.error.code, Error::Code::Corrupt);
    QVERIFY2(s.error.message.contains(source.label()), qPrintable(s.error.toString()));
    QVERIFY2(s.error.toString().contains(QString::number(header)), qPrintable(s.error.toString()));
    QVERIFY(s.entries.size() <= 2);
}

void TestLayerPipeline::missingBlobIsNotFound()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/app:1.0"));
    LayerSource source = sourceFor(fx, 0);
    source.layer.digest = ll::Sha256::digestOf(QByteArrayLiteral("no such blob"));
    const Scan s = scan(source);
    QCOMPARE(s.state, Job::State::Failed);
    QCOMPARE(s.error.code, Error::Code::NotFound);
    QVERIFY2(s.error.message.contains(source.label()), qPrintable(s.error.toString()));
    QCOMPARE(s.finishedCount, 1);
}

void TestLayerPipeline::cancelMidStreamClosesConnection()
{
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    addFault({ { QStringLiteral("type"), QStringLiteral("slow") }, { QStringLiteral("rate"), 2 << 20 },
        { QStringLiteral("path"), source.layer.digest } });
    ClientEnv env;
    LayerScanJob job(env.client.get(), source);
    int entries = 0;
    int finished = 0;
    connect(&job, &LayerScanJob::entriesReady, this, [&entries](const QVector<TarEntry> &b) { entries += b.size(); });
    connect(&job, &Job::finished, this, [&finished] { ++finished; });
    job.start();
    QVERIFY(ll::test::spinUntil([&job] { return job.progressDone() > (512 << 10); }, 30000));
    job.cancel();
    QVERIFY(ll::test::spinUntil([&job] { return job.isFinished(); }, 10000));
    QCOMPARE(job.state(), Job::State::Cancelled);
    QVERIFY(!job.error().isError() || job.error().code == Error::Code::Cancelled);
    // The proxy notices the closed connection long before the rate-limited body would end (8 s).
    QVERIFY(ll::test::spinUntil([&source] { return !proxyRequests(source).isEmpty(); }, 4000));
    const QList<QJsonObject> reqs = proxyRequests(source);
    QCOMPARE(reqs.size(), 1);
    QVERIFY(reqs.at(0).value(QLatin1String("bytes")).toInteger() < source.layer.size);
    QVERIFY(job.bytesDownloaded() < source.layer.size / 2);
    QTest::qWait(50);
    QCOMPARE(finished, 1);
}

void TestLayerPipeline::partialListsAPrefix_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<qint64>("limit");
    QTest::newRow("lab/app 64 KiB") << "lab/app:1.0" << qint64(64 * 1024);
    QTest::newRow("lab/app 1 KiB") << "lab/app:1.0" << qint64(1024);
    QTest::newRow("lab/big 4 MiB") << "lab/big:1.0" << qint64(4 << 20);
}

void TestLayerPipeline::partialListsAPrefix()
{
    QFETCH(QString, image);
    QFETCH(qint64, limit);
    const QJsonObject fx = imageFixture(image);
    const LayerSource source = sourceFor(fx, 0);
    FetchPolicy policy;
    policy.byteLimit = limit;
    const Scan s = scan(source, policy);
    QVERIFY2(s.state == Job::State::Succeeded, qPrintable(s.error.toString()));
    QVERIFY(s.incomplete);
    QVERIFY(s.downloaded <= limit);
    const QStringList all = expectedListing(layerFixture(fx, 0));
    const QStringList got = s.listing();
    QVERIFY(got.size() < all.size());
    QCOMPARE(got, all.mid(0, got.size()));
    if (limit >= 64 * 1024)
        QVERIFY(!got.isEmpty());
    const QList<QJsonObject> reqs = proxyRequests(source);
    QCOMPARE(reqs.size(), 1);
    QCOMPARE(reqs.at(0).value(QLatin1String("range")).toString(), QStringLiteral("bytes=0-%1").arg(limit - 1));
}

void TestLayerPipeline::rawSinkSeesEveryByteOnce()
{
    // Save's shape: raw bytes in order, at their offsets, across a resume; the digest is checked.
    const QJsonObject fx = imageFixture(QStringLiteral("lab/big:1.0"));
    const LayerSource source = sourceFor(fx, 0);
    addFault({ { QStringLiteral("type"), QStringLiteral("reset") }, { QStringLiteral("after_bytes"), 5 << 20 },
        { QStringLiteral("path"), source.layer.digest } });
    ClientEnv env;
    LayerPipeline job(env.client.get(), source);
    ll::Sha256 sha;
    qint64 next = 0;
    bool ordered = true;
    job.setRawSink([&](qint64 offset, const char *data, qint64 size) {
        ordered = ordered && offset == next;
        next = offset + size;
        sha.addData(data, size);
        return ll::Status();
    });
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QVERIFY(ordered);
    QCOMPARE(next, source.layer.size);
    QCOMPARE(sha.digestString(), source.layer.digest);
    QCOMPARE(job.requestCount(), 2);
}

QTEST_GUILESS_MAIN(TestLayerPipeline)
#include "TestLayerPipeline.moc"
