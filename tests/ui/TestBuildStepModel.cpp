// BuildStepModel: history rows, metadata-only marks, step <-> layer mapping.

#include "ImageFixtures.h"
#include "models/BuildStepModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace ll;
using namespace ll::test;
using ll::ui::BuildStepModel;

class TestBuildStepModel : public QObject
{
    Q_OBJECT
private slots:
    void rows();
    void mapping_data();
    void mapping();
    void historyDisagrees();
};

void TestBuildStepModel::rows()
{
    BuildStepModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImage(sampleImage());
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.columnCount(), int(BuildStepModel::ColumnCount));
    QCOMPARE(model.index(1, BuildStepModel::InstructionColumn).data().toString(), QStringLiteral("CMD [\"bash\"]"));
    QCOMPARE(model.index(1, BuildStepModel::LayerColumn).data().toString(), QStringLiteral("metadata only"));
    QVERIFY(model.index(1, BuildStepModel::InstructionColumn).data(Qt::ForegroundRole).isValid()); // greyed
    QVERIFY(!model.index(0, BuildStepModel::InstructionColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(1, 0).data(BuildStepModel::EmptyLayerRole).toBool(), true);
    QCOMPARE(model.index(2, BuildStepModel::LayerColumn).data().toString(), QStringLiteral("layer 1"));
    QCOMPARE(model.index(2, 0).data(BuildStepModel::LayerRole).toInt(), 1);
    QCOMPARE(model.index(2, BuildStepModel::SizeColumn).data().toString(), QStringLiteral("1.0 KiB"));
    QVERIFY(model.index(1, BuildStepModel::SizeColumn).data().toString().isEmpty());
    const QDateTime created = model.index(0, 0).data(BuildStepModel::CreatedRole).toDateTime();
    QCOMPARE(created, QDateTime(QDate(2024, 3, 1), QTime(10, 20, 30), Qt::UTC));
    QCOMPARE(model.index(0, BuildStepModel::CreatedColumn).data().toString(),
        created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    // An unparsable date is shown as it is.
    QCOMPARE(model.index(3, BuildStepModel::CreatedColumn).data().toString(), QStringLiteral("not a date"));
    QVERIFY(model.index(1, 1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("metadata only")));
    QCOMPARE(model.index(0, 0).data(BuildStepModel::CreatedByRole).toString(),
        QStringLiteral("/bin/sh -c #(nop) ADD file:123 in / "));
    QCOMPARE(model.step(4).createdBy, QStringLiteral("COPY app /app # buildkit"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestBuildStepModel::mapping_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("layer");
    QTest::newRow("step 0") << 0 << 0;
    QTest::newRow("metadata 1") << 1 << -1;
    QTest::newRow("step 2") << 2 << 1;
    QTest::newRow("metadata 3") << 3 << -1;
    QTest::newRow("step 4") << 4 << 2;
    QTest::newRow("out of range") << 9 << -1;
}

void TestBuildStepModel::mapping()
{
    QFETCH(int, row);
    QFETCH(int, layer);
    BuildStepModel model;
    model.setImage(sampleImage());
    QCOMPARE(model.layerForStep(row), layer);
    if (layer >= 0)
        QCOMPARE(model.stepForLayer(layer), row);
}

void TestBuildStepModel::historyDisagrees()
{
    // More layer-creating steps than layers: the extra step maps to nothing and says so.
    BuildStepModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConfig(sampleImage().config, 2);
    QCOMPARE(model.layerForStep(4), -1);
    QCOMPARE(model.index(4, BuildStepModel::LayerColumn).data().toString(), QStringLiteral("no layer"));
    QVERIFY(model.index(4, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("no layer matches")));
    QCOMPARE(model.stepForLayer(2), -1);
    QCOMPARE(model.stepForLayer(-1), -1);
    QVERIFY(model.index(0, BuildStepModel::SizeColumn).data().toString().isEmpty()); // no sizes without a manifest
}

QTEST_MAIN(TestBuildStepModel)
#include "TestBuildStepModel.moc"
