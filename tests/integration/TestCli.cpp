// layerslayer-cli end to end against the real registries of the harness: what a user or a script sees.
#include "CliRunner.h"
#include "Harness.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using ll::test::CliRunner;
using ll::test::Harness;

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void inspectJsonMatchesRegistry();
    void inspectJsonIndexPlatforms_data();
    void inspectJsonIndexPlatforms();
    void inspectHumanShowsStepsAndLayers();
    void peekAllJsonMatchesLayers_data();
    void peekAllJsonMatchesLayers();
    void bulkPeekJsonIsMergedView();
    void partialPeekIsMarkedIncomplete();
    void simpleOutputStyle();
    void exitCodes_data();
    void exitCodes();
    void privateRepoWithPasswordStdin();
    void privateRepoWithDockerConfig();
    void listTagsAndCatalogPaginate();
    void logFileTeesOutput();
    void carveJson_data();
    void carveJson();
    void carveRefusesEscapingPath();
    void carveBoundedReads();
    void carveSkipsConfigBlob();
    void savedPathShownFromWorkingDirectory();
    void saveAllVerifiesDigests();
    void saveLayersSelection();
    void extractMergedSubtree();
    void interactiveWalk();
    void inspectImagePushedBySkopeo();

private:
    static QByteArray sha256Of(const QString &path);
    static QList<QJsonObject> jsonLines(const QByteArray &out);
    Harness *h = nullptr;
};

QList<QJsonObject> TestCli::jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError err {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject())
            qFatal("not a JSON line: %s", line.constData());
        lines.append(doc.object());
    }
    return lines;
}

void TestCli::initTestCase()
{
    h = &Harness::instance();
    if (!h->available())
        QSKIP(qPrintable(h->unavailableReason()));
    QVERIFY2(CliRunner::available(), "LL_CLI does not name the layerslayer-cli executable");
}

void TestCli::inspectJsonMatchesRegistry()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const auto r = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--inspect"), QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("digest")).toString(), fx.value(QStringLiteral("digest")).toString());
    QCOMPARE(o.value(QStringLiteral("repository")).toString(), QStringLiteral("lab/app"));
    QCOMPARE(o.value(QStringLiteral("mediaType")).toString(), fx.value(QStringLiteral("mediaType")).toString());
    QCOMPARE(o.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString(),
        fx.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString());
    const QJsonArray layers = o.value(QStringLiteral("layers")).toArray();
    const QJsonArray fxLayers = fx.value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), fxLayers.size());
    for (int i = 0; i < layers.size(); ++i) {
        QCOMPARE(layers.at(i).toObject().value(QStringLiteral("digest")).toString(),
            fxLayers.at(i).toObject().value(QStringLiteral("digest")).toString());
        QCOMPARE(layers.at(i).toObject().value(QStringLiteral("size")).toInteger(),
            fxLayers.at(i).toObject().value(QStringLiteral("size")).toInteger());
        QCOMPARE(layers.at(i).toObject().value(QStringLiteral("index")).toInt(), i);
    }
    // Build steps: every history entry, metadata-only ones marked and without a layer.
    const QJsonArray history = o.value(QStringLiteral("history")).toArray();
    const QJsonArray fxHistory = fx.value(QStringLiteral("history")).toArray();
    QCOMPARE(history.size(), fxHistory.size());
    for (int i = 0; i < history.size(); ++i) {
        const QJsonObject a = history.at(i).toObject();
        const QJsonObject b = fxHistory.at(i).toObject();
        QCOMPARE(a.value(QStringLiteral("created_by")).toString(), b.value(QStringLiteral("created_by")).toString());
        QCOMPARE(a.value(QStringLiteral("layer")), b.value(QStringLiteral("layer")));
        QCOMPARE(a.value(QStringLiteral("empty_layer")).toBool(), b.value(QStringLiteral("empty_layer")).toBool());
    }
    const QJsonObject config = o.value(QStringLiteral("config")).toObject();
    QCOMPARE(config.value(QStringLiteral("workingDir")).toString(), QStringLiteral("/opt/app"));
    QVERIFY(config.value(QStringLiteral("env")).toArray().contains(QStringLiteral("APP_HOME=/opt/app")));
}

