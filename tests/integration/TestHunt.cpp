// Hunt (issue 10) end to end against the real registries: layerslayer-cli --hunt over the hunt/* fixtures
// (shared base layer, whiteouts, an opaque dir, an image behind auth), the proxy counting blob requests, and
// HuntJob driven directly for cancel.
#include "CliRunner.h"
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "catalog/ImageCatalog.h"
#include "hunt/HuntJob.h"
#include "index/IndexStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using ll::test::CliResult;
using ll::test::CliRunner;
using ll::test::Harness;

namespace {

const QStringList HuntImages = { QStringLiteral("hunt/web:1.0"), QStringLiteral("hunt/web:2.0"),
    QStringLiteral("hunt/worker:1.0"), QStringLiteral("hunt/api:1.0"), QStringLiteral("hunt/solo:1.0") };

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (!line.trimmed().isEmpty())
            lines << QJsonDocument::fromJson(line).object();
    }
    return lines;
}

} // namespace

class TestHunt : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void sharedLayersReadOnce_data();
    void sharedLayersReadOnce();
    void warmHuntNeedsNoBlob();
    void perImageFailures();
    void everyImageFailed();
    void allTagsAndCatalog();
    void carveSavesUnderImage();
    void authenticatedImage();
    void corruptLayerFailsItsImages();
    void rateLimitedStillCompletes();
    void rateLimitIsOneBackOffPerRegistry();
    void visibleOnlyStopsAtTheWhiteout();
    void allPlatforms();
    void symlinkShowsItsTarget();
    void smallLayerReadWholeKeepsItsIndex();
    void otherCommandsRecordTheImage_data();
    void otherCommandsRecordTheImage(); // before the cancel: its throttled reads end (and count) later
    void cancelKeepsNoPartialIndex();

private:
    QStringList targets(const QString &host) const;
    CliResult hunt(const QStringList &args, const QString &indexDir = {}, const QByteArray &stdinData = {});
    QHash<QString, int> blobGets(const QJsonObject &stats) const;
    QString layerDigest(const QString &fixture, int layer) const;
    QJsonObject answer(const QList<QJsonObject> &lines, const QString &image, const QString &path) const;

    Harness *h = nullptr;
    QTemporaryDir m_tmp;
};

void TestHunt::initTestCase()
{
    h = &Harness::instance();
    if (!h->available())
        QSKIP(qPrintable(h->unavailableReason()));
    QVERIFY(CliRunner::available());
    QVERIFY(m_tmp.isValid());
}

void TestHunt::init()
{
    h->proxyReset();
}

QStringList TestHunt::targets(const QString &host) const
{
    QStringList args;
    for (const QString &name : HuntImages)
        args << QStringLiteral("-t") << h->reference(name, host);
    return args;
}

CliResult TestHunt::hunt(const QStringList &args, const QString &indexDir, const QByteArray &stdinData)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LL_INDEX_DIR"), indexDir.isEmpty() ? QStringLiteral("off") : indexDir);
    return CliRunner::run(args, stdinData, 120000, env);
}

QHash<QString, int> TestHunt::blobGets(const QJsonObject &stats) const
{
    // Requests per blob digest, whichever repository path they came through.
    QHash<QString, int> out;
    const QJsonObject paths = stats.value(QLatin1String("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const qsizetype at = it.key().indexOf(QLatin1String("/blobs/sha256:"));
        if (at >= 0)
            out[it.key().mid(at + 7)] += it.value().toObject().value(QLatin1String("requests")).toInt();
    }
    return out;
}

QString TestHunt::layerDigest(const QString &fixture, int layer) const
{
    return h->fixture(fixture)
        .value(QLatin1String("layers"))
        .toArray()
        .at(layer)
        .toObject()
        .value(QLatin1String("digest"))
        .toString();
}

QJsonObject TestHunt::answer(const QList<QJsonObject> &lines, const QString &image, const QString &path) const
{
    for (const QJsonObject &o : lines) {
        if (o.value(QLatin1String("image")).toString().endsWith(image)
            && o.value(QLatin1String("path")).toString() == path)
            return o;
    }
    return {};
}

void TestHunt::sharedLayersReadOnce_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::newRow("exact path (early stop)") << QStringList { QStringLiteral("etc/shadow") };
    QTest::newRow("exact + glob (whole layers)")
        << QStringList { QStringLiteral("etc/shadow"), QStringLiteral("**/.env"), QStringLiteral("root/.ssh/id_rsa") };
}

