// The file view's "changes of this layer only" mode: the change tree model on crafted layers with whiteouts and
// opaque directories (QAbstractItemModelTester, lazy batches, filter), the analysis as a worker job, and one
// offscreen flow against the harness registry (lab/app:1.0's layer 2 in the file view, the layer list's counts).
#include "MainWindow.h"
#include "TreeFixtures.h"
#include "UiTestEnv.h"
#include "analysis/AnalysisJob.h"
#include "analysis/ChangeTree.h"
#include "analysis/LayerChangesProxy.h"
#include "analysis/LayerChangesTreeModel.h"
#include "analysis/LayerChangesView.h"
#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "models/LayerListModel.h"
#include "widgets/FileBrowser.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;
using Kind = analysis::Change::Kind;

namespace {

/** Every row of a model (fetching as it goes), by path. */
QHash<QString, QModelIndex> walk(QAbstractItemModel *model, const QModelIndex &parent = {})
{
    QHash<QString, QModelIndex> out;
    while (model->canFetchMore(parent))
        model->fetchMore(parent);
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        out.insert(i.data(LayerChangesTreeModel::PathRole).toString(), i);
        out.insert(walk(model, i));
    }
    return out;
}

} // namespace

class TestLayerChangesView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void changeTreeOnCraftedLayers();
    void lazyBatchesAndFilter();
    void analysisJobCancels();
    void changesModeOnRegistryImage();

private:
    void craft();
    std::vector<std::unique_ptr<fs::LayerTree>> m_layers;
};

void TestLayerChangesView::initTestCase()
{
    ll::test::isolateSettings("TestLayerChangesView");
}

void TestLayerChangesView::craft()
{
    m_layers.clear();
    m_layers.push_back(std::make_unique<fs::LayerTree>(0));
    m_layers.push_back(std::make_unique<fs::LayerTree>(1));
    fs::LayerTree &l0 = *m_layers[0];
    fs::LayerTree &l1 = *m_layers[1];
    for (const QString &d : { QStringLiteral("etc"), QStringLiteral("var"), QStringLiteral("var/cache"),
             QStringLiteral("var/cache/apt"), QStringLiteral("var/cache/apt/archives"), QStringLiteral("usr") })
        QVERIFY(l0.addEntry(ll::test::dirEntry(d)).ok());
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("etc/motd"), 36)).ok());
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("etc/passwd"), 100)).ok());
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("var/cache/apt/pkgcache.bin"), 3000)).ok());
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("var/cache/apt/archives/lock"), 5)).ok());
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("usr/old"), 7)).ok());

    // Layer 1: re-writes etc/passwd, whites out etc/motd and usr/old, makes var/cache/apt opaque with one new
    // file, adds a directory with a file, lists etc again unchanged.
    QVERIFY(l1.addEntry(ll::test::dirEntry(QStringLiteral("etc"))).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("etc/passwd"), 120)).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("etc/.wh.motd"), 0)).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("usr/.wh.old"), 0)).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("var/cache/apt/.wh..wh..opq"), 0)).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("var/cache/apt/fresh.bin"), 42)).ok());
    QVERIFY(l1.addEntry(ll::test::dirEntry(QStringLiteral("opt/app"))).ok());
    QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("opt/app/config.yaml"), 64)).ok());
}

