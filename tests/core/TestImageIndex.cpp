#include "oci/Manifest.h"
#include "oci/MediaTypes.h"

#include <QTest>

using namespace ll;
using namespace ll::oci;

class TestImageIndex : public QObject
{
    Q_OBJECT
private slots:
    void parseBuildkitIndex();
    void parseDockerManifestList();
    void availablePlatforms();
    void select_data();
    void select();
    void invalid_data();
    void invalid();
};

namespace {

const QString kAmd64 = QStringLiteral("sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51");
const QString kArm64 = QStringLiteral("sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265");
const QString kArmV7 = QStringLiteral("sha256:5ba6c8710dd1369ce61603ab9b7a81b25f92d4a9f74956ab72a7ea75884f07ee");
const QString kArmV6 = QStringLiteral("sha256:50b8c3e55c3365d624e7e10ae6a783d525e02b16924d4dcff0611f3e2544efaf");
const QString kAtt1 = QStringLiteral("sha256:35143e7a5239313ee73b81f2f99b785aaed42d9572d1f797dc19fa14aa6b081f");
const QString kS390x = QStringLiteral("sha256:63772c7d09b61ea69f32b73395e37d68169cde91299c84828dafd87e54f18b47");
const QString kI386 = QStringLiteral("sha256:dcfe83f89f01bf7858bac6f03be1c14a5d03eef68b7d24116d5a80111445189c");

// `docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 --provenance=true --push`:
// an OCI index with one attestation manifest per image, placed after the images. The arm64 entry has
// variant v8 the way buildx writes it.
const QByteArray kBuildkitIndex = R"json({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
      "size": 1050,
      "platform": {"architecture": "amd64", "os": "linux"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265",
      "size": 1050,
      "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:5ba6c8710dd1369ce61603ab9b7a81b25f92d4a9f74956ab72a7ea75884f07ee",
      "size": 1050,
      "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:35143e7a5239313ee73b81f2f99b785aaed42d9572d1f797dc19fa14aa6b081f",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {"architecture": "unknown", "os": "unknown"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:dd86e2310bdf3ab45816029e264c4745a2a028961719031597877887a8f6f1df",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {"architecture": "unknown", "os": "unknown"}
    }
  ]
})json";

// A Docker manifest list (as `docker manifest push` writes it) in the style of the official images:
// arm64 without a variant, both arm/v6 and arm/v7, 386, s390x, and a windows entry with os.version.
const QByteArray kDockerList = R"json({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
         "platform": {"architecture": "amd64", "os": "linux"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:50b8c3e55c3365d624e7e10ae6a783d525e02b16924d4dcff0611f3e2544efaf",
         "platform": {"architecture": "arm", "os": "linux", "variant": "v6"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:5ba6c8710dd1369ce61603ab9b7a81b25f92d4a9f74956ab72a7ea75884f07ee",
         "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265",
         "platform": {"architecture": "arm64", "os": "linux"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:dcfe83f89f01bf7858bac6f03be1c14a5d03eef68b7d24116d5a80111445189c",
         "platform": {"architecture": "386", "os": "linux"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:63772c7d09b61ea69f32b73395e37d68169cde91299c84828dafd87e54f18b47",
         "platform": {"architecture": "s390x", "os": "linux"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 1125,
         "digest": "sha256:6ff39ad64fc78addfe205e809111bee54caf0f35447e077658ed3c9b7025c3af",
         "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.20348.2340"}
      }
   ]
})json";

// Only an arm/v6 image next to its attestation; and an index whose only entry is an attestation.
const QByteArray kArmV6Only = R"json({"schemaVersion": 2, "manifests": [
  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 900,
   "digest": "sha256:50b8c3e55c3365d624e7e10ae6a783d525e02b16924d4dcff0611f3e2544efaf",
   "platform": {"architecture": "arm", "os": "linux", "variant": "v6"}},
  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 566,
   "digest": "sha256:35143e7a5239313ee73b81f2f99b785aaed42d9572d1f797dc19fa14aa6b081f",
   "platform": {"architecture": "unknown", "os": "unknown"}}]})json";

// An attestation entry whose platform was (wrongly) copied from its subject: only the annotation tells.
const QByteArray kAttestationFirst = R"json({"schemaVersion": 2, "manifests": [
  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 566,
   "digest": "sha256:35143e7a5239313ee73b81f2f99b785aaed42d9572d1f797dc19fa14aa6b081f",
   "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
   "platform": {"architecture": "amd64", "os": "linux"}},
  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 900,
   "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
   "platform": {"architecture": "amd64", "os": "linux"}}]})json";

