// The layer changes & efficiency dock: its models on crafted layers (QAbstractItemModelTester, lazy paging),
// and one flow against the harness registry: open lab/app:1.0, read the figures, open a wasted file.
#include "MainWindow.h"
#include "UiTestEnv.h"
#include "analysis/AnalysisController.h"
#include "analysis/EfficiencyPanel.h"
#include "analysis/ImageAnalysis.h"
#include "analysis/LayerChangesModel.h"
#include "analysis/WastedFilesModel.h"
#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "widgets/FileBrowser.h"

#include <QAbstractItemModelTester>
#include <QTableView>
#include <QTest>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;

namespace {

stream::TarEntry file(const QString &path, qint64 size)
{
    stream::TarEntry e;
    e.path = path;
    e.type = stream::TarEntry::Type::File;
    e.size = size;
    e.mode = 0644;
    return e;
}

} // namespace

class TestEfficiencyPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelsOnCraftedLayers();
    void openImageShowsFiguresAndOpensWastedFile();
};

void TestEfficiencyPanel::initTestCase()
{
    ll::test::isolateSettings("TestEfficiencyPanel");
}

void TestEfficiencyPanel::modelsOnCraftedLayers()
{
    // Layer 0: 300 files of 10 bytes and keep (1 byte), 301 added (d is implied, not listed); layer 1 writes the 300
    // again with 11 bytes and whites out keep: 301 wasted paths, more than one page.
    fs::LayerTree l0(0), l1(1);
    for (int i = 0; i < 300; ++i) {
        QVERIFY(l0.addEntry(file(QStringLiteral("d/f%1").arg(i, 3, 10, QLatin1Char('0')), 10)).ok());
        QVERIFY(l1.addEntry(file(QStringLiteral("d/f%1").arg(i, 3, 10, QLatin1Char('0')), 11)).ok());
    }
    QVERIFY(l0.addEntry(file(QStringLiteral("keep"), 1)).ok());
    QVERIFY(l1.addEntry(file(QStringLiteral(".wh.keep"), 0)).ok());
    const analysis::ImageAnalysis a = analysis::ImageAnalysis::analyze({ &l0, &l1 });

    LayerChangesModel layers;
    QAbstractItemModelTester layersTester(&layers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    layers.setLayers(&a.layers());
    QCOMPARE(layers.rowCount(), 2);
    QCOMPARE(layers.index(0, LayerChangesModel::AddedColumn).data(LayerChangesModel::SortRole).toLongLong(), 301);
    QCOMPARE(layers.index(1, LayerChangesModel::ModifiedColumn).data(LayerChangesModel::SortRole).toLongLong(), 300);
    QCOMPARE(layers.index(1, LayerChangesModel::DeletedColumn).data(LayerChangesModel::SortRole).toLongLong(), 1);
    QCOMPARE(layers.index(1, LayerChangesModel::DeletedBytesColumn).data(LayerChangesModel::SortRole).toLongLong(), 1);
    layers.setLayers(nullptr);
    QCOMPARE(layers.rowCount(), 0);

    WastedFilesModel wasted;
    QAbstractItemModelTester wastedTester(&wasted, QAbstractItemModelTester::FailureReportingMode::QtTest);
    wasted.setPaths(&a.efficiency().wasted);
    QCOMPARE(wasted.totalCount(), 301);
    QCOMPARE(wasted.rowCount(), WastedFilesModel::PageSize); // lazy
    QVERIFY(wasted.canFetchMore({}));
    wasted.fetchMore({});
    QCOMPARE(wasted.rowCount(), 301);
    QVERIFY(!wasted.canFetchMore({}));
    // Most bytes first: 10 + 11 = 21 for each d/f*, keep 1 last.
    QCOMPARE(wasted.index(0, WastedFilesModel::PathColumn).data().toString(), QStringLiteral("d/f000"));
    QCOMPARE(wasted.index(0, WastedFilesModel::LayersColumn).data().toString(), QStringLiteral("0, 1"));
    QCOMPARE(wasted.index(300, WastedFilesModel::PathColumn).data(WastedFilesModel::PathRole).toString(),
        QStringLiteral("keep"));
}

void TestEfficiencyPanel::openImageShowsFiguresAndOpensWastedFile()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    auto *panel = w.findChild<EfficiencyPanel *>(QStringLiteral("efficiencyPanel"));
    QVERIFY(panel);
    QVERIFY(w.openReference(Harness::instance().reference(QStringLiteral("lab/app:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(panel->summaryText().startsWith(QLatin1String("Efficiency")), 60000);

    // What lab/app:1.0's layers did (tests/support/llharness/fixtures.py, app_layers; the CLI test checks the
    // same figures against dive's arithmetic): layer 2 whites out etc/motd and hides three entries of
    // var/cache/apt; six paths are wasted, the apt caches the biggest.
    QCOMPARE(panel->layerModel()->rowCount(), 4);
    QCOMPARE(
        panel->layerModel()->index(2, LayerChangesModel::DeletedColumn).data(LayerChangesModel::SortRole).toLongLong(),
        4);
    QCOMPARE(
        panel->layerModel()->index(1, LayerChangesModel::ModifiedColumn).data(LayerChangesModel::SortRole).toLongLong(),
        2);
    WastedFilesModel *wasted = panel->wastedModel();
    QCOMPARE(wasted->rowCount(), 6);
    QCOMPARE(
        wasted->index(0, WastedFilesModel::PathColumn).data().toString(), QStringLiteral("var/cache/apt/pkgcache.bin"));

    // Activating etc/passwd (written in layers 0 and 1) shows it in the merged file view.
    int row = -1;
    for (int r = 0; r < wasted->rowCount(); ++r) {
        if (wasted->index(r, WastedFilesModel::PathColumn).data().toString() == QLatin1String("etc/passwd"))
            row = r;
    }
    QVERIFY(row >= 0);
    w.fileBrowser()->showLayer(0);
    emit panel->wastedView()->activated(wasted->index(row, WastedFilesModel::PathColumn));
    QCOMPARE(w.fileBrowser()->currentLayer(), -1);
    QCOMPARE(w.fileBrowser()->selectedPaths(), QStringList { QStringLiteral("etc/passwd") });

    // Closing the image drops the analysis (it pointed into the layer trees).
    w.imageController()->close();
    QCOMPARE(wasted->rowCount(), 0);
    QVERIFY(!panel->summaryText().startsWith(QLatin1String("Efficiency")));
}

QTEST_MAIN(TestEfficiencyPanel)
#include "TestEfficiencyPanel.moc"
