// layerslayer-cli end to end against the real registries of the harness: what a user or a script sees.
#include "CliRunner.h"
#include "Harness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
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

private:
    static QList<QJsonObject> jsonLines(const QByteArray &out);
    Harness *h = nullptr;
};

QList<QJsonObject> TestCli::jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError err{};
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
    const auto r = CliRunner::run({QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
                                   QStringLiteral("--inspect"), QStringLiteral("--json")});
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
    QStringList args{QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(), QStringLiteral("--inspect"),
                     QStringLiteral("--json")};
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
    const auto r = CliRunner::run({QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")), QStringLiteral("--inspect")});
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("Build steps:")), r.out.constData());
    QVERIFY(out.contains(QStringLiteral("(metadata only)")));
    QVERIFY(out.contains(QStringLiteral("-> layer 0 (")));
    QVERIFY(out.contains(QStringLiteral("Layers (4, ")));
    QVERIFY(out.contains(QStringLiteral(" KB")));
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
    QStringList args{QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(), QStringLiteral("--peek-all"),
                     QStringLiteral("--json")};
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
            want.insert(QStringLiteral("%1|%2|%3|%4|%5")
                            .arg(layer.value(QStringLiteral("index")).toInt())
                            .arg(entry.value(QStringLiteral("path")).toString(),
                                 entry.value(QStringLiteral("type")).toString())
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
    const auto r = CliRunner::run({QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
                                   QStringLiteral("--bulk-peek"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QHash<QString, int> got;
    for (const QJsonObject &o : jsonLines(r.out))
        got.insert(o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("layer")).toInt());
    QHash<QString, int> want;
    for (const auto &m : fx.value(QStringLiteral("merged")).toArray())
        want.insert(m.toObject().value(QStringLiteral("path")).toString(), m.toObject().value(QStringLiteral("layer")).toInt());
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
    const qint64 layerSize = fx.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("size")).toInteger();
    const auto r = CliRunner::run({QStringLiteral("-t"), fx.value(QStringLiteral("reference")).toString(),
                                   QStringLiteral("--peek-all"), QStringLiteral("--peek-bytes"), QStringLiteral("65536"),
                                   QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QVERIFY(lines.size() >= 2);
    const QJsonObject marker = lines.constLast();
    QVERIFY(marker.value(QStringLiteral("incomplete")).toBool());
    QVERIFY(marker.value(QStringLiteral("bytes_read")).toInteger() <= 65536);
    QCOMPARE(marker.value(QStringLiteral("layer_size")).toInteger(), layerSize);
    QCOMPARE(marker.value(QStringLiteral("entries")).toInt(), lines.size() - 1);
    const int total = fx.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("entries")).toArray().size();
    QVERIFY(lines.size() - 1 < total);
}

void TestCli::simpleOutputStyle()
{
    const auto r = CliRunner::run({QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")),
                                   QStringLiteral("--peek-all"), QStringLiteral("--simple-output")});
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
    QTest::newRow("no target") << QStringList{QStringLiteral("--inspect")} << 2 << QStringLiteral("-t/--target-image is required");
    QTest::newRow("bad reference") << QStringList{QStringLiteral("-t"), QStringLiteral("UPPER/x"), QStringLiteral("--inspect")}
                                   << 2 << QStringLiteral("must be lowercase");
    QTest::newRow("two modes") << QStringList{QStringLiteral("-t"), QStringLiteral("x"), QStringLiteral("--inspect"), QStringLiteral("--peek-all")}
                               << 2 << QStringLiteral("choose one of");
    QTest::newRow("unknown tag") << QStringList{QStringLiteral("-t"), anon + QStringLiteral("/lab/app:nope"), QStringLiteral("--inspect")}
                                 << 3 << QStringLiteral("not found");
    QTest::newRow("unknown repo") << QStringList{QStringLiteral("-t"), anon + QStringLiteral("/lab/none:1"), QStringLiteral("--inspect")}
                                  << 3 << QStringLiteral("not found");
    QTest::newRow("missing platform") << QStringList{QStringLiteral("-t"), anon + QStringLiteral("/lab/oci:1.0"), QStringLiteral("--inspect"),
                                                     QStringLiteral("--platform"), QStringLiteral("linux/s390x")}
                                      << 3 << QStringLiteral("available: linux/amd64");
    QTest::newRow("auth required") << QStringList{QStringLiteral("-t"), token + QStringLiteral("/private/secret:1.0"), QStringLiteral("--inspect")}
                                   << 4 << QStringLiteral("authentication required");
    QTest::newRow("connection refused") << QStringList{QStringLiteral("-t"), QStringLiteral("127.0.0.1:1/x:1"), QStringLiteral("--inspect")}
                                        << 5 << QStringLiteral("connection refused");
}

void TestCli::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const auto r = CliRunner::run(args);
    QVERIFY2(r.exitCode == code, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    // One line, no stack of errors.
    QCOMPARE(r.err.trimmed().count('\n'), 0);
}

void TestCli::privateRepoWithPasswordStdin()
{
    const QString ref = h->tokenRegistry() + QStringLiteral("/private/secret:1.0");
    const auto ok = CliRunner::run({QStringLiteral("-t"), ref, QStringLiteral("--inspect"), QStringLiteral("--json"),
                                    QStringLiteral("--username"), QStringLiteral("bob"), QStringLiteral("--password-stdin")},
                                   "builder\n");
    QVERIFY2(ok.exitCode == 0, ok.err.constData());
    QCOMPARE(QJsonDocument::fromJson(ok.out).object().value(QStringLiteral("digest")).toString(),
             h->fixture(QStringLiteral("private/secret:1.0")).value(QStringLiteral("digest")).toString());
    const auto bad = CliRunner::run({QStringLiteral("-t"), ref, QStringLiteral("--inspect"), QStringLiteral("--username"),
                                     QStringLiteral("bob"), QStringLiteral("--password-stdin")},
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
    const QJsonObject auths{{h->tokenRegistry(), QJsonObject{{QStringLiteral("auth"), QString::fromLatin1(QByteArray("bob:builder").toBase64())}}}};
    config.write(QJsonDocument(QJsonObject{{QStringLiteral("auths"), auths}}).toJson());
    config.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_CONFIG"), dir.path());
    const auto r = CliRunner::run({QStringLiteral("-t"), h->tokenRegistry() + QStringLiteral("/private/secret:1.0"),
                                   QStringLiteral("--inspect"), QStringLiteral("--json")},
                                  {}, 120000, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
}

void TestCli::listTagsAndCatalogPaginate()
{
    // docker-registry ignores n/last on tags/list; the harness proxy paginates like Docker Hub does.
    const auto tags = CliRunner::run({QStringLiteral("-t"), h->proxy() + QStringLiteral("/lab/tags"), QStringLiteral("--list-tags"),
                                      QStringLiteral("--page-size"), QStringLiteral("10"), QStringLiteral("--json")});
    QVERIFY2(tags.exitCode == 0, tags.err.constData());
    const QJsonArray list = QJsonDocument::fromJson(tags.out).object().value(QStringLiteral("tags")).toArray();
    QCOMPARE(list.size(), 25);
    QCOMPARE(list.first().toString(), QStringLiteral("t01"));
    QCOMPARE(list.last().toString(), QStringLiteral("t25"));

    const auto catalog = CliRunner::run({QStringLiteral("-t"), h->anonRegistry(), QStringLiteral("--catalog"),
                                         QStringLiteral("--page-size"), QStringLiteral("3")});
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
    const auto r = CliRunner::run({QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")), QStringLiteral("--inspect"),
                                   QStringLiteral("-l"), log});
    QCOMPARE(r.exitCode, 0);
    QFile f(log);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray logged = f.readAll();
    QVERIFY(logged.contains(r.out.left(200)));
    QVERIFY(logged.contains("Build steps:"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
