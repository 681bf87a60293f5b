// The compare view: DiffTreeModel on crafted layers (QAbstractItemModelTester: kinds, sizes, a type change, the
// filter) and one offscreen flow against the harness registry: lab/app:1.0 vs lab/app:1.1 compared as the harness's
// own merged views say, the summary, both sides' copy of a changed file previewed, Compare with from the navigator.
#include "MainWindow.h"
#include "TreeFixtures.h"
#include "UiTestEnv.h"
#include "analysis/DiffTree.h"
#include "analysis/ImageDiff.h"
#include "analysis/LayerChangesProxy.h"
#include "compare/CompareController.h"
#include "compare/CompareWindow.h"
#include "compare/DiffTreeModel.h"
#include "controllers/ImageController.h"
#include "dialogs/PreviewDialog.h"
#include "fs/LayerTree.h"
#include "navigator/NavigatorController.h"
#include "navigator/NavigatorPanel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTreeView>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;
using Change = analysis::DiffEntry::Change;

namespace {

/** Every row of a tree model (fetching as it goes): path -> change (-1 for a directory on the way). */
QMap<QString, int> walk(QAbstractItemModel *model, const QModelIndex &parent = {})
{
    QMap<QString, int> out;
    while (model->canFetchMore(parent))
        model->fetchMore(parent);
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        out.insert(i.data(DiffTreeModel::PathRole).toString(), i.data(DiffTreeModel::ChangeRole).toInt());
        out.insert(walk(model, i));
    }
    return out;
}

QModelIndex find(QAbstractItemModel *model, const QString &path, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        if (i.data(DiffTreeModel::PathRole).toString() == path)
            return i;
        if (path.startsWith(i.data(DiffTreeModel::PathRole).toString() + QLatin1Char('/')))
            return find(model, path, i);
    }
    return {};
}

} // namespace

class TestCompareWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void diffTreeOnCraftedLayers();
    void compareRegistryImages();
};

void TestCompareWindow::initTestCase()
{
    ll::test::isolateSettings("TestCompareWindow");
}

