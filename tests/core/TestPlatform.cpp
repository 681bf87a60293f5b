#include "oci/Platform.h"

#include <QJsonArray>
#include <QSysInfo>
#include <QTest>

using namespace ll;
using namespace ll::oci;

class TestPlatform : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void parseErrors_data();
    void parseErrors();
    void toStringRoundTrip_data();
    void toStringRoundTrip();
    void satisfies_data();
    void satisfies();
    void forCpuArchitecture_data();
    void forCpuArchitecture();
    void host();
    void attestation();
    void json();
};

void TestPlatform::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("os");
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<QString>("variant");

    QTest::newRow("linux/amd64") << "linux/amd64"
                                 << "linux"
                                 << "amd64"
                                 << "";
    QTest::newRow("linux/arm64") << "linux/arm64"
                                 << "linux"
                                 << "arm64"
                                 << "";
    QTest::newRow("linux/arm64/v8") << "linux/arm64/v8"
                                    << "linux"
                                    << "arm64"
                                    << "v8";
    QTest::newRow("linux/arm/v7") << "linux/arm/v7"
                                  << "linux"
                                  << "arm"
                                  << "v7";
    QTest::newRow("linux/arm/v6") << "linux/arm/v6"
                                  << "linux"
                                  << "arm"
                                  << "v6";
    QTest::newRow("linux/arm") << "linux/arm"
                               << "linux"
                               << "arm"
                               << "";
    QTest::newRow("linux/386") << "linux/386"
                               << "linux"
                               << "386"
                               << "";
    QTest::newRow("linux/ppc64le") << "linux/ppc64le"
                                   << "linux"
                                   << "ppc64le"
                                   << "";
    QTest::newRow("linux/s390x") << "linux/s390x"
                                 << "linux"
                                 << "s390x"
                                 << "";
    QTest::newRow("linux/riscv64") << "linux/riscv64"
                                   << "linux"
                                   << "riscv64"
                                   << "";
    QTest::newRow("linux/amd64/v3") << "linux/amd64/v3"
                                    << "linux"
                                    << "amd64"
                                    << "v3";
    QTest::newRow("windows/amd64") << "windows/amd64"
                                   << "windows"
                                   << "amd64"
                                   << "";
    QTest::newRow("upper case") << "Linux/ARM64/V8"
                                << "linux"
                                << "arm64"
                                << "v8";
    QTest::newRow("surrounding spaces") << "  linux/amd64 "
                                        << "linux"
                                        << "amd64"
                                        << "";
    QTest::newRow("alias x86_64") << "linux/x86_64"
                                  << "linux"
                                  << "amd64"
                                  << "";
    QTest::newRow("alias aarch64") << "linux/aarch64"
                                   << "linux"
                                   << "arm64"
                                   << "";
    QTest::newRow("alias armhf") << "linux/armhf"
                                 << "linux"
                                 << "arm"
                                 << "v7";
    QTest::newRow("alias i686") << "linux/i686"
                                << "linux"
                                << "386"
                                << "";
    QTest::newRow("bare arm64") << "arm64"
                                << "linux"
                                << "arm64"
                                << "";
    QTest::newRow("bare amd64") << "amd64"
                                << "linux"
                                << "amd64"
                                << "";
    QTest::newRow("bare armv6l") << "armv6l"
                                 << "linux"
                                 << "arm"
                                 << "v6";
}

void TestPlatform::parse()
{
    QFETCH(QString, text);
    QFETCH(QString, os);
    QFETCH(QString, architecture);
    QFETCH(QString, variant);
    const Result<Platform> p = Platform::parse(text);
    QVERIFY2(p.ok(), qPrintable(p.ok() ? QString() : p.error().message));
    QCOMPARE(p->os, os);
    QCOMPARE(p->architecture, architecture);
    QCOMPARE(p->variant, variant);
}

