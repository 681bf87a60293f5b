#include "oci/Manifest.h"
#include "oci/MediaTypes.h"

#include <QTest>

using namespace ll;
using namespace ll::oci;

class TestManifest : public QObject
{
    Q_OBJECT
private slots:
    void dockerV2();
    void ociWithoutMediaType();
    void mediaTypeFromContentType();
    void detectKind_data();
    void detectKind();
    void schema1_data();
    void schema1();
    void malformedJson_data();
    void malformedJson();
    void invalidFields_data();
    void invalidFields();
    void unsupported_data();
    void unsupported();
    void descriptorRoundTrip();
};

namespace {

// As `docker push` (Docker 24, classic builder) writes it.
const QByteArray kDockerV2 = R"json({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 2316,
      "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 29533422,
         "digest": "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 1170,
         "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"
      }
   ]
})json";

// As BuildKit (oci-mediatypes=true) writes it: no top-level mediaType, annotations, a zstd layer.
const QByteArray kOciNoMediaType = R"json({
  "schemaVersion": 2,
  "config": {
    "mediaType": "application/vnd.oci.image.config.v1+json",
    "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0",
    "size": 1489
  },
  "layers": [
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
      "digest": "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740",
      "size": 3408729
    },
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
      "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041",
      "size": 94,
      "annotations": {
        "io.github.containers.zstd-chunked.manifest-checksum": "sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724"
      }
    },
    {
      "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      "digest": "sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724",
      "size": 1024,
      "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724"]
    }
  ],
  "annotations": {
    "org.opencontainers.image.created": "2024-03-11T09:12:44Z",
    "org.opencontainers.image.base.name": "docker.io/library/alpine:3.19"
  }
})json";

// A signed schema 1 manifest, as old registries still serve for ancient tags.
const QByteArray kSchema1 = R"json({
   "schemaVersion": 1,
   "name": "library/busybox",
   "tag": "1.21",
   "architecture": "amd64",
   "fsLayers": [
      {"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}
   ],
   "history": [{"v1Compatibility": "{\"id\":\"d7057cb0\"}"}],
   "signatures": [{"header": {"alg": "ES256"}, "signature": "abc", "protected": "xyz"}]
})json";

const QByteArray kOciIndex = R"json({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51", "size": 1050,
     "platform": {"architecture": "amd64", "os": "linux"}}
  ]
})json";

QByteArray withLayer(const QByteArray &layerJson)
{
    return QByteArray(R"json({"schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
  "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2316,
             "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"},
  "layers": [)json")
        + layerJson + "]}";
}

} // namespace

void TestManifest::dockerV2()
{
    const Result<Manifest> m = Manifest::parse(kDockerV2, QString::fromLatin1(MediaType::DockerManifest));
    QVERIFY2(m.ok(), qPrintable(m.ok() ? QString() : m.error().toString()));
    QCOMPARE(m->schemaVersion, 2);
    QCOMPARE(m->mediaType, QLatin1String(MediaType::DockerManifest));
    QCOMPARE(m->config.mediaType, QLatin1String(MediaType::DockerConfig));
    QCOMPARE(m->config.size, 2316);
    QCOMPARE(
        m->config.digest, QStringLiteral("sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"));
    QVERIFY(m->isContainerImage());
    QCOMPARE(m->layers.size(), 2);
    QCOMPARE(m->layers[0].size, 29533422);
    QCOMPARE(m->layers[0].mediaType, QLatin1String(MediaType::DockerLayerGzip));
    QCOMPARE(
        m->layers[1].digest, QStringLiteral("sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"));
    QCOMPARE(m->layers[1].size, 1170);
    QVERIFY(!m->layers[1].platform.has_value());
}

