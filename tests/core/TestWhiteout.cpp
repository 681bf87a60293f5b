#include "fs/Whiteout.h"

#include <QTest>

using ll::fs::Whiteout;

Q_DECLARE_METATYPE(Whiteout::Kind)

class TestWhiteout : public QObject
{
    Q_OBJECT
private slots:
    void classify_data();
    void classify();
};

void TestWhiteout::classify_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<Whiteout::Kind>("kind");
    QTest::addColumn<QString>("target");

    using K = Whiteout::Kind;
    QTest::newRow("plain file") << "etc/passwd" << K::None << QString();
    QTest::newRow("root") << "." << K::None << QString();
    QTest::newRow("wh in middle of name") << "etc/foo.wh.bar" << K::None << QString();
    QTest::newRow("name starting .wh without dot") << "etc/.whfoo" << K::None << QString();
    QTest::newRow("whiteout top level") << ".wh.foo" << K::Whiteout << "foo";
    QTest::newRow("whiteout nested") << "etc/apt/.wh.sources.list" << K::Whiteout << "etc/apt/sources.list";
    QTest::newRow("whiteout of dotfile") << "root/.wh..bashrc" << K::Whiteout << "root/.bashrc";
    QTest::newRow("opaque root") << ".wh..wh..opq" << K::Opaque << ".";
    QTest::newRow("opaque nested") << "var/cache/.wh..wh..opq" << K::Opaque << "var/cache";
    QTest::newRow("aufs plnk") << ".wh..wh.plnk" << K::Ignored << QString();
    QTest::newRow("aufs aufs") << ".wh..wh.aufs" << K::Ignored << QString();
    QTest::newRow("aufs orph") << ".wh..wh.orph" << K::Ignored << QString();
    QTest::newRow("aufs plnk content") << ".wh..wh.plnk/123.456" << K::Ignored << QString();
    QTest::newRow("below a whiteout component") << "a/.wh.b/c" << K::Ignored << QString();
    QTest::newRow("empty target") << "etc/.wh." << K::Ignored << QString();
    QTest::newRow("dot target") << "etc/.wh.." << K::Ignored << QString();
    QTest::newRow("dotdot target") << "etc/.wh..." << K::Ignored << QString();
    QTest::newRow("opaque-like but longer") << "d/.wh..wh..opqx" << K::Ignored << QString();
}

void TestWhiteout::classify()
{
    QFETCH(QString, path);
    QFETCH(Whiteout::Kind, kind);
    QFETCH(QString, target);

    const Whiteout w = Whiteout::classify(path);
    QCOMPARE(w.kind, kind);
    QCOMPARE(w.target, target);
}

QTEST_APPLESS_MAIN(TestWhiteout)
#include "TestWhiteout.moc"
