#include "oci/ImageConfig.h"

#include <QTest>

using namespace ll;
using namespace ll::oci;

class TestImageConfig : public QObject
{
    Q_OBJECT
private slots:
    void dockerClassicConfig();
    void buildkitConfig();
    void nullFields();
    void mapHistory_data();
    void mapHistory();
    void mapIsIdempotent();
    void displayText_data();
    void displayText();
    void invalid_data();
    void invalid();
};

namespace {

// The config of an nginx-like image built by the classic Docker builder on top of debian:bookworm-slim:
// "#(nop)" steps, empty_layer on metadata-only steps, container_config left over, ExposedPorts, StopSignal.
const QByteArray kClassic = R"json({
  "architecture": "amd64",
  "config": {
    "Hostname": "",
    "Domainname": "",
    "User": "",
    "AttachStdin": false,
    "ExposedPorts": {"80/tcp": {}, "443/tcp": {}, "8080/tcp": {}, "53/udp": {}},
    "Tty": false,
    "Env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "NGINX_VERSION=1.25.4",
      "NJS_VERSION=0.8.3",
      "PKG_RELEASE=1~bookworm"
    ],
    "Cmd": ["nginx", "-g", "daemon off;"],
    "Image": "sha256:0697c0f434f8672811eb1b52d443d0d4cb616fa58e4d10b25e91471b7f45a665",
    "Volumes": null,
    "WorkingDir": "",
    "Entrypoint": ["/docker-entrypoint.sh"],
    "OnBuild": null,
    "Labels": {"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"},
    "StopSignal": "SIGQUIT"
  },
  "container_config": {
    "Cmd": ["/bin/sh", "-c", "#(nop) ", "CMD [\"nginx\" \"-g\" \"daemon off;\"]"]
  },
  "created": "2024-02-14T18:49:31.528837516Z",
  "docker_version": "20.10.23",
  "history": [
    {"created": "2024-02-13T00:37:47.612452452Z",
     "created_by": "/bin/sh -c #(nop) ADD file:b86ae1c7ca3586d8feedcd9ff1b2b1e8ab872caf6587618f1da689045a5d7ae4 in / "},
    {"created": "2024-02-13T00:37:47.965574303Z",
     "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
    {"created": "2024-02-14T18:48:46.062131376Z",
     "created_by": "/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
     "empty_layer": true},
    {"created": "2024-02-14T18:48:46.146155376Z",
     "created_by": "/bin/sh -c #(nop)  ENV NGINX_VERSION=1.25.4", "empty_layer": true},
    {"created": "2024-02-14T18:49:30.189126213Z",
     "created_by": "/bin/sh -c set -x     && groupadd --system --gid 101 nginx     && apt-get update"},
    {"created": "2024-02-14T18:49:30.503394386Z",
     "created_by": "/bin/sh -c #(nop) COPY file:01e75c6dd0ce317d516928a17584c111cd1dd9bc8e4c0c0f1fe95b5d2e8b4e3c in /docker-entrypoint.sh "},
    {"created": "2024-02-14T18:49:30.789225683Z",
     "created_by": "/bin/sh -c #(nop)  ENTRYPOINT [\"/docker-entrypoint.sh\"]", "empty_layer": true},
    {"created": "2024-02-14T18:49:30.891832735Z",
     "created_by": "/bin/sh -c #(nop)  EXPOSE 80", "empty_layer": true},
    {"created": "2024-02-14T18:49:31.411283745Z",
     "created_by": "/bin/sh -c #(nop)  STOPSIGNAL SIGQUIT", "empty_layer": true},
    {"created": "2024-02-14T18:49:31.528837516Z",
     "created_by": "/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\" \"daemon off;\"]", "empty_layer": true}
  ],
  "os": "linux",
  "rootfs": {
    "type": "layers",
    "diff_ids": [
      "sha256:0697c0f434f8672811eb1b52d443d0d4cb616fa58e4d10b25e91471b7f45a665",
      "sha256:a9485d17c39b521f9de31b558df98f81dd72a9c7498f57f27b74356ea150fbd9",
      "sha256:03d63cb5ac6da8f21ccf8cb8ee9e410ece553f0bf779d19ac73eb8e9135d5e50"
    ]
  }
})json";