void TestCli::inspectJsonIndexPlatforms_data()
{
    QTest::addColumn<QString>("platform");
    QTest::addColumn<int>("expectedIndexEntry");
    QTest::newRow("default host platform") << QString() << 0;
    QTest::newRow("linux/amd64") << QStringLiteral("linux/amd64") << 0;
    QTest::newRow("linux/arm64") << QStringLiteral("linux/arm64") << 1;
    QTest::newRow("linux/arm64/v8") << QStringLiteral("linux/arm64/v8") << 1;
}

void TestCli::inspectJsonIndexPlatforms()
{
    QFETCH(QString, platform);
    QFETCH(int, expectedIndexEntry);
    const QJsonObject fx = h->fixture(QStringLiteral("lab/oci:1.0"));
    QStringList args { QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--inspect"), QStringLiteral("--json") };
    if (!platform.isEmpty())
        args << QStringLiteral("--platform") << platform;
    const auto r = CliRunner::run(args);
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    const QJsonArray manifests = fx.value(QStringLiteral("manifests")).toArray();
    QCOMPARE(o.value(QStringLiteral("digest")).toString(),
        manifests.at(expectedIndexEntry).toObject().value(QStringLiteral("digest")).toString());
    QCOMPARE(o.value(QStringLiteral("indexDigest")).toString(), fx.value(QStringLiteral("digest")).toString());
    const QJsonArray platforms = o.value(QStringLiteral("platforms")).toArray();
    QCOMPARE(platforms.size(), manifests.size());
    int attestations = 0;
    for (const auto &p : platforms)
        attestations += p.toObject().value(QStringLiteral("attestation")).toBool() ? 1 : 0;
    QCOMPARE(attestations, 1);
}

void TestCli::inspectHumanShowsStepsAndLayers()
{
    const auto r = CliRunner::run(
        { QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")), QStringLiteral("--inspect") });
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("Build steps:")), r.out.constData());
    QVERIFY(out.contains(QStringLiteral("(metadata only)")));
    QVERIFY(out.contains(QStringLiteral("-> layer 0 (")));
    QVERIFY(out.contains(QStringLiteral("Layers (4, ")));
    QVERIFY(out.contains(QStringLiteral(" KiB")));
}

void TestCli::peekAllJsonMatchesLayers_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("platform");
    QTest::newRow("docker gzip layers") << QStringLiteral("lab/app:1.0") << QString();
    QTest::newRow("oci gzip+tar+zstd") << QStringLiteral("lab/oci:1.0") << QStringLiteral("linux/amd64");
}

void TestCli::peekAllJsonMatchesLayers()
{
    QFETCH(QString, fixture);
    QFETCH(QString, platform);
    QJsonObject fx = h->fixture(fixture);
    QStringList args { QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--peek-all"), QStringLiteral("--json") };
    if (!platform.isEmpty()) {
        args << QStringLiteral("--platform") << platform;
        fx = fx.value(QStringLiteral("manifests")).toArray().at(0).toObject().value(QStringLiteral("image")).toObject();
    }
    const auto r = CliRunner::run(args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QSet<QString> got;
    for (const QJsonObject &o : jsonLines(r.out)) {
        got.insert(QStringLiteral("%1|%2|%3|%4|%5")
                       .arg(o.value(QStringLiteral("layer")).toInt())
                       .arg(o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("type")).toString())
                       .arg(o.value(QStringLiteral("size")).toInteger())
                       .arg(o.value(QStringLiteral("mode")).toString()));
    }
    QSet<QString> want;
    for (const auto &l : fx.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject layer = l.toObject();
        for (const auto &e : layer.value(QStringLiteral("entries")).toArray()) {
            const QJsonObject entry = e.toObject();
            want.insert(
                QStringLiteral("%1|%2|%3|%4|%5")
                    .arg(layer.value(QStringLiteral("index")).toInt())
                    .arg(entry.value(QStringLiteral("path")).toString(), entry.value(QStringLiteral("type")).toString())
                    .arg(entry.value(QStringLiteral("size")).toInteger())
                    .arg(entry.value(QStringLiteral("mode")).toString()));
        }
    }
    QVERIFY(!want.isEmpty());
    const QSet<QString> missing = want - got;
    const QSet<QString> extra = got - want;
    QVERIFY2(missing.isEmpty(), qPrintable(QStringList(missing.values()).join(QLatin1Char('\n'))));
    QVERIFY2(extra.isEmpty(), qPrintable(QStringList(extra.values()).join(QLatin1Char('\n'))));
}

void TestCli::bulkPeekJsonIsMergedView()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const auto r = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--bulk-peek"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QHash<QString, int> got;
    for (const QJsonObject &o : jsonLines(r.out))
        got.insert(o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("layer")).toInt());
    QHash<QString, int> want;
    for (const auto &m : fx.value(QStringLiteral("merged")).toArray())
        want.insert(
            m.toObject().value(QStringLiteral("path")).toString(), m.toObject().value(QStringLiteral("layer")).toInt());
    QCOMPARE(got.size(), want.size());
    for (auto it = want.cbegin(); it != want.cend(); ++it) {
        QVERIFY2(got.contains(it.key()), qPrintable(it.key()));
        QCOMPARE(got.value(it.key()), it.value());
    }
    for (const auto &d : fx.value(QStringLiteral("deleted")).toArray())
        QVERIFY2(!got.contains(d.toObject().value(QStringLiteral("path")).toString()),
            qPrintable(d.toObject().value(QStringLiteral("path")).toString()));
    QCOMPARE(got.value(QStringLiteral("etc/passwd")), 1); // the upper layer's copy
    for (auto it = got.cbegin(); it != got.cend(); ++it)
        QVERIFY2(!it.key().contains(QStringLiteral(".wh.")), qPrintable(it.key()));
}