void TestHunt::sharedLayersReadOnce()
{
    QFETCH(QStringList, patterns);
    QStringList args { QStringLiteral("--json") };
    for (const QString &p : patterns)
        args << QStringLiteral("--hunt") << p;
    args += targets(h->proxy());
    const CliResult r = hunt(args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QVERIFY(!lines.isEmpty());
    const QJsonObject summary = lines.constLast();
    QVERIFY(summary.value(QLatin1String("summary")).toBool());
    QCOMPARE(summary.value(QLatin1String("images")).toInt(), HuntImages.size());
    QCOMPARE(summary.value(QLatin1String("images_failed")).toInt(), 0);

    // Every layer digest was fetched at most once, the base shared by four images included.
    const QString base = layerDigest(QStringLiteral("hunt/web:1.0"), 0);
    const QHash<QString, int> gets = blobGets(h->proxyStats());
    QCOMPARE(gets.value(base), 1);
    int distinct = 0;
    for (auto it = gets.begin(); it != gets.end(); ++it) {
        if (patterns.size() > 1) // whole reads: one GET each (an exact path alone may take growing ranges)
            QVERIFY2(it.value() == 1, qPrintable(it.key()));
        ++distinct;
    }
    QCOMPARE(summary.value(QLatin1String("layers_read")).toInt(), distinct);
    QVERIFY(summary.value(QLatin1String("layers_shared")).toInt() >= 3);
    QVERIFY(summary.value(QLatin1String("layers_total")).toInt() >= distinct);

    // What a container sees, and what a hunter can still recover.
    QJsonObject a = answer(lines, QStringLiteral("hunt/web:1.0"), QStringLiteral("etc/shadow"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("found"));
    QCOMPARE(a.value(QLatin1String("layer")).toInt(), 0);
    QCOMPARE(a.value(QLatin1String("layer_digest")).toString(), base);
    QCOMPARE(a.value(QLatin1String("type")).toString(), QStringLiteral("file"));
    QCOMPARE(a.value(QLatin1String("mode")).toString(), QStringLiteral("0640"));
    a = answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("deleted"));
    QCOMPARE(a.value(QLatin1String("layer")).toInt(), 2);
    QCOMPARE(a.value(QLatin1String("copies")).toArray().size(), 1);
    QCOMPARE(a.value(QLatin1String("copies")).toArray().at(0).toObject().value(QLatin1String("layer")).toInt(), 0);
    a = answer(lines, QStringLiteral("hunt/solo:1.0"), QStringLiteral("etc/shadow"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("not_found"));
    QVERIFY(a.value(QLatin1String("copies")).toArray().isEmpty());
    QVERIFY(a.value(QLatin1String("type")).isNull());

    if (patterns.size() > 1) {
        a = answer(lines, QStringLiteral("hunt/worker:1.0"), QStringLiteral("root/.ssh/id_rsa"));
        QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("deleted"));
        QCOMPARE(a.value(QLatin1String("copies")).toArray().at(0).toObject().value(QLatin1String("layer")).toInt(), 1);
        // An opaque dir hides the .env below it: deleted, still recoverable from layer 1.
        a = answer(lines, QStringLiteral("hunt/api:1.0"), QStringLiteral("srv/api/.env"));
        QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("deleted"));
        QCOMPARE(a.value(QLatin1String("pattern")).toString(), QStringLiteral("**/.env"));
        QCOMPARE(a.value(QLatin1String("copies")).toArray().at(0).toObject().value(QLatin1String("layer")).toInt(), 1);
        a = answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("srv/web/.env"));
        QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("found"));
        QCOMPARE(a.value(QLatin1String("layer")).toInt(), 1);
        QCOMPARE(a.value(QLatin1String("size")).toInt(), int(strlen("DATABASE_URL=postgres://web:s3cret-2@db/web\n")));
        // A glob gives no not_found lines; the solo image has no .env at all.
        QVERIFY(answer(lines, QStringLiteral("hunt/solo:1.0"), QStringLiteral("srv/web/.env")).isEmpty());
        for (const QJsonObject &o : lines) {
            if (o.value(QLatin1String("pattern")).toString() == QLatin1String("**/.env"))
                QVERIFY(o.value(QLatin1String("status")).toString() != QLatin1String("not_found"));
        }
    }
}

