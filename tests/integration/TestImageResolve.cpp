// ImageResolveJob against the harness's anonymous registry: Docker and OCI images, by tag and by digest,
// OCI index and Docker manifest list platform choice, history mapped to layers, not-found errors.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "registry/ImageResolveJob.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using ll::Error;
using ll::Job;
using ll::registry::ImageReference;
using ll::registry::ImageResolveJob;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

ImageReference ref(const QString &text)
{
    ll::Result<ImageReference> r = ImageReference::parse(text);
    if (!r)
        qFatal("bad reference %s: %s", qPrintable(text), qPrintable(r.error().message));
    return *r;
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

/** The digest of the fixture index entry for a platform ("linux/arm/v7"). */
QString entryDigest(const QJsonObject &fixture, const QString &platform)
{
    for (const QJsonValue &v : fixture.value(QLatin1String("manifests")).toArray()) {
        const QJsonObject p = v.toObject().value(QLatin1String("platform")).toObject();
        QString text = str(p, "os") + QLatin1Char('/') + str(p, "architecture");
        if (!str(p, "variant").isEmpty())
            text += QLatin1Char('/') + str(p, "variant");
        if (text == platform)
            return str(v.toObject(), "digest");
    }
    return {};
}

} // namespace

class TestImageResolve : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void dockerImageByTag();
    void byDigest();
    void ociIndexPlatform_data();
    void ociIndexPlatform();
    void manifestListVariants_data();
    void manifestListVariants();
    void missingPlatformListsAvailable();
    void notFound_data();
    void notFound();
    void wrongDigestIsNotFoundOrMismatch();
    void verifyManifestDigest();
    void cancelWhileRunning();
};

void TestImageResolve::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

void TestImageResolve::dockerImageByTag()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("lab/app:1.0"))));
    QSignalSpy status(&job, &Job::statusChanged);
    QSignalSpy progress(&job, &Job::progress);
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));

    const ll::oci::Image &img = job.image();
    QCOMPARE(img.manifestDigest, str(fx, "digest"));
    QCOMPARE(img.manifestMediaType, str(fx, "mediaType"));
    QVERIFY(img.indexDigest.isEmpty());
    QVERIFY(!img.index.has_value());
    QCOMPARE(img.registry, h.anonRegistry());
    QCOMPARE(img.repository, QStringLiteral("lab/app"));
    QCOMPARE(img.tag, QStringLiteral("1.0"));
    const QJsonObject config = fx.value(QLatin1String("config")).toObject();
    QCOMPARE(img.configDigest, str(config, "digest"));
    QCOMPARE(img.platform.architecture, QStringLiteral("amd64"));

    const QJsonArray layers = fx.value(QLatin1String("layers")).toArray();
    QCOMPARE(img.manifest.layers.size(), layers.size());
    for (int i = 0; i < layers.size(); ++i) {
        QCOMPARE(img.manifest.layers.at(i).digest, str(layers.at(i).toObject(), "digest"));
        QCOMPARE(img.manifest.layers.at(i).size, layers.at(i).toObject().value(QLatin1String("size")).toInteger());
    }
    const QJsonObject content
        = config.value(QLatin1String("content")).toObject().value(QLatin1String("config")).toObject();
    QCOMPARE(img.config.workingDir, str(content, "WorkingDir"));
    QCOMPARE(img.config.user, str(content, "User"));
    QCOMPARE(img.config.entrypoint.size(), content.value(QLatin1String("Entrypoint")).toArray().size());
    QCOMPARE(img.config.env.size(), content.value(QLatin1String("Env")).toArray().size());

    // History mapped to layers exactly as the fixture says.
    const QJsonArray history = fx.value(QLatin1String("history")).toArray();
    QCOMPARE(img.config.history.size(), history.size());
    for (int i = 0; i < history.size(); ++i) {
        const QJsonValue layer = history.at(i).toObject().value(QLatin1String("layer"));
        QCOMPARE(img.config.history.at(i).layerIndex, layer.isNull() ? -1 : layer.toInt());
        QCOMPARE(img.config.history.at(i).emptyLayer, layer.isNull());
    }

    QVERIFY(status.size() >= 2);
    QCOMPARE(status.first().first().toString(), QStringLiteral("Fetching manifest"));
    bool sawConfig = false;
    for (const auto &s : status)
        sawConfig = sawConfig || s.first().toString() == QLatin1String("Fetching config");
    QVERIFY(sawConfig);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(job.progressDone(), qint64(3));
}

