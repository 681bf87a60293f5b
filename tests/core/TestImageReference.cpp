#include "registry/ImageReference.h"

#include <QTest>

using ll::Error;
using ll::registry::ImageReference;

namespace {
const QString Hub = QStringLiteral("registry-1.docker.io");
const QString D = QStringLiteral("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
} // namespace

class TestImageReference : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void hostAndPort_data();
    void hostAndPort();
    void roundTrip_data();
    void roundTrip();
    void manifestReference();
};

void TestImageReference::valid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("registry");
    QTest::addColumn<QString>("repository");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("digest");
    QTest::addColumn<QString>("canonical");
    QTest::addColumn<QString>("display");
    QTest::addColumn<bool>("loopback");

    auto row = [](const char *name, const QString &in, const QString &reg, const QString &repo, const QString &tag,
                   const QString &digest, const QString &canonical, const QString &display, bool loopback) {
        QTest::newRow(name) << in << reg << repo << tag << digest << canonical << display << loopback;
    };
    const QString latest = QStringLiteral("latest");
    const QString none;

    // Docker Hub official images.
    row("official", QStringLiteral("ubuntu"), Hub, QStringLiteral("library/ubuntu"), latest, none,
        QStringLiteral("registry-1.docker.io/library/ubuntu:latest"), QStringLiteral("ubuntu:latest"), false);
    row("official-tag", QStringLiteral("ubuntu:22.04"), Hub, QStringLiteral("library/ubuntu"), QStringLiteral("22.04"),
        none, QStringLiteral("registry-1.docker.io/library/ubuntu:22.04"), QStringLiteral("ubuntu:22.04"), false);
    row("docker.io", QStringLiteral("docker.io/alpine"), Hub, QStringLiteral("library/alpine"), latest, none,
        QStringLiteral("registry-1.docker.io/library/alpine:latest"), QStringLiteral("alpine:latest"), false);
    row("index.docker.io", QStringLiteral("index.docker.io/alpine:3.19"), Hub, QStringLiteral("library/alpine"),
        QStringLiteral("3.19"), none, QStringLiteral("registry-1.docker.io/library/alpine:3.19"),
        QStringLiteral("alpine:3.19"), false);
    row("registry-1.docker.io", QStringLiteral("registry-1.docker.io/alpine"), Hub, QStringLiteral("library/alpine"),
        latest, none, QStringLiteral("registry-1.docker.io/library/alpine:latest"), QStringLiteral("alpine:latest"),
        false);
    row("docker.io-library", QStringLiteral("docker.io/library/busybox:1.36"), Hub, QStringLiteral("library/busybox"),
        QStringLiteral("1.36"), none, QStringLiteral("registry-1.docker.io/library/busybox:1.36"),
        QStringLiteral("busybox:1.36"), false);
    row("library-nested", QStringLiteral("library/foo/bar"), Hub, QStringLiteral("library/foo/bar"), latest, none,
        QStringLiteral("registry-1.docker.io/library/foo/bar:latest"), QStringLiteral("library/foo/bar:latest"), false);

    // Docker Hub user repositories.
    row("user-repo", QStringLiteral("user/repo:tag"), Hub, QStringLiteral("user/repo"), QStringLiteral("tag"), none,
        QStringLiteral("registry-1.docker.io/user/repo:tag"), QStringLiteral("user/repo:tag"), false);
    row("semver", QStringLiteral("bitnami/redis:7.2.4-debian-12-r9"), Hub, QStringLiteral("bitnami/redis"),
        QStringLiteral("7.2.4-debian-12-r9"), none,
        QStringLiteral("registry-1.docker.io/bitnami/redis:7.2.4-debian-12-r9"),
        QStringLiteral("bitnami/redis:7.2.4-debian-12-r9"), false);
    row("docker.io-user", QStringLiteral("docker.io/user/repo"), Hub, QStringLiteral("user/repo"), latest, none,
        QStringLiteral("registry-1.docker.io/user/repo:latest"), QStringLiteral("user/repo:latest"), false);
    row("three-components", QStringLiteral("a/b/c:v1"), Hub, QStringLiteral("a/b/c"), QStringLiteral("v1"), none,
        QStringLiteral("registry-1.docker.io/a/b/c:v1"), QStringLiteral("a/b/c:v1"), false);
    row("separators", QStringLiteral("my_org/my.app__x-y---z"), Hub, QStringLiteral("my_org/my.app__x-y---z"), latest,
        none, QStringLiteral("registry-1.docker.io/my_org/my.app__x-y---z:latest"),
        QStringLiteral("my_org/my.app__x-y---z:latest"), false);
    row("tag-upper-underscore", QStringLiteral("user/repo:_Build.2-rc"), Hub, QStringLiteral("user/repo"),
        QStringLiteral("_Build.2-rc"), none, QStringLiteral("registry-1.docker.io/user/repo:_Build.2-rc"),
        QStringLiteral("user/repo:_Build.2-rc"), false);
    row("tag-128", QStringLiteral("r:") + QString(128, QLatin1Char('t')), Hub, QStringLiteral("library/r"),
        QString(128, QLatin1Char('t')), none,
        QStringLiteral("registry-1.docker.io/library/r:") + QString(128, QLatin1Char('t')),
        QStringLiteral("r:") + QString(128, QLatin1Char('t')), false);
    row("digits-name", QStringLiteral("123/456"), Hub, QStringLiteral("123/456"), latest, none,
        QStringLiteral("registry-1.docker.io/123/456:latest"), QStringLiteral("123/456:latest"), false);
    // Without '/', "localhost:5000" is Docker Hub's library/localhost with tag 5000 (as in Docker).
    row("localhost-no-slash", QStringLiteral("localhost:5000"), Hub, QStringLiteral("library/localhost"),
        QStringLiteral("5000"), none, QStringLiteral("registry-1.docker.io/library/localhost:5000"),
        QStringLiteral("localhost:5000"), false);

    // Digests.
    row("hub-digest", QStringLiteral("ubuntu@") + D, Hub, QStringLiteral("library/ubuntu"), none, D,
        QStringLiteral("registry-1.docker.io/library/ubuntu@") + D, QStringLiteral("ubuntu@") + D, false);
    row("ghcr-digest", QStringLiteral("ghcr.io/o/r@") + D, QStringLiteral("ghcr.io"), QStringLiteral("o/r"), none, D,
        QStringLiteral("ghcr.io/o/r@") + D, QStringLiteral("ghcr.io/o/r@") + D, false);
    row("tag-and-digest", QStringLiteral("repo:tag@") + D, Hub, QStringLiteral("library/repo"), QStringLiteral("tag"),
        D, QStringLiteral("registry-1.docker.io/library/repo:tag@") + D, QStringLiteral("repo:tag@") + D, false);
    row("host-tag-digest", QStringLiteral("quay.io/a/b:1.0@") + D, QStringLiteral("quay.io"), QStringLiteral("a/b"),
        QStringLiteral("1.0"), D, QStringLiteral("quay.io/a/b:1.0@") + D, QStringLiteral("quay.io/a/b:1.0@") + D,
        false);
    const QString d512 = QStringLiteral("sha512:") + QString(128, QLatin1Char('a'));
    row("sha512", QStringLiteral("x@") + d512, Hub, QStringLiteral("library/x"), none, d512,
        QStringLiteral("registry-1.docker.io/library/x@") + d512, QStringLiteral("x@") + d512, false);

    // Other registries.
    row("ghcr", QStringLiteral("ghcr.io/owner/repo:v2"), QStringLiteral("ghcr.io"), QStringLiteral("owner/repo"),
        QStringLiteral("v2"), none, QStringLiteral("ghcr.io/owner/repo:v2"), QStringLiteral("ghcr.io/owner/repo:v2"),
        false);
    row("single-component-elsewhere", QStringLiteral("quay.io/x"), QStringLiteral("quay.io"), QStringLiteral("x"),
        latest, none, QStringLiteral("quay.io/x:latest"), QStringLiteral("quay.io/x:latest"), false);
    row("upper-host", QStringLiteral("MyReg.Example.com/app"), QStringLiteral("MyReg.Example.com"),
        QStringLiteral("app"), latest, none, QStringLiteral("MyReg.Example.com/app:latest"),
        QStringLiteral("MyReg.Example.com/app:latest"), false);
    row("host-port", QStringLiteral("registry.lan:8443/team/app:3"), QStringLiteral("registry.lan:8443"),
        QStringLiteral("team/app"), QStringLiteral("3"), none, QStringLiteral("registry.lan:8443/team/app:3"),
        QStringLiteral("registry.lan:8443/team/app:3"), false);
    row("hyphen-host", QStringLiteral("my-registry.local/x"), QStringLiteral("my-registry.local"), QStringLiteral("x"),
        latest, none, QStringLiteral("my-registry.local/x:latest"), QStringLiteral("my-registry.local/x:latest"),
        false);

    // Loopback.
    row("localhost", QStringLiteral("localhost/x"), QStringLiteral("localhost"), QStringLiteral("x"), latest, none,
        QStringLiteral("localhost/x:latest"), QStringLiteral("localhost/x:latest"), true);
    row("localhost-port", QStringLiteral("localhost:5000/x"), QStringLiteral("localhost:5000"), QStringLiteral("x"),
        latest, none, QStringLiteral("localhost:5000/x:latest"), QStringLiteral("localhost:5000/x:latest"), true);
    row("ipv4-loopback", QStringLiteral("127.0.0.1:5000/lab/app:1.0"), QStringLiteral("127.0.0.1:5000"),
        QStringLiteral("lab/app"), QStringLiteral("1.0"), none, QStringLiteral("127.0.0.1:5000/lab/app:1.0"),
        QStringLiteral("127.0.0.1:5000/lab/app:1.0"), true);
    row("ipv4-loopback-8", QStringLiteral("127.45.6.7:80/x"), QStringLiteral("127.45.6.7:80"), QStringLiteral("x"),
        latest, none, QStringLiteral("127.45.6.7:80/x:latest"), QStringLiteral("127.45.6.7:80/x:latest"), true);
    row("ipv4-lan", QStringLiteral("192.168.1.10:5000/x"), QStringLiteral("192.168.1.10:5000"), QStringLiteral("x"),
        latest, none, QStringLiteral("192.168.1.10:5000/x:latest"), QStringLiteral("192.168.1.10:5000/x:latest"),
        false);
    row("ipv6-loopback", QStringLiteral("[::1]:5000/x"), QStringLiteral("[::1]:5000"), QStringLiteral("x"), latest,
        none, QStringLiteral("[::1]:5000/x:latest"), QStringLiteral("[::1]:5000/x:latest"), true);
    row("ipv6-no-port", QStringLiteral("[::1]/x:t"), QStringLiteral("[::1]"), QStringLiteral("x"), QStringLiteral("t"),
        none, QStringLiteral("[::1]/x:t"), QStringLiteral("[::1]/x:t"), true);
    row("ipv6-other", QStringLiteral("[fd00::2]:5000/a/b@") + D, QStringLiteral("[fd00::2]:5000"),
        QStringLiteral("a/b"), none, D, QStringLiteral("[fd00::2]:5000/a/b@") + D,
        QStringLiteral("[fd00::2]:5000/a/b@") + D, false);
    row("ipv6-long-loopback", QStringLiteral("[0:0:0:0:0:0:0:1]:5000/x"), QStringLiteral("[0:0:0:0:0:0:0:1]:5000"),
        QStringLiteral("x"), latest, none, QStringLiteral("[0:0:0:0:0:0:0:1]:5000/x:latest"),
        QStringLiteral("[0:0:0:0:0:0:0:1]:5000/x:latest"), true);

    // Length limit: the normalised name may be exactly 255 characters ("docker.io/" + 245).
    const QString long245 = QStringLiteral("a/") + QString(243, QLatin1Char('b'));
    row("name-255", long245, Hub, long245, latest, none, Hub + QLatin1Char('/') + long245 + QStringLiteral(":latest"),
        long245 + QStringLiteral(":latest"), false);
}