void TestHunt::warmHuntNeedsNoBlob()
{
    QTemporaryDir idx;
    const QStringList args = QStringList { QStringLiteral("--json"), QStringLiteral("--hunt"),
        QStringLiteral("etc/shadow"), QStringLiteral("--hunt"), QStringLiteral("**/.env") }
        + targets(h->proxy());
    const CliResult cold = hunt(args, idx.path());
    QVERIFY2(cold.exitCode == 0, cold.err.constData());
    h->proxyReset();
    const CliResult warm = hunt(args, idx.path());
    QVERIFY2(warm.exitCode == 0, warm.err.constData());
    QCOMPARE(h->proxyBlobRequests(), 0);
    const QList<QJsonObject> c = jsonLines(cold.out), w = jsonLines(warm.out);
    const QJsonObject summary = w.constLast();
    QCOMPARE(summary.value(QLatin1String("layers_read")).toInt(), 0);
    QCOMPARE(summary.value(QLatin1String("bytes_downloaded")).toInt(), 0);
    QCOMPARE(summary.value(QLatin1String("layers_from_index")).toInt(),
        summary.value(QLatin1String("layers_total")).toInt());
    // The same answers, from the indexes.
    QCOMPARE(w.size(), c.size());
    for (const QJsonObject &o : c.mid(0, c.size() - 1))
        QCOMPARE(answer(w, o.value(QLatin1String("image")).toString(), o.value(QLatin1String("path")).toString()), o);
    // The images seen are in the catalogue beside the indexes, private.
    QFile catalog(idx.filePath(QStringLiteral("images.catalog")));
    QVERIFY(catalog.exists());
    QCOMPARE(catalog.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
        QFile::Permissions());
    QVERIFY(catalog.open(QIODevice::ReadOnly));
    const QByteArray seen = catalog.readAll();
    for (const QString &name : HuntImages)
        QVERIFY2(seen.contains(h->reference(name, h->proxy()).toUtf8()), qPrintable(name));

    // Offline: --search answers from the indexes, with the images each hit belongs to, and no request.
    h->proxyReset();
    const CliResult found
        = hunt({ QStringLiteral("--json"), QStringLiteral("--search"), QStringLiteral("**/.env") }, idx.path());
    QVERIFY2(found.exitCode == 0, found.err.constData());
    QCOMPARE(h->proxyStats().value(QLatin1String("requests")).toInt(), 0);
    const QList<QJsonObject> hits = jsonLines(found.out);
    QCOMPARE(hits.constLast().value(QLatin1String("hits")).toInt(), 3); // web 1.0, web 2.0, api (hidden, still there)
    QCOMPARE(hits.size(), 4);
    const QJsonObject api = answer(hits, QStringLiteral("hunt/api:1.0"), QStringLiteral("srv/api/.env"));
    QCOMPARE(api.value(QLatin1String("layer")).toInt(), 1);
    QCOMPARE(api.value(QLatin1String("type")).toString(), QStringLiteral("file"));
    QCOMPARE(api.value(QLatin1String("layer_digest")).toString(), layerDigest(QStringLiteral("hunt/api:1.0"), 1));
    // The shared base's etc/shadow belongs to every image on it.
    const CliResult shadow
        = hunt({ QStringLiteral("--json"), QStringLiteral("--search"), QStringLiteral("etc/shadow") }, idx.path());
    QCOMPARE(shadow.exitCode, 0);
    QCOMPARE(jsonLines(shadow.out).size(), 4 + 1);
    const CliResult none = hunt({ QStringLiteral("--search"), QStringLiteral("no/such/thing") }, idx.path());
    QCOMPARE(none.exitCode, 3);
}