void TestCli::partialPeekIsMarkedIncomplete()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/big:1.0"));
    const qint64 layerSize
        = fx.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("size")).toInteger();
    const auto r = CliRunner::run(
        { QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(), QStringLiteral("--peek-all"),
            QStringLiteral("--peek-bytes"), QStringLiteral("65536"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QVERIFY(lines.size() >= 2);
    const QJsonObject marker = lines.constLast();
    QVERIFY(marker.value(QStringLiteral("incomplete")).toBool());
    QVERIFY(marker.value(QStringLiteral("bytes_read")).toInteger() <= 65536);
    QCOMPARE(marker.value(QStringLiteral("layer_size")).toInteger(), layerSize);
    QCOMPARE(marker.value(QStringLiteral("entries")).toInt(), lines.size() - 1);
    const int total = fx.value(QStringLiteral("layers"))
                          .toArray()
                          .at(0)
                          .toObject()
                          .value(QStringLiteral("entries"))
                          .toArray()
                          .size();
    QVERIFY(lines.size() - 1 < total);
}

void TestCli::simpleOutputStyle()
{
    const auto r = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")),
        QStringLiteral("--peek-all"), QStringLiteral("--simple-output") });
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY(out.contains(QStringLiteral("| etc/\n")));
    QVERIFY(out.contains(QStringLiteral("  |- etc/passwd (")));
}

void TestCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString anon = h ? Harness::instance().anonRegistry() : QString();
    const QString token = Harness::instance().tokenRegistry();
    QTest::newRow("no target") << QStringList { QStringLiteral("--inspect") } << 2
                               << QStringLiteral("-t/--target-image is required");
    QTest::newRow("bad reference") << QStringList { QStringLiteral("-t"), QStringLiteral("UPPER/x"),
        QStringLiteral("--inspect") }
                                   << 2 << QStringLiteral("must be lowercase");
    QTest::newRow("two modes") << QStringList { QStringLiteral("-t"), QStringLiteral("x"), QStringLiteral("--inspect"),
        QStringLiteral("--peek-all") }
                               << 2 << QStringLiteral("choose one of");
    QTest::newRow("unknown tag") << QStringList { QStringLiteral("-t"), anon + QStringLiteral("/lab/app:nope"),
        QStringLiteral("--inspect") }
                                 << 3 << QStringLiteral("not found");
    QTest::newRow("unknown repo") << QStringList { QStringLiteral("-t"), anon + QStringLiteral("/lab/none:1"),
        QStringLiteral("--inspect") }
                                  << 3 << QStringLiteral("not found");
    QTest::newRow("missing platform") << QStringList { QStringLiteral("-t"), anon + QStringLiteral("/lab/oci:1.0"),
        QStringLiteral("--inspect"), QStringLiteral("--platform"), QStringLiteral("linux/s390x") }
                                      << 3 << QStringLiteral("available: linux/amd64");
    QTest::newRow("auth required") << QStringList { QStringLiteral("-t"), token + QStringLiteral("/private/secret:1.0"),
        QStringLiteral("--inspect") }
                                   << 4 << QStringLiteral("authentication required");
    QTest::newRow("connection refused") << QStringList { QStringLiteral("-t"), QStringLiteral("127.0.0.1:1/x:1"),
        QStringLiteral("--inspect") } << 5
                                        << QStringLiteral("connection refused");
}