void TestPlatform::parseErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << ""
                           << "empty";
    QTest::newRow("spaces only") << "   "
                                 << "empty";
    QTest::newRow("os only") << "linux"
                             << "missing architecture";
    QTest::newRow("unknown bare word") << "beos"
                                       << "missing architecture";
    QTest::newRow("trailing slash") << "linux/"
                                    << "empty component";
    QTest::newRow("leading slash") << "/amd64"
                                   << "empty component";
    QTest::newRow("double slash") << "linux//v7"
                                  << "empty component";
    QTest::newRow("four parts") << "linux/arm64/v8/extra"
                                << "too many components";
    QTest::newRow("space inside") << "linux/amd 64"
                                  << "invalid character";
    QTest::newRow("comma list") << "linux/amd64,linux/arm64"
                                << "invalid character";
    QTest::newRow("colon") << "linux:amd64"
                           << "invalid character";
    QTest::newRow("alias contradicts variant") << "linux/armhf/v6"
                                               << "implies variant v7";
}

void TestPlatform::parseErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const Result<Platform> p = Platform::parse(text);
    QVERIFY(!p.ok());
    QCOMPARE(p.error().code, Error::Code::Usage);
    QVERIFY2(p.error().message.contains(expected), qPrintable(p.error().message));
    QVERIFY(p.error().message.contains(QLatin1String("os/arch[/variant]")));
}

void TestPlatform::toStringRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("amd64") << "linux/amd64";
    QTest::newRow("arm64/v8") << "linux/arm64/v8";
    QTest::newRow("arm64") << "linux/arm64";
    QTest::newRow("arm/v7") << "linux/arm/v7";
    QTest::newRow("windows") << "windows/amd64";
}

void TestPlatform::toStringRoundTrip()
{
    QFETCH(QString, text);
    const Result<Platform> p = Platform::parse(text);
    QVERIFY(p.ok());
    QCOMPARE(p->toString(), text);
    const Result<Platform> again = Platform::parse(p->toString());
    QVERIFY(again.ok());
    QCOMPARE(*again, *p);
}

void TestPlatform::satisfies_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("wanted");
    QTest::addColumn<bool>("result");

    QTest::newRow("same amd64") << "linux/amd64"
                                << "linux/amd64" << true;
    QTest::newRow("os differs") << "windows/amd64"
                                << "linux/amd64" << false;
    QTest::newRow("arch differs") << "linux/arm64"
                                  << "linux/amd64" << false;
    QTest::newRow("arm64 entry v8, wanted none") << "linux/arm64/v8"
                                                 << "linux/arm64" << true;
    QTest::newRow("arm64 entry none, wanted v8") << "linux/arm64"
                                                 << "linux/arm64/v8" << true;
    QTest::newRow("arm64 entry v8, wanted v8") << "linux/arm64/v8"
                                               << "linux/arm64/v8" << true;
    QTest::newRow("arm64 entry v9, wanted v8") << "linux/arm64/v9"
                                               << "linux/arm64/v8" << false;
    QTest::newRow("arm entry none, wanted v7") << "linux/arm"
                                               << "linux/arm/v7" << true;
    QTest::newRow("arm entry v7, wanted none") << "linux/arm/v7"
                                               << "linux/arm" << true;
    QTest::newRow("arm entry v6, wanted none") << "linux/arm/v6"
                                               << "linux/arm" << true;
    QTest::newRow("arm entry v6, wanted v7") << "linux/arm/v6"
                                             << "linux/arm/v7" << false;
    QTest::newRow("arm entry v7, wanted v6") << "linux/arm/v7"
                                             << "linux/arm/v6" << false;
    QTest::newRow("arm entry none, wanted v6") << "linux/arm"
                                               << "linux/arm/v6" << false;
    QTest::newRow("amd64 entry v3, wanted none") << "linux/amd64/v3"
                                                 << "linux/amd64" << true;
    QTest::newRow("amd64 entry none, wanted v3") << "linux/amd64"
                                                 << "linux/amd64/v3" << false;
}

void TestPlatform::satisfies()
{
    QFETCH(QString, entry);
    QFETCH(QString, wanted);
    QFETCH(bool, result);
    const Result<Platform> e = Platform::parse(entry);
    const Result<Platform> w = Platform::parse(wanted);
    QVERIFY(e.ok() && w.ok());
    QCOMPARE(e->satisfies(*w), result);
}