void TestManifest::ociWithoutMediaType()
{
    const Result<Manifest> m = Manifest::parse(kOciNoMediaType); // no Content-Type either
    QVERIFY2(m.ok(), qPrintable(m.ok() ? QString() : m.error().toString()));
    QCOMPARE(m->mediaType, QLatin1String(MediaType::OciManifest));
    QCOMPARE(m->layers.size(), 3);
    QCOMPARE(MediaType::layerCompression(m->layers[0].mediaType), MediaType::Compression::Gzip);
    QCOMPARE(MediaType::layerCompression(m->layers[1].mediaType), MediaType::Compression::Zstd);
    QCOMPARE(m->layers[1].annotations.size(), 1);
    QCOMPARE(m->layers[1].annotations.value(QStringLiteral("io.github.containers.zstd-chunked.manifest-checksum")),
        QStringLiteral("sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724"));
    QCOMPARE(m->layers[2].urls.size(), 1);
    QVERIFY(m->layers[2].urls[0].startsWith(QLatin1String("https://mcr.microsoft.com/")));
    QCOMPARE(m->annotations.value(QStringLiteral("org.opencontainers.image.base.name")),
        QStringLiteral("docker.io/library/alpine:3.19"));
}

void TestManifest::mediaTypeFromContentType()
{
    const Result<Manifest> m = Manifest::parse(
        kOciNoMediaType, QStringLiteral("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"));
    QVERIFY(m.ok());
    QCOMPARE(m->mediaType, QLatin1String(MediaType::DockerManifest));
}

void TestManifest::detectKind_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<ManifestKind>("kind");

    const QString json = QStringLiteral("application/json");
    QTest::newRow("docker v2 by body") << kDockerV2 << json << ManifestKind::ImageManifest;
    QTest::newRow("docker v2 by both") << kDockerV2 << QString::fromLatin1(MediaType::DockerManifest)
                                       << ManifestKind::ImageManifest;
    QTest::newRow("oci without mediaType, no header") << kOciNoMediaType << QString() << ManifestKind::ImageManifest;
    QTest::newRow("oci without mediaType, index header wins over shape")
        << kOciNoMediaType << QString::fromLatin1(MediaType::OciIndex) << ManifestKind::Index;
    QTest::newRow("index by body") << kOciIndex << json << ManifestKind::Index;
    QTest::newRow("index shape only") << QByteArray(R"({"schemaVersion":2,"manifests":[]})") << QString()
                                      << ManifestKind::Index;
    QTest::newRow("header with charset, empty body")
        << QByteArray() << QStringLiteral("application/vnd.oci.image.index.v1+json; charset=utf-8")
        << ManifestKind::Index;
    QTest::newRow("header upper case") << QByteArray()
                                       << QStringLiteral("Application/VND.Docker.Distribution.Manifest.V2+JSON")
                                       << ManifestKind::ImageManifest;
    QTest::newRow("schema1 by body") << kSchema1 << json << ManifestKind::Schema1;
    QTest::newRow("schema1 by header") << QByteArray("not json") << QString::fromLatin1(MediaType::DockerSchema1Signed)
                                       << ManifestKind::Schema1;
    QTest::newRow("schema1 body beats v2 header")
        << kSchema1 << QString::fromLatin1(MediaType::DockerManifest) << ManifestKind::Schema1;
    QTest::newRow("unknown json") << QByteArray(R"({"hello":"world"})") << json << ManifestKind::Unknown;
    QTest::newRow("garbage") << QByteArray("<html>502</html>") << QStringLiteral("text/html") << ManifestKind::Unknown;
}

void TestManifest::detectKind()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, contentType);
    QFETCH(ManifestKind, kind);
    QCOMPARE(detectManifestKind(body, contentType), kind);
}

void TestManifest::schema1_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("contentType");
    QTest::newRow("signed body") << kSchema1 << QString::fromLatin1(MediaType::DockerSchema1Signed);
    QTest::newRow("body without header") << kSchema1 << QString();
    QTest::newRow("unsigned header") << QByteArray(R"({"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]})")
                                     << QString::fromLatin1(MediaType::DockerSchema1);
}

