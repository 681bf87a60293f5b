#include "fs/PathSanitizer.h"

#include <QDir>
#include <QHash>
#include <QTest>

using ll::Error;
using ll::fs::PathSanitizer;

class TestPathSanitizer : public QObject
{
    Q_OBJECT
private slots:
    void safeRelative_data();
    void safeRelative();
    void resolveInside_data();
    void resolveInside();
    void resolveInImage_data();
    void resolveInImage();
};

void TestPathSanitizer::safeRelative_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("expected");

    QTest::newRow("normal") << "etc/passwd" << true << "etc/passwd";
    QTest::newRow("single") << "a" << true << "a";
    QTest::newRow("dotdot inside") << "a/../b" << true << "b";
    QTest::newRow("dotdot deep") << "a/b/c/../../d" << true << "a/d";
    QTest::newRow("dotdot to root") << "a/.." << true << ".";
    QTest::newRow("escape") << "../x" << false << QString();
    QTest::newRow("escape after descend") << "a/../../x" << false << QString();
    QTest::newRow("only dotdot") << ".." << false << QString();
    QTest::newRow("dot slashes trailing") << "./a//b/" << true << "a/b";
    QTest::newRow("leading slash") << "/etc/passwd" << true << "etc/passwd";
    QTest::newRow("absolute escape") << "/../etc" << false << QString();
    QTest::newRow("root dot") << "." << true << ".";
    QTest::newRow("root slash") << "/" << true << ".";
    QTest::newRow("empty") << "" << true << ".";
    QTest::newRow("dots in names") << "a/..b/c.." << true << "a/..b/c..";
    QTest::newRow("triple dot") << ".../x" << true << ".../x";
    QTest::newRow("nul") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << false << QString();
    QTest::newRow("backslash is a name char") << "a\\..\\b" << true << "a\\..\\b";
}

void TestPathSanitizer::safeRelative()
{
    QFETCH(QString, path);
    QFETCH(bool, ok);
    QFETCH(QString, expected);

    const ll::Result<QString> r = PathSanitizer::safeRelative(path);
    QCOMPARE(r.ok(), ok);
    if (ok) {
        QCOMPARE(*r, expected);
        QVERIFY(PathSanitizer::isNormal(*r));
        QCOMPARE(PathSanitizer::isNormal(path), path == expected);
    } else {
        QCOMPARE(r.error().code, Error::Code::UnsafePath);
    }
}

void TestPathSanitizer::resolveInside_data()
{
    QTest::addColumn<QString>("root");
    QTest::addColumn<QString>("rel");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("expected");

    QTest::newRow("simple") << "/out"
                            << "etc/passwd" << true << "/out/etc/passwd";
    QTest::newRow("root slash trailing") << "/out/"
                                         << "a" << true << "/out/a";
    QTest::newRow("root unclean") << "/out/./x/.."
                                  << "a/b" << true << "/out/a/b";
    QTest::newRow("inner dotdot") << "/out"
                                  << "a/../b" << true << "/out/b";
    QTest::newRow("absolute rel is relative") << "/out"
                                              << "/etc/shadow" << true << "/out/etc/shadow";
    QTest::newRow("dot is root") << "/out"
                                 << "." << true << "/out";
    QTest::newRow("escape") << "/out"
                            << "../etc/passwd" << false << QString();
    QTest::newRow("deep escape") << "/out"
                                 << "a/b/../../../x" << false << QString();
    QTest::newRow("sibling prefix trick") << "/out"
                                          << "../out2/x" << false << QString();
    QTest::newRow("filesystem root") << "/"
                                     << "etc/x" << true << "/etc/x";
    QTest::newRow("relative root") << "carved"
                                   << "a" << true << QDir::cleanPath(QDir::currentPath() + QStringLiteral("/carved/a"));
}

void TestPathSanitizer::resolveInside()
{
    QFETCH(QString, root);
    QFETCH(QString, rel);
    QFETCH(bool, ok);
    QFETCH(QString, expected);

    const ll::Result<QString> r = PathSanitizer::resolveInside(root, rel);
    QCOMPARE(r.ok(), ok);
    if (ok)
        QCOMPARE(*r, expected);
    else
        QCOMPARE(r.error().code, Error::Code::UnsafePath);
}

void TestPathSanitizer::resolveInImage_data()
{
    // links: "path>target" pairs, ';'-separated; expected "!" = error (loop)
    QTest::addColumn<QString>("links");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("followFinal");
    QTest::addColumn<QString>("expected");

    QTest::newRow("no links") << ""
                              << "usr/bin/env" << true << "usr/bin/env";
    QTest::newRow("relative link") << "bin>usr/bin"
                                   << "bin/sh" << true << "usr/bin/sh";
    QTest::newRow("absolute link") << "usr/bin/sh>/bin/dash;bin>usr/bin"
                                   << "bin/sh" << true << "usr/bin/dash";
    QTest::newRow("relative with dotdot") << "etc/alternatives/vi>../../usr/bin/vim"
                                          << "etc/alternatives/vi" << true << "usr/bin/vim";
    QTest::newRow("relative to link dir") << "a/b/link>c/d"
                                          << "a/b/link" << true << "a/b/c/d";
    QTest::newRow("final not followed") << "a/link>/x"
                                        << "a/link" << false << "a/link";
    QTest::newRow("middle followed even if final not") << "a>b"
                                                       << "a/link" << false << "b/link";
    QTest::newRow("climb clamps at root") << "x/evil>../../../../etc/shadow"
                                          << "x/evil" << true << "etc/shadow";
    QTest::newRow("absolute to root") << "r>/"
                                      << "r/etc" << true << "etc";
    QTest::newRow("dotdot after link uses target") << "l>a/b"
                                                   << "l/.." << true << "a";
    QTest::newRow("path dotdot at root") << ""
                                         << "../../etc" << true << "etc";
    QTest::newRow("chain") << "a>b;b>c;c>/d"
                           << "a/f" << true << "d/f";
    QTest::newRow("self loop") << "a>a"
                               << "a" << true << "!";
    QTest::newRow("two loop") << "a>b;b>a"
                              << "a/x" << true << "!";
    QTest::newRow("dangling kept") << "a>missing/dir"
                                   << "a/x" << true << "missing/dir/x";
    QTest::newRow("to root dot") << "l>."
                                 << "l" << true << ".";
}

void TestPathSanitizer::resolveInImage()
{
    QFETCH(QString, links);
    QFETCH(QString, path);
    QFETCH(bool, followFinal);
    QFETCH(QString, expected);

    QHash<QString, QString> map;
    for (const QString &pair : links.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const int gt = pair.indexOf(QLatin1Char('>'));
        map.insert(pair.left(gt), pair.mid(gt + 1));
    }
    int calls = 0;
    const ll::Result<QString> r = PathSanitizer::resolveInImage(
        path,
        [&](const QString &p) -> std::optional<QString> {
            ++calls;
            // Queries are always in normal form.
            if (!PathSanitizer::isNormal(p))
                qWarning("query not normal: %s", qPrintable(p));
            const auto it = map.constFind(p);
            if (it == map.cend())
                return std::nullopt;
            return *it;
        },
        followFinal);
    if (expected == QLatin1String("!")) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Error::Code::NotFound);
        QVERIFY(calls > 40);
    } else {
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(*r, expected);
    }
}

QTEST_APPLESS_MAIN(TestPathSanitizer)
#include "TestPathSanitizer.moc"