void TestCli::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const auto r = CliRunner::run(args);
    QVERIFY2(
        r.exitCode == code, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    // One line, no stack of errors.
    QCOMPARE(r.err.trimmed().count('\n'), 0);
}

void TestCli::privateRepoWithPasswordStdin()
{
    const QString ref = h->tokenRegistry() + QStringLiteral("/private/secret:1.0");
    const auto ok
        = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--inspect"), QStringLiteral("--json"),
                             QStringLiteral("--username"), QStringLiteral("bob"), QStringLiteral("--password-stdin") },
            "builder\n");
    QVERIFY2(ok.exitCode == 0, ok.err.constData());
    QCOMPARE(QJsonDocument::fromJson(ok.out).object().value(QStringLiteral("digest")).toString(),
        h->fixture(QStringLiteral("private/secret:1.0")).value(QStringLiteral("digest")).toString());
    const auto bad
        = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--inspect"), QStringLiteral("--username"),
                             QStringLiteral("bob"), QStringLiteral("--password-stdin") },
            "nope\n");
    QCOMPARE(bad.exitCode, 4);
    QVERIFY(!bad.err.contains("nope")); // the password never shows
}

void TestCli::privateRepoWithDockerConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile config(dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    const QJsonObject auths { { h->tokenRegistry(),
        QJsonObject { { QStringLiteral("auth"), QString::fromLatin1(QByteArray("bob:builder").toBase64()) } } } };
    config.write(QJsonDocument(QJsonObject { { QStringLiteral("auths"), auths } }).toJson());
    config.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_CONFIG"), dir.path());
    const auto r = CliRunner::run({ QStringLiteral("-t"), h->tokenRegistry() + QStringLiteral("/private/secret:1.0"),
                                      QStringLiteral("--inspect"), QStringLiteral("--json") },
        {}, 120000, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
}

void TestCli::listTagsAndCatalogPaginate()
{
    // docker-registry ignores n/last on tags/list; the harness proxy paginates like Docker Hub does.
    const auto tags = CliRunner::run({ QStringLiteral("-t"), h->proxy() + QStringLiteral("/lab/tags"),
        QStringLiteral("--list-tags"), QStringLiteral("--page-size"), QStringLiteral("10"), QStringLiteral("--json") });
    QVERIFY2(tags.exitCode == 0, tags.err.constData());
    const QJsonArray list = QJsonDocument::fromJson(tags.out).object().value(QStringLiteral("tags")).toArray();
    QCOMPARE(list.size(), 25);
    QCOMPARE(list.first().toString(), QStringLiteral("t01"));
    QCOMPARE(list.last().toString(), QStringLiteral("t25"));

    const auto catalog = CliRunner::run({ QStringLiteral("-t"), h->anonRegistry(), QStringLiteral("--catalog"),
        QStringLiteral("--page-size"), QStringLiteral("3") });
    QVERIFY2(catalog.exitCode == 0, catalog.err.constData());
    const QStringList repos = QString::fromUtf8(catalog.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(repos.contains(QStringLiteral("lab/app")));
    QVERIFY(repos.contains(QStringLiteral("catalog/repo06")));
    QCOMPARE(QSet<QString>(repos.cbegin(), repos.cend()).size(), repos.size()); // no page repeated
}

void TestCli::logFileTeesOutput()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("run.log"));
    const auto r = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")),
        QStringLiteral("--inspect"), QStringLiteral("-l"), log });
    QCOMPARE(r.exitCode, 0);
    QFile f(log);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray logged = f.readAll();
    QVERIFY(logged.contains(r.out.left(200)));
    QVERIFY(logged.contains("Build steps:"));
}

QByteArray TestCli::sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

static QJsonObject fixtureEntry(const QJsonObject &fx, int layer, const QString &path)
{
    for (const auto &e :
        fx.value(QStringLiteral("layers")).toArray().at(layer).toObject().value(QStringLiteral("entries")).toArray())
        if (e.toObject().value(QStringLiteral("path")).toString() == path)
            return e.toObject();
    return {};
}