void TestHunt::perImageFailures()
{
    const QStringList args = QStringList { QStringLiteral("--json"), QStringLiteral("--hunt"),
        QStringLiteral("etc/shadow"), QStringLiteral("-t"), QStringLiteral("Not A Reference"), QStringLiteral("-t"),
        h->proxy() + QStringLiteral("/hunt/missing:1.0"), QStringLiteral("-t"),
        h->reference(QStringLiteral("private/hunt:1.0")), QStringLiteral("-t"), h->proxy() }
        + targets(h->proxy());
    const CliResult r = hunt(args);
    QVERIFY2(r.exitCode == 0, r.err.constData()); // something was found
    const QList<QJsonObject> lines = jsonLines(r.out);
    QHash<QString, QJsonObject> errors;
    for (const QJsonObject &o : lines) {
        if (o.value(QLatin1String("status")).toString() == QLatin1String("error")) {
            QVERIFY(!o.value(QLatin1String("error")).toString().isEmpty());
            errors.insert(o.value(QLatin1String("image")).toString(), o);
        }
    }
    QCOMPARE(errors.size(), 4);
    QCOMPARE(errors.value(QStringLiteral("Not A Reference")).value(QLatin1String("error_code")).toString(),
        QStringLiteral("invalid_reference"));
    QVERIFY(errors.contains(h->proxy() + QStringLiteral("/hunt/missing:1.0")));
    QCOMPARE(
        errors.value(h->proxy() + QStringLiteral("/hunt/missing:1.0")).value(QLatin1String("error_code")).toString(),
        QStringLiteral("not_found"));
    QCOMPARE(
        errors.value(h->reference(QStringLiteral("private/hunt:1.0"))).value(QLatin1String("error_code")).toString(),
        QStringLiteral("unauthorized"));
    // A registry given without --catalog names no image.
    QVERIFY(errors.value(h->proxy()).value(QLatin1String("error")).toString().contains(QLatin1String("--catalog")));
    const QJsonObject summary = lines.constLast();
    QCOMPARE(summary.value(QLatin1String("images_failed")).toInt(), 4);
    QCOMPARE(answer(lines, QStringLiteral("hunt/web:1.0"), QStringLiteral("etc/shadow"))
                 .value(QLatin1String("status"))
                 .toString(),
        QStringLiteral("found"));
}

void TestHunt::everyImageFailed()
{
    // Docker Hub has no catalog: said before any request.
    const CliResult hub = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"),
        QStringLiteral("-t"), QStringLiteral("docker.io"), QStringLiteral("--catalog") });
    QCOMPARE(hub.exitCode, 1);
    const QJsonObject line = jsonLines(hub.out).constFirst();
    QCOMPARE(line.value(QLatin1String("status")).toString(), QStringLiteral("error"));
    QVERIFY(line.value(QLatin1String("error")).toString().contains(QLatin1String("Docker Hub has no catalog")));

    const CliResult r = hunt({ QStringLiteral("--hunt"), QStringLiteral("etc/shadow"), QStringLiteral("-t"),
        h->proxy() + QStringLiteral("/hunt/missing:1.0"), QStringLiteral("-t"), QStringLiteral("bad ref") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.contains("error"));
    const CliResult none = hunt({ QStringLiteral("--hunt"), QStringLiteral("no/such/file"), QStringLiteral("-t"),
        h->reference(QStringLiteral("hunt/solo:1.0"), h->proxy()) });
    QCOMPARE(none.exitCode, 3);
    QVERIFY(none.out.contains("not found"));
}

void TestHunt::allTagsAndCatalog()
{
    CliResult r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"),
        QStringLiteral("-t"), h->proxy() + QStringLiteral("/hunt/web"), QStringLiteral("--all-tags") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.constLast().value(QLatin1String("images")).toInt(), 2);
    QCOMPARE(answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow"))
                 .value(QLatin1String("status"))
                 .toString(),
        QStringLiteral("deleted"));

    r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"), QStringLiteral("-t"),
        h->proxy() + QStringLiteral("/hunt/web"), QStringLiteral("--all-tags"), QStringLiteral("--max-tags"),
        QStringLiteral("1") });
    lines = jsonLines(r.out);
    QCOMPARE(lines.constLast().value(QLatin1String("images")).toInt(), 1);
    QVERIFY(!answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow")).isEmpty()); // newest first

    r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"), QStringLiteral("-t"),
        h->proxy(), QStringLiteral("--catalog"), QStringLiteral("--repos"), QStringLiteral("hunt/*"),
        QStringLiteral("--exclude-repos"), QStringLiteral("hunt/solo") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    lines = jsonLines(r.out);
    QCOMPARE(lines.constLast().value(QLatin1String("images")).toInt(), 4); // web:1.0, web:2.0, worker, api
    QVERIFY(answer(lines, QStringLiteral("hunt/solo:1.0"), QStringLiteral("etc/shadow")).isEmpty());

    QTemporaryDir dir;
    QFile list(dir.filePath(QStringLiteral("targets.txt")));
    QVERIFY(list.open(QIODevice::WriteOnly));
    list.write("# hunt targets\n\n" + h->reference(QStringLiteral("hunt/api:1.0"), h->proxy()).toUtf8() + "  # api\n"
        + h->reference(QStringLiteral("hunt/solo:1.0"), h->proxy()).toUtf8() + "\n");
    list.close();
    r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"),
        QStringLiteral("--targets-file"), list.fileName() });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(jsonLines(r.out).constLast().value(QLatin1String("images")).toInt(), 2);
}