// BuildKit (docker buildx) for linux/arm64/v8: "# buildkit" comments, a WORKDIR that makes a layer,
// USER, Volumes, OCI labels.
const QByteArray kBuildkit
    = R"json({"architecture":"arm64","config":{"User":"app","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],"Entrypoint":["python3","-m","app"],"Cmd":["--serve"],"WorkingDir":"/srv/app","Labels":{"org.opencontainers.image.source":"https://github.com/example/app","org.opencontainers.image.version":"1.4.0"},"Volumes":{"/var/lib/app":{},"/data":{}},"OnBuild":null},"created":"2024-03-11T09:12:40.30215Z","history":[{"created":"2024-01-27T00:30:56.150825642Z","created_by":"/bin/sh -c #(nop) ADD file:d0764a717d1e9d0aff3fa84779b11bfa0afe4430dcb6b46d965b209167639ba0 in / "},{"created":"2024-01-27T00:30:56.431035022Z","created_by":"/bin/sh -c #(nop)  CMD [\"/bin/sh\"]","empty_layer":true},{"created":"2024-03-11T09:12:31.8821Z","created_by":"ENV LANG=C.UTF-8","comment":"buildkit.dockerfile.v0","empty_layer":true},{"created":"2024-03-11T09:12:38.9931Z","created_by":"RUN /bin/sh -c apk add --no-cache python3 # buildkit","comment":"buildkit.dockerfile.v0"},{"created":"2024-03-11T09:12:39.1001Z","created_by":"WORKDIR /srv/app","comment":"buildkit.dockerfile.v0"},{"created":"2024-03-11T09:12:40.30215Z","created_by":"COPY . . # buildkit","comment":"buildkit.dockerfile.v0"},{"created":"2024-03-11T09:12:40.30215Z","created_by":"USER app","comment":"buildkit.dockerfile.v0","empty_layer":true},{"created":"2024-03-11T09:12:40.30215Z","created_by":"ENTRYPOINT [\"python3\" \"-m\" \"app\"]","comment":"buildkit.dockerfile.v0","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0697c0f434f8672811eb1b52d443d0d4cb616fa58e4d10b25e91471b7f45a665","sha256:a9485d17c39b521f9de31b558df98f81dd72a9c7498f57f27b74356ea150fbd9","sha256:03d63cb5ac6da8f21ccf8cb8ee9e410ece553f0bf779d19ac73eb8e9135d5e50","sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"]},"variant":"v8"})json";

// A minimal scratch image built by a tool that writes nulls (and no history at all).
const QByteArray kNulls = R"json({"architecture": "amd64", "os": "linux", "created": null, "author": null,
  "config": {"Env": null, "Cmd": null, "Entrypoint": null, "Labels": null, "ExposedPorts": null,
             "Volumes": null, "WorkingDir": null, "User": null, "StopSignal": null},
  "rootfs": {"type": "layers", "diff_ids": null}, "history": null})json";

HistoryEntry entry(bool empty)
{
    HistoryEntry e;
    e.emptyLayer = empty;
    e.createdBy = empty ? QStringLiteral("/bin/sh -c #(nop)  ENV A=1") : QStringLiteral("/bin/sh -c make");
    return e;
}

} // namespace

