// FileTreeModel over hand-built layer trees and a merged tree: structure, columns, roles, whiteout/overwrite
// marks, paging, streaming refresh, and QAbstractItemModelTester throughout.

#include "TreeFixtures.h"
#include "fs/FileNode.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "models/FileFilterProxy.h"
#include "models/FileTreeModel.h"
#include "models/TreeExpansionKeeper.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace ll;
using namespace ll::test;
using ll::ui::FileTreeModel;

namespace {

/** Index of path's name column, walking the model by names (not via indexForPath). */
QModelIndex findByPath(const QAbstractItemModel &model, const QString &path)
{
    QModelIndex parent;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (const QString &part : parts) {
        QModelIndex next;
        for (int r = 0; r < model.rowCount(parent); ++r) {
            const QModelIndex i = model.index(r, 0, parent);
            if (i.data(FileTreeModel::NodeRole).value<const fs::FileNode *>()->name == part) {
                next = i;
                break;
            }
        }
        if (!next.isValid())
            return QModelIndex();
        parent = next;
    }
    return parent;
}

QString cell(const QAbstractItemModel &model, const QString &path, int column, int role = Qt::DisplayRole)
{
    const QModelIndex i = findByPath(model, path);
    return i.isValid() ? i.siblingAtColumn(column).data(role).toString() : QStringLiteral("<missing>");
}

} // namespace

class TestFileTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void emptyModel();
    void structureAndColumns();
    void columns_data();
    void columns();
    void perLayerMarks();
    void mergedMarks();
    void paging();
    void streamingAppends();
    void streamingWithTesterAndProxy();
    void dirReplacedByFileResets();
    void indexForPath();
    void expansionKeptAcrossMergedReset();
};