void TestManifest::schema1()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, contentType);
    const Result<Manifest> m = Manifest::parse(body, contentType);
    QVERIFY(!m.ok());
    QCOMPARE(m.error().code, Error::Code::Unsupported);
    QVERIFY(m.error().message.contains(QLatin1String("schema 1 manifests are not supported")));
    QVERIFY(m.error().message.contains(QLatin1String("re-push")));
    const Result<ImageIndex> i = ImageIndex::parse(body, contentType);
    QVERIFY(!i.ok());
    QCOMPARE(i.error().code, Error::Code::Unsupported);
}

void TestManifest::malformedJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("hasOffset");
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("truncated") << kDockerV2.left(kDockerV2.size() / 2) << true;
    QTest::newRow("trailing comma") << QByteArray(R"({"schemaVersion": 2, "layers": [],})") << true;
    QTest::newRow("html error page") << QByteArray("<html><body>502 Bad Gateway</body></html>") << true;
    QTest::newRow("top-level array") << QByteArray(R"([{"schemaVersion": 2}])") << false;
    QTest::newRow("top-level string") << QByteArray(R"("manifest")") << true; // QJsonDocument refuses scalars
    QTest::newRow("top-level null") << QByteArray("null") << true;
    QTest::newRow("nul byte") << QByteArray("{\"schemaVersion\": 2\0}", 21) << true;
}

void TestManifest::malformedJson()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, hasOffset);
    const Result<Manifest> m = Manifest::parse(body, QString::fromLatin1(MediaType::DockerManifest));
    QVERIFY(!m.ok());
    QCOMPARE(m.error().code, Error::Code::Malformed);
    QVERIFY(m.error().message.contains(QLatin1String("image manifest")));
    if (hasOffset) {
        QVERIFY2(m.error().detail.contains(QLatin1String("offset")), qPrintable(m.error().detail));
        QVERIFY(m.error().message.contains(QLatin1String("not valid JSON")));
    } else {
        QVERIFY(m.error().message.contains(QLatin1String("not a JSON object")));
    }
    const Result<ImageIndex> i = ImageIndex::parse(body);
    QVERIFY(!i.ok());
    QCOMPARE(i.error().code, Error::Code::Malformed);
}

