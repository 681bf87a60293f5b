// Batch export against the registry harness: exactly the checked files are written (merged view and one
// layer), the window's selection pre-checks the tree, a hostile image writes nothing outside the destination,
// and an export can be cancelled.
#include "MainWindow.h"
#include "UiTestEnv.h"

#include "models/FileTreeModel.h"

#include "controllers/ImageController.h"
#include "dialogs/BatchExportDialog.h"
#include "extract/ExtractJob.h"
#include "fs/MergedTree.h"
#include "widgets/FileBrowser.h"

#include <QPushButton>

#include <QJsonArray>
#include <QPointer>
#include <QTest>
#include <QTreeWidget>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;

class TestBatchExportDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exportsExactlyChecked_data();
    void exportsExactlyChecked();
    void selectionPrechecks();
    void hostileStaysInside();
    void cancelExport();
    void filterCheckAllAndTotals();
    void exportsTocLayersByChunks();

private:
    bool openAndWait(MainWindow &w, const QString &name, const QString &host = {})
    {
        if (!w.openReference(Harness::instance().reference(name, host)))
            return false;
        return QTest::qWaitFor([&w] { return w.imageController()->allListed(); }, 60000);
    }
};

void TestBatchExportDialog::initTestCase()
{
    ll::test::isolateSettings("TestBatchExportDialog");
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

void TestBatchExportDialog::exportsExactlyChecked_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<QStringList>("checked");
    QTest::addColumn<QStringList>("files"); // expected files below the destination
    QTest::newRow("merged files and a dir")
        << -1 << QStringList { QStringLiteral("etc/passwd"), QStringLiteral("opt/app") }
        << QStringList { QStringLiteral("etc/passwd"), QStringLiteral("opt/app/config.yaml") };
    QTest::newRow("merged opaque dir") << -1 << QStringList { QStringLiteral("var/cache/apt") }
                                       << QStringList { QStringLiteral("var/cache/apt/fresh.bin") };
    QTest::newRow("layer 0's own copies")
        << 0 << QStringList { QStringLiteral("etc/motd"), QStringLiteral("etc/passwd") }
        << QStringList { QStringLiteral("etc/motd"), QStringLiteral("etc/passwd") };
}

void TestBatchExportDialog::exportsExactlyChecked()
{
    QFETCH(int, layer);
    QFETCH(QStringList, checked);
    QFETCH(QStringList, files);
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    d->setLayer(layer);
    d->setCheckedPaths(checked);
    QCOMPARE(d->checkedPaths(), checked);
    QTemporaryDir out;
    d->setDestination(out.filePath(QStringLiteral("export")));
    Job *job = d->startExport();
    QVERIFY(job);
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 30000);
    QVERIFY2(d->summaryText().contains(QStringLiteral("%1 written").arg(d->resultCount()))
            || d->summaryText().contains(QStringLiteral("written")),
        qPrintable(d->summaryText()));
    QVERIFY(d->summaryText().contains(QStringLiteral("0 failed")));
    QVERIFY(d->resultCount() >= files.size());

    const QString dest = out.filePath(QStringLiteral("export"));
    QCOMPARE(ll::test::filesBelow(dest), files);
    for (const QString &f : files) {
        QString expected;
        if (layer < 0) {
            expected = ll::test::mergedEntry(fx, f).value(QStringLiteral("sha256")).toString();
        } else {
            const auto entries = fx.value(QStringLiteral("layers"))
                                     .toArray()[layer]
                                     .toObject()
                                     .value(QStringLiteral("entries"))
                                     .toArray();
            for (const auto &e : entries) {
                if (e.toObject().value(QStringLiteral("path")).toString() == f)
                    expected = e.toObject().value(QStringLiteral("sha256")).toString();
            }
        }
        QVERIFY(!expected.isEmpty());
        QCOMPARE(ll::test::fileSha256(dest + QLatin1Char('/') + f), expected);
    }
}

