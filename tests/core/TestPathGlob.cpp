// hunt::PathGlob: patterns over whole image paths (*, **, ?, [...], escapes) and the exact-path case; and
// TargetExpandJob's tag order ("newest first").
#include "hunt/HuntTargets.h"
#include "hunt/PathGlob.h"
#include "hunt/TargetExpandJob.h"

#include <QTest>

#include <algorithm>

using ll::Result;
using ll::hunt::PathGlob;

namespace {
QString S(const char *s)
{
    return QString::fromUtf8(s);
}
} // namespace

class TestPathGlob : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void exact_data();
    void exact();
    void refused_data();
    void refused();
    void tagOrder();
    void targetsText();
    void bareHost_data();
    void bareHost();
};

void TestPathGlob::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("match");
    QTest::newRow("exact") << S("etc/shadow") << S("etc/shadow") << true;
    QTest::newRow("exact other") << S("etc/shadow") << S("etc/shadow-") << false;
    QTest::newRow("leading slash") << S("/etc/shadow") << S("etc/shadow") << true;
    QTest::newRow("star in component") << S("etc/*shadow*") << S("etc/gshadow-") << true;
    QTest::newRow("star never crosses /") << S("etc/*") << S("etc/ssh/sshd_config") << false;
    QTest::newRow("star empty") << S("etc/shadow*") << S("etc/shadow") << true;
    QTest::newRow("** any depth") << S("**/id_rsa") << S("home/u/.ssh/id_rsa") << true;
    QTest::newRow("** zero dirs") << S("**/.env") << S(".env") << true;
    QTest::newRow("** middle") << S("srv/**/.env") << S("srv/a/b/c/.env") << true;
    QTest::newRow("** middle zero") << S("srv/**/.env") << S("srv/.env") << true;
    QTest::newRow("** middle wrong root") << S("srv/**/.env") << S("opt/srv/.env") << false;
    QTest::newRow("** last: below only") << S("etc/**") << S("etc/a/b") << true;
    QTest::newRow("** last: not the dir") << S("etc/**") << S("etc") << false;
    QTest::newRow("question") << S("home/?/.env") << S("home/a/.env") << true;
    QTest::newRow("question one char") << S("home/?/.env") << S("home/ab/.env") << false;
    QTest::newRow("set") << S("key[0-9].pem") << S("key7.pem") << true;
    QTest::newRow("set miss") << S("key[0-9].pem") << S("keyx.pem") << false;
    QTest::newRow("negated set") << S("key[!0-9].pem") << S("keyx.pem") << true;
    QTest::newRow("caret set") << S("key[^0-9].pem") << S("key1.pem") << false;
    QTest::newRow("] first in set") << S("a[]b]c") << S("a]c") << true;
    QTest::newRow("escaped star") << S("a\\*b") << S("a*b") << true;
    QTest::newRow("escaped star literal") << S("a\\*b") << S("axb") << false;
    QTest::newRow("backtracking") << S("*a*b*c") << S("xxaxxbxxbxxc") << true;
    QTest::newRow("backtracking miss") << S("*a*b*c") << S("xxaxxbxxbxx") << false;
    QTest::newRow("**/*.pem") << S("**/*.pem") << S("etc/ssl/private/server.pem") << true;
    QTest::newRow("case sensitive") << S("**/ID_RSA") << S("root/.ssh/id_rsa") << false;
}

void TestPathGlob::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, match);
    Result<PathGlob> g = PathGlob::parse(pattern);
    QVERIFY(g.ok());
    QCOMPARE(g->matches(path), match);
    // The byte form --search uses on ASCII lines gives the same answer.
    const QByteArray bytes = path.toLatin1();
    QCOMPARE(g->matches(QLatin1StringView(bytes)), match);
}

void TestPathGlob::exact_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("exact");
    QTest::addColumn<QString>("path");
    QTest::newRow("plain") << S("etc/shadow") << true << S("etc/shadow");
    QTest::newRow("slashes, dots") << S("//etc/./shadow/") << true << S("etc/shadow");
    QTest::newRow("escape") << S("etc/a\\*") << true << S("etc/a*");
    QTest::newRow("glob") << S("etc/*") << false << S("");
    QTest::newRow("set") << S("[ab]") << false << S("");
}

void TestPathGlob::exact()
{
    QFETCH(QString, pattern);
    QFETCH(bool, exact);
    QFETCH(QString, path);
    Result<PathGlob> g = PathGlob::parse(pattern);
    QVERIFY(g);
    QCOMPARE(g->isExact(), exact);
    QCOMPARE(g->exactPath(), path);
    QCOMPARE(g->pattern(), pattern);
}

void TestPathGlob::refused_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::newRow("empty") << S("");
    QTest::newRow("root") << S("/");
    QTest::newRow("dotdot") << S("etc/../shadow");
    QTest::newRow("open set") << S("key[0-9.pem");
}

void TestPathGlob::refused()
{
    QFETCH(QString, pattern);
    Result<PathGlob> g = PathGlob::parse(pattern);
    QVERIFY(!g);
    QCOMPARE(g.error().code, ll::Error::Code::Usage);
}

void TestPathGlob::tagOrder()
{
    QStringList tags { S("1.9"), S("1.10"), S("latest"), S("1.2.3"), S("2.0-rc1"), S("2.0"), S("alpine"), S("01.5") };
    std::sort(tags.begin(), tags.end(), &ll::hunt::TargetExpandJob::tagNewer);
    QCOMPARE(tags,
        (QStringList { S("latest"), S("alpine"), S("2.0-rc1"), S("2.0"), S("1.10"), S("1.9"), S("01.5"), S("1.2.3") }));
}

void TestPathGlob::targetsText()
{
    QCOMPARE(ll::hunt::HuntTargets::parseTargetsText(
                 QStringLiteral("# images\n\nalpine:3.19  # base\n  ghcr.io/o/r@sha256:abc\n#x\n")),
        (QStringList { S("alpine:3.19"), S("ghcr.io/o/r@sha256:abc") }));
}

void TestPathGlob::bareHost_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("bare");
    QTest::newRow("host:port") << S("127.0.0.1:5000") << true;
    QTest::newRow("domain") << S("ghcr.io") << true;
    QTest::newRow("localhost") << S("localhost") << true;
    QTest::newRow("hub name") << S("alpine") << false;
    QTest::newRow("repo") << S("ghcr.io/o/r") << false;
    QTest::newRow("tagged") << S("alpine:3.19") << false;
    QTest::newRow("numeric tag") << S("ubuntu:22") << false;
    QTest::newRow("dotted host, port") << S("registry.local:5000") << true;
    QTest::newRow("ipv6") << S("[::1]:5000") << true;
}

void TestPathGlob::bareHost()
{
    QFETCH(QString, text);
    QFETCH(bool, bare);
    QCOMPARE(ll::hunt::TargetExpandJob::isBareHost(text), bare);
}

QTEST_APPLESS_MAIN(TestPathGlob)
#include "TestPathGlob.moc"
