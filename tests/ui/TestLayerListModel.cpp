// LayerListModel: columns, roles (size fraction, step mapping), per-layer listing states set by the controller.

#include "ImageFixtures.h"
#include "models/LayerListModel.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace ll;
using namespace ll::test;
using ll::ui::LayerListModel;

class TestLayerListModel : public QObject
{
    Q_OBJECT
private slots:
    void columnsAndRoles();
    void states();
    void shortMediaType_data();
    void shortMediaType();
    void emptyAndClear();
    void randomAccessMark();
};

void TestLayerListModel::columnsAndRoles()
{
    LayerListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImage(sampleImage());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(LayerListModel::ColumnCount));
    QCOMPARE(model.layerCount(), 3);
    QCOMPARE(model.index(1, LayerListModel::IndexColumn).data().toInt(), 1);
    QCOMPARE(model.index(0, LayerListModel::DigestColumn).data().toString(), QStringLiteral("aaaaaaaaaaaa"));
    QCOMPARE(model.index(0, LayerListModel::DigestColumn).data(LayerListModel::DigestRole).toString(),
        QStringLiteral("sha256:") + QString(64, QLatin1Char('a')));
    QCOMPARE(model.index(0, LayerListModel::SizeColumn).data().toString(), QStringLiteral("28.6 MiB"));
    QCOMPARE(model.index(1, LayerListModel::SizeColumn).data().toString(), QStringLiteral("1.0 KiB"));
    QCOMPARE(model.index(1, 0).data(LayerListModel::SizeRole).toLongLong(), 1024);
    QCOMPARE(model.index(0, 0).data(LayerListModel::SizeFractionRole).toDouble(), 1.0);
    QCOMPARE(model.index(2, 0).data(LayerListModel::SizeFractionRole).toDouble(), 0.25);
    QCOMPARE(model.index(2, LayerListModel::MediaTypeColumn).data().toString(), QStringLiteral("oci tar+zstd"));
    QCOMPARE(model.index(1, LayerListModel::MediaTypeColumn).data(Qt::ToolTipRole).toString(),
        QLatin1String(oci::MediaType::DockerLayerGzip));
    // Steps: layer 0 <- step 0, layer 1 <- step 2, layer 2 <- step 4 (metadata-only steps skipped).
    QCOMPARE(model.index(0, 0).data(LayerListModel::StepRole).toInt(), 0);
    QCOMPARE(model.index(1, 0).data(LayerListModel::StepRole).toInt(), 2);
    QCOMPARE(model.index(2, 0).data(LayerListModel::StepRole).toInt(), 4);
    QCOMPARE(model.index(0, LayerListModel::StepColumn).data().toString(), QStringLiteral("ADD file:123 in /"));
    QCOMPARE(model.index(2, LayerListModel::StepColumn).data().toString(), QStringLiteral("COPY app /app # buildkit"));
    QCOMPARE(model.index(0, LayerListModel::SizeColumn).data(LayerListModel::SortRole).toLongLong(), 30000000);
    QCOMPARE(model.headerData(LayerListModel::StepColumn, Qt::Horizontal).toString(), QStringLiteral("Build step"));
    QCOMPARE(model.layer(2).size, 7500000);
}

void TestLayerListModel::states()
{
    LayerListModel model;
    model.setImage(sampleImage());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const QModelIndex st = model.index(1, LayerListModel::StateColumn);
    QCOMPARE(st.data().toString(), QStringLiteral("not loaded"));
    QCOMPARE(st.data(LayerListModel::StateRole).toInt(), int(LayerListModel::LoadState::NotLoaded));

    model.setLoading(1, 512, 1024, 1234);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), st);
    QCOMPARE(model.state(1), LayerListModel::LoadState::Loading);
    QCOMPARE(st.data(LayerListModel::ProgressRole).toInt(), 50);
    QCOMPARE(st.data(LayerListModel::EntryCountRole).toInt(), 1234);
    QCOMPARE(st.data().toString(), QStringLiteral("loading 50% \u00b7 1,234 entries"));
    model.setLoading(1, 515, 1024, 1234); // still 50%: no repaint
    QCOMPARE(changed.count(), 1);
    model.setLoading(1, 100, 0);
    QCOMPARE(st.data(LayerListModel::ProgressRole).toInt(), -1);
    QCOMPARE(st.data().toString(), QStringLiteral("loading"));

    model.setListed(1, 20000);
    QCOMPARE(st.data().toString(), QStringLiteral("listed (20,000 entries)"));
    QCOMPARE(st.data(LayerListModel::ProgressRole).toInt(), 100);

    model.setFailed(2, QStringLiteral("digest mismatch"));
    const QModelIndex st2 = model.index(2, LayerListModel::StateColumn);
    QCOMPARE(st2.data().toString(), QStringLiteral("error: digest mismatch"));
    QCOMPARE(st2.data(LayerListModel::ErrorRole).toString(), QStringLiteral("digest mismatch"));
    QVERIFY(st2.data(Qt::ForegroundRole).isValid());

    model.setNotLoaded(2);
    QCOMPARE(model.state(2), LayerListModel::LoadState::NotLoaded);
    QVERIFY(st2.data(LayerListModel::ErrorRole).toString().isEmpty());
    const int before = changed.count();
    model.setListed(7, 1); // out of range: ignored
    model.setFailed(-1, QString());
    QCOMPARE(changed.count(), before);
}