void TestCompareWindow::diffTreeOnCraftedLayers()
{
    // Before: etc/{a 10, b 20}, x/ with x/in; after (one layer on the same base): etc/a 15, .wh.b, etc/c 5,
    // x replaced by a file.
    fs::LayerTree base(0), top(1);
    QVERIFY(base.addEntry(ll::test::dirEntry(QStringLiteral("etc"))).ok());
    QVERIFY(base.addEntry(ll::test::fileEntry(QStringLiteral("etc/a"), 10)).ok());
    QVERIFY(base.addEntry(ll::test::fileEntry(QStringLiteral("etc/b"), 20)).ok());
    QVERIFY(base.addEntry(ll::test::dirEntry(QStringLiteral("x"))).ok());
    QVERIFY(base.addEntry(ll::test::fileEntry(QStringLiteral("x/in"), 3)).ok());
    QVERIFY(top.addEntry(ll::test::fileEntry(QStringLiteral("etc/a"), 15)).ok());
    QVERIFY(top.addEntry(ll::test::fileEntry(QStringLiteral("etc/.wh.b"), 0)).ok());
    QVERIFY(top.addEntry(ll::test::fileEntry(QStringLiteral("etc/c"), 5)).ok());
    QVERIFY(top.addEntry(ll::test::fileEntry(QStringLiteral("x"), 7)).ok());
    std::vector<analysis::DiffEntry> entries;
    const analysis::DiffSummary s = analysis::ImageDiff::compare(
        { &base }, { &base, &top }, [&entries](const analysis::DiffEntry &e) { entries.push_back(e); });
    const analysis::DiffTree tree = analysis::DiffTree::build(entries);

    DiffTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDiffTree(&tree);
    const QMap<QString, int> rows = walk(&model);
    QCOMPARE(rows.value(QStringLiteral("etc/a")), int(Change::Changed));
    QCOMPARE(rows.value(QStringLiteral("etc/b")), int(Change::Removed));
    QCOMPARE(rows.value(QStringLiteral("etc/c")), int(Change::Added));
    QCOMPARE(rows.value(QStringLiteral("etc")), -1); // on the way
    QCOMPARE(rows.value(QStringLiteral("x")), int(Change::Changed)); // a type change, its old contents below it
    QCOMPARE(rows.value(QStringLiteral("x/in")), int(Change::Removed));
    QCOMPARE(rows.size(), 6);
    QCOMPARE(s.added + s.removed + s.changed, 5);

    const QModelIndex a = find(&model, QStringLiteral("etc/a"));
    const auto cell = [&a](int column, int role = Qt::DisplayRole) { return a.siblingAtColumn(column).data(role); };
    QCOMPARE(cell(DiffTreeModel::SizeBeforeColumn, DiffTreeModel::SortRole).toLongLong(), 10);
    QCOMPARE(cell(DiffTreeModel::SizeAfterColumn, DiffTreeModel::SortRole).toLongLong(), 15);
    QCOMPARE(cell(DiffTreeModel::DeltaColumn, DiffTreeModel::SortRole).toLongLong(), 5);
    QCOMPARE(cell(DiffTreeModel::DeltaColumn).toString(), QStringLiteral("+5 B"));
    QCOMPARE(cell(DiffTreeModel::LayerBeforeColumn).toInt(), 0);
    QCOMPARE(cell(DiffTreeModel::LayerAfterColumn).toInt(), 1);
    QVERIFY(cell(DiffTreeModel::WhatColumn).toString().contains(QStringLiteral("size")));
    const QModelIndex b = find(&model, QStringLiteral("etc/b"));
    QVERIFY(b.data(Qt::FontRole).value<QFont>().strikeOut());
    QVERIFY(!b.siblingAtColumn(DiffTreeModel::LayerAfterColumn).data().isValid()); // no new side
    QCOMPARE(b.siblingAtColumn(DiffTreeModel::DeltaColumn).data().toString(), QStringLiteral("\u221220 B"));
    QVERIFY(DiffTreeModel::entryOf(b)->before);
    QVERIFY(!DiffTreeModel::entryOf(b)->after);

    // The filter keeps the parents of matches.
    LayerChangesProxy proxy(DiffTreeModel::IsDirRole, DiffTreeModel::SortRole, DiffTreeModel::PathRole);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFetchAll(true);
    proxy.setFilterText(QStringLiteral("c"));
    QCOMPARE(walk(&proxy).keys(), (QStringList { QStringLiteral("etc"), QStringLiteral("etc/c") }));
    model.setDiffTree(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestCompareWindow::compareRegistryImages()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    // Opened from the main window with its image as the old side, the navigator's "Compare with" as the new.
    QVERIFY(w.openReference(h.reference(QStringLiteral("lab/app:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    emit w.navigator()->panel()->compareRequested(h.reference(QStringLiteral("lab/app:1.1")));
    CompareWindow *c = w.findChild<CompareWindow *>(QStringLiteral("compareWindow"));
    QVERIFY(c);
    QVERIFY(c->isVisible());
    QCOMPARE(c->oldEdit()->text(), w.imageController()->reference().toString());
    QTRY_VERIFY_WITH_TIMEOUT(c->summaryText().contains(QStringLiteral("shared layer(s) skipped")), 60000);
    QVERIFY(!c->controller()->isRunning());

    // What the harness's own merged views say differs (one mtime everywhere: content differs with size).
    const auto view = [](const QJsonObject &fx) {
        QMap<QString, QJsonObject> v;
        for (const auto &m : fx.value(QLatin1String("merged")).toArray())
            v.insert(m.toObject().value(QLatin1String("path")).toString(), m.toObject());
        return v;
    };
    const auto vb = view(h.fixture(QStringLiteral("lab/app:1.0"))), va = view(h.fixture(QStringLiteral("lab/app:1.1")));
    QMap<QString, int> expected;
    for (auto it = vb.cbegin(); it != vb.cend(); ++it) {
        if (!va.contains(it.key())) {
            expected.insert(it.key(), int(Change::Removed));
            continue;
        }
        const QJsonObject &b = it.value(), &a = va[it.key()];
        const bool dir = b.value(QLatin1String("type")).toString() == QLatin1String("dir");
        if (b.value(QLatin1String("type")) != a.value(QLatin1String("type"))
            || b.value(QLatin1String("mode")) != a.value(QLatin1String("mode"))
            || (!dir
                && (b.value(QLatin1String("size")) != a.value(QLatin1String("size"))
                    || b.value(QLatin1String("link")) != a.value(QLatin1String("link")))))
            expected.insert(it.key(), int(Change::Changed));
    }
    for (auto it = va.cbegin(); it != va.cend(); ++it) {
        if (!vb.contains(it.key()))
            expected.insert(it.key(), int(Change::Added));
    }
    QVERIFY(expected.size() >= 4);
    QAbstractItemModelTester tester(c->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QMap<QString, int> got = walk(c->proxy());
    got.removeIf([](const auto &it) { return it.value() < 0; }); // directories on the way
    QCOMPARE(got, expected);

    // The summary: counts as the CLI gives them, the 3 shared bottom layers skipped, bytes downloaded counted.
    const auto result = c->controller()->result();
    QVERIFY(result);
    QCOMPARE(c->controller()->sharedLayers(), 3);
    QCOMPARE(result->summary.sharedLayers, 3);
    QVERIFY(c->summaryText().contains(QStringLiteral("%1 added").arg(result->summary.added)));
    QVERIFY(c->summaryText().contains(QStringLiteral("3 shared layer(s) skipped")));
    QVERIFY(c->controller()->bytesDownloaded() > 0); // indexes are off in the tests: both images were read

    // The filter.
    c->filterEdit()->setText(QStringLiteral("*.conf"));
    QMap<QString, int> filtered = walk(c->proxy());
    QVERIFY(filtered.contains(QStringLiteral("etc/app.conf")));
    QVERIFY(!filtered.contains(QStringLiteral("usr/local/bin/tool")));
    c->filterEdit()->clear();

    // Both sides of the changed etc/app.conf: Preview Old shows 1.0's copy, Preview New 1.1's.
    const QModelIndex conf = find(c->proxy(), QStringLiteral("etc/app.conf"));
    QVERIFY(conf.isValid());
    c->view()->setCurrentIndex(conf);
    QVERIFY(c->previewOldButton()->isEnabled());
    QVERIFY(c->previewNewButton()->isEnabled());
    const auto previewText = [c](QPushButton *button) {
        const auto before = c->findChildren<PreviewDialog *>();
        button->click();
        PreviewDialog *d = nullptr;
        const auto fresh = [&] {
            for (PreviewDialog *p : c->findChildren<PreviewDialog *>()) {
                if (!before.contains(p))
                    d = p;
            }
            return d != nullptr;
        };
        if (!QTest::qWaitFor(fresh, 30000))
            return QString();
        return QTest::qWaitFor([d] { return !d->text().isEmpty(); }, 30000) ? d->text() : QString();
    };
    QCOMPARE(previewText(c->previewOldButton()), QStringLiteral("mode=production\n"));
    QCOMPARE(previewText(c->previewNewButton()), QStringLiteral("mode=production\nworkers=4\n"));
    // A removed file has only an old side.
    const QModelIndex hostname = find(c->proxy(), QStringLiteral("etc/hostname"));
    c->view()->setCurrentIndex(hostname);
    QVERIFY(c->previewOldButton()->isEnabled());
    QVERIFY(!c->previewNewButton()->isEnabled());

    // A malformed reference is said, nothing runs.
    c->setReferences(QStringLiteral("UPPER/Case::bad"), h.reference(QStringLiteral("lab/app:1.1")), true);
    QVERIFY(c->summaryText().contains(QStringLiteral("Not an image reference")));
    QVERIFY(!c->controller()->isRunning());
}

QTEST_MAIN(TestCompareWindow)
#include "TestCompareWindow.moc"