void TestBatchExportDialog::selectionPrechecks()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("usr/local/bin/app")));
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    QCOMPARE(d->layer(), -1);
    QCOMPARE(d->checkedPaths(), QStringList { QStringLiteral("usr/local/bin/app") });
    // Checking a parent dir takes over its checked child.
    d->setCheckedPaths({ QStringLiteral("usr/local"), QStringLiteral("usr/local/bin/app") });
    QCOMPARE(d->checkedPaths(), QStringList { QStringLiteral("usr/local") });
    // Closing the image closes the dialog.
    QPointer<BatchExportDialog> guard(d);
    w.imageController()->close();
    QTRY_VERIFY(!guard || !guard->isVisible());
}

void TestBatchExportDialog::hostileStaysInside()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/hostile:1.0")));
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    QTemporaryDir outer;
    const QString dest = outer.filePath(QStringLiteral("inside"));
    d->setCheckedPaths({});
    QVERIFY(d->checkedPaths().isEmpty());
    QVERIFY(!d->startExport()); // nothing checked
    // Check every top-level entry of the merged tree.
    QStringList top;
    const fs::MergedTree *merged = w.imageController()->mergedTree();
    for (const fs::FileNode *child : merged->root()->children)
        top << child->path();
    d->setCheckedPaths(top);
    QVERIFY(!d->checkedPaths().isEmpty());
    d->setDestination(dest);
    QVERIFY(d->startExport());
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 30000);
    // Nothing but the destination exists in the outer directory, and /tmp/evil-like escapes did not happen.
    QCOMPARE(QDir(outer.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
        QStringList { QStringLiteral("inside") });
    QVERIFY(!QFile::exists(outer.filePath(QStringLiteral("evil"))));
    QVERIFY2(d->summaryText().contains(QStringLiteral("skipped")), qPrintable(d->summaryText()));
}

void TestBatchExportDialog::exportsTocLayersByChunks()
{
    // An eStargz image: the export reads both layers by their chunks with the TOCs the listing fetched (no TOC
    // request, no layer streamed), and writes the merged view's copies.
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/estargz:1.0"));
    if (fx.isEmpty())
        QSKIP("no eStargz fixtures (see the harness log)");
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/estargz:1.0"), h.proxy()));
    QCOMPARE(w.imageController()->layerTocFormat(0), QStringLiteral("estargz"));
    h.proxyReset();
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    const QStringList checked { QStringLiteral("etc"), QStringLiteral("usr/share/doc/big.txt") };
    d->setCheckedPaths(checked);
    QTemporaryDir out;
    d->setDestination(out.filePath(QStringLiteral("export")));
    Job *job = d->startExport();
    auto *ex = qobject_cast<extract::ExtractJob *>(job);
    QVERIFY(ex);
    QVector<int> tocLayers;
    int requests = -1;
    QString fallback;
    connect(ex, &Job::finished, this, [&, ex] {
        tocLayers = ex->tocLayers();
        requests = ex->requestCount();
        fallback = ex->tocFallback();
    });
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 30000);
    QVERIFY(d->summaryText().contains(QStringLiteral("0 failed")));
    QVERIFY2(fallback.isEmpty(), qPrintable(fallback));
    QCOMPARE(tocLayers, QVector<int>({ 1, 0 }));
    QVERIFY(requests > 0);
    QTRY_COMPARE_WITH_TIMEOUT(h.proxyBlobRequests(), requests, 10000);
    QStringList expected;
    for (const QJsonValue &v : fx.value(QStringLiteral("merged")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString path = m.value(QStringLiteral("path")).toString();
        if (m.value(QStringLiteral("type")).toString() == QStringLiteral("file")
            && (path.startsWith(QStringLiteral("etc/")) || path == checked.at(1))) {
            expected << path;
            QCOMPARE(ll::test::fileSha256(out.filePath(QStringLiteral("export/")) + path),
                m.value(QStringLiteral("sha256")).toString());
        }
    }
    expected.sort();
    QCOMPARE(ll::test::filesBelow(out.filePath(QStringLiteral("export"))), expected);
}