void TestImageConfig::dockerClassicConfig()
{
    Result<ImageConfig> c = ImageConfig::parse(kClassic);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QCOMPARE(c->platform.os, QStringLiteral("linux"));
    QCOMPARE(c->platform.architecture, QStringLiteral("amd64"));
    QVERIFY(c->platform.variant.isEmpty());
    QCOMPARE(c->created, QStringLiteral("2024-02-14T18:49:31.528837516Z"));
    QCOMPARE(c->env.size(), 4);
    QCOMPARE(c->env[1], QStringLiteral("NGINX_VERSION=1.25.4"));
    QCOMPARE(c->cmd, QStringList({ QStringLiteral("nginx"), QStringLiteral("-g"), QStringLiteral("daemon off;") }));
    QCOMPARE(c->entrypoint, QStringList { QStringLiteral("/docker-entrypoint.sh") });
    QVERIFY(c->workingDir.isEmpty());
    QVERIFY(c->user.isEmpty());
    QCOMPARE(c->stopSignal, QStringLiteral("SIGQUIT"));
    QCOMPARE(c->labels.value(QStringLiteral("maintainer")),
        QStringLiteral("NGINX Docker Maintainers <docker-maint@nginx.com>"));
    // Numeric port order, not JSON key order ("443/tcp" < "53/udp" < "80/tcp" < "8080/tcp").
    QCOMPARE(c->exposedPorts,
        QStringList({ QStringLiteral("53/udp"), QStringLiteral("80/tcp"), QStringLiteral("443/tcp"),
            QStringLiteral("8080/tcp") }));
    QVERIFY(c->volumes.isEmpty());
    QCOMPARE(c->diffIds.size(), 3);
    QCOMPARE(c->history.size(), 10);
    QVERIFY(!c->history[0].emptyLayer);
    QVERIFY(c->history[1].emptyLayer);

    QVERIFY(c->mapHistoryToLayers(3));
    QCOMPARE(c->historyIndexForLayer(0), 0);
    QCOMPARE(c->historyIndexForLayer(1), 4);
    QCOMPARE(c->historyIndexForLayer(2), 5);
    QCOMPARE(c->historyIndexForLayer(3), -1);
    QCOMPARE(c->historyIndexForLayer(-1), -1);
    QCOMPARE(c->history[9].layerIndex, -1);
    QCOMPARE(c->history[9].displayText(), QStringLiteral("CMD [\"nginx\" \"-g\" \"daemon off;\"]"));
    QCOMPARE(c->history[5].displayText(),
        QStringLiteral("COPY file:01e75c6dd0ce317d516928a17584c111cd1dd9bc8e4c0c0f1fe95b5d2e8b4e3c in "
                       "/docker-entrypoint.sh"));
    QVERIFY(c->history[4].displayText().startsWith(QLatin1String("/bin/sh -c set -x")));
}

void TestImageConfig::buildkitConfig()
{
    Result<ImageConfig> c = ImageConfig::parse(kBuildkit);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QCOMPARE(c->platform.toString(), QStringLiteral("linux/arm64/v8"));
    QCOMPARE(c->user, QStringLiteral("app"));
    QCOMPARE(c->workingDir, QStringLiteral("/srv/app"));
    QCOMPARE(c->entrypoint.size(), 3);
    QCOMPARE(c->cmd, QStringList { QStringLiteral("--serve") });
    QCOMPARE(c->labels.size(), 2);
    QCOMPARE(c->volumes, QStringList({ QStringLiteral("/data"), QStringLiteral("/var/lib/app") }));
    QVERIFY(c->exposedPorts.isEmpty());
    QCOMPARE(c->history.size(), 8);
    QCOMPARE(c->history[2].comment, QStringLiteral("buildkit.dockerfile.v0"));
    QCOMPARE(c->diffIds.size(), 4);

    QVERIFY(c->mapHistoryToLayers(int(c->diffIds.size())));
    const QList<int> expected { 0, -1, -1, 1, 2, 3, -1, -1 };
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(c->history[i].layerIndex, expected[i]);
    QCOMPARE(c->historyIndexForLayer(2), 4);
    QCOMPARE(c->history[c->historyIndexForLayer(2)].displayText(), QStringLiteral("WORKDIR /srv/app"));
    // BuildKit's own text is shown as is, "# buildkit" included.
    QCOMPARE(c->history[3].displayText(), QStringLiteral("RUN /bin/sh -c apk add --no-cache python3 # buildkit"));
}