void TestHunt::carveSavesUnderImage()
{
    QTemporaryDir out;
    const CliResult r
        = hunt({ QStringLiteral("--hunt"), QStringLiteral("**/.env"), QStringLiteral("--carve"), QStringLiteral("-o"),
            out.path(), QStringLiteral("-t"), h->reference(QStringLiteral("hunt/web:2.0"), h->proxy()),
            QStringLiteral("-t"), h->reference(QStringLiteral("hunt/api:1.0"), h->proxy()) });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.contains("recoverable")); // the api's .env, hidden by an opaque dir
    QString dir = h->reference(QStringLiteral("hunt/web:2.0"), h->proxy());
    dir.replace(QLatin1Char(':'), QLatin1Char('_'));
    QFile saved(out.filePath(dir + QStringLiteral("/srv/web/.env")));
    QVERIFY2(saved.open(QIODevice::ReadOnly), qPrintable(saved.fileName()));
    QCOMPARE(saved.readAll(), QByteArray("DATABASE_URL=postgres://web:s3cret-2@db/web\n"));
    // Only what a container sees is carved: nothing for the deleted one.
    QString api = h->reference(QStringLiteral("hunt/api:1.0"), h->proxy());
    api.replace(QLatin1Char(':'), QLatin1Char('_'));
    QVERIFY(!QFile::exists(out.filePath(api + QStringLiteral("/srv/api/.env"))));
}

void TestHunt::authenticatedImage()
{
    const QString ref = h->reference(QStringLiteral("private/hunt:1.0"));
    const CliResult r = hunt(
        { QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("**/.env"), QStringLiteral("-t"), ref,
            QStringLiteral("--username"), h->username(QStringLiteral("token")), QStringLiteral("--password-stdin") },
        {}, h->password(QStringLiteral("token")).toUtf8() + '\n');
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject a = answer(jsonLines(r.out), QStringLiteral("private/hunt:1.0"), QStringLiteral("srv/.env"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("found"));
}

void TestHunt::corruptLayerFailsItsImages()
{
    const QString base = layerDigest(QStringLiteral("hunt/web:1.0"), 0);
    h->proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") }, { QStringLiteral("path"), base },
                { QStringLiteral("at_byte"), 100 }, { QStringLiteral("count"), 0 } } } } });
    const CliResult r
        = hunt(QStringList { QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("**/.env") }
            + targets(h->proxy()));
    h->proxyReset();
    QVERIFY2(r.exitCode == 3, r.err.constData()); // every image but solo fails, and solo has no .env
    const QList<QJsonObject> lines = jsonLines(r.out);
    int errors = 0;
    for (const QJsonObject &o : lines) {
        if (o.value(QLatin1String("status")).toString() == QLatin1String("error")) {
            ++errors;
            QVERIFY2(o.value(QLatin1String("error")).toString().contains(QLatin1String("layer 0")),
                qPrintable(o.value(QLatin1String("error")).toString()));
        }
    }
    QCOMPARE(errors, 4); // the four images on the corrupt base
    QCOMPARE(lines.constLast().value(QLatin1String("images_failed")).toInt(), 4);
}

void TestHunt::rateLimitedStillCompletes()
{
    h->proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("status") },
            { QStringLiteral("status"), 429 }, { QStringLiteral("retry_after"), QStringLiteral("1") },
            { QStringLiteral("path"), QStringLiteral("/blobs/") }, { QStringLiteral("count"), 3 } } } } });
    const CliResult r
        = hunt(QStringList { QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow") }
            + targets(h->proxy()));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.constLast().value(QLatin1String("images_failed")).toInt(), 0);
    QCOMPARE(answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow"))
                 .value(QLatin1String("status"))
                 .toString(),
        QStringLiteral("deleted"));
}

void TestHunt::otherCommandsRecordTheImage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("--peek-all") << QStringList { QStringLiteral("--peek-all") };
    QTest::newRow("-f") << QStringList { QStringLiteral("-f"), QStringLiteral("etc/passwd") };
    QTest::newRow("--save-all") << QStringList { QStringLiteral("--save-all") };
}