void TestImageReference::valid()
{
    QFETCH(QString, input);
    QFETCH(QString, registry);
    QFETCH(QString, repository);
    QFETCH(QString, tag);
    QFETCH(QString, digest);
    QFETCH(QString, canonical);
    QFETCH(QString, display);
    QFETCH(bool, loopback);

    const auto ref = ImageReference::parse(input);
    QVERIFY2(ref.ok(), qPrintable(ref.ok() ? QString() : ref.error().message));
    QCOMPARE(ref->registry(), registry);
    QCOMPARE(ref->repository(), repository);
    QCOMPARE(ref->tag(), tag);
    QCOMPARE(ref->digest(), digest);
    QCOMPARE(ref->toString(), canonical);
    QCOMPARE(ref->displayName(), display);
    QCOMPARE(ref->isLoopback(), loopback);
    QCOMPARE(ref->isDockerHub(), registry == Hub);
}

void TestImageReference::invalid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("reasonContains");

    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("tag-only") << QStringLiteral(":tag") << QStringLiteral("at least one component");
    QTest::newRow("digest-only") << QStringLiteral("@") + D << QStringLiteral("at least one component");
    QTest::newRow("upper-first") << QStringLiteral("UPPER/x") << QStringLiteral("must be lowercase");
    QTest::newRow("upper-single") << QStringLiteral("Ubuntu") << QStringLiteral("must be lowercase");
    QTest::newRow("upper-path-on-host") << QStringLiteral("ghcr.io/Owner/repo") << QStringLiteral("must be lowercase");
    QTest::newRow("LOCALHOST") << QStringLiteral("LOCALHOST/x") << QStringLiteral("must be lowercase");
    QTest::newRow("double-slash") << QStringLiteral("a//b") << QStringLiteral("empty path component");
    QTest::newRow("leading-slash") << QStringLiteral("/x") << QStringLiteral("empty path component");
    QTest::newRow("trailing-slash") << QStringLiteral("a/b/") << QStringLiteral("empty path component");
    QTest::newRow("host-only") << QStringLiteral("ghcr.io/") << QStringLiteral("at least one component");
    QTest::newRow("trailing-colon") << QStringLiteral("ubuntu:") << QStringLiteral("empty tag");
    QTest::newRow("trailing-at") << QStringLiteral("ubuntu@") << QStringLiteral("empty digest");
    QTest::newRow("bad-tag-char") << QStringLiteral("ubuntu:a+b") << QStringLiteral("invalid tag");
    QTest::newRow("tag-leading-dot") << QStringLiteral("ubuntu:.x") << QStringLiteral("invalid tag");
    QTest::newRow("tag-leading-dash") << QStringLiteral("ubuntu:-x") << QStringLiteral("invalid tag");
    QTest::newRow("tag-129") << QStringLiteral("ubuntu:") + QString(129, QLatin1Char('t'))
                             << QStringLiteral("invalid tag");
    QTest::newRow("two-tags") << QStringLiteral("ubuntu:a:b") << QStringLiteral("invalid");
    QTest::newRow("digest-short") << QStringLiteral("ubuntu@sha256:abcd") << QStringLiteral("malformed digest");
    QTest::newRow("digest-63") << QStringLiteral("ubuntu@sha256:") + QString(63, QLatin1Char('a'))
                               << QStringLiteral("64 hex");
    QTest::newRow("digest-65") << QStringLiteral("ubuntu@sha256:") + QString(65, QLatin1Char('a'))
                               << QStringLiteral("64 hex");
    QTest::newRow("digest-upper") << QStringLiteral("ubuntu@sha256:") + QString(64, QLatin1Char('A'))
                                  << QStringLiteral("lower-case");
    QTest::newRow("digest-nonhex") << QStringLiteral("ubuntu@sha256:") + QString(64, QLatin1Char('g'))
                                   << QStringLiteral("malformed digest");
    QTest::newRow("digest-no-algo") << QStringLiteral("ubuntu@") + QString(64, QLatin1Char('a'))
                                    << QStringLiteral("malformed digest");
    QTest::newRow("digest-unknown-algo") << QStringLiteral("ubuntu@md5:") + QString(32, QLatin1Char('a'))
                                         << QStringLiteral("unsupported digest algorithm");
    QTest::newRow("two-ats") << QStringLiteral("ubuntu@") + D + QStringLiteral("@") + D
                             << QStringLiteral("malformed digest");
    QTest::newRow("space") << QStringLiteral("ubuntu latest") << QStringLiteral("white space");
    QTest::newRow("leading-space") << QStringLiteral(" ubuntu") << QStringLiteral("white space");
    QTest::newRow("tab") << QStringLiteral("ubuntu\t") << QStringLiteral("white space");
    QTest::newRow("http-scheme") << QStringLiteral("http://localhost:5000/x") << QStringLiteral("URL scheme");
    QTest::newRow("https-scheme") << QStringLiteral("https://ghcr.io/o/r") << QStringLiteral("URL scheme");
    QTest::newRow("hex-id") << QString(64, QLatin1Char('f')) << QStringLiteral("64-byte hexadecimal");
    QTest::newRow("bad-separator") << QStringLiteral("a/b..c") << QStringLiteral("invalid repository name component");
    QTest::newRow("triple-underscore") << QStringLiteral("a/b___c")
                                       << QStringLiteral("invalid repository name component");
    QTest::newRow("leading-separator") << QStringLiteral("a/-b") << QStringLiteral("invalid repository name component");
    QTest::newRow("trailing-separator") << QStringLiteral("a/b_")
                                        << QStringLiteral("invalid repository name component");
    QTest::newRow("bad-char") << QStringLiteral("a/b!c") << QStringLiteral("invalid repository name component");
    QTest::newRow("host-bad") << QStringLiteral("-bad.host/x") << QStringLiteral("invalid registry host");
    QTest::newRow("host-empty-port") << QStringLiteral("localhost:/x") << QStringLiteral("invalid registry host");
    QTest::newRow("host-port-letters") << QStringLiteral("host.io:abc/x") << QStringLiteral("invalid registry host");
    QTest::newRow("host-port-range") << QStringLiteral("host.io:70000/x") << QStringLiteral("invalid port");
    QTest::newRow("host-port-zero") << QStringLiteral("host.io:0/x") << QStringLiteral("invalid port");
    QTest::newRow("ipv6-unbracketed") << QStringLiteral("::1:5000/x") << QStringLiteral("invalid registry host");
    QTest::newRow("ipv6-bad") << QStringLiteral("[::g]:5000/x") << QStringLiteral("invalid registry host");
    QTest::newRow("name-256") << QStringLiteral("a/") + QString(244, QLatin1Char('b'))
                              << QStringLiteral("more than 255");
    QTest::newRow("name-256-host") << QStringLiteral("h.io/") + QString(251, QLatin1Char('b'))
                                   << QStringLiteral("more than 255");
    QTest::newRow("unicode") << QStringLiteral("caf\u00e9/x") << QStringLiteral("invalid");
}