void TestLayerChangesView::changeTreeOnCraftedLayers()
{
    craft();
    // The analysis and its change trees come from the worker job.
    analysis::AnalysisJob job({ m_layers[0].get(), m_layers[1].get() });
    QSignalSpy done(&job, &Job::finished);
    job.start();
    QVERIFY(done.wait(60000));
    QCOMPARE(job.state(), Job::State::Succeeded);
    const auto result = job.result();
    QVERIFY(result);
    QCOMPARE(result->trees.size(), size_t(2));

    LayerChangesTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChangeTree(&result->trees[1]);
    const auto rows = walk(&model);

    const auto kindOf = [&](const char *path) {
        const QModelIndex i = rows.value(QString::fromLatin1(path));
        return i.isValid() ? i.data(LayerChangesTreeModel::KindRole).toInt() : -2;
    };
    QCOMPARE(kindOf("etc/passwd"), int(Kind::Modified));
    QCOMPARE(kindOf("etc/motd"), int(Kind::Deleted));
    QCOMPARE(kindOf("usr/old"), int(Kind::Deleted));
    QCOMPARE(kindOf("var/cache/apt/pkgcache.bin"), int(Kind::Deleted)); // hidden by the opaque dir
    QCOMPARE(kindOf("var/cache/apt/archives"), int(Kind::Deleted)); // a directory hidden whole
    QCOMPARE(kindOf("var/cache/apt/fresh.bin"), int(Kind::Added));
    QCOMPARE(kindOf("opt"), -1); // implied by opt/app, not listed: only on the way (as the analysis counts it)
    QCOMPARE(kindOf("opt/app"), int(Kind::Added));
    QCOMPARE(kindOf("opt/app/config.yaml"), int(Kind::Added));
    QCOMPARE(kindOf("etc"), -1); // listed again unchanged: only on the way
    QCOMPARE(kindOf("var/cache/apt"), -1);
    // What is not a change is not shown: etc/group was never there, the archives' lock is inside a hidden dir.
    QVERIFY(!rows.contains(QStringLiteral("var/cache/apt/archives/lock")));
    QCOMPARE(rows.size(), 14);

    // Sizes, marks, colours.
    const QModelIndex passwd = rows.value(QStringLiteral("etc/passwd"));
    const auto cell = [](const QModelIndex &i, int column, int role) { return i.siblingAtColumn(column).data(role); };
    QCOMPARE(cell(passwd, LayerChangesTreeModel::SizeColumn, LayerChangesTreeModel::SortRole).toLongLong(), 120);
    QCOMPARE(cell(passwd, LayerChangesTreeModel::SizeBeforeColumn, LayerChangesTreeModel::SortRole).toLongLong(), 100);
    QCOMPARE(cell(passwd, LayerChangesTreeModel::LayerBeforeColumn, Qt::DisplayRole).toInt(), 0);
    QVERIFY(cell(passwd, LayerChangesTreeModel::ChangeColumn, Qt::DisplayRole).toString().contains(u"modified"));
    const QModelIndex apt = rows.value(QStringLiteral("var/cache/apt/pkgcache.bin"));
    QCOMPARE(cell(apt, LayerChangesTreeModel::SizeBeforeColumn, LayerChangesTreeModel::SortRole).toLongLong(), 3000);
    QVERIFY(cell(apt, LayerChangesTreeModel::ChangeColumn, Qt::DisplayRole).toString().contains(u"deleted"));
    QVERIFY(apt.data(Qt::FontRole).value<QFont>().strikeOut());
    QCOMPARE(LayerChangesTreeModel::nodeOf(apt), nullptr); // nothing of this layer to open
    QCOMPARE(rows.value(QStringLiteral("var/cache/apt/archives"))
                 .siblingAtColumn(LayerChangesTreeModel::SizeBeforeColumn)
                 .data(LayerChangesTreeModel::SortRole)
                 .toLongLong(),
        5); // the bytes of the files it hid
    const QColor added
        = rows.value(QStringLiteral("var/cache/apt/fresh.bin")).data(Qt::ForegroundRole).value<QBrush>().color();
    const QColor deleted = apt.data(Qt::ForegroundRole).value<QBrush>().color();
    QVERIFY(added != deleted);
    QVERIFY(added.green() > added.red());
    QVERIFY(deleted.red() > deleted.green());
    const fs::FileNode *fresh = LayerChangesTreeModel::nodeOf(rows.value(QStringLiteral("var/cache/apt/fresh.bin")));
    QVERIFY(fresh);
    QCOMPARE(fresh->layer, 1);
    QCOMPARE(rows.value(QStringLiteral("etc")).siblingAtColumn(LayerChangesTreeModel::ChangeColumn).data().toString(),
        QStringLiteral("2 below"));

    // Layer 0 added everything it has (its tree's 11 entries).
    model.setChangeTree(&result->trees[0]);
    QCOMPARE(walk(&model).size(), 11);
    model.setChangeTree(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestLayerChangesView::lazyBatchesAndFilter()
{
    fs::LayerTree l0(0), l1(1);
    QVERIFY(l0.addEntry(ll::test::fileEntry(QStringLiteral("keep"), 1)).ok());
    const int n = 2 * LayerChangesTreeModel::BatchSize + 500;
    for (int i = 0; i < n; ++i)
        QVERIFY(l1.addEntry(ll::test::fileEntry(QStringLiteral("big/f%1").arg(i, 5, 10, QLatin1Char('0')), 3)).ok());
    const analysis::ImageAnalysis a = analysis::ImageAnalysis::analyze({ &l0, &l1 });
    const analysis::ChangeTree tree = analysis::ChangeTree::build(l1, a.layers()[1]);

    LayerChangesTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setChangeTree(&tree);
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex big = model.index(0, 0);
    QCOMPARE(big.data().toString(), QStringLiteral("big"));
    QVERIFY(model.hasChildren(big));
    QCOMPARE(model.rowCount(big), 0); // nothing until fetched
    QVERIFY(model.canFetchMore(big));
    model.fetchMore(big);
    QCOMPARE(model.rowCount(big), int(LayerChangesTreeModel::BatchSize));
    model.fetchMore(big);
    model.fetchMore(big);
    QCOMPARE(model.rowCount(big), n);
    QVERIFY(!model.canFetchMore(big));

    // The filter sees every row (the model shows all of them while filtering) and keeps the parents.
    model.setChangeTree(&tree);
    LayerChangesProxy proxy(
        LayerChangesTreeModel::IsDirRole, LayerChangesTreeModel::SortRole, LayerChangesTreeModel::PathRole);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFetchAll(true);
    proxy.setFilterText(QStringLiteral("f02499"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 1);
    QCOMPARE(proxy.index(0, 0, proxy.index(0, 0)).data(LayerChangesTreeModel::PathRole).toString(),
        QStringLiteral("big/f02499"));
    proxy.setFilterText(QStringLiteral("big/f0000?"));
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 10);
    proxy.setFilterText(QStringLiteral("nothing"));
    QCOMPARE(proxy.rowCount(), 0);
    // indexOfNode fetches on the way.
    model.setFetchAll(false);
    model.setChangeTree(&tree);
    const QModelIndex last = model.indexOfNode(tree.size() - 1);
    QVERIFY(last.isValid());
    QCOMPARE(last.data(LayerChangesTreeModel::PathRole).toString(),
        QStringLiteral("big/f%1").arg(n - 1, 5, 10, QLatin1Char('0')));
}

void TestLayerChangesView::analysisJobCancels()
{
    craft();
    // Cancelled from the start, then a stop-and-wait while running: both end as cancelled, with no result.
    analysis::AnalysisJob job({ m_layers[0].get(), m_layers[1].get() });
    QSignalSpy done(&job, &Job::finished);
    job.start();
    job.stopAndWait();
    QCOMPARE(job.state(), Job::State::Cancelled);
    QCOMPARE(done.count(), 1);
    QVERIFY(!job.result());
}

void TestLayerChangesView::changesModeOnRegistryImage()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.resize(1280, 800);
    w.show();
    FileBrowser *browser = w.fileBrowser();
    QVERIFY(browser->changesView());
    QVERIFY(w.openReference(Harness::instance().reference(QStringLiteral("lab/app:1.0"))));

    // The layer list shows each layer's counts once the analysis (a job in the panel) is done.
    LayerListModel *layers = w.layerModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        !layers->index(2, LayerListModel::ChangesColumn).data(LayerListModel::ChangeCountsRole).toList().isEmpty(),
        60000);
    // lab/app:1.0 layer 2 (tests/support/llharness/fixtures.py, app_layers): adds var/cache/apt/fresh.bin (43 bytes),
    // whites out etc/motd, its opaque var/cache/apt hides pkgcache.bin, srcpkgcache.bin and archives.
    const QString text = layers->index(2, LayerListModel::ChangesColumn).data().toString();
    QVERIFY2(text.startsWith(QStringLiteral("+1 ")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("\u22124")), qPrintable(text));
    QVERIFY2(text.endsWith(QStringLiteral("43 B")), qPrintable(text));

    // Layer 2 in the file view, then the Changes toggle.
    browser->showLayer(2);
    QVERIFY(!browser->isChangesMode());
    QVERIFY(browser->changesToggle()->isVisible());
    browser->changesToggle()->click();
    QVERIFY(browser->isChangesMode());
    LayerChangesView *changes = browser->changesView();
    QTRY_VERIFY(changes->isVisible());
    QVERIFY2(changes->summaryText().contains(QStringLiteral("−4 deleted")), qPrintable(changes->summaryText()));
    QAbstractItemModelTester tester(changes->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto rows = walk(changes->proxy());
    QCOMPARE(rows.value(QStringLiteral("etc/motd")).data(LayerChangesTreeModel::KindRole).toInt(), int(Kind::Deleted));
    QCOMPARE(rows.value(QStringLiteral("var/cache/apt/archives")).data(LayerChangesTreeModel::KindRole).toInt(),
        int(Kind::Deleted));
    QVERIFY(!rows.contains(QStringLiteral("etc/passwd"))); // layer 1's change, not this one's

    // Selecting the added file: the window's file actions act on it (the layer's node).
    const QModelIndex fresh = rows.value(QStringLiteral("var/cache/apt/fresh.bin"));
    QVERIFY(fresh.isValid());
    changes->view()->setCurrentIndex(fresh);
    changes->view()->selectionModel()->select(fresh, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(browser->selectedPaths(), QStringList { QStringLiteral("var/cache/apt/fresh.bin") });
    QVERIFY(w.previewAction()->isEnabled());

    // The filter box filters the changes.
    browser->setFilterText(QStringLiteral("*.bin"));
    const auto filtered = walk(changes->proxy());
    QVERIFY(filtered.contains(QStringLiteral("var/cache/apt/pkgcache.bin")));
    QVERIFY(!filtered.contains(QStringLiteral("etc/motd")));
    browser->setFilterText(QString());

    // Another layer follows; the merged view has no changes of its own (the tree comes back).
    browser->showLayer(1);
    QVERIFY(browser->isChangesMode());
    QVERIFY(walk(changes->proxy()).contains(QStringLiteral("etc/passwd")));
    browser->showMerged();
    QVERIFY(!browser->isChangesMode());
    QVERIFY(browser->view()->isVisible());

    // Closing the image drops what pointed into its trees.
    browser->showLayer(2);
    w.imageController()->close();
    QCOMPARE(changes->model()->rowCount(), 0);
    QVERIFY(layers->rowCount() == 0
        || layers->index(0, LayerListModel::ChangesColumn).data(LayerListModel::ChangeCountsRole).toList().isEmpty());
}

QTEST_MAIN(TestLayerChangesView)
#include "TestLayerChangesView.moc"