Platform platform(const char *text)
{
    const Result<Platform> p = Platform::parse(QString::fromLatin1(text));
    return p.ok() ? *p : Platform();
}

} // namespace

void TestImageIndex::parseBuildkitIndex()
{
    const Result<ImageIndex> index = ImageIndex::parse(kBuildkitIndex, QString::fromLatin1(MediaType::OciIndex));
    QVERIFY2(index.ok(), qPrintable(index.ok() ? QString() : index.error().toString()));
    QCOMPARE(index->mediaType, QLatin1String(MediaType::OciIndex));
    QCOMPARE(index->manifests.size(), 5);
    QVERIFY(index->manifests[1].platform.has_value());
    QCOMPARE(index->manifests[1].platform->variant, QStringLiteral("v8"));
    QVERIFY(!index->manifests[0].isAttestation());
    QVERIFY(index->manifests[3].isAttestation());
    QVERIFY(index->manifests[4].isAttestation());
    QCOMPARE(index->manifests[3].annotations.value(QStringLiteral("vnd.docker.reference.digest")), kAmd64);
}

void TestImageIndex::parseDockerManifestList()
{
    // Served by a registry as application/json; the body's mediaType decides.
    const Result<ImageIndex> index = ImageIndex::parse(kDockerList, QStringLiteral("application/json"));
    QVERIFY(index.ok());
    QCOMPARE(index->mediaType, QLatin1String(MediaType::DockerManifestList));
    QCOMPARE(index->manifests.size(), 7);
    QCOMPARE(index->manifests[6].platform->os, QStringLiteral("windows"));
    QCOMPARE(index->manifests[6].platform->osVersion, QStringLiteral("10.0.20348.2340"));
    QCOMPARE(index->manifests[6].size, 1125);
    // Entries round-trip through toJson with their platform.
    const Result<Descriptor> again = Descriptor::fromJson(index->manifests[6].toJson());
    QVERIFY(again.ok());
    QVERIFY(again->platform.has_value());
    QCOMPARE(*again->platform, *index->manifests[6].platform);
    QCOMPARE(again->platform->osVersion, QStringLiteral("10.0.20348.2340"));
}

void TestImageIndex::availablePlatforms()
{
    const Result<ImageIndex> index = ImageIndex::parse(kBuildkitIndex);
    QVERIFY(index.ok());
    QStringList names;
    const QList<Platform> platforms = index->availablePlatforms();
    for (const Platform &p : platforms)
        names.append(p.toString());
    QCOMPARE(names,
        QStringList(
            { QStringLiteral("linux/amd64"), QStringLiteral("linux/arm64/v8"), QStringLiteral("linux/arm/v7") }));
}

void TestImageIndex::select_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Platform>("wanted");
    QTest::addColumn<QString>("digest"); // expected choice, empty: NotFound
    QTest::addColumn<QString>("errorContains"); // for NotFound

    QTest::newRow("buildkit amd64") << kBuildkitIndex << platform("linux/amd64") << kAmd64 << QString();
    QTest::newRow("buildkit arm64") << kBuildkitIndex << platform("linux/arm64") << kArm64 << QString();
    QTest::newRow("buildkit arm64/v8") << kBuildkitIndex << platform("linux/arm64/v8") << kArm64 << QString();
    QTest::newRow("buildkit arm (defaults v7)") << kBuildkitIndex << platform("linux/arm") << kArmV7 << QString();
    QTest::newRow("buildkit arm/v7") << kBuildkitIndex << platform("linux/arm/v7") << kArmV7 << QString();
    QTest::newRow("buildkit arm/v6 absent")
        << kBuildkitIndex << platform("linux/arm/v6") << QString()
        << QStringLiteral("no linux/arm/v6 image in the index; available: linux/amd64, linux/arm64/v8, linux/arm/v7");
    QTest::newRow("buildkit s390x absent")
        << kBuildkitIndex << platform("linux/s390x") << QString()
        << QStringLiteral("no linux/s390x image in the index; available: linux/amd64, linux/arm64/v8, linux/arm/v7");
    QTest::newRow("attestation never chosen")
        << kBuildkitIndex << platform("unknown/unknown") << QString() << QStringLiteral("no unknown/unknown image");

    QTest::newRow("list amd64 (linux, not windows)") << kDockerList << platform("linux/amd64") << kAmd64 << QString();
    QTest::newRow("list arm64 without variant") << kDockerList << platform("linux/arm64") << kArm64 << QString();
    QTest::newRow("list arm64/v8 matches empty variant")
        << kDockerList << platform("linux/arm64/v8") << kArm64 << QString();
    QTest::newRow("list arm/v6") << kDockerList << platform("linux/arm/v6") << kArmV6 << QString();
    QTest::newRow("list arm/v7") << kDockerList << platform("linux/arm/v7") << kArmV7 << QString();
    QTest::newRow("list arm prefers v7 over earlier v6") << kDockerList << platform("linux/arm") << kArmV7 << QString();
    QTest::newRow("list 386") << kDockerList << platform("linux/386") << kI386 << QString();
    QTest::newRow("list s390x") << kDockerList << platform("linux/s390x") << kS390x << QString();
    QTest::newRow("list arm64/v9 absent")
        << kDockerList << platform("linux/arm64/v9") << QString()
        << QStringLiteral("available: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64, linux/386, linux/s390x, "
                          "windows/amd64");

    QTest::newRow("v6 only, wanted arm (any variant)") << kArmV6Only << platform("linux/arm") << kArmV6 << QString();
    QTest::newRow("v6 only, wanted arm/v7")
        << kArmV6Only << platform("linux/arm/v7") << QString()
        << QStringLiteral("no linux/arm/v7 image in the index; available: linux/arm/v6");
    QTest::newRow("annotated attestation skipped")
        << kAttestationFirst << platform("linux/amd64") << kAmd64 << QString();
    QTest::newRow("empty index") << QByteArray(
        R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})")
                                 << platform("linux/amd64") << QString() << QStringLiteral("available: none");
}