void TestImageReference::invalid()
{
    QFETCH(QString, input);
    QFETCH(QString, reasonContains);

    const auto ref = ImageReference::parse(input);
    QVERIFY2(!ref.ok(), qPrintable(QStringLiteral("parsed as ") + (ref.ok() ? ref->toString() : QString())));
    QCOMPARE(ref.error().code, Error::Code::InvalidReference);
    QVERIFY2(ref.error().message.contains(reasonContains, Qt::CaseInsensitive), qPrintable(ref.error().message));
    QVERIFY(!ref.error().message.contains(QLatin1Char('\n')));
}

void TestImageReference::hostAndPort_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    QTest::newRow("hub") << QStringLiteral("ubuntu") << QStringLiteral("registry-1.docker.io") << -1;
    QTest::newRow("host-port") << QStringLiteral("registry.lan:8443/x") << QStringLiteral("registry.lan") << 8443;
    QTest::newRow("localhost") << QStringLiteral("localhost/x") << QStringLiteral("localhost") << -1;
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:5000/x") << QStringLiteral("127.0.0.1") << 5000;
    QTest::newRow("ipv6-port") << QStringLiteral("[::1]:5000/x") << QStringLiteral("::1") << 5000;
    QTest::newRow("ipv6") << QStringLiteral("[fd00::1]/x") << QStringLiteral("fd00::1") << -1;
}

