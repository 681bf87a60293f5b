// LayerSelection: the original tool's 1-based selection syntax -> sorted unique 0-based indices.
#include "extract/LayerSelection.h"

#include <QTest>

using ll::Error;
using ll::extract::LayerSelection;

class TestLayerSelection : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void format_data();
    void format();
    void roundTrip();
};

void TestLayerSelection::valid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("single") << QStringLiteral("1") << 3 << QList<int> { 0 };
    QTest::newRow("last") << QStringLiteral("3") << 3 << QList<int> { 2 };
    QTest::newRow("list") << QStringLiteral("1,3") << 3 << QList<int> { 0, 2 };
    QTest::newRow("range") << QStringLiteral("2-4") << 5 << QList<int> { 1, 2, 3 };
    QTest::newRow("list and range") << QStringLiteral("1,3-5") << 6 << QList<int> { 0, 2, 3, 4 };
    QTest::newRow("unsorted, duplicates") << QStringLiteral("5,1,3-5,1") << 5 << QList<int> { 0, 2, 3, 4 };
    QTest::newRow("spaces") << QStringLiteral(" 1 , 3 - 4 ") << 4 << QList<int> { 0, 2, 3 };
    QTest::newRow("one-element range") << QStringLiteral("2-2") << 2 << QList<int> { 1 };
    QTest::newRow("a") << QStringLiteral("a") << 3 << QList<int> { 0, 1, 2 };
    QTest::newRow("A") << QStringLiteral("A") << 2 << QList<int> { 0, 1 };
    QTest::newRow("all") << QStringLiteral("all") << 4 << QList<int> { 0, 1, 2, 3 };
    QTest::newRow("ALL spaced") << QStringLiteral("  ALL ") << 1 << QList<int> { 0 };
    QTest::newRow("star") << QStringLiteral("*") << 2 << QList<int> { 0, 1 };
}

void TestLayerSelection::valid()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(QList<int>, expected);
    const auto r = LayerSelection::parse(text, count);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    QCOMPARE(*r, expected);
}

void TestLayerSelection::invalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::newRow("empty") << QString() << 3;
    QTest::newRow("blank") << QStringLiteral("   ") << 3;
    QTest::newRow("zero") << QStringLiteral("0") << 3;
    QTest::newRow("past end") << QStringLiteral("4") << 3;
    QTest::newRow("range past end") << QStringLiteral("2-4") << 3;
    QTest::newRow("reversed") << QStringLiteral("3-1") << 3;
    QTest::newRow("negative") << QStringLiteral("-1") << 3;
    QTest::newRow("open range") << QStringLiteral("2-") << 3;
    QTest::newRow("word") << QStringLiteral("first") << 3;
    QTest::newRow("empty item") << QStringLiteral("1,,2") << 3;
    QTest::newRow("trailing comma") << QStringLiteral("1,") << 3;
    QTest::newRow("double range") << QStringLiteral("1-2-3") << 3;
    QTest::newRow("float") << QStringLiteral("1.5") << 3;
    QTest::newRow("no layers") << QStringLiteral("1") << 0;
    QTest::newRow("all of none") << QStringLiteral("all") << 0;
}

void TestLayerSelection::invalid()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    const auto r = LayerSelection::parse(text, count);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, Error::Code::Usage);
    QVERIFY(!r.error().message.isEmpty());
}

void TestLayerSelection::format_data()
{
    QTest::addColumn<QList<int>>("indices");
    QTest::addColumn<QString>("expected");
    QTest::newRow("none") << QList<int> {} << QString();
    QTest::newRow("one") << QList<int> { 0 } << QStringLiteral("1");
    QTest::newRow("range") << QList<int> { 0, 1, 2 } << QStringLiteral("1-3");
    QTest::newRow("mixed") << QList<int> { 4, 0, 2, 3 } << QStringLiteral("1,3-5");
    QTest::newRow("pairs") << QList<int> { 0, 1, 3, 4 } << QStringLiteral("1-2,4-5");
}

void TestLayerSelection::format()
{
    QFETCH(QList<int>, indices);
    QFETCH(QString, expected);
    QCOMPARE(LayerSelection::format(indices), expected);
}

void TestLayerSelection::roundTrip()
{
    const QList<int> indices { 0, 2, 3, 4, 7, 9, 10 };
    const auto r = LayerSelection::parse(LayerSelection::format(indices), 11);
    QVERIFY(r.ok());
    QCOMPARE(*r, indices);
}

QTEST_APPLESS_MAIN(TestLayerSelection)
#include "TestLayerSelection.moc"