void TestImageIndex::select()
{
    QFETCH(QByteArray, body);
    QFETCH(Platform, wanted);
    QFETCH(QString, digest);
    QFETCH(QString, errorContains);

    QVERIFY(!wanted.isEmpty());
    const Result<ImageIndex> index = ImageIndex::parse(body);
    QVERIFY2(index.ok(), qPrintable(index.ok() ? QString() : index.error().toString()));
    const Result<Descriptor> chosen = index->select(wanted);
    if (digest.isEmpty()) {
        QVERIFY(!chosen.ok());
        QCOMPARE(chosen.error().code, Error::Code::NotFound);
        QVERIFY2(chosen.error().message.contains(errorContains), qPrintable(chosen.error().message));
    } else {
        QVERIFY2(chosen.ok(), qPrintable(chosen.ok() ? QString() : chosen.error().message));
        QCOMPARE(chosen->digest, digest);
        QVERIFY(!chosen->isAttestation());
        QVERIFY(chosen->platform->satisfies(wanted));
    }
}

void TestImageIndex::invalid_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");

    const int malformed = int(Error::Code::Malformed);
    QTest::newRow("not json") << QByteArray(R"({"schemaVersion": 2, "manifests": [)") << malformed
                              << QStringLiteral("the image index is not valid JSON");
    QTest::newRow("missing manifests") << QByteArray(
        R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json"})")
                                       << malformed << QStringLiteral("manifests is missing");
    QTest::newRow("manifests not an array") << QByteArray(
        R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": {}})")
                                            << malformed << QStringLiteral("manifests must be an array");
    QTest::newRow("entry missing digest") << QByteArray(
        R"({"schemaVersion": 2, "manifests": [{"size": 1, "platform": {"os": "linux", "architecture": "amd64"}}]})")
                                          << malformed << QStringLiteral("manifests[0].digest is missing");
    QTest::newRow("entry negative size") << QByteArray(R"({"schemaVersion": 2, "manifests": [{"size": -1,
            "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"}]})")
                                         << malformed << QStringLiteral("manifests[0].size is negative (-1)");
    QTest::newRow("platform without architecture")
        << QByteArray(R"({"schemaVersion": 2, "manifests": [{"size": 1, "platform": {"os": "linux"},
            "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"}]})")
        << malformed << QStringLiteral("manifests[0].platform.architecture is missing");
    QTest::newRow("platform is a string")
        << QByteArray(R"({"schemaVersion": 2, "manifests": [{"size": 1, "platform": "linux/amd64",
            "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"}]})")
        << malformed << QStringLiteral("manifests[0].platform must be an object");
    QTest::newRow("manifest given as index")
        << QByteArray(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {}, "layers": []})")
        << malformed << QStringLiteral("got an image manifest");
    QTest::newRow("schema1") << QByteArray(R"({"schemaVersion": 1, "fsLayers": []})") << int(Error::Code::Unsupported)
                             << QStringLiteral("schema 1 manifests are not supported");
}

void TestImageIndex::invalid()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    QFETCH(QString, expected);
    const Result<ImageIndex> index = ImageIndex::parse(body);
    QVERIFY(!index.ok());
    QCOMPARE(int(index.error().code), code);
    QVERIFY2(index.error().message.contains(expected), qPrintable(index.error().message));
}

QTEST_APPLESS_MAIN(TestImageIndex)
#include "TestImageIndex.moc"