void TestHunt::otherCommandsRecordTheImage()
{
    // Any command that opens an image records it as seen: --search then names it for its layers.
    QFETCH(QStringList, args);
    QTemporaryDir idx, out;
    const QString image = h->reference(QStringLiteral("hunt/web:1.0"), h->anonRegistry());
    CliResult r
        = hunt(QStringList { QStringLiteral("-t"), image, QStringLiteral("-o"), out.path() } + args, idx.path());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QVector<ll::catalog::SeenImage> seen
        = ll::catalog::ImageCatalog::forIndexStore(ll::index::IndexStore(idx.path())).recent();
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.at(0).reference, image);
    QCOMPARE(seen.at(0).manifestDigest,
        h->fixture(QStringLiteral("hunt/web:1.0")).value(QLatin1String("digest")).toString());
    QCOMPARE(seen.at(0).layers,
        (QStringList {
            layerDigest(QStringLiteral("hunt/web:1.0"), 0), layerDigest(QStringLiteral("hunt/web:1.0"), 1) }));
    if (args.first() == QLatin1String("--peek-all")) { // every layer listed whole: indexed, searchable
        r = hunt({ QStringLiteral("--json"), QStringLiteral("--search"), QStringLiteral("etc/passwd") }, idx.path());
        QCOMPARE(r.exitCode, 0);
        const QJsonObject hit = jsonLines(r.out).constFirst();
        QCOMPARE(hit.value(QLatin1String("image")).toString(), image);
    }
}

void TestHunt::rateLimitIsOneBackOffPerRegistry()
{
    // A rate limiter's window: every request to the hunt's repositories is refused for 2.5 s with
    // Retry-After: 1. The four connections' first requests are refused; then one request at a time probes the
    // registry each second (the others wait for its answer) instead of each connection retrying on its own
    // (4 + 4 + 4 refusals).
    h->proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("status") },
            { QStringLiteral("status"), 429 }, { QStringLiteral("retry_after"), QStringLiteral("1") },
            { QStringLiteral("path"), QStringLiteral("^/v2/hunt/") }, { QStringLiteral("window_ms"), 2500 } } } } });
    const CliResult r = hunt(QStringList { QStringLiteral("--json"), QStringLiteral("--jobs"), QStringLiteral("4"),
                                 QStringLiteral("--hunt"), QStringLiteral("etc/shadow") }
        + targets(h->proxy()));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.constLast().value(QLatin1String("images_failed")).toInt(), 0);
    QCOMPARE(answer(lines, QStringLiteral("hunt/web:1.0"), QStringLiteral("etc/shadow"))
                 .value(QLatin1String("status"))
                 .toString(),
        QStringLiteral("found"));
    const QJsonObject stats = h->proxyStats();
    const int refused = stats.value(QLatin1String("faults")).toObject().value(QLatin1String("status")).toInt();
    QVERIFY2(refused >= 1, qPrintable(QString::number(refused))); // the window was hit
    // At most the four connections' first requests plus one a second while the window lasts (a slower
    // machine only makes fewer).
    QVERIFY2(refused <= 4 + 3, qPrintable(QString::number(refused)));
}

void TestHunt::cancelKeepsNoPartialIndex()
{
    QTemporaryDir idx;
    h->throttle(20000); // blobs at 20 kB/s: the hunt is mid-layer when cancelled
    ll::test::ClientEnv env;
    ll::hunt::HuntTargets t;
    for (const QString &name : HuntImages)
        t.targets << h->reference(name, h->proxy());
    ll::hunt::HuntQuery q;
    q.patterns << *ll::hunt::PathGlob::parse(QStringLiteral("**/.env"));
    ll::hunt::HuntOptions o;
    o.store = ll::index::IndexStore(idx.path());
    ll::hunt::HuntJob job(env.client.get(), t, q, o);
    QSignalSpy answers(&job, &ll::hunt::HuntJob::answersReady);
    job.start();
    QVERIFY(ll::test::spinUntil([&] { return job.stats().bytesDownloaded > 0 || job.isFinished(); }, 60000));
    QVERIFY(job.isRunning());
    job.cancel();
    QVERIFY(ll::test::spinUntil([&] { return job.isFinished(); }, 30000));
    h->proxyReset();
    QCOMPARE(job.state(), ll::Job::State::Cancelled);
    // No index of a layer read halfway, no temporary file.
    for (const QString &f : QDir(idx.path()).entryList(QDir::Files | QDir::Hidden)) {
        QVERIFY2(!f.contains(QLatin1String(".tmp-")), qPrintable(f));
        if (f.endsWith(QLatin1String(".idx"))) {
            // Only whole small layers that finished before the cancel: each must be a complete, valid index.
            QString digest = f.chopped(4);
            digest[6] = QLatin1Char(':');
            QVERIFY(ll::index::IndexStore(idx.path()).load(digest).has_value());
        }
    }
    const QString base = layerDigest(QStringLiteral("hunt/web:1.0"), 0);
    QVERIFY(!ll::index::IndexStore(idx.path()).load(base).has_value()); // 296 kB at 20 kB/s: not done
}

