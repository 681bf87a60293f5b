// FileFilterProxy: substring / glob / path-glob filters, parents of matches kept, dirs-first sorting, streaming
// with a filter active, and a 200,000-entry tree (timings printed, not asserted).

#include "TreeFixtures.h"
#include "fs/FileNode.h"
#include "fs/LayerTree.h"
#include "models/FileFilterProxy.h"
#include "models/FileTreeModel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace ll;
using namespace ll::test;
using ll::ui::FileFilterProxy;
using ll::ui::FileTreeModel;

namespace {

QStringList L(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *s : items)
        out << QString::fromUtf8(s);
    return out;
}

/** All paths the proxy shows, depth first in proxy order. */
QStringList shownPaths(const QAbstractItemModel &model, const QModelIndex &parent = QModelIndex())
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        out << i.data(FileTreeModel::PathRole).toString();
        out << shownPaths(model, i);
    }
    return out;
}

QStringList childNames(const QAbstractItemModel &model, const QModelIndex &parent = QModelIndex())
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r)
        out << model.index(r, 0, parent).data(FileTreeModel::SortRole).toString();
    return out;
}

void buildSample(fs::LayerTree &tree)
{
    addAll(tree,
        { fileEntry(QStringLiteral("usr/lib/libc.so.6"), 2000000), fileEntry(QStringLiteral("usr/lib/libm.so"), 500),
            fileEntry(QStringLiteral("usr/lib/python3/os.py"), 100), fileEntry(QStringLiteral("usr/bin/Python3"), 9000),
            fileEntry(QStringLiteral("etc/passwd"), 10), fileEntry(QStringLiteral("etc/ld.so.conf"), 20),
            dirEntry(QStringLiteral("etc/ld.so.conf.d")), fileEntry(QStringLiteral("README"), 1),
            fileEntry(QStringLiteral("b.txt"), 5), fileEntry(QStringLiteral("A.txt"), 7),
            dirEntry(QStringLiteral("zdir")), fileEntry(QStringLiteral("lib2/x.so"), 1) });
}

} // namespace

class TestFileFilterProxy : public QObject
{
    Q_OBJECT
private slots:
    void filter_data();
    void filter();
    void clearingShowsAll();
    void sortDirsFirst();
    void sortBySize();
    void streamingWithFilter();
    void bigTree();
};

void TestFileFilterProxy::filter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("shown");
    QTest::addColumn<int>("matches");

    QTest::newRow("substring, case-insensitive")
        << "PYTHON" << L({ "usr", "usr/bin", "usr/bin/Python3", "usr/lib", "usr/lib/python3" }) << 2;
    QTest::newRow("substring keeps parents")
        << "os.py" << L({ "usr", "usr/lib", "usr/lib/python3", "usr/lib/python3/os.py" }) << 1;
    QTest::newRow("glob on names") << "*.so" << L({ "lib2", "lib2/x.so", "usr", "usr/lib", "usr/lib/libm.so" }) << 2;
    QTest::newRow("glob anchored") << "lib*" << L({ "lib2", "usr", "usr/lib", "usr/lib/libc.so.6", "usr/lib/libm.so" })
                                   << 4;
    QTest::newRow("glob ? and class") << "[ab].txt" << L({ "A.txt", "b.txt" }) << 2;
    QTest::newRow("path glob") << "usr/lib/*.so*" << L({ "usr", "usr/lib", "usr/lib/libc.so.6", "usr/lib/libm.so" })
                               << 2;
    QTest::newRow("path glob, leading slash")
        << "/etc/*" << L({ "etc", "etc/ld.so.conf", "etc/ld.so.conf.d", "etc/passwd" }) << 3;
    QTest::newRow("path glob does not cross /") << "/usr/*.py" << L({}) << 0;
    QTest::newRow("path substring") << "/bin/" << L({ "usr", "usr/bin", "usr/bin/Python3" }) << 1;
    QTest::newRow("path substring matches dirs") << "etc/ld" << L({ "etc", "etc/ld.so.conf", "etc/ld.so.conf.d" }) << 2;
    QTest::newRow("no match") << "nothing-like-this" << L({}) << 0;
}