void TestPlatform::forCpuArchitecture_data()
{
    QTest::addColumn<QString>("cpu");
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<QString>("variant");

    // What QSysInfo::currentCpuArchitecture() reports, then uname -m / Debian spellings.
    QTest::newRow("x86_64") << "x86_64"
                            << "amd64"
                            << "";
    QTest::newRow("i386") << "i386"
                          << "386"
                          << "";
    QTest::newRow("arm64") << "arm64"
                           << "arm64"
                           << "";
    QTest::newRow("arm") << "arm"
                         << "arm"
                         << "v7";
    QTest::newRow("power64le") << "power64le"
                               << "ppc64le"
                               << "";
    QTest::newRow("s390x") << "s390x"
                           << "s390x"
                           << "";
    QTest::newRow("riscv64") << "riscv64"
                             << "riscv64"
                             << "";
    QTest::newRow("aarch64") << "aarch64"
                             << "arm64"
                             << "";
    QTest::newRow("armv7l") << "armv7l"
                            << "arm"
                            << "v7";
    QTest::newRow("armv6l") << "armv6l"
                            << "arm"
                            << "v6";
    QTest::newRow("ppc64el") << "ppc64el"
                             << "ppc64le"
                             << "";
    QTest::newRow("unknown passes through") << "Sparcv9"
                                            << "sparcv9"
                                            << "";
}

void TestPlatform::forCpuArchitecture()
{
    QFETCH(QString, cpu);
    QFETCH(QString, architecture);
    QFETCH(QString, variant);
    const Platform p = Platform::forCpuArchitecture(cpu);
    QCOMPARE(p.os, QStringLiteral("linux"));
    QCOMPARE(p.architecture, architecture);
    QCOMPARE(p.variant, variant);
}

void TestPlatform::host()
{
    const Platform h = Platform::host();
    QCOMPARE(h.os, QStringLiteral("linux"));
    QVERIFY(!h.architecture.isEmpty());
    QCOMPARE(h, Platform::forCpuArchitecture(QSysInfo::currentCpuArchitecture()));
    // Go names only: never Qt's or uname's spelling.
    QVERIFY(h.architecture != QLatin1String("x86_64"));
    QVERIFY(h.architecture != QLatin1String("aarch64"));
    QVERIFY(h.architecture != QLatin1String("i386"));
    // The host's own platform round-trips through --platform syntax.
    const Result<Platform> parsed = Platform::parse(h.toString());
    QVERIFY(parsed.ok());
    QVERIFY(h.satisfies(*parsed));
}

void TestPlatform::attestation()
{
    Platform p;
    p.os = QStringLiteral("unknown");
    p.architecture = QStringLiteral("unknown");
    QVERIFY(p.isAttestation());
    QVERIFY(!Platform::host().isAttestation());
    QVERIFY(Platform().isEmpty());
    QVERIFY(!p.isEmpty());
}

void TestPlatform::json()
{
    Platform p;
    p.os = QStringLiteral("windows");
    p.architecture = QStringLiteral("amd64");
    p.osVersion = QStringLiteral("10.0.17763.5576");
    p.osFeatures = QStringList { QStringLiteral("win32k") };
    const QJsonObject o = p.toJson();
    QCOMPARE(o.value(QLatin1String("os")).toString(), QStringLiteral("windows"));
    QCOMPARE(o.value(QLatin1String("os.version")).toString(), QStringLiteral("10.0.17763.5576"));
    QVERIFY(!o.contains(QLatin1String("variant")));
    QCOMPARE(o.value(QLatin1String("os.features")).toArray().size(), 1);
    const Platform again = Platform::fromJson(o);
    QCOMPARE(again, p);
    QCOMPARE(again.osVersion, p.osVersion);
    QCOMPARE(again.osFeatures, p.osFeatures);
}

QTEST_APPLESS_MAIN(TestPlatform)
#include "TestPlatform.moc"