void TestImageResolve::byDigest()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    const QString text = h.anonRegistry() + QStringLiteral("/lab/app@") + str(fx, "digest");
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(text));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.image().manifestDigest, str(fx, "digest"));
    QVERIFY(job.image().tag.isEmpty());

    // An index by digest: the index digest is the one asked for.
    const QJsonObject oci = h.fixture(QStringLiteral("lab/oci:1.0"));
    ImageResolveJob job2(env.client.get(), ref(h.anonRegistry() + QStringLiteral("/lab/oci@") + str(oci, "digest")),
        *ll::oci::Platform::parse(QStringLiteral("linux/arm64")));
    QVERIFY(ll::test::runJob(job2));
    QVERIFY2(job2.state() == Job::State::Succeeded, qPrintable(job2.error().toString()));
    QCOMPARE(job2.image().indexDigest, str(oci, "digest"));
    QCOMPARE(job2.image().manifestDigest, entryDigest(oci, QStringLiteral("linux/arm64/v8")));
}

void TestImageResolve::ociIndexPlatform_data()
{
    QTest::addColumn<QString>("platform"); // empty: the host's
    QTest::addColumn<QString>("entry"); // fixture platform whose manifest must be chosen
    QTest::newRow("host default") << QString() << ll::oci::Platform::host().toString();
    QTest::newRow("linux/amd64") << QStringLiteral("linux/amd64") << QStringLiteral("linux/amd64");
    QTest::newRow("linux/arm64") << QStringLiteral("linux/arm64") << QStringLiteral("linux/arm64/v8");
    QTest::newRow("linux/arm64/v8") << QStringLiteral("linux/arm64/v8") << QStringLiteral("linux/arm64/v8");
    QTest::newRow("aarch64 alias") << QStringLiteral("aarch64") << QStringLiteral("linux/arm64/v8");
}

void TestImageResolve::ociIndexPlatform()
{
    QFETCH(QString, platform);
    QFETCH(QString, entry);
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/oci:1.0"));
    const QString expected = entryDigest(fx, entry);
    if (expected.isEmpty())
        QSKIP("the fixture index has no entry for this host's platform");
    std::optional<ll::oci::Platform> wanted;
    if (!platform.isEmpty())
        wanted = *ll::oci::Platform::parse(platform);
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("lab/oci:1.0"))), wanted);
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    const ll::oci::Image &img = job.image();
    QCOMPARE(img.indexDigest, str(fx, "digest"));
    QCOMPARE(img.indexMediaType, QStringLiteral("application/vnd.oci.image.index.v1+json"));
    QVERIFY(img.index.has_value());
    QCOMPARE(img.index->manifests.size(), fx.value(QLatin1String("manifests")).toArray().size());
    QCOMPARE(img.manifestDigest, expected);
    QVERIFY(!img.platform.isAttestation());
    QCOMPARE(img.platform.toString(), entry);
    QCOMPARE(img.manifestMediaType, QStringLiteral("application/vnd.oci.image.manifest.v1+json"));
    QVERIFY(!img.config.history.isEmpty());
}

void TestImageResolve::manifestListVariants_data()
{
    QTest::addColumn<QString>("platform");
    QTest::addColumn<QString>("entry");
    QTest::newRow("arm/v6") << QStringLiteral("linux/arm/v6") << QStringLiteral("linux/arm/v6");
    QTest::newRow("arm/v7") << QStringLiteral("linux/arm/v7") << QStringLiteral("linux/arm/v7");
    QTest::newRow("arm defaults to v7") << QStringLiteral("linux/arm") << QStringLiteral("linux/arm/v7");
    QTest::newRow("arm64") << QStringLiteral("linux/arm64") << QStringLiteral("linux/arm64/v8");
    QTest::newRow("amd64") << QStringLiteral("linux/amd64") << QStringLiteral("linux/amd64");
}

void TestImageResolve::manifestListVariants()
{
    QFETCH(QString, platform);
    QFETCH(QString, entry);
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/multi:1.0"));
    ClientEnv env;
    ImageResolveJob job(
        env.client.get(), ref(h.reference(QStringLiteral("lab/multi:1.0"))), *ll::oci::Platform::parse(platform));
    QVERIFY(ll::test::runJob(job));
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QCOMPARE(job.image().indexMediaType, QStringLiteral("application/vnd.docker.distribution.manifest.list.v2+json"));
    QCOMPARE(job.image().indexDigest, str(fx, "digest"));
    QCOMPARE(job.image().manifestMediaType, QStringLiteral("application/vnd.docker.distribution.manifest.v2+json"));
    // The history names the platform it was built for.
    QVERIFY(!job.image().config.history.isEmpty());
    const QString firstStep = job.image().config.history.first().createdBy;
    QVERIFY2(firstStep.contains(job.image().platform.toString()), qPrintable(firstStep));
    QCOMPARE(job.image().manifestDigest, entryDigest(fx, job.image().platform.toString()));
    QCOMPARE(job.image().platform.toString(), entry);
}