void TestBatchExportDialog::cancelExport()
{
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/big:1.0"), h.proxy()));
    h.proxyReset();
    h.throttle(200000);
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    d->setCheckedPaths({ QStringLiteral("data") });
    QTemporaryDir out;
    d->setDestination(out.path());
    Job *job = d->startExport();
    QVERIFY(job);
    QTRY_VERIFY_WITH_TIMEOUT(job->progressDone() > 0, 30000);
    auto *cancel = d->findChild<QPushButton *>(QStringLiteral("cancelExport"));
    QVERIFY(cancel && cancel->isEnabled());
    cancel->click();
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 10000);
    QVERIFY2(d->summaryText().startsWith(QStringLiteral("Cancelled")), qPrintable(d->summaryText()));
    h.proxyReset();
    // No half-written file under a final name.
    for (const QString &f : ll::test::filesBelow(out.path()))
        QVERIFY2(!f.endsWith(QStringLiteral(".part")), qPrintable(f));
}

void TestBatchExportDialog::filterCheckAllAndTotals()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    // Folders before files at every level, as in the main view (lab/hostile's root has both).
    QVERIFY(openAndWait(w, QStringLiteral("lab/hostile:1.0")));
    BatchExportDialog *d = w.openBatchExport();
    QVERIFY(d);
    QAbstractItemModel *m = d->tree()->model();
    int mixedLevels = 0;
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        while (m->canFetchMore(parent))
            m->fetchMore(parent);
        bool seenFile = false;
        bool seenDir = false;
        for (int r = 0; r < m->rowCount(parent); ++r) {
            const QModelIndex i = m->index(r, 0, parent);
            const bool dir = i.data(FileTreeModel::IsDirRole).toBool();
            QVERIFY2(!(dir && seenFile), qPrintable(i.data(FileTreeModel::PathRole).toString()));
            seenFile = seenFile || !dir;
            seenDir = seenDir || dir;
            if (dir)
                walk(i);
        }
        mixedLevels += seenFile && seenDir ? 1 : 0;
    };
    walk({});
    QVERIFY(mixedLevels > 0);

    const QPointer<BatchExportDialog> first(d); // closed with its image
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QTRY_VERIFY(first.isNull());
    d = w.openBatchExport();
    QVERIFY(d);
    m = d->tree()->model();

    // Merged files by path, with sizes (the fixture's own account).
    QHash<QString, qint64> files;
    for (const auto &v : fx.value(QStringLiteral("merged")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("type")).toString() != QStringLiteral("dir"))
            files.insert(e.value(QStringLiteral("path")).toString(), e.value(QStringLiteral("size")).toInteger());
    }

    // A filter, then Check All: the matching files, and the total of their sizes.
    d->setFilterText(QStringLiteral("passwd"));
    d->checkAllShown();
    const QStringList checked = d->checkedPaths();
    QVERIFY(checked.contains(QStringLiteral("etc/passwd")));
    qint64 expected = 0;
    for (const QString &p : checked) {
        QVERIFY2(p.contains(QStringLiteral("passwd")) && files.contains(p), qPrintable(p));
        expected += files.value(p);
    }
    QCOMPARE(d->checkedBytes(), expected);

    // A folder counts its files.
    d->setFilterText(QString());
    d->setCheckedPaths({ QStringLiteral("opt/app") });
    expected = 0;
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        expected += it.key().startsWith(QStringLiteral("opt/app/")) ? it.value() : 0;
    QVERIFY(expected > 0);
    QCOMPARE(d->checkedBytes(), expected);

    // Check All without a filter takes every top-level entry; the export lists each path once (etc/passwd
    // is in layers 0 and 1).
    d->checkAllShown();
    QCOMPARE(d->checkedPaths().size(), m->rowCount());
    d->setCheckedPaths({ QStringLiteral("etc") });
    QTemporaryDir out;
    d->setDestination(out.filePath(QStringLiteral("export")));
    QVERIFY(d->startExport());
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 30000);
    auto *results = d->findChild<QTreeWidget *>(QStringLiteral("results"));
    QVERIFY(results);
    QSet<QString> seen;
    for (int i = 0; i < results->topLevelItemCount(); ++i) {
        const QString path = results->topLevelItem(i)->text(0);
        QVERIFY2(!seen.contains(path), qPrintable(QStringLiteral("twice: ") + path));
        seen.insert(path);
    }
    QVERIFY(seen.contains(QStringLiteral("etc/passwd")));
}

QTEST_MAIN(TestBatchExportDialog)
#include "TestBatchExportDialog.moc"