void TestCli::carveJson_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("upper layer's passwd wins")
        << QStringLiteral("lab/app:1.0") << QStringLiteral("/etc/passwd") << QStringLiteral("found") << 1 << 0;
    QTest::newRow("base layer file") << QStringLiteral("lab/app:1.0") << QStringLiteral("etc/os-release")
                                     << QStringLiteral("found") << 0 << 0;
    QTest::newRow("deleted by whiteout") << QStringLiteral("lab/app:1.0") << QStringLiteral("/etc/motd")
                                         << QStringLiteral("deleted") << 2 << 3;
    QTest::newRow("hidden by opaque dir")
        << QStringLiteral("lab/app:1.0") << QStringLiteral("var/cache/apt/pkgcache.bin") << QStringLiteral("deleted")
        << 2 << 3;
    QTest::newRow("missing") << QStringLiteral("lab/app:1.0") << QStringLiteral("/no/such/file")
                             << QStringLiteral("not_found") << -1 << 3;
    QTest::newRow("big layer, early stop")
        << QStringLiteral("lab/big:1.0") << QStringLiteral("data/needle.bin") << QStringLiteral("found") << 0 << 0;
}

void TestCli::carveJson()
{
    QFETCH(QString, fixture);
    QFETCH(QString, path);
    QFETCH(QString, status);
    QFETCH(int, layer);
    QFETCH(int, exitCode);
    const QJsonObject fx = h->fixture(fixture);
    QTemporaryDir out;
    const auto r = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("-f"), path, QStringLiteral("-o"), out.path(), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == exitCode, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 1);
    const QJsonObject o = lines.first();
    QCOMPARE(o.value(QStringLiteral("status")).toString(), status);
    QCOMPARE(o.value(QStringLiteral("found")).toBool(), status == QLatin1String("found"));
    for (const char *key : { "path", "layer_index", "layer_digest", "size", "saved_to", "bytes_downloaded",
             "layer_size", "requests", "elapsed_s" })
        QVERIFY2(o.contains(QLatin1String(key)), key);
    if (layer >= 0)
        QCOMPARE(o.value(QStringLiteral("layer_index")).toInt(), layer);
    const QString rel = QString(path).remove(0, path.startsWith(QLatin1Char('/')) ? 1 : 0);
    if (status == QLatin1String("found")) {
        const QJsonObject entry = fixtureEntry(fx, layer, rel);
        QVERIFY(!entry.isEmpty());
        QCOMPARE(o.value(QStringLiteral("saved_to")).toString(), QDir(out.path()).filePath(rel));
        QCOMPARE(sha256Of(o.value(QStringLiteral("saved_to")).toString()),
            entry.value(QStringLiteral("sha256")).toString().toLatin1());
        QCOMPARE(o.value(QStringLiteral("size")).toInteger(), entry.value(QStringLiteral("size")).toInteger());
        QCOMPARE(o.value(QStringLiteral("layer_digest")).toString(),
            fx.value(QStringLiteral("layers"))
                .toArray()
                .at(layer)
                .toObject()
                .value(QStringLiteral("digest"))
                .toString());
    } else {
        QVERIFY(!QFile::exists(QDir(out.path()).filePath(rel)));
    }
    if (fixture == QLatin1String("lab/big:1.0")) {
        // Stops early: well below the layer's size, within 1.25 x the physical bound + 64 KiB.
        const QJsonObject needle = fx.value(QStringLiteral("needle")).toObject();
        const qint64 bound = needle.value(QStringLiteral("compressed_bound")).toInteger();
        const qint64 downloaded = o.value(QStringLiteral("bytes_downloaded")).toInteger();
        QVERIFY2(bound > 0, "fixture has no needle bound");
        QVERIFY2(downloaded <= qint64(1.25 * double(bound)) + 65536,
            qPrintable(QStringLiteral("%1 bytes for a bound of %2").arg(downloaded).arg(bound)));
        QVERIFY(downloaded < o.value(QStringLiteral("layer_size")).toInteger());
    }
}