void TestLayerListModel::shortMediaType_data()
{
    QTest::addColumn<QString>("mediaType");
    QTest::addColumn<QString>("shortType");
    QTest::newRow("oci gzip") << QString::fromLatin1(oci::MediaType::OciLayerGzip) << "oci tar+gzip";
    QTest::newRow("oci tar") << QString::fromLatin1(oci::MediaType::OciLayerTar) << "oci tar";
    QTest::newRow("docker gzip") << QString::fromLatin1(oci::MediaType::DockerLayerGzip) << "docker tar+gzip";
    QTest::newRow("docker foreign") << QString::fromLatin1(oci::MediaType::DockerForeignLayerGzip)
                                    << "docker foreign tar+gzip";
    QTest::newRow("nondistributable") << QString::fromLatin1(oci::MediaType::OciLayerNondistGzip)
                                      << "oci nondistributable tar+gzip";
    QTest::newRow("unknown") << "application/x-foo"
                             << "application/x-foo";
}

void TestLayerListModel::shortMediaType()
{
    QFETCH(QString, mediaType);
    QFETCH(QString, shortType);
    QCOMPARE(LayerListModel::shortMediaType(mediaType), shortType);
}

void TestLayerListModel::randomAccessMark()
{
    // Layers read anywhere at once (an index with checkpoints, a TOC) say so in the Listing column and its tooltip.
    LayerListModel model;
    model.setImage(sampleImage());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const QModelIndex st0 = model.index(0, LayerListModel::StateColumn);
    const QModelIndex st1 = model.index(1, LayerListModel::StateColumn);
    model.setRandomAccess(0, 6, QString());
    model.setListed(0, 1234);
    model.setRandomAccess(1, 0, QStringLiteral("estargz"));
    model.setListed(1, 5);
    QCOMPARE(changed.count(), 4);
    QCOMPARE(st0.data().toString(), QStringLiteral("listed (1,234 entries) \u00b7 random access"));
    QCOMPARE(st0.data(LayerListModel::RandomAccessRole).toString(), QStringLiteral("random access: 6 checkpoints"));
    QVERIFY2(st0.data(Qt::ToolTipRole).toString().contains(QLatin1String("random access: 6 checkpoints")),
        qPrintable(st0.data(Qt::ToolTipRole).toString()));
    QVERIFY(!st0.data(Qt::DecorationRole).value<QIcon>().isNull()); // the bolt
    QCOMPARE(st1.data(LayerListModel::RandomAccessRole).toString(), QStringLiteral("random access: eStargz TOC"));
    QVERIFY(st1.data(Qt::ToolTipRole).toString().contains(QLatin1String("eStargz TOC")));
    model.setRandomAccess(1, 0, QStringLiteral("zstd:chunked"));
    QCOMPARE(model.randomAccessText(1), QStringLiteral("random access: zstd:chunked TOC"));
    model.setRandomAccess(0, 1, QString());
    QCOMPARE(model.randomAccessText(0), QStringLiteral("random access: 1 checkpoint"));
    // None: no mark; a layer set back to not loaded loses it.
    model.setListed(2, 3);
    QCOMPARE(model.index(2, LayerListModel::StateColumn).data().toString(), QStringLiteral("listed (3 entries)"));
    QVERIFY(model.randomAccessText(2).isEmpty());
    QVERIFY(!model.index(2, LayerListModel::StateColumn).data(Qt::DecorationRole).isValid());
    model.setNotLoaded(0);
    QVERIFY(model.randomAccessText(0).isEmpty());
}

void TestLayerListModel::emptyAndClear()
{
    LayerListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    oci::Image image = sampleImage();
    image.config.history.clear(); // no history: no steps, no crash
    model.setImage(image);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data(LayerListModel::StepRole).toInt(), -1);
    QVERIFY(model.index(0, LayerListModel::StepColumn).data().toString().isEmpty());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(LayerListModel::shortDigest(QStringLiteral("sha256:0123456789abcdef")), QStringLiteral("0123456789ab"));
}

QTEST_MAIN(TestLayerListModel)
#include "TestLayerListModel.moc"