void TestFileTreeModel::emptyModel()
{
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(FileTreeModel::ColumnCount));
    QCOMPARE(model.mode(), FileTreeModel::Mode::Empty);
    model.refresh(); // no-op
    fs::LayerTree tree(0);
    model.setLayerTree(&tree);
    QCOMPARE(model.rowCount(), 0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestFileTreeModel::structureAndColumns()
{
    fs::LayerTree tree(0);
    addAll(tree,
        { dirEntry(QStringLiteral("etc")), fileEntry(QStringLiteral("etc/passwd"), 1234),
            fileEntry(QStringLiteral("usr/bin/env"), 40000, 0755),
            linkEntry(QStringLiteral("bin"), QStringLiteral("usr/bin")) });
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLayerTree(&tree);
    QCOMPARE(model.mode(), FileTreeModel::Mode::Layer);
    QCOMPARE(model.rowCount(), 3); // etc, usr, bin (archive order)
    const QModelIndex usr = findByPath(model, QStringLiteral("usr"));
    QVERIFY(usr.isValid());
    QVERIFY(model.hasChildren(usr));
    QCOMPARE(model.rowCount(usr), 1);
    const QModelIndex env = findByPath(model, QStringLiteral("usr/bin/env"));
    QVERIFY(env.isValid());
    QCOMPARE(model.parent(env).data().toString(), QStringLiteral("bin"));
    QCOMPARE(model.parent(model.parent(env)), usr);
    QVERIFY(!model.hasChildren(env));
    QVERIFY(model.flags(env) & Qt::ItemNeverHasChildren);
    QVERIFY(model.flags(env) & Qt::ItemIsDragEnabled);
    QVERIFY(model.flags(usr) & Qt::ItemIsDragEnabled);
    QCOMPARE(env.data(FileTreeModel::PathRole).toString(), QStringLiteral("usr/bin/env"));
    QCOMPARE(env.data(FileTreeModel::LayerRole).toInt(), 0);
    QCOMPARE(env.data(FileTreeModel::IsDirRole).toBool(), false);
    QCOMPARE(usr.data(FileTreeModel::IsDirRole).toBool(), true);
    QCOMPARE(env.data(FileTreeModel::NodeRole).value<const fs::FileNode *>(), tree.find(QStringLiteral("usr/bin/env")));
    QCOMPARE(FileTreeModel::nodeOf(env.siblingAtColumn(3)), tree.find(QStringLiteral("usr/bin/env")));
    QVERIFY(!env.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(!usr.data(Qt::DecorationRole).value<QIcon>().isNull());
    // Implicit dirs are explained.
    QVERIFY(usr.data(Qt::ToolTipRole).toString().contains(QStringLiteral("not listed")));
    QCOMPARE(usr.data(FileTreeModel::StatusRole).toInt(), int(FileTreeModel::NodeStatus::ImplicitDir));
    QCOMPARE(model.headerData(FileTreeModel::OwnerColumn, Qt::Horizontal).toString(), QStringLiteral("Owner"));
    QCOMPARE(model.indexForNode(tree.find(QStringLiteral("usr/bin"))), model.parent(env));
}

void TestFileTreeModel::columns_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QVariant>("sort");

    QTest::newRow("name") << "etc/passwd" << int(FileTreeModel::NameColumn) << "passwd"
                          << QVariant(QStringLiteral("passwd"));
    QTest::newRow("size human") << "etc/passwd" << int(FileTreeModel::SizeColumn) << "1.5 KiB" << QVariant(qint64(1536));
    QTest::newRow("size dir empty") << "etc" << int(FileTreeModel::SizeColumn) << "" << QVariant(qint64(0));
    QTest::newRow("mode file") << "etc/passwd" << int(FileTreeModel::ModeColumn) << "-rw-r--r--"
                               << QVariant(quint32(0644));
    QTest::newRow("mode setuid") << "usr/bin/su" << int(FileTreeModel::ModeColumn) << "-rwsr-xr-x"
                                 << QVariant(quint32(04755));
    QTest::newRow("mode dir") << "etc" << int(FileTreeModel::ModeColumn) << "drwxr-xr-x" << QVariant(quint32(0755));
    QTest::newRow("mode link") << "bin" << int(FileTreeModel::ModeColumn) << "lrwxrwxrwx" << QVariant(quint32(0777));
    QTest::newRow("owner names") << "etc/passwd" << int(FileTreeModel::OwnerColumn) << "root:root"
                                 << QVariant(QStringLiteral("root:root"));
    QTest::newRow("owner ids") << "home/u/f" << int(FileTreeModel::OwnerColumn) << "1000:100"
                               << QVariant(QStringLiteral("1000:100"));
    QTest::newRow("link name") << "bin" << int(FileTreeModel::NameColumn) << QStringLiteral("bin \u2192 usr/bin")
                               << QVariant(QStringLiteral("bin"));
    QTest::newRow("layer") << "etc/passwd" << int(FileTreeModel::LayerColumn) << "3" << QVariant(3);
    QTest::newRow("mtime sort")
        << "etc/passwd" << int(FileTreeModel::ModifiedColumn)
        << QDateTime::fromSecsSinceEpoch(1700000000).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
        << QVariant(qint64(1700000000));
}

void TestFileTreeModel::columns()
{
    QFETCH(QString, path);
    QFETCH(int, column);
    QFETCH(QString, display);
    QFETCH(QVariant, sort);
    fs::LayerTree tree(3);
    stream::TarEntry owned = fileEntry(QStringLiteral("home/u/f"), 5);
    owned.uid = 1000;
    owned.gid = 100;
    owned.uname.clear();
    owned.gname.clear();
    addAll(tree,
        { dirEntry(QStringLiteral("etc")), fileEntry(QStringLiteral("etc/passwd"), 1536),
            fileEntry(QStringLiteral("usr/bin/su"), 10, 04755),
            linkEntry(QStringLiteral("bin"), QStringLiteral("usr/bin")), owned });
    FileTreeModel model;
    model.setLayerTree(&tree);
    QCOMPARE(cell(model, path, column), display);
    const QModelIndex i = findByPath(model, path).siblingAtColumn(column);
    QCOMPARE(i.data(FileTreeModel::SortRole), sort);
}

void TestFileTreeModel::perLayerMarks()
{
    // layer 0: a/x a/y a/keep d/old, layer 1: overwrites a/x, deletes a/y, makes d opaque, layer 2: deletes a/keep
    fs::LayerTree l0(0), l1(1), l2(2);
    addAll(l0,
        { dirEntry(QStringLiteral("a")), fileEntry(QStringLiteral("a/x"), 1), fileEntry(QStringLiteral("a/y"), 2),
            fileEntry(QStringLiteral("a/keep"), 3), fileEntry(QStringLiteral("d/old"), 4) });
    addAll(l1,
        { fileEntry(QStringLiteral("a/x"), 10), fileEntry(QStringLiteral("a/.wh.y")),
            fileEntry(QStringLiteral("d/.wh..wh..opq")), fileEntry(QStringLiteral("d/new"), 5),
            fileEntry(QStringLiteral("e/.wh.z")), fileEntry(QStringLiteral("e/z"), 1) });
    addAll(l2, { fileEntry(QStringLiteral("a/.wh.keep")) });
    const std::vector<const fs::LayerTree *> stack { &l0, &l1, &l2 };

    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLayerTree(&l0);
    // Without the stack nothing is known about later layers.
    QCOMPARE(cell(model, QStringLiteral("a/x"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::Normal));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setLayerStack(stack);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(model, QStringLiteral("a/x"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::OverwrittenLater));
    QVERIFY(cell(model, QStringLiteral("a/x"), 0, Qt::ToolTipRole).contains(QStringLiteral("overwritten by layer 1")));
    QCOMPARE(cell(model, QStringLiteral("a/y"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::DeletedLater));
    QVERIFY(cell(model, QStringLiteral("a/y"), 0, Qt::ToolTipRole).contains(QStringLiteral("deleted by layer 1")));
    QVERIFY(cell(model, QStringLiteral("a/keep"), 0, Qt::ToolTipRole).contains(QStringLiteral("deleted by layer 2")));
    QVERIFY(cell(model, QStringLiteral("d/old"), 0, Qt::ToolTipRole).contains(QStringLiteral("deleted by layer 1")));
    const QModelIndex y = findByPath(model, QStringLiteral("a/y"));
    QVERIFY(y.data(Qt::FontRole).value<QFont>().strikeOut());
    QVERIFY(y.data(Qt::ForegroundRole).isValid()); // greyed
    QVERIFY(findByPath(model, QStringLiteral("a/x")).data(Qt::ForegroundRole).isValid());
    // The dir a itself stays visible (merged with layer 1's a).
    QCOMPARE(
        cell(model, QStringLiteral("a"), 0, FileTreeModel::StatusRole).toInt(), int(FileTreeModel::NodeStatus::Normal));
    QVERIFY(!findByPath(model, QStringLiteral("a")).data(Qt::ForegroundRole).isValid());

    model.setLayerTree(&l1);
    model.setLayerStack(stack);
    const QModelIndex marker = findByPath(model, QStringLiteral("a/y"));
    QVERIFY(marker.isValid());
    QCOMPARE(marker.data(FileTreeModel::StatusRole).toInt(), int(FileTreeModel::NodeStatus::DeletedHere));
    QVERIFY(marker.data(Qt::ToolTipRole).toString().contains(QStringLiteral("deleted by this layer")));
    QVERIFY(marker.data(Qt::FontRole).value<QFont>().strikeOut());
    QVERIFY(!(model.flags(marker) & Qt::ItemIsDragEnabled));
    QCOMPARE(marker.siblingAtColumn(FileTreeModel::SizeColumn).data().toString(), QString());
    const QModelIndex d = findByPath(model, QStringLiteral("d"));
    QCOMPARE(d.data(FileTreeModel::StatusRole).toInt(), int(FileTreeModel::NodeStatus::Opaque));
    QVERIFY(d.data(Qt::ToolTipRole).toString().contains(QStringLiteral("opaque")));
    QCOMPARE(cell(model, QStringLiteral("e/z"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::RecreatedHere));
    QCOMPARE(cell(model, QStringLiteral("a/x"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::Normal));
    QCOMPARE(cell(model, QStringLiteral("a/x"), FileTreeModel::LayerColumn), QStringLiteral("1"));

    // The top layer: nothing above it.
    model.setLayerTree(&l2);
    model.setLayerStack(stack);
    QCOMPARE(cell(model, QStringLiteral("a/keep"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::DeletedHere));
}

void TestFileTreeModel::mergedMarks()
{
    fs::LayerTree l0(0), l1(1);
    addAll(l0,
        { fileEntry(QStringLiteral("etc/conf"), 1), fileEntry(QStringLiteral("etc/old"), 1),
            fileEntry(QStringLiteral("bin/sh"), 7) });
    addAll(l1,
        { fileEntry(QStringLiteral("etc/conf"), 2), fileEntry(QStringLiteral("etc/.wh.old")),
            fileEntry(QStringLiteral("etc/new"), 3) });
    fs::MergedTree merged;
    merged.addLayer(l0);
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMergedTree(&merged);
    QCOMPARE(model.mode(), FileTreeModel::Mode::Merged);
    QVERIFY(findByPath(model, QStringLiteral("etc/old")).isValid());
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    merged.addLayer(l1);
    model.refresh();
    QCOMPARE(resets.count(), 1);
    QVERIFY(!findByPath(model, QStringLiteral("etc/old")).isValid());
    const QModelIndex conf = findByPath(model, QStringLiteral("etc/conf"));
    QCOMPARE(conf.data(FileTreeModel::StatusRole).toInt(), int(FileTreeModel::NodeStatus::ReplacedLower));
    QVERIFY(conf.data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(conf.data(Qt::ToolTipRole).toString().contains(QStringLiteral("replaces a copy from a lower layer")));
    QCOMPARE(conf.siblingAtColumn(FileTreeModel::LayerColumn).data().toInt(), 1);
    QCOMPARE(cell(model, QStringLiteral("bin/sh"), FileTreeModel::LayerColumn), QStringLiteral("0"));
    QCOMPARE(cell(model, QStringLiteral("etc/new"), 0, FileTreeModel::StatusRole).toInt(),
        int(FileTreeModel::NodeStatus::Normal));
    QVERIFY(!findByPath(model, QStringLiteral("etc/new")).data(Qt::FontRole).isValid());
}

void TestFileTreeModel::paging()
{
    fs::LayerTree tree(0);
    for (int i = 0; i < 2500; ++i)
        (void)tree.addEntry(fileEntry(QStringLiteral("big/f%1").arg(i)));
    FileTreeModel model;
    model.setPageSize(1000);
    model.setLayerTree(&tree);
    const QModelIndex big = model.index(0, 0);
    QCOMPARE(model.rowCount(big), 1000);
    QVERIFY(model.canFetchMore(big));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.fetchMore(big);
    QCOMPARE(model.rowCount(big), 2000);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1000);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1999);
    model.fetchMore(big);
    QCOMPARE(model.rowCount(big), 2500);
    QVERIFY(!model.canFetchMore(big));
    model.fetchMore(big); // nothing left: no-op
    QCOMPARE(inserted.count(), 2);

    // A row beyond the page is reachable by path (the page grows).
    FileTreeModel paged;
    paged.setLayerTree(&tree);
    QCOMPARE(paged.rowCount(paged.index(0, 0)), 1000);
    const QModelIndex far = paged.indexForPath(QStringLiteral("big/f2100"));
    QVERIFY(far.isValid());
    QCOMPARE(far.data().toString(), QStringLiteral("f2100"));
    QCOMPARE(paged.rowCount(paged.index(0, 0)), 2101);
    paged.setFetchAll(true);
    QCOMPARE(paged.rowCount(paged.index(0, 0)), 2500);
    QVERIFY(!paged.canFetchMore(paged.index(0, 0)));
    paged.setFetchAll(false);
    QCOMPARE(paged.rowCount(paged.index(0, 0)), 2500);

    // The model tester while pages are fetched, by it and by us. (It is created after setLayerTree(): it
    // fetches more itself while handling a reset, before it has recorded the reset as finished.)
    FileTreeModel tested;
    tested.setPageSize(700);
    tested.setLayerTree(&tree);
    QAbstractItemModelTester tester(&tested, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex b = tested.index(0, 0);
    while (tested.canFetchMore(b))
        tested.fetchMore(b);
    QCOMPARE(tested.rowCount(b), 2500);
    QVERIFY(tested.indexForPath(QStringLiteral("big/f2499")).isValid());
}

void TestFileTreeModel::streamingAppends()
{
    fs::LayerTree tree(0);
    addAll(tree, { fileEntry(QStringLiteral("etc/a")), fileEntry(QStringLiteral("usr/bin/x")) });
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLayerTree(&tree);
    const QModelIndex etc = findByPath(model, QStringLiteral("etc"));
    QCOMPARE(model.rowCount(etc), 1);
    // The tree grows; the model still answers what the views know until refresh().
    addAll(tree,
        { fileEntry(QStringLiteral("etc/b")), fileEntry(QStringLiteral("etc/c")),
            fileEntry(QStringLiteral("var/log/z")) });
    QCOMPARE(model.rowCount(etc), 1);
    QCOMPARE(model.rowCount(), 2);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.refresh();
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 2); // 2 rows under etc, 1 at the top
    QCOMPARE(model.rowCount(etc), 3);
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(findByPath(model, QStringLiteral("var/log/z")).isValid());
    QCOMPARE(model.index(2, 0, etc).data().toString(), QStringLiteral("c"));
    model.refresh(); // nothing new: nothing emitted
    QCOMPARE(inserted.count(), 2);
}

void TestFileTreeModel::streamingWithTesterAndProxy()
{
    // Batches arrive as from LayerScanJob; a view-like walk touches every dir between refreshes.
    fs::LayerTree tree(0);
    FileTreeModel model;
    model.setPageSize(20);
    ui::FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLayerTree(&tree);
    std::function<int(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        int n = proxy.rowCount(parent);
        int total = n;
        for (int r = 0; r < n; ++r)
            total += walk(proxy.index(r, 0, parent));
        return total;
    };
    // Small on purpose: the testers walk the whole model on every signal.
    for (int batch = 0; batch < 4; ++batch) {
        addSynthetic(tree, 60, batch * 60);
        model.refresh();
        QVERIFY(walk(QModelIndex()) > 0);
    }
    proxy.setFilterText(QStringLiteral("readme"));
    for (int batch = 4; batch < 7; ++batch) {
        addSynthetic(tree, 60, batch * 60);
        model.refresh();
        walk(QModelIndex());
    }
    // Streamed matches show up once the proxy re-matched (coalesced timer).
    std::function<int(const QModelIndex &)> shownMatches = [&](const QModelIndex &parent) {
        int total = 0;
        for (int r = 0; r < proxy.rowCount(parent); ++r) {
            const QModelIndex i = proxy.index(r, 0, parent);
            total += i.data().toString().contains(QStringLiteral("readme"), Qt::CaseInsensitive) ? 1 : 0;
            total += shownMatches(i);
        }
        return total;
    };
    int expected = 0;
    for (const fs::FileNode *n : tree.entries())
        expected += n->name.contains(QStringLiteral("readme"), Qt::CaseInsensitive) ? 1 : 0;
    QVERIFY(expected > 0);
    QTRY_COMPARE(proxy.matchCount(), expected);
    QCOMPARE(shownMatches(QModelIndex()), expected);
    proxy.setFilterText(QString());
    QCOMPARE(walk(QModelIndex()), tree.nodeCount());
}

void TestFileTreeModel::dirReplacedByFileResets()
{
    fs::LayerTree tree(0);
    addAll(tree,
        { fileEntry(QStringLiteral("a/one")), fileEntry(QStringLiteral("a/two")), fileEntry(QStringLiteral("b")) });
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLayerTree(&tree);
    QCOMPARE(model.rowCount(findByPath(model, QStringLiteral("a"))), 2);
    // "a" becomes a file (drops its children), then a dir again with other children.
    addAll(tree,
        { fileEntry(QStringLiteral("a"), 5), fileEntry(QStringLiteral("a/three")), fileEntry(QStringLiteral("a/four")),
            fileEntry(QStringLiteral("a/five")) });
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy withReset(&model, &FileTreeModel::refreshedWithReset);
    model.refresh();
    QCOMPARE(resets.count(), 1);
    QCOMPARE(withReset.count(), 1);
    const QModelIndex a = findByPath(model, QStringLiteral("a"));
    QCOMPARE(model.rowCount(a), 3);
    QCOMPARE(model.index(0, 0, a).data().toString(), QStringLiteral("three"));
}

void TestFileTreeModel::indexForPath()
{
    fs::LayerTree tree(0);
    addAll(tree, { fileEntry(QStringLiteral("x/y/z")), fileEntry(QStringLiteral("x/w")) });
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!model.indexForPath(QStringLiteral("x")).isValid());
    model.setLayerTree(&tree);
    const QModelIndex z = model.indexForPath(QStringLiteral("x/y/z"));
    QVERIFY(z.isValid());
    QCOMPARE(z.data(FileTreeModel::PathRole).toString(), QStringLiteral("x/y/z"));
    QCOMPARE(z, findByPath(model, QStringLiteral("x/y/z")));
    QVERIFY(!model.indexForPath(QStringLiteral("x/nope")).isValid());
    QVERIFY(!model.indexForPath(QStringLiteral(".")).isValid());
}

void TestFileTreeModel::expansionKeptAcrossMergedReset()
{
    fs::LayerTree l0(0), l1(1);
    addAll(l0, { fileEntry(QStringLiteral("usr/lib/a")), fileEntry(QStringLiteral("etc/x")) });
    addAll(l1, { fileEntry(QStringLiteral("usr/lib/b")), fileEntry(QStringLiteral("opt/y")) });
    fs::MergedTree merged;
    merged.addLayer(l0);
    FileTreeModel model;
    ui::FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    model.setMergedTree(&merged);
    QTreeView view;
    view.setModel(&proxy);
    ui::TreeExpansionKeeper keeper(&view, &model);
    view.expand(keeper.viewIndexForPath(QStringLiteral("usr")));
    view.expand(keeper.viewIndexForPath(QStringLiteral("usr/lib")));
    view.setCurrentIndex(keeper.viewIndexForPath(QStringLiteral("usr/lib/a")));
    QCOMPARE(keeper.expandedPaths(), QStringList({ QStringLiteral("usr"), QStringLiteral("usr/lib") }));
    merged.addLayer(l1);
    model.refresh(); // resets
    QVERIFY(view.isExpanded(keeper.viewIndexForPath(QStringLiteral("usr"))));
    QVERIFY(view.isExpanded(keeper.viewIndexForPath(QStringLiteral("usr/lib"))));
    QVERIFY(!view.isExpanded(keeper.viewIndexForPath(QStringLiteral("etc"))));
    QCOMPARE(view.currentIndex().data(FileTreeModel::PathRole).toString(), QStringLiteral("usr/lib/a"));
    QCOMPARE(keeper.expandedPaths(), QStringList({ QStringLiteral("usr"), QStringLiteral("usr/lib") }));
}

QTEST_MAIN(TestFileTreeModel)
#include "TestFileTreeModel.moc"
