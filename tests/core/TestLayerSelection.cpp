// LayerSelection: the selection syntax, numbered from 0 (the default, as in the listings) or from 1 (the original
// tool's, --save-layers-1based) -> sorted unique 0-based indices.
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
    QTest::addColumn<int>("base");
    QTest::newRow("0-based first") << QStringLiteral("0") << 3 << QList<int> { 0 } << 0;
    QTest::newRow("0-based last") << QStringLiteral("2") << 3 << QList<int> { 2 } << 0;
    QTest::newRow("0-based list and range") << QStringLiteral("0,2-4") << 6 << QList<int> { 0, 2, 3, 4 } << 0;
    QTest::newRow("0-based all") << QStringLiteral("a") << 2 << QList<int> { 0, 1 } << 0;
    QTest::newRow("single") << QStringLiteral("1") << 3 << QList<int> { 0 } << 1;
    QTest::newRow("last") << QStringLiteral("3") << 3 << QList<int> { 2 } << 1;
    QTest::newRow("list") << QStringLiteral("1,3") << 3 << QList<int> { 0, 2 } << 1;
    QTest::newRow("range") << QStringLiteral("2-4") << 5 << QList<int> { 1, 2, 3 } << 1;
    QTest::newRow("list and range") << QStringLiteral("1,3-5") << 6 << QList<int> { 0, 2, 3, 4 } << 1;
    QTest::newRow("unsorted, duplicates") << QStringLiteral("5,1,3-5,1") << 5 << QList<int> { 0, 2, 3, 4 } << 1;
    QTest::newRow("spaces") << QStringLiteral(" 1 , 3 - 4 ") << 4 << QList<int> { 0, 2, 3 } << 1;
    QTest::newRow("one-element range") << QStringLiteral("2-2") << 2 << QList<int> { 1 } << 1;
    QTest::newRow("a") << QStringLiteral("a") << 3 << QList<int> { 0, 1, 2 } << 1;
    QTest::newRow("A") << QStringLiteral("A") << 2 << QList<int> { 0, 1 } << 1;
    QTest::newRow("all") << QStringLiteral("all") << 4 << QList<int> { 0, 1, 2, 3 } << 1;
    QTest::newRow("ALL spaced") << QStringLiteral("  ALL ") << 1 << QList<int> { 0 } << 1;
    QTest::newRow("star") << QStringLiteral("*") << 2 << QList<int> { 0, 1 } << 1;
}

void TestLayerSelection::valid()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(QList<int>, expected);
    QFETCH(int, base);
    const auto r = LayerSelection::parse(text, count, base);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    QCOMPARE(*r, expected);
}

void TestLayerSelection::invalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("base");
    QTest::newRow("0-based past end") << QStringLiteral("3") << 3 << 0;
    QTest::newRow("0-based range past end") << QStringLiteral("1-3") << 3 << 0;
    QTest::newRow("0-based negative") << QStringLiteral("-1") << 3 << 0;
    QTest::newRow("empty") << QString() << 3 << 1;
    QTest::newRow("blank") << QStringLiteral("   ") << 3 << 1;
    QTest::newRow("zero") << QStringLiteral("0") << 3 << 1;
    QTest::newRow("past end") << QStringLiteral("4") << 3 << 1;
    QTest::newRow("range past end") << QStringLiteral("2-4") << 3 << 1;
    QTest::newRow("reversed") << QStringLiteral("3-1") << 3 << 1;
    QTest::newRow("negative") << QStringLiteral("-1") << 3 << 1;
    QTest::newRow("open range") << QStringLiteral("2-") << 3 << 1;
    QTest::newRow("word") << QStringLiteral("first") << 3 << 1;
    QTest::newRow("empty item") << QStringLiteral("1,,2") << 3 << 1;
    QTest::newRow("trailing comma") << QStringLiteral("1,") << 3 << 1;
    QTest::newRow("double range") << QStringLiteral("1-2-3") << 3 << 1;
    QTest::newRow("float") << QStringLiteral("1.5") << 3 << 1;
    QTest::newRow("no layers") << QStringLiteral("1") << 0 << 1;
    QTest::newRow("all of none") << QStringLiteral("all") << 0 << 1;
}

void TestLayerSelection::invalid()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(int, base);
    const auto r = LayerSelection::parse(text, count, base);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, Error::Code::Usage);
    QVERIFY(!r.error().message.isEmpty());
}

void TestLayerSelection::format_data()
{
    QTest::addColumn<QList<int>>("indices");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("base");
    QTest::newRow("0-based mixed") << QList<int> { 4, 0, 2, 3 } << QStringLiteral("0,2-4") << 0;
    QTest::newRow("none") << QList<int> {} << QString() << 1;
    QTest::newRow("one") << QList<int> { 0 } << QStringLiteral("1") << 1;
    QTest::newRow("range") << QList<int> { 0, 1, 2 } << QStringLiteral("1-3") << 1;
    QTest::newRow("mixed") << QList<int> { 4, 0, 2, 3 } << QStringLiteral("1,3-5") << 1;
    QTest::newRow("pairs") << QList<int> { 0, 1, 3, 4 } << QStringLiteral("1-2,4-5") << 1;
}

void TestLayerSelection::format()
{
    QFETCH(QList<int>, indices);
    QFETCH(QString, expected);
    QFETCH(int, base);
    QCOMPARE(LayerSelection::format(indices, base), expected);
}

void TestLayerSelection::roundTrip()
{
    const QList<int> indices { 0, 2, 3, 4, 7, 9, 10 };
    for (int base : { 0, 1 }) {
        const auto r = LayerSelection::parse(LayerSelection::format(indices, base), 11, base);
        QVERIFY(r.ok());
        QCOMPARE(*r, indices);
    }
    // The hint for a number past the end names both numberings (a 1-based habit meets a 0-based flag).
    const auto past = LayerSelection::parse(QStringLiteral("3"), 3);
    QVERIFY(!past.ok());
    QVERIFY2(past.error().message.contains(QStringLiteral("0 to 2")), qPrintable(past.error().message));
    QVERIFY(past.error().message.contains(QStringLiteral("--save-layers-1based")));
}

QTEST_APPLESS_MAIN(TestLayerSelection)
#include "TestLayerSelection.moc"