void TestHunt::visibleOnlyStopsAtTheWhiteout()
{
    // hunt/web:2.0 = base (etc/shadow), web app, a layer deleting etc/shadow. A carve stops at the whiteout;
    // so does --visible-only: deleted by layer 2, the base and the app layer never asked for.
    const QString image = h->reference(QStringLiteral("hunt/web:2.0"), h->proxy());
    CliResult r = hunt({ QStringLiteral("--json"), QStringLiteral("--visible-only"), QStringLiteral("--hunt"),
        QStringLiteral("etc/shadow"), QStringLiteral("-t"), image });
    QCOMPARE(r.exitCode, 3); // nothing a container sees, nothing searched below
    QList<QJsonObject> lines = jsonLines(r.out);
    QJsonObject a = answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("deleted"));
    QCOMPARE(a.value(QLatin1String("layer")).toInt(), 2);
    QVERIFY(a.value(QLatin1String("copies")).toArray().isEmpty());
    QHash<QString, int> gets = blobGets(h->proxyStats());
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:2.0"), 2)), 1);
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:2.0"), 1)), 0);
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:2.0"), 0)), 0);

    // By default the lower layers are read for the copy the whiteout hides.
    h->proxyReset();
    r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"), QStringLiteral("-t"),
        image });
    QCOMPARE(r.exitCode, 0);
    lines = jsonLines(r.out);
    a = answer(lines, QStringLiteral("hunt/web:2.0"), QStringLiteral("etc/shadow"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("deleted"));
    QCOMPARE(a.value(QLatin1String("copies")).toArray().size(), 1);
    gets = blobGets(h->proxyStats());
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:2.0"), 1)), 1);
    QVERIFY(gets.value(layerDigest(QStringLiteral("hunt/web:2.0"), 0)) >= 1);
}

void TestHunt::allPlatforms()
{
    // --all-platforms: every platform of a Docker manifest list (4) and of an OCI index (2; its attestation
    // manifest never), each line with its platform and that platform's own etc/arch; --carve one folder each.
    QTemporaryDir out;
    const CliResult r = hunt({ QStringLiteral("--json"), QStringLiteral("--all-platforms"), QStringLiteral("--carve"),
        QStringLiteral("-o"), out.path(), QStringLiteral("--hunt"), QStringLiteral("etc/arch"), QStringLiteral("-t"),
        h->reference(QStringLiteral("lab/multi:1.0")), QStringLiteral("-t"),
        h->reference(QStringLiteral("lab/oci:1.0")) });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QStringList got;
    for (const QJsonObject &o : lines) {
        if (o.value(QLatin1String("summary")).toBool()) {
            QCOMPARE(o.value(QLatin1String("images")).toInt(), 6);
            QCOMPARE(o.value(QLatin1String("images_failed")).toInt(), 0);
            continue;
        }
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("found"));
        const QString image = o.value(QLatin1String("image")).toString();
        const QString platform = o.value(QLatin1String("platform")).toString();
        got << image.section(QLatin1Char('/'), 1) + QLatin1Char(' ') + platform;
        // The platform's manifest, as the index lists it.
        const QJsonObject fx = h->fixture(image.section(QLatin1Char('/'), 1));
        bool listed = false;
        for (const QJsonValue &m : fx.value(QLatin1String("manifests")).toArray()) {
            const QJsonObject p = m.toObject().value(QLatin1String("platform")).toObject();
            QString name = p.value(QLatin1String("os")).toString() + QLatin1Char('/')
                + p.value(QLatin1String("architecture")).toString();
            if (!p.value(QLatin1String("variant")).toString().isEmpty())
                name += QLatin1Char('/') + p.value(QLatin1String("variant")).toString();
            if (name == platform) {
                QCOMPARE(o.value(QLatin1String("digest")).toString(),
                    m.toObject().value(QLatin1String("digest")).toString());
                listed = true;
            }
        }
        QVERIFY2(listed, qPrintable(platform));
    }
    got.sort();
    QCOMPARE(got,
        QStringList({ QStringLiteral("lab/multi:1.0 linux/amd64"), QStringLiteral("lab/multi:1.0 linux/arm/v6"),
            QStringLiteral("lab/multi:1.0 linux/arm/v7"), QStringLiteral("lab/multi:1.0 linux/arm64/v8"),
            QStringLiteral("lab/oci:1.0 linux/amd64"), QStringLiteral("lab/oci:1.0 linux/arm64/v8") }));
    // Carved one folder per platform, each with its own content.
    QString dir = h->reference(QStringLiteral("lab/multi:1.0"));
    dir.replace(QLatin1Char(':'), QLatin1Char('_'));
    QFile v6(out.filePath(dir + QStringLiteral("/linux_arm_v6/etc/arch")));
    QFile amd64(out.filePath(dir + QStringLiteral("/linux_amd64/etc/arch")));
    QVERIFY2(v6.open(QIODevice::ReadOnly), qPrintable(v6.fileName()));
    QVERIFY(amd64.open(QIODevice::ReadOnly));
    QVERIFY(v6.readAll() != amd64.readAll());

    // The human table names each platform; --platform and --all-platforms exclude each other.
    const CliResult table = hunt({ QStringLiteral("--all-platforms"), QStringLiteral("--hunt"),
        QStringLiteral("etc/arch"), QStringLiteral("-t"), h->reference(QStringLiteral("lab/oci:1.0")) });
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(table.out.contains("(linux/arm64/v8)") && table.out.contains("(linux/amd64)"), table.out.constData());
    QVERIFY(!table.out.contains("unknown"));
    const CliResult both = hunt({ QStringLiteral("--all-platforms"), QStringLiteral("--platform"),
        QStringLiteral("linux/amd64"), QStringLiteral("--hunt"), QStringLiteral("etc/arch"), QStringLiteral("-t"),
        h->reference(QStringLiteral("lab/oci:1.0")) });
    QCOMPARE(both.exitCode, 2);
}