void TestImageReference::hostAndPort()
{
    QFETCH(QString, input);
    QFETCH(QString, host);
    QFETCH(int, port);
    const auto ref = ImageReference::parse(input);
    QVERIFY(ref.ok());
    QCOMPARE(ref->host(), host);
    QCOMPARE(ref->port(), port);
}

void TestImageReference::roundTrip_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("hub") << QStringLiteral("ubuntu");
    QTest::newRow("user") << QStringLiteral("user/repo:1.2.3");
    QTest::newRow("nested-library") << QStringLiteral("library/foo/bar");
    QTest::newRow("tag-digest") << QStringLiteral("repo:tag@") + D;
    QTest::newRow("digest") << QStringLiteral("ghcr.io/o/r@") + D;
    QTest::newRow("ipv6") << QStringLiteral("[::1]:5000/x");
    QTest::newRow("loopback") << QStringLiteral("127.0.0.1:5000/lab/app:1.0");
}

void TestImageReference::roundTrip()
{
    // Both canonical and display forms parse back to the same reference.
    QFETCH(QString, input);
    const auto ref = ImageReference::parse(input);
    QVERIFY(ref.ok());
    const auto fromCanonical = ImageReference::parse(ref->toString());
    QVERIFY(fromCanonical.ok());
    QCOMPARE(*fromCanonical, *ref);
    const auto fromDisplay = ImageReference::parse(ref->displayName());
    QVERIFY(fromDisplay.ok());
    QCOMPARE(*fromDisplay, *ref);
}

void TestImageReference::manifestReference()
{
    auto ref = ImageReference::parse(QStringLiteral("repo:tag@") + D);
    QVERIFY(ref.ok());
    QCOMPARE(ref->manifestReference(), D);
    ref = ImageReference::parse(QStringLiteral("repo:tag"));
    QVERIFY(ref.ok());
    QCOMPARE(ref->manifestReference(), QStringLiteral("tag"));
    ref = ImageReference::parse(QStringLiteral("repo"));
    QVERIFY(ref.ok());
    QCOMPARE(ref->manifestReference(), QStringLiteral("latest"));

    const ImageReference empty;
    QVERIFY(empty.toString().isEmpty());
    QVERIFY(empty.displayName().isEmpty());
}

QTEST_APPLESS_MAIN(TestImageReference)
#include "TestImageReference.moc"