void TestFileFilterProxy::filter()
{
    QFETCH(QString, text);
    QFETCH(QStringList, shown);
    QFETCH(int, matches);
    fs::LayerTree tree(0);
    buildSample(tree);
    FileTreeModel model;
    model.setLayerTree(&tree);
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy applied(&proxy, &FileFilterProxy::filterApplied);
    proxy.setFilterText(text);
    QCOMPARE(applied.count(), 1);
    QVERIFY(proxy.isFiltering());
    QCOMPARE(proxy.matchCount(), matches);
    QStringList got = shownPaths(proxy);
    got.sort();
    QCOMPARE(got, shown);
    QVERIFY(model.fetchAll());
}

void TestFileFilterProxy::clearingShowsAll()
{
    fs::LayerTree tree(0);
    buildSample(tree);
    FileTreeModel model;
    model.setLayerTree(&tree);
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int all = shownPaths(proxy).size();
    QCOMPARE(all, tree.nodeCount());
    proxy.setFilterText(QStringLiteral("passwd"));
    QCOMPARE(shownPaths(proxy).size(), 2);
    proxy.setFilterText(QStringLiteral("  "));
    QVERIFY(!proxy.isFiltering());
    QCOMPARE(proxy.matchCount(), -1);
    QCOMPARE(shownPaths(proxy).size(), all);
    QVERIFY(!model.fetchAll());
    QVERIFY(FileFilterProxy::isGlob(QStringLiteral("a[b")));
    QVERIFY(!FileFilterProxy::isGlob(QStringLiteral("a.b")));
}

void TestFileFilterProxy::sortDirsFirst()
{
    fs::LayerTree tree(0);
    buildSample(tree);
    FileTreeModel model;
    model.setLayerTree(&tree);
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Default: name, ascending, dirs first, case-insensitive.
    QCOMPARE(childNames(proxy), L({ "etc", "lib2", "usr", "zdir", "A.txt", "b.txt", "README" }));
    proxy.sort(FileTreeModel::NameColumn, Qt::DescendingOrder);
    QCOMPARE(childNames(proxy), L({ "zdir", "usr", "lib2", "etc", "README", "b.txt", "A.txt" }));
    proxy.sort(FileTreeModel::NameColumn, Qt::AscendingOrder);
    const QModelIndex etc = proxy.index(0, 0);
    QCOMPARE(childNames(proxy, etc), L({ "ld.so.conf.d", "ld.so.conf", "passwd" }));
}

void TestFileFilterProxy::sortBySize()
{
    fs::LayerTree tree(0);
    buildSample(tree);
    FileTreeModel model;
    model.setLayerTree(&tree);
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.sort(FileTreeModel::SizeColumn, Qt::AscendingOrder);
    QCOMPARE(childNames(proxy), L({ "etc", "lib2", "usr", "zdir", "README", "b.txt", "A.txt" }));
    proxy.sort(FileTreeModel::SizeColumn, Qt::DescendingOrder);
    QCOMPARE(childNames(proxy), L({ "zdir", "usr", "lib2", "etc", "A.txt", "b.txt", "README" }));
}

void TestFileFilterProxy::streamingWithFilter()
{
    fs::LayerTree tree(0);
    addAll(tree, { fileEntry(QStringLiteral("a/one.txt")), fileEntry(QStringLiteral("b/two.log")) });
    FileTreeModel model;
    model.setLayerTree(&tree);
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTreeView view;
    view.setModel(&proxy);
    view.expandAll();
    proxy.setFilterText(QStringLiteral("*.txt"));
    QCOMPARE(shownPaths(proxy), L({ "a", "a/one.txt" }));
    // A match streams into a directory that was hidden (b) and into a new one (c/d).
    addAll(tree,
        { fileEntry(QStringLiteral("b/three.txt")), fileEntry(QStringLiteral("c/d/four.txt")),
            fileEntry(QStringLiteral("c/d/five.log")) });
    model.refresh();
    QTRY_COMPARE(proxy.matchCount(), 3);
    QTRY_COMPARE(shownPaths(proxy), L({ "a", "a/one.txt", "b", "b/three.txt", "c", "c/d", "c/d/four.txt" }));
}

