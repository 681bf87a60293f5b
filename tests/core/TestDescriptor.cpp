#include "common/Sha256.h"
#include "oci/Descriptor.h"

#include <QJsonArray>
#include <QTest>

using namespace ll;
using namespace ll::oci;

class TestDescriptor : public QObject
{
    Q_OBJECT
private slots:
    void isValidDigest_data();
    void isValidDigest();
    void roundTrip();
    void attestation();
};

void TestDescriptor::isValidDigest_data()
{
    QTest::addColumn<QString>("digest");
    QTest::addColumn<bool>("valid");
    const QString hex64 = QStringLiteral("2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740");
    QTest::newRow("sha256") << (QStringLiteral("sha256:") + hex64) << true;
    QTest::newRow("computed") << Sha256::digestOf("hello") << true;
    QTest::newRow("sha256 upper hex") << (QStringLiteral("sha256:") + hex64.toUpper()) << false;
    QTest::newRow("sha256 short") << (QStringLiteral("sha256:") + hex64.left(63)) << false;
    QTest::newRow("sha256 long") << (QStringLiteral("sha256:") + hex64 + QLatin1Char('0')) << false;
    QTest::newRow("sha256 non-hex") << (QStringLiteral("sha256:") + hex64.left(63) + QLatin1Char('g')) << false;
    QTest::newRow("sha512") << (QStringLiteral("sha512:") + hex64 + hex64) << true;
    QTest::newRow("sha512 short") << (QStringLiteral("sha512:") + hex64) << false;
    QTest::newRow("other algorithm") << "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8" << true;
    QTest::newRow("blake3") << (QStringLiteral("blake3:") + hex64) << true;
    QTest::newRow("no algorithm") << hex64 << false;
    QTest::newRow("empty algorithm") << (QStringLiteral(":") + hex64) << false;
    QTest::newRow("empty encoded") << "sha256:" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("upper algorithm") << (QStringLiteral("SHA256:") + hex64) << false;
    QTest::newRow("double separator") << "a++b:abc" << false;
    QTest::newRow("trailing separator") << "ab-:abc" << false;
    QTest::newRow("path traversal") << "sha1:../../etc" << false;
    QTest::newRow("slash") << "foo:a/b" << false;
    QTest::newRow("space") << (QStringLiteral("sha256: ") + hex64.left(63)) << false;
}

void TestDescriptor::isValidDigest()
{
    QFETCH(QString, digest);
    QFETCH(bool, valid);
    QCOMPARE(Descriptor::isValidDigest(digest), valid);
    if (digest.startsWith(QLatin1String("sha256:")))
        QCOMPARE(Descriptor::isValidDigest(digest), Sha256::isValidDigest(digest));
}

void TestDescriptor::roundTrip()
{
    Descriptor d;
    d.mediaType = QStringLiteral("application/vnd.oci.image.manifest.v1+json");
    d.digest = Sha256::digestOf("manifest");
    d.size = 5'000'000'000LL; // beyond 32 bits
    Platform p;
    p.os = QStringLiteral("linux");
    p.architecture = QStringLiteral("arm64");
    p.variant = QStringLiteral("v8");
    d.platform = p;
    d.annotations.insert(QStringLiteral("org.opencontainers.image.ref.name"), QStringLiteral("1.0"));
    d.urls.append(QStringLiteral("https://example.com/blob"));

    const QJsonObject o = d.toJson();
    QCOMPARE(o.value(QLatin1String("size")).toInteger(), 5'000'000'000LL);
    QCOMPARE(
        o.value(QLatin1String("platform")).toObject().value(QLatin1String("variant")).toString(), QStringLiteral("v8"));
    const Result<Descriptor> again = Descriptor::fromJson(o, QStringLiteral("manifests[0]"));
    QVERIFY(again.ok());
    QCOMPARE(again->mediaType, d.mediaType);
    QCOMPARE(again->digest, d.digest);
    QCOMPARE(again->size, d.size);
    QCOMPARE(*again->platform, p);
    QCOMPARE(again->annotations, d.annotations);
    QCOMPARE(again->urls, d.urls);

    QJsonObject bad = o;
    bad.insert(QLatin1String("size"), -1);
    const Result<Descriptor> negative = Descriptor::fromJson(bad, QStringLiteral("manifests[3]"));
    QVERIFY(!negative.ok());
    QCOMPARE(negative.error().code, Error::Code::Malformed);
    QCOMPARE(negative.error().message, QStringLiteral("manifests[3].size is negative (-1)"));
}

void TestDescriptor::attestation()
{
    Descriptor d;
    d.digest = Sha256::digestOf("x");
    d.size = 1;
    QVERIFY(!d.isAttestation());
    d.annotations.insert(QStringLiteral("vnd.docker.reference.type"), QStringLiteral("attestation-manifest"));
    QVERIFY(d.isAttestation());
    d.annotations.clear();
    Platform p;
    p.os = QStringLiteral("unknown");
    p.architecture = QStringLiteral("unknown");
    d.platform = p;
    QVERIFY(d.isAttestation());
}

QTEST_APPLESS_MAIN(TestDescriptor)
#include "TestDescriptor.moc"