void TestImageResolve::missingPlatformListsAvailable()
{
    auto &h = Harness::instance();
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("lab/oci:1.0"))),
        *ll::oci::Platform::parse(QStringLiteral("linux/s390x")));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.state(), Job::State::Failed);
    QCOMPARE(job.error().code, Error::Code::NotFound);
    const QString msg = job.error().message;
    QVERIFY2(msg.contains(QLatin1String("s390x")), qPrintable(msg));
    QVERIFY2(msg.contains(QLatin1String("linux/amd64")) && msg.contains(QLatin1String("linux/arm64")), qPrintable(msg));
    QVERIFY2(!msg.contains(QLatin1String("unknown")), qPrintable(msg)); // the attestation is not offered

    // Asking for the attestation's platform does not pick it either.
    ImageResolveJob job2(env.client.get(), ref(h.reference(QStringLiteral("lab/oci:1.0"))),
        *ll::oci::Platform::parse(QStringLiteral("unknown/unknown")));
    QVERIFY(ll::test::runJob(job2));
    QCOMPARE(job2.state(), Job::State::Failed);
    QCOMPARE(job2.error().code, Error::Code::NotFound);
}

void TestImageResolve::notFound_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("mention");
    QTest::newRow("tag") << QStringLiteral("/lab/app:nope") << QStringLiteral("lab/app:nope");
    QTest::newRow("repository") << QStringLiteral("/lab/missing:1.0") << QStringLiteral("lab/missing:1.0");
    QTest::newRow("digest") << QStringLiteral("/lab/app@sha256:") + QString(64, QLatin1Char('0'))
                            << QStringLiteral("lab/app@sha256:0000");
}

void TestImageResolve::notFound()
{
    QFETCH(QString, path);
    QFETCH(QString, mention);
    auto &h = Harness::instance();
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.anonRegistry() + path));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.state(), Job::State::Failed);
    QCOMPARE(job.error().code, Error::Code::NotFound);
    QCOMPARE(job.error().httpStatus, 404);
    QVERIFY2(job.error().message.contains(mention), qPrintable(job.error().message));
    QVERIFY2(job.error().message.contains(h.anonRegistry()), qPrintable(job.error().message));
    QVERIFY2(job.error().detail.contains(QLatin1String("UNKNOWN")), qPrintable(job.error().detail));
}

void TestImageResolve::wrongDigestIsNotFoundOrMismatch()
{
    // A tag and a digest together: the digest wins; a digest of another image's manifest is found but
    // belongs to another repository -> the registry says unknown.
    auto &h = Harness::instance();
    const QString other = str(h.fixture(QStringLiteral("lab/tags:t01")), "digest");
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.anonRegistry() + QStringLiteral("/lab/app:1.0@") + other));
    QVERIFY(ll::test::runJob(job));
    QCOMPARE(job.state(), Job::State::Failed);
    QVERIFY(job.error().code == Error::Code::NotFound || job.error().code == Error::Code::DigestMismatch);
}

void TestImageResolve::verifyManifestDigest()
{
    const QByteArray body("{\"schemaVersion\":2}");
    const QString good = ll::Sha256::digestOf(body);
    const QString bad = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    QVERIFY(ImageResolveJob::verifyManifestDigest(body, {}, {}).ok());
    QVERIFY(ImageResolveJob::verifyManifestDigest(body, good, good.toLatin1()).ok());
    QCOMPARE(ImageResolveJob::verifyManifestDigest(body, bad, {}).error().code, Error::Code::DigestMismatch);
    QCOMPARE(ImageResolveJob::verifyManifestDigest(body, {}, bad.toLatin1()).error().code, Error::Code::DigestMismatch);
    QCOMPARE(
        ImageResolveJob::verifyManifestDigest(body, good, bad.toLatin1()).error().code, Error::Code::DigestMismatch);
    QCOMPARE(ImageResolveJob::verifyManifestDigest(body, QStringLiteral("sha512:") + QString(128, QLatin1Char('a')), {})
                 .error()
                 .code,
        Error::Code::Unsupported);
}

void TestImageResolve::cancelWhileRunning()
{
    auto &h = Harness::instance();
    ClientEnv env;
    ImageResolveJob job(env.client.get(), ref(h.reference(QStringLiteral("lab/app:1.0"))));
    QSignalSpy finished(&job, &Job::finished);
    job.start();
    job.cancel();
    QCOMPARE(job.state(), Job::State::Cancelled);
    QTest::qWait(200);
    QCOMPARE(finished.size(), 1);
}

QTEST_GUILESS_MAIN(TestImageResolve)
#include "TestImageResolve.moc"