void TestFileFilterProxy::bigTree()
{
    // 200,000 entries: functional check; the timings are for the report (this machine: about one core).
    QElapsedTimer timer;
    timer.start();
    fs::LayerTree tree(0);
    addSynthetic(tree, 200000);
    const qint64 buildTreeMs = timer.restart();
    FileTreeModel model;
    FileFilterProxy proxy;
    proxy.setSourceModel(&model);
    model.setLayerTree(&tree);
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&proxy);
    view.resize(800, 600);
    const int top = proxy.rowCount();
    const qint64 modelMs = timer.restart();
    QCOMPARE(top, 1); // usr

    // Expand usr/share/big (about 50,000 files, paged).
    const QModelIndex usr = proxy.index(0, 0);
    view.expand(usr);
    QModelIndex share;
    for (int r = 0; r < proxy.rowCount(usr); ++r) {
        if (proxy.index(r, 0, usr).data().toString() == QStringLiteral("share"))
            share = proxy.index(r, 0, usr);
    }
    QVERIFY(share.isValid());
    view.expand(share);
    const QModelIndex big = proxy.index(0, 0, share);
    view.expand(big);
    QCOMPARE(proxy.rowCount(big), model.pageSize());
    const qint64 expandMs = timer.restart();
    proxy.prepareFilterIndex(); // what the idle timer does once the source is quiet
    const qint64 indexMs = timer.restart();

    const QStringList keystrokes { QStringLiteral("r"), QStringLiteral("re"), QStringLiteral("rea"),
        QStringLiteral("read"), QStringLiteral("readme1"), QStringLiteral("index.js1*"),
        QStringLiteral("usr/lib/pkg1*/*/*/*.js"), QStringLiteral("") };
    QStringList timings;
    qint64 worst = 0;
    for (const QString &k : keystrokes) {
        timer.restart();
        proxy.setFilterText(k);
        view.expandAll(); // what a window might do with few matches; here just to exercise the proxy
        const qint64 ms = timer.elapsed();
        worst = qMax(worst, proxy.lastFilterMs());
        timings << QStringLiteral("'%1': %2 matches, filter %3 ms, +expandAll %4 ms")
                       .arg(k)
                       .arg(proxy.matchCount())
                       .arg(proxy.lastFilterMs())
                       .arg(ms);
        if (k == QStringLiteral("index.js1*")) {
            int expected = 0;
            for (const fs::FileNode *n : tree.entries())
                expected += n->name.startsWith(QStringLiteral("index.js1")) ? 1 : 0;
            QVERIFY(expected > 0);
            QCOMPARE(proxy.matchCount(), expected);
        }
        if (k.isEmpty())
            break;
        if (k == QStringLiteral("read"))
            view.collapseAll(); // keep the next expandAll meaningful but bounded
    }
    qInfo("200k: tree build %lld ms, model+view set %lld ms, expand a 50k dir (paged) %lld ms, filter index %lld ms",
        buildTreeMs, modelMs, expandMs, indexMs);
    for (const QString &t : std::as_const(timings))
        qInfo("%s", qPrintable(t));
    qInfo("worst filter pass (match + proxy update): %lld ms", worst);
    const QModelIndex bigAgain = proxy.mapFromSource(model.indexForPath(QStringLiteral("usr/share/big")));
    QCOMPARE(proxy.rowCount(bigAgain), tree.find(QStringLiteral("usr/share/big"))->childCount());
}

QTEST_MAIN(TestFileFilterProxy)
#include "TestFileFilterProxy.moc"