void TestCli::carveBoundedReads()
{
    // The default reads a deep file through one open request after the first window; --bounded-reads asks one
    // bounded Range per window (a round trip each): more requests, the same file, no more bytes.
    const QJsonObject fx = h->fixture(QStringLiteral("lab/big:1.0"));
    const QJsonObject entry = fixtureEntry(fx, 0, QStringLiteral("data/needle.bin"));
    qint64 requests[2] = {};
    for (const bool bounded : { false, true }) {
        QTemporaryDir out;
        QStringList args { QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(), QStringLiteral("-f"),
            QStringLiteral("data/needle.bin"), QStringLiteral("-o"), out.path(), QStringLiteral("--json"),
            QStringLiteral("--no-cache") };
        if (bounded)
            args << QStringLiteral("--bounded-reads");
        const auto r = CliRunner::run(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = jsonLines(r.out).value(0);
        QCOMPARE(sha256Of(o.value(QStringLiteral("saved_to")).toString()),
            entry.value(QStringLiteral("sha256")).toString().toLatin1());
        QVERIFY(o.value(QStringLiteral("bytes_downloaded")).toInteger()
            < o.value(QStringLiteral("layer_size")).toInteger());
        requests[bounded] = o.value(QStringLiteral("requests")).toInteger();
    }
    qInfo("requests: default %lld, --bounded-reads %lld", requests[0], requests[1]);
    QVERIFY2(requests[0] <= 3, qPrintable(QString::number(requests[0]))); // the first window, then one open request
    QVERIFY2(requests[1] > requests[0] + 3, qPrintable(QString::number(requests[1])));
}

void TestCli::carveSkipsConfigBlob()
{
    // A carve needs the manifest's layers, not the config: one round trip less on a slow link. Inspect (which
    // shows the config) fetches it, through the same proxy, so the check below can see a config request.
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const QString ref = h->proxy() + QStringLiteral("/lab/app:1.0");
    const QString configPath = QStringLiteral("/v2/lab/app/blobs/")
        + fx.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString();
    const auto configRequests = [&] {
        return h->proxyStats()
            .value(QStringLiteral("paths"))
            .toObject()
            .value(configPath)
            .toObject()
            .value(QStringLiteral("requests"))
            .toInt();
    };
    h->proxyReset();
    QTemporaryDir out;
    const auto carved = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("-f"),
        QStringLiteral("etc/os-release"), QStringLiteral("-o"), out.path(), QStringLiteral("--json") });
    QVERIFY2(carved.exitCode == 0, carved.err.constData());
    QCOMPARE(jsonLines(carved.out).value(0).value(QStringLiteral("status")).toString(), QStringLiteral("found"));
    QCOMPARE(configRequests(), 0);
    const auto inspected
        = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--inspect"), QStringLiteral("--json") });
    QVERIFY2(inspected.exitCode == 0, inspected.err.constData());
    QCOMPARE(configRequests(), 1);
}

void TestCli::savedPathShownFromWorkingDirectory()
{
    // Below the working directory: relative ("out/etc/os-release"); elsewhere: absolute, never "../../x".
    const QString ref = h->fixture(QStringLiteral("lab/app:1.0")).value(QStringLiteral("reference")).toString();
    QTemporaryDir cwd;
    QTemporaryDir elsewhere;
    const QStringList carve { QStringLiteral("-t"), ref, QStringLiteral("-f"), QStringLiteral("etc/os-release"),
        QStringLiteral("-o") };
    const auto inside = CliRunner::run(carve + QStringList { QStringLiteral("out") }, {}, 120000,
        QProcessEnvironment::systemEnvironment(), cwd.path());
    QVERIFY2(inside.exitCode == 0, inside.err.constData());
    QVERIFY2(inside.out.contains("File saved to: out/etc/os-release\n"), inside.out.constData());
    const auto outside = CliRunner::run(
        carve + QStringList { elsewhere.path() }, {}, 120000, QProcessEnvironment::systemEnvironment(), cwd.path());
    QVERIFY2(outside.exitCode == 0, outside.err.constData());
    QVERIFY2(outside.out.contains(QStringLiteral("File saved to: %1/etc/os-release\n").arg(elsewhere.path()).toUtf8()),
        outside.out.constData());
}

void TestCli::carveRefusesEscapingPath()
{
    QTemporaryDir out;
    const auto r
        = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")), QStringLiteral("-f"),
            QStringLiteral("../../etc/passwd"), QStringLiteral("-o"), out.path() + QStringLiteral("/inner") });
    QVERIFY2(r.exitCode == 7 || r.exitCode == 2, r.err.constData());
    QVERIFY(QDir(out.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty()
        || !QFile::exists(out.path() + QStringLiteral("/etc/passwd")));
}