void TestImageConfig::nullFields()
{
    Result<ImageConfig> c = ImageConfig::parse(kNulls);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QVERIFY(c->env.isEmpty());
    QVERIFY(c->cmd.isEmpty());
    QVERIFY(c->entrypoint.isEmpty());
    QVERIFY(c->labels.isEmpty());
    QVERIFY(c->exposedPorts.isEmpty());
    QVERIFY(c->diffIds.isEmpty());
    QVERIFY(c->history.isEmpty());
    QVERIFY(c->created.isEmpty());
    QCOMPARE(c->platform.architecture, QStringLiteral("amd64"));
    QVERIFY(c->mapHistoryToLayers(0));
    QVERIFY(!c->mapHistoryToLayers(2)); // layers without any step
    QCOMPARE(c->historyIndexForLayer(0), -1);

    // No "config" object at all, no rootfs (some hand-made images), and a string Cmd (Docker's strslice).
    c = ImageConfig::parse(R"({"architecture": "amd64", "os": "linux"})");
    QVERIFY(c.ok());
    QVERIFY(c->env.isEmpty());
    c = ImageConfig::parse(R"({"os": "linux", "config": {"Cmd": "/bin/sh", "Entrypoint": null}})");
    QVERIFY(c.ok());
    QCOMPARE(c->cmd, QStringList { QStringLiteral("/bin/sh") });
}

void TestImageConfig::mapHistory_data()
{
    QTest::addColumn<QList<bool>>("emptyFlags"); // one per history entry
    QTest::addColumn<int>("layers");
    QTest::addColumn<bool>("consistent");
    QTest::addColumn<QList<int>>("layerIndexes"); // expected HistoryEntry::layerIndex
    QTest::addColumn<QList<int>>("historyForLayer"); // expected historyIndexForLayer(0..layers-1)

    QTest::newRow("matching") << QList<bool> { false, true, false, true, false } << 3 << true
                              << QList<int> { 0, -1, 1, -1, 2 } << QList<int> { 0, 2, 4 };
    QTest::newRow("all empty, no layers")
        << QList<bool> { true, true } << 0 << true << QList<int> { -1, -1 } << QList<int> {};
    QTest::newRow("more history than layers") << QList<bool> { false, false, true, false } << 2 << false
                                              << QList<int> { 0, 1, -1, -1 } << QList<int> { 0, 1 };
    QTest::newRow("fewer history than layers")
        << QList<bool> { false, true, false } << 4 << false << QList<int> { 0, -1, 1 } << QList<int> { 0, 2, -1, -1 };
    QTest::newRow("no history") << QList<bool> {} << 2 << false << QList<int> {} << QList<int> { -1, -1 };
    QTest::newRow("only empty steps, one layer")
        << QList<bool> { true, true } << 1 << false << QList<int> { -1, -1 } << QList<int> { -1 };
}

void TestImageConfig::mapHistory()
{
    QFETCH(QList<bool>, emptyFlags);
    QFETCH(int, layers);
    QFETCH(bool, consistent);
    QFETCH(QList<int>, layerIndexes);
    QFETCH(QList<int>, historyForLayer);

    ImageConfig c;
    for (bool empty : emptyFlags)
        c.history.append(entry(empty));
    QCOMPARE(c.mapHistoryToLayers(layers), consistent);
    QCOMPARE(c.history.size(), layerIndexes.size());
    for (int i = 0; i < layerIndexes.size(); ++i)
        QCOMPARE(c.history[i].layerIndex, layerIndexes[i]);
    for (int l = 0; l < historyForLayer.size(); ++l)
        QCOMPARE(c.historyIndexForLayer(l), historyForLayer[l]);
}