void TestManifest::invalidFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected"); // substring of the message

    const QByteArray okLayer = R"json({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 10,
        "digest": "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"})json";

    QTest::newRow("missing layers") << QByteArray(
        R"json({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
            "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
                                    << QStringLiteral("layers is missing");
    QTest::newRow("null layers") << QByteArray(R"json({"schemaVersion": 2, "layers": null, "config": {"size": 1,
            "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
                                 << QStringLiteral("layers is missing");
    QTest::newRow("layers is an object") << QByteArray(R"json({"schemaVersion": 2, "layers": {}, "config": {"size": 1,
            "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
                                         << QStringLiteral("layers must be an array");
    QTest::newRow("missing config") << QByteArray(R"json({"schemaVersion": 2, "layers": []})json")
                                    << QStringLiteral("config is missing");
    QTest::newRow("config is a string") << QByteArray(
        R"json({"schemaVersion": 2, "config": "sha256:abc", "layers": []})json")
                                        << QStringLiteral("config must be an object");
    QTest::newRow("missing schemaVersion")
        << QByteArray(R"json({"mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": [],
            "config": {"size": 1, "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
        << QStringLiteral("schemaVersion is missing");
    QTest::newRow("schemaVersion is a string") << QByteArray(R"json({"schemaVersion": "2", "layers": [],
            "config": {"size": 1, "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
                                               << QStringLiteral("schemaVersion must be an integer");
    QTest::newRow("config bad digest") << QByteArray(
        R"json({"schemaVersion": 2, "layers": [], "config": {"size": 1, "digest": "sha256:e67d23"}})json")
                                       << QStringLiteral("config.digest \"sha256:e67d23\" is not a valid digest");
    QTest::newRow("layer is a string") << withLayer(R"("sha256:abc")") << QStringLiteral("layers[0] must be an object");
    QTest::newRow("layer missing digest")
        << withLayer(R"({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 10})")
        << QStringLiteral("layers[0].digest is missing");
    QTest::newRow("layer digest upper-case hex") << withLayer(okLayer + R"json(, {"size": 10,
            "digest": "sha256:2804BAD6FE94A55F18B2B37E300919A5FD517B95AA81E95DB574C0BA069A3740"})json")
                                                 << QStringLiteral("layers[1].digest");
    QTest::newRow("layer digest without algorithm")
        << withLayer(R"({"size": 10, "digest": "2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"})")
        << QStringLiteral("layers[0].digest \"2804bad6");
    QTest::newRow("layer digest with path characters")
        << withLayer(R"({"size": 10, "digest": "sha256:../../etc/passwd"})") << QStringLiteral("is not a valid digest");
    QTest::newRow("layer digest is a number")
        << withLayer(R"({"size": 10, "digest": 12})") << QStringLiteral("layers[0].digest must be a string");
    QTest::newRow("layer negative size") << withLayer(okLayer + R"json(, {"size": -5,
            "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})json")
                                         << QStringLiteral("layers[1].size is negative (-5)");
    QTest::newRow("layer fractional size") << withLayer(
        R"({"size": 10.5, "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                           << QStringLiteral("layers[0].size must be an integer");
    QTest::newRow("layer huge size") << withLayer(
        R"({"size": 1e300, "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                     << QStringLiteral("layers[0].size must be an integer");
    QTest::newRow("layer size as string") << withLayer(
        R"({"size": "10", "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                          << QStringLiteral("layers[0].size must be an integer");
    QTest::newRow("layer missing size") << withLayer(
        R"({"digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                        << QStringLiteral("layers[0].size is missing");
    QTest::newRow("layer urls not strings") << withLayer(
        R"({"size": 1, "urls": [1], "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                            << QStringLiteral("layers[0].urls must be an array of strings");
    QTest::newRow("layer annotation not a string") << withLayer(
        R"({"size": 1, "annotations": {"a": 1}, "digest": "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"})")
                                                   << QStringLiteral("layers[0].annotations.a must be a string");
    QTest::newRow("index given as manifest") << kOciIndex << QStringLiteral("got an image index");
}

void TestManifest::invalidFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const Result<Manifest> m = Manifest::parse(body);
    QVERIFY(!m.ok());
    QCOMPARE(m.error().code, Error::Code::Malformed);
    QVERIFY2(m.error().message.contains(expected), qPrintable(m.error().message));
    QVERIFY2(m.error().message.startsWith(QLatin1String("invalid image manifest: ")), qPrintable(m.error().message));
}

void TestManifest::unsupported_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("artifact manifest")
        << QByteArray(R"json({"mediaType": "application/vnd.oci.artifact.manifest.v1+json", "artifactType": "x",
            "blobs": []})json")
        << QStringLiteral("unsupported manifest media type \"application/vnd.oci.artifact.manifest.v1+json\"");
    QTest::newRow("schemaVersion 3") << QByteArray(R"json({"schemaVersion": 3, "layers": [],
            "config": {"size": 1, "digest": "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0"}})json")
                                     << QStringLiteral("schemaVersion 3");
}

void TestManifest::unsupported()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const Result<Manifest> m = Manifest::parse(body);
    QVERIFY(!m.ok());
    QCOMPARE(m.error().code, Error::Code::Unsupported);
    QVERIFY2(m.error().message.contains(expected), qPrintable(m.error().message));
}

void TestManifest::descriptorRoundTrip()
{
    const Result<Manifest> m = Manifest::parse(kOciNoMediaType);
    QVERIFY(m.ok());
    for (const Descriptor &d : m->layers) {
        const Result<Descriptor> again = Descriptor::fromJson(d.toJson());
        QVERIFY(again.ok());
        QCOMPARE(again->mediaType, d.mediaType);
        QCOMPARE(again->digest, d.digest);
        QCOMPARE(again->size, d.size);
        QCOMPARE(again->urls, d.urls);
        QCOMPARE(again->annotations, d.annotations);
        QVERIFY(!again->platform);
    }
}

QTEST_APPLESS_MAIN(TestManifest)
#include "TestManifest.moc"