void TestHunt::symlinkShowsItsTarget()
{
    // A symlink found: the table shows "path -> target", the JSON line has "link".
    const QString image = h->reference(QStringLiteral("lab/app:1.0"));
    CliResult r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/localtime"),
        QStringLiteral("--hunt"), QStringLiteral("bin/rbash"), QStringLiteral("-t"), image });
    QCOMPARE(r.exitCode, 0);
    const QList<QJsonObject> lines = jsonLines(r.out);
    QJsonObject a = answer(lines, QStringLiteral("lab/app:1.0"), QStringLiteral("etc/localtime"));
    QCOMPARE(a.value(QLatin1String("type")).toString(), QStringLiteral("symlink"));
    QCOMPARE(a.value(QLatin1String("link")).toString(), QStringLiteral("/usr/share/zoneinfo/UTC"));
    a = answer(lines, QStringLiteral("lab/app:1.0"), QStringLiteral("bin/rbash"));
    QCOMPARE(a.value(QLatin1String("link")).toString(), QStringLiteral("sh"));
    r = hunt({ QStringLiteral("--hunt"), QStringLiteral("etc/localtime"), QStringLiteral("-t"), image });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("etc/localtime -> /usr/share/zoneinfo/UTC"), r.out.constData());
}

void TestHunt::smallLayerReadWholeKeepsItsIndex()
{
    // An exact path in layers a carve would read to the end anyway (<= 4 MiB: the last copy of a path wins):
    // one GET per layer, read whole, so the layers keep their indexes and a second hunt for another path asks
    // for no blob.
    QTemporaryDir idx;
    const QString image = h->reference(QStringLiteral("hunt/web:1.0"), h->proxy());
    CliResult r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/shadow"),
                           QStringLiteral("-t"), image },
        idx.path());
    QCOMPARE(r.exitCode, 0);
    const QHash<QString, int> gets = blobGets(h->proxyStats());
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:1.0"), 1)), 1);
    QCOMPARE(gets.value(layerDigest(QStringLiteral("hunt/web:1.0"), 0)), 1);
    h->proxyReset();
    r = hunt({ QStringLiteral("--json"), QStringLiteral("--hunt"), QStringLiteral("etc/os-release"),
                 QStringLiteral("-t"), image },
        idx.path());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(h->proxyBlobRequests(), 0);
    const QJsonObject a = answer(jsonLines(r.out), QStringLiteral("hunt/web:1.0"), QStringLiteral("etc/os-release"));
    QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("found"));
    QCOMPARE(jsonLines(r.out).constLast().value(QLatin1String("layers_from_index")).toInt(), 2);
}

QTEST_GUILESS_MAIN(TestHunt)
#include "TestHunt.moc"