void TestImageConfig::mapIsIdempotent()
{
    ImageConfig c;
    for (bool empty : { false, true, false })
        c.history.append(entry(empty));
    QVERIFY(!c.mapHistoryToLayers(1));
    QCOMPARE(c.history[2].layerIndex, -1);
    QVERIFY(c.mapHistoryToLayers(2)); // a second call starts afresh
    QCOMPARE(c.history[0].layerIndex, 0);
    QCOMPARE(c.history[2].layerIndex, 1);
}

void TestImageConfig::displayText_data()
{
    QTest::addColumn<QString>("createdBy");
    QTest::addColumn<QString>("expected");
    QTest::newRow("nop two spaces") << "/bin/sh -c #(nop)  CMD [\"bash\"]"
                                    << "CMD [\"bash\"]";
    QTest::newRow("nop ADD with trailing space") << "/bin/sh -c #(nop) ADD file:abc in / "
                                                 << "ADD file:abc in /";
    QTest::newRow("classic RUN kept") << "/bin/sh -c apt-get update"
                                      << "/bin/sh -c apt-get update";
    QTest::newRow("RUN with build args kept") << "|1 VERSION=2 /bin/sh -c make"
                                              << "|1 VERSION=2 /bin/sh -c make";
    QTest::newRow("buildkit kept") << "RUN /bin/sh -c make # buildkit"
                                   << "RUN /bin/sh -c make # buildkit";
    QTest::newRow("tabs") << "/bin/sh -c set -e;\tmake\tinstall"
                          << "/bin/sh -c set -e; make install";
    QTest::newRow("windows nop") << "cmd /S /C #(nop)  ENV FOO=bar"
                                 << "ENV FOO=bar";
    QTest::newRow("nop not at start kept") << "echo /bin/sh -c #(nop) x"
                                           << "echo /bin/sh -c #(nop) x";
    QTest::newRow("empty") << ""
                           << "";
}

void TestImageConfig::displayText()
{
    QFETCH(QString, createdBy);
    QFETCH(QString, expected);
    HistoryEntry e;
    e.createdBy = createdBy;
    QCOMPARE(e.displayText(), expected);
}

void TestImageConfig::invalid_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("truncated") << kClassic.left(200) << "the image config is not valid JSON";
    QTest::newRow("array") << QByteArray("[]") << "not a JSON object";
    QTest::newRow("Env not an array") << QByteArray(R"({"config": {"Env": "PATH=/bin"}})")
                                      << "config.Env must be an array of strings";
    QTest::newRow("Env with a number") << QByteArray(R"({"config": {"Env": ["A=1", 2]}})")
                                       << "config.Env must be an array of strings";
    QTest::newRow("Labels not strings") << QByteArray(R"({"config": {"Labels": {"a": true}}})")
                                        << "config.Labels.a must be a string";
    QTest::newRow("ExposedPorts an array")
        << QByteArray(R"({"config": {"ExposedPorts": ["80/tcp"]}})") << "config.ExposedPorts must be an object";
    QTest::newRow("config a string") << QByteArray(R"({"config": "x"})") << "config must be an object";
    QTest::newRow("bad diff_id") << QByteArray(R"({"rootfs": {"type": "layers", "diff_ids": ["sha256:xyz"]}})")
                                 << "rootfs.diff_ids[0] \"sha256:xyz\" is not a valid digest";
    QTest::newRow("history entry not an object")
        << QByteArray(R"({"history": ["RUN x"]})") << "history[0] must be an object";
    QTest::newRow("empty_layer a string") << QByteArray(R"({"history": [{}, {"empty_layer": "true"}]})")
                                          << "history[1].empty_layer must be true or false";
    QTest::newRow("architecture a number") << QByteArray(R"({"architecture": 64})") << "architecture must be a string";
}

void TestImageConfig::invalid()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const Result<ImageConfig> c = ImageConfig::parse(body);
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code, Error::Code::Malformed);
    QVERIFY2(c.error().message.contains(expected), qPrintable(c.error().message));
}

QTEST_APPLESS_MAIN(TestImageConfig)
#include "TestImageConfig.moc"