void TestCli::saveAllVerifiesDigests()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/oci:1.0"));
    QTemporaryDir out;
    const auto r = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--save-all"), QStringLiteral("--platform"), QStringLiteral("linux/amd64"), QStringLiteral("-o"),
        out.path(), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray layers = fx.value(QStringLiteral("manifests"))
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(QStringLiteral("image"))
                                  .toObject()
                                  .value(QStringLiteral("layers"))
                                  .toArray();
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.size(), layers.size());
    for (int i = 0; i < lines.size(); ++i) {
        const QString file = lines.at(i).value(QStringLiteral("saved_to")).toString();
        QVERIFY(file.startsWith(out.path()));
        QCOMPARE(QStringLiteral("sha256:") + QString::fromLatin1(sha256Of(file)),
            layers.at(i).toObject().value(QStringLiteral("digest")).toString());
    }
    // 0-based as in the listing and the JSON (the GUI's "layer 0" was saved as ...layer1...).
    QVERIFY(lines.at(0).value(QStringLiteral("saved_to")).toString().endsWith(QStringLiteral("-layer0.tar.gz")));
    QVERIFY(lines.at(1).value(QStringLiteral("saved_to")).toString().endsWith(QStringLiteral("-layer1.tar")));
    QVERIFY(lines.at(2).value(QStringLiteral("saved_to")).toString().endsWith(QStringLiteral("-layer2.tar.zst")));
    QVERIFY(QDir(out.path()).entryList({ QStringLiteral("*.part") }, QDir::Files).isEmpty());
}

void TestCli::saveLayersSelection()
{
    // --save-layers numbers layers from 0 as --layer, the listings and the JSON do; the original tool's 1-based
    // numbers stay available as --save-layers-1based (was: 1-based only, so "layer 0" of the listing was "1").
    for (const auto &[flag, selection] : { std::pair { QStringLiteral("--save-layers"), QStringLiteral("0,2-3") },
             std::pair { QStringLiteral("--save-layers-1based"), QStringLiteral("1,3-4") } }) {
        QTemporaryDir out;
        const auto r = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")), flag,
            selection, QStringLiteral("-o"), out.path(), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QList<int> saved;
        for (const QJsonObject &o : jsonLines(r.out))
            saved << o.value(QStringLiteral("layer")).toInt();
        QCOMPARE(saved, (QList<int> { 0, 2, 3 }));
        QStringList files = QDir(out.path()).entryList(QDir::Files);
        files.sort();
        QCOMPARE(files,
            (QStringList { QStringLiteral("lab_app-1.0-layer0.tar.gz"), QStringLiteral("lab_app-1.0-layer2.tar.gz"),
                QStringLiteral("lab_app-1.0-layer3.tar.gz") }));
    }
    QTemporaryDir out;
    // "4" of a 4-layer image: a 1-based habit; the message says how layers are numbered and names the alias.
    const auto bad = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")),
        QStringLiteral("--save-layers"), QStringLiteral("4"), QStringLiteral("-o"), out.path() });
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("0 to 3") && bad.err.contains("--save-layers-1based"), bad.err.constData());
}

void TestCli::extractMergedSubtree()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    QTemporaryDir out;
    const auto r = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--extract"), QStringLiteral("/etc"), QStringLiteral("-o"), out.path() });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(sha256Of(out.path() + QStringLiteral("/etc/passwd")),
        fixtureEntry(fx, 1, QStringLiteral("etc/passwd")).value(QStringLiteral("sha256")).toString().toLatin1());
    QVERIFY(!QFile::exists(out.path() + QStringLiteral("/etc/motd")));
    QVERIFY(!QFile::exists(out.path() + QStringLiteral("/usr"))); // only what was asked for

    // Several paths after one --extract (as the README shows), and the flag repeated, give the same tree.
    for (const QStringList &form : { QStringList { QStringLiteral("--extract"), QStringLiteral("/etc/passwd"),
                                         QStringLiteral("etc/group"), QStringLiteral("/bin") },
             QStringList { QStringLiteral("--extract"), QStringLiteral("/etc/passwd"), QStringLiteral("--extract"),
                 QStringLiteral("etc/group"), QStringLiteral("--extract"), QStringLiteral("/bin") } }) {
        QTemporaryDir several;
        const auto s
            = CliRunner::run(QStringList { QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString() }
                + form + QStringList { QStringLiteral("-o"), several.path() });
        QVERIFY2(s.exitCode == 0, s.err.constData());
        QVERIFY(QFile::exists(several.path() + QStringLiteral("/etc/passwd")));
        QVERIFY(QFile::exists(several.path() + QStringLiteral("/etc/group")));
        QVERIFY(QFileInfo(several.path() + QStringLiteral("/bin/sh")).isFile());
        QVERIFY(!QFile::exists(several.path() + QStringLiteral("/etc/motd")));
    }
    // A stray argument without --extract is still refused.
    const auto stray = CliRunner::run({ QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
        QStringLiteral("--inspect"), QStringLiteral("/etc") });
    QCOMPARE(stray.exitCode, 2);
}

void TestCli::interactiveWalk()
{
    QTemporaryDir out;
    // platform 1 (arm64), walk layer 0 only (numbered as the listing shows them): peek yes, download yes; carve
    // etc/arch; then finish.
    const QByteArray answers = h->reference(QStringLiteral("lab/oci:1.0")).toUtf8() + "\n1\n0\ny\ny\n/etc/arch\n\n";
    const auto r = CliRunner::run({ QStringLiteral("--interactive"), QStringLiteral("-o"), out.path() }, answers);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString text = QString::fromUtf8(r.out);
    QVERIFY(text.contains(QStringLiteral("Welcome to Layerslayer")));
    QVERIFY(text.contains(QStringLiteral("(attestation)")));
    QVERIFY(text.contains(QStringLiteral("Build steps:")));
    QVERIFY(text.contains(QStringLiteral("etc/arch")));
    const QJsonObject arm = h->fixture(QStringLiteral("lab/oci:1.0"))
                                .value(QStringLiteral("manifests"))
                                .toArray()
                                .at(1)
                                .toObject()
                                .value(QStringLiteral("image"))
                                .toObject();
    // The arm64 copy of etc/arch, not the amd64 one.
    QCOMPARE(sha256Of(out.path() + QStringLiteral("/etc/arch")),
        fixtureEntry(arm, 0, QStringLiteral("etc/arch")).value(QStringLiteral("sha256")).toString().toLatin1());
    const QStringList saved = QDir(out.path()).entryList({ QStringLiteral("*-layer0.tar.gz") }, QDir::Files);
    QCOMPARE(saved.size(), 1);
    QCOMPARE(QStringLiteral("sha256:") + QString::fromLatin1(sha256Of(out.path() + QLatin1Char('/') + saved.first())),
        arm.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("digest")).toString());
}

void TestCli::inspectImagePushedBySkopeo()
{
    // An image pushed by another tool: skopeo converts lab/app to OCI media types on the way.
    const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
    if (skopeo.isEmpty())
        QSKIP("skopeo is not installed");
    const QString target = h->anonRegistry() + QStringLiteral("/skopeo/app:oci");
    QProcess copy;
    copy.start(skopeo,
        { QStringLiteral("copy"), QStringLiteral("--quiet"), QStringLiteral("--src-tls-verify=false"),
            QStringLiteral("--dest-tls-verify=false"), QStringLiteral("--format"), QStringLiteral("oci"),
            QStringLiteral("docker://") + h->reference(QStringLiteral("lab/app:1.0")),
            QStringLiteral("docker://") + target });
    QVERIFY(copy.waitForFinished(120000));
    QVERIFY2(copy.exitCode() == 0, copy.readAllStandardError().constData());
    QProcess raw;
    raw.start(skopeo,
        { QStringLiteral("inspect"), QStringLiteral("--raw"), QStringLiteral("--tls-verify=false"),
            QStringLiteral("docker://") + target });
    QVERIFY(raw.waitForFinished(60000));
    const QByteArray manifest = raw.readAllStandardOutput();
    QVERIFY(!manifest.isEmpty());
    const QString expected = QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(manifest, QCryptographicHash::Sha256).toHex());

    const auto r
        = CliRunner::run({ QStringLiteral("-t"), target, QStringLiteral("--inspect"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("digest")).toString(), expected);
    QCOMPARE(
        o.value(QStringLiteral("mediaType")).toString(), QStringLiteral("application/vnd.oci.image.manifest.v1+json"));
    QCOMPARE(o.value(QStringLiteral("layers")).toArray().size(), 4);
    QCOMPARE(o.value(QStringLiteral("history")).toArray().size(),
        h->fixture(QStringLiteral("lab/app:1.0")).value(QStringLiteral("history")).toArray().size());
}

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
