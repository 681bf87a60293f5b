// The main window against the real registry harness: open, layers/steps/tree, title and history,
// platform switch, filter, carve through the Save action, cancel through the jobs panel.
#include "MainWindow.h"
#include "UiTestEnv.h"

#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/FolderDialog.h"
#include "dialogs/PreviewDialog.h"
#include "dialogs/ShortcutsDialog.h"
#include "fs/MergedTree.h"
#include "index/IndexStore.h"
#include "models/BuildStepModel.h"
#include "models/FileFilterProxy.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"
#include "models/StagedFilesMimeData.h"
#include "registry/ImageReference.h"
#include "stream/LayerScanJob.h"
#include "widgets/FileBrowser.h"
#include "widgets/ImageConfigView.h"
#include "widgets/JobsIndicator.h"
#include "widgets/JobsPanel.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QStandardItemModel>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void openImagePopulatesPanels();
    void mergedViewStreamsBaseLayer();
    void reopenListsFromLayerIndex();
    void layersMarkRandomAccess();
    void stepSelectsLayer();
    void platformPickerSwitches();
    void filterNarrowsTree_data();
    void filterNarrowsTree();
    void saveActionCarvesFile();
    void folderDialogTakesNewFolder();
    void previewShowsText();
    void dragStagesFiles();
    void dragPrestagesAndAnswersInnerAsks();
    void cancelStopsJob();
    void failedOpenClearsState();
    void badReferenceShowsError();
    void layoutAtSmallWindow();
    void keyboardNavigation();
    void hostileEntriesShown();

private:
    /** Opens name (a fixture) and waits until every layer is listed. */
    bool openAndWait(MainWindow &w, const QString &name, const QString &host = {});
    /** Every non-directory path the proxy shows (expanding everything). */
    QStringList visibleFiles(FileBrowser *browser);
};

void TestMainWindow::initTestCase()
{
    ll::test::isolateSettings("TestMainWindow");
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

bool TestMainWindow::openAndWait(MainWindow &w, const QString &name, const QString &host)
{
    if (!w.openReference(Harness::instance().reference(name, host)))
        return false;
    return QTest::qWaitFor([&w] { return w.imageController()->allListed(); }, 60000);
}

QStringList TestMainWindow::visibleFiles(FileBrowser *browser)
{
    QStringList out;
    QAbstractItemModel *m = browser->proxy();
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        while (m->canFetchMore(parent))
            m->fetchMore(parent);
        for (int r = 0; r < m->rowCount(parent); ++r) {
            const QModelIndex i = m->index(r, 0, parent);
            if (i.data(FileTreeModel::IsDirRole).toBool())
                walk(i);
            else
                out << i.data(FileTreeModel::PathRole).toString();
        }
    };
    walk({});
    out.sort();
    return out;
}

void TestMainWindow::openImagePopulatesPanels()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    // The Layers and Navigator docks share a tab bar: which one is on top.
    auto tabOnTop = [&w] {
        for (const QTabBar *bar : w.findChildren<QTabBar *>()) {
            for (int i = 0; i < bar->count(); ++i) {
                if (bar->tabText(i) == QLatin1String("Layers"))
                    return bar->tabText(bar->currentIndex());
            }
        }
        return QString();
    };
    QCOMPARE(tabOnTop(), QStringLiteral("Navigator")); // nothing open: browsing is where to start
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QCOMPARE(tabOnTop(), QStringLiteral("Layers")); // an image typed in the reference field shows its layers

    const auto ref = registry::ImageReference::parse(h.reference(QStringLiteral("lab/app:1.0")));
    QVERIFY(ref.ok());
    QCOMPARE(w.windowTitle(), ref->displayName() + QStringLiteral(" — Layerslayer"));
    QVERIFY(w.history().contains(ref->displayName()));
    QCOMPARE(w.referenceCombo()->currentText(), ref->displayName());

    const QJsonArray layers = fx.value(QStringLiteral("layers")).toArray();
    QCOMPARE(w.layerModel()->rowCount(), int(layers.size()));
    for (int i = 0; i < layers.size(); ++i) {
        QCOMPARE(w.layerModel()->state(i), LayerListModel::LoadState::Listed);
        QCOMPARE(w.layerModel()->index(i, 0).data(LayerListModel::DigestRole).toString(),
            layers[i].toObject().value(QStringLiteral("digest")).toString());
    }
    QCOMPARE(w.stepModel()->rowCount(), int(fx.value(QStringLiteral("history")).toArray().size()));
    QVERIFY(!w.isPlatformPickerShown()); // single-platform image

    // The merged view: top-level dirs shown, whiteouts applied.
    FileBrowser *b = w.fileBrowser();
    QCOMPARE(b->currentLayer(), -1);
    QTRY_VERIFY(b->proxy()->rowCount() > 0);
    QVERIFY(b->selectPath(QStringLiteral("etc/passwd")));
    QVERIFY(!b->selectPath(QStringLiteral("etc/motd"))); // deleted by layer 2
    QCOMPARE(w.imageController()->mergedTree()->entryCount() > 300, true);

    const QJsonValue content = fx.value(QStringLiteral("config")).toObject().value(QStringLiteral("content"));
    const QJsonObject configBlob
        = content.isObject() ? content.toObject() : QJsonDocument::fromJson(content.toString().toUtf8()).object();
    const QJsonObject config = configBlob.value(QStringLiteral("config")).toObject();
    QVERIFY(!config.isEmpty());
    QCOMPARE(w.configView()->value(QStringLiteral("User")), config.value(QStringLiteral("User")).toString());
    QCOMPARE(
        w.configView()->value(QStringLiteral("Working dir")), config.value(QStringLiteral("WorkingDir")).toString());
    QVERIFY(w.configView()->value(QStringLiteral("Ports")).contains(QStringLiteral("8080/tcp")));

    // Jobs panel: a resolve, one listing per layer and the analysis of the layers (on a worker), all succeeded.
    QTRY_COMPARE_WITH_TIMEOUT(w.jobsPanel()->rowCount(), int(layers.size()) + 2, 30000);
    for (int r = 0; r < w.jobsPanel()->rowCount(); ++r)
        QTRY_COMPARE_WITH_TIMEOUT(w.jobsPanel()->state(r), Job::State::Succeeded, 30000);
}

void TestMainWindow::mergedViewStreamsBaseLayer()
{
    // The merged view (the default) shows layer 0 while it streams, then the merged tree: never an empty
    // tree for as long as the base layer takes.
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    const QJsonObject base = fx.value(QStringLiteral("layers")).toArray().at(0).toObject();
    const qint64 baseSize = base.value(QStringLiteral("size")).toInteger();
    h.proxyReset();
    // Layer 0 at ~4 s: its first entries arrive at once, the rest later.
    h.throttle(qMax<qint64>(10000, baseSize / 4), base.value(QStringLiteral("digest")).toString());
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(h.reference(QStringLiteral("lab/app:1.0"), h.proxy())));
    FileBrowser *b = w.fileBrowser();
    QCOMPARE(b->currentLayer(), -1);
    QTRY_VERIFY_WITH_TIMEOUT(b->proxy()->rowCount() > 0, 20000);
    QCOMPARE(w.imageController()->layerState(0), ImageController::LayerState::Listing);
    QVERIFY(b->isProvisionalMerged());
    QCOMPARE(b->model()->mode(), FileTreeModel::Mode::Layer);
    QCOMPARE(w.imageController()->mergedLayerCount(), 0);

    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    h.proxyReset();
    QTRY_VERIFY(!b->isProvisionalMerged());
    QCOMPARE(b->model()->mode(), FileTreeModel::Mode::Merged);
    QVERIFY(b->selectPath(QStringLiteral("etc/passwd")));
    QVERIFY(!b->selectPath(QStringLiteral("etc/motd"))); // deleted by layer 2: the merged tree now
}

void TestMainWindow::reopenListsFromLayerIndex()
{
    // With the user's layer indexes on (as the app has them), opening an image a second time lists every layer
    // without a blob request, and the tree is the same.
    auto &h = Harness::instance();
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    QStringList firstFiles;
    for (int round = 0; round < 2; ++round) {
        h.proxyReset();
        ll::test::UiClientEnv env;
        MainWindow w(env.client.get());
        w.imageController()->setIndexStore(store);
        w.show();
        QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0"), h.proxy()));
        const QStringList files = visibleFiles(w.fileBrowser());
        QVERIFY(files.contains(QStringLiteral("etc/passwd")));
        if (round == 0) {
            QCOMPARE(h.proxyBlobRequests(), 5); // the config and 4 layers
            firstFiles = files;
        } else {
            QCOMPARE(h.proxyBlobRequests(), 1); // the config only
            QCOMPARE(files, firstFiles);
            // The jobs panel does not report index listings as if their bytes were downloaded.
            int fromIndex = 0;
            for (int row = 0; row < w.jobsPanel()->rowCount(); ++row) {
                if (!w.jobsPanel()->title(row).startsWith(QStringLiteral("List layer")))
                    continue;
                QTRY_COMPARE(w.jobsPanel()->state(row), Job::State::Succeeded);
                const QString text = w.jobsPanel()->statusText(row);
                QVERIFY2(text.contains(QStringLiteral("layer index")) && !text.contains(QStringLiteral("B in")),
                    qPrintable(text));
                ++fromIndex;
            }
            QCOMPARE(fromIndex, 4);
        }
    }
}

void TestMainWindow::layersMarkRandomAccess()
{
    // lab/big's 16 MB gzip layer keeps checkpoints once listed (and still shows them when listed again from its
    // index); lab/app's small layers keep none; lab/bigzstd's pzstd layer keeps frame checkpoints, its one-frame
    // twin none; lab/estargz's layer is listed from its TOC. The Layers list says
    // which have random access, with the reason in the tooltip.
    auto &h = Harness::instance();
    QTemporaryDir dir;
    const index::IndexStore store(dir.path());
    auto tipOf = [](MainWindow &w, int layer) {
        return w.layerModel()->index(layer, LayerListModel::StateColumn).data(Qt::ToolTipRole).toString();
    };
    for (int round = 0; round < 2; ++round) {
        ll::test::UiClientEnv env;
        MainWindow w(env.client.get());
        w.imageController()->setIndexStore(store);
        w.show();
        QVERIFY(openAndWait(w, QStringLiteral("lab/big:1.0"), h.proxy()));
        const int checkpoints = w.imageController()->layerCheckpoints(0);
        QVERIFY2(checkpoints >= 4, qPrintable(QString::number(checkpoints)));
        QVERIFY2(tipOf(w, 0).contains(QStringLiteral("random access: %1 checkpoints").arg(checkpoints)),
            qPrintable(tipOf(w, 0)));
        QVERIFY(w.layerModel()
                    ->index(0, LayerListModel::StateColumn)
                    .data()
                    .toString()
                    .endsWith(QStringLiteral("random access")));
    }
    {
        ll::test::UiClientEnv env;
        MainWindow w(env.client.get());
        w.imageController()->setIndexStore(store);
        w.show();
        QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0"), h.proxy()));
        for (int layer = 0; layer < w.layerModel()->layerCount(); ++layer)
            QVERIFY2(!tipOf(w, layer).contains(QLatin1String("random access")), qPrintable(tipOf(w, layer)));
    }
    if (!h.fixture(QStringLiteral("lab/bigzstd:1.0")).isEmpty()) {
        // A multi-frame zstd layer (pzstd): its frame starts are checkpoints too; one frame (plain zstd): none.
        for (const QString &name : { QStringLiteral("lab/bigzstd:1.0"), QStringLiteral("lab/bigzstd:single") }) {
            ll::test::UiClientEnv env;
            MainWindow w(env.client.get());
            w.imageController()->setIndexStore(store);
            w.show();
            QVERIFY(openAndWait(w, name, h.proxy()));
            const int checkpoints = w.imageController()->layerCheckpoints(0);
            if (name.endsWith(QLatin1String("single"))) {
                QCOMPARE(checkpoints, 0);
                QVERIFY2(!tipOf(w, 0).contains(QLatin1String("random access")), qPrintable(tipOf(w, 0)));
                continue;
            }
            QVERIFY2(checkpoints >= 4, qPrintable(QString::number(checkpoints)));
            QVERIFY2(tipOf(w, 0).contains(QStringLiteral("random access: %1 checkpoints").arg(checkpoints)),
                qPrintable(tipOf(w, 0)));
        }
    }
    if (h.fixture(QStringLiteral("lab/estargz:1.0")).isEmpty())
        QSKIP("no eStargz fixture (its writer is missing)");
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/estargz:1.0"), h.proxy()));
    QCOMPARE(w.imageController()->layerTocFormat(0), QStringLiteral("estargz"));
    QVERIFY2(tipOf(w, 0).contains(QLatin1String("random access: eStargz TOC")), qPrintable(tipOf(w, 0)));
}

void TestMainWindow::stepSelectsLayer()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    const QJsonArray history = fx.value(QStringLiteral("history")).toArray();
    int checked = 0;
    for (int step = 0; step < history.size(); ++step) {
        const QJsonValue layer = history[step].toObject().value(QStringLiteral("layer"));
        if (layer.isNull() || layer.isUndefined())
            continue;
        w.stepsView()->setCurrentIndex(w.stepModel()->index(step, 0));
        QCOMPARE(w.layersView()->currentIndex().row(), layer.toInt());
        QCOMPARE(w.fileBrowser()->currentLayer(), layer.toInt());
        QCOMPARE(w.fileBrowser()->model()->mode(), FileTreeModel::Mode::Layer);
        ++checked;
    }
    QCOMPARE(checked, int(fx.value(QStringLiteral("layers")).toArray().size()));
    // Layer 2's own tree shows its whiteout of etc/motd; selecting a layer row selects its step.
    w.layersView()->setCurrentIndex(w.layerModel()->index(2, 0));
    QCOMPARE(w.fileBrowser()->currentLayer(), 2);
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("etc/motd")));
    QCOMPARE(w.stepsView()->currentIndex().row(), w.stepModel()->stepForLayer(2));
    w.fileBrowser()->showMerged();
    QCOMPARE(w.fileBrowser()->model()->mode(), FileTreeModel::Mode::Merged);
}

void TestMainWindow::platformPickerSwitches()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/oci:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(
        h.reference(QStringLiteral("lab/oci:1.0")), oci::Platform::parse(QStringLiteral("linux/amd64")).value()));
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    QCOMPARE(w.imageController()->image().platform.architecture, QStringLiteral("amd64"));

    QComboBox *picker = w.platformCombo();
    QVERIFY(w.isPlatformPickerShown());
    const QJsonArray manifests = fx.value(QStringLiteral("manifests")).toArray();
    QCOMPARE(picker->count(), int(manifests.size()));
    auto *model = qobject_cast<QStandardItemModel *>(picker->model());
    QVERIFY(model);
    int arm = -1;
    int attestations = 0;
    for (int i = 0; i < picker->count(); ++i) {
        const QJsonObject p = manifests[i].toObject().value(QStringLiteral("platform")).toObject();
        const bool attestation = p.value(QStringLiteral("os")).toString() == QLatin1String("unknown");
        QCOMPARE(model->item(i)->isEnabled(), !attestation);
        attestations += attestation ? 1 : 0;
        if (p.value(QStringLiteral("architecture")).toString() == QLatin1String("arm64"))
            arm = i;
    }
    QCOMPARE(attestations, 1);
    QVERIFY(arm >= 0);
    QCOMPARE(picker->currentText(), QStringLiteral("linux/amd64"));

    // The user picks arm64: the image reloads for it.
    picker->setCurrentIndex(arm);
    emit picker->activated(arm);
    QTRY_COMPARE_WITH_TIMEOUT(w.imageController()->image().platform.architecture, QStringLiteral("arm64"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    QCOMPARE(picker->currentText(), picker->itemText(arm));
    QCOMPARE(w.imageController()->image().manifestDigest,
        manifests[arm].toObject().value(QStringLiteral("digest")).toString());

    // Its etc/arch is arm64's: carve it and compare with the fixture.
    const QJsonObject armImage = manifests[arm].toObject().value(QStringLiteral("image")).toObject();
    QTemporaryDir out;
    w.setDirectoryAsker([&out](const QString &) { return out.path(); });
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("etc/arch")));
    w.saveAction()->trigger();
    const QString file = out.filePath(QStringLiteral("etc/arch"));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(file), 30000);
    QCOMPARE(ll::test::fileSha256(file),
        ll::test::mergedEntry(armImage, QStringLiteral("etc/arch")).value(QStringLiteral("sha256")).toString());
}

void TestMainWindow::filterNarrowsTree_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("pattern"); // QRegularExpression over the base name (or the path when it has '/')
    QTest::newRow("substring") << QStringLiteral("passwd") << QStringLiteral("passwd");
    QTest::newRow("substring case") << QStringLiteral("PASSWD") << QStringLiteral("passwd");
    QTest::newRow("glob") << QStringLiteral("*.conf") << QStringLiteral("^[^/]*\\.conf$");
    QTest::newRow("path glob") << QStringLiteral("etc/*") << QStringLiteral("^etc/[^/]*$");
}

void TestMainWindow::filterNarrowsTree()
{
    QFETCH(QString, filter);
    QFETCH(QString, pattern);
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    FileBrowser *b = w.fileBrowser();
    const QStringList all = visibleFiles(b);

    // Expected: files of the merged image whose name (or path, for a path filter) matches.
    const QRegularExpression re(pattern, QRegularExpression::CaseInsensitiveOption);
    const bool byPath = filter.contains(QLatin1Char('/'));
    QStringList expected;
    for (const auto &v : fx.value(QStringLiteral("merged")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("dir"))
            continue;
        const QString path = e.value(QStringLiteral("path")).toString();
        const QString subject = byPath ? path : path.section(QLatin1Char('/'), -1);
        if (re.match(subject).hasMatch())
            expected << path;
    }
    expected.sort();
    QVERIFY(!expected.isEmpty());

    b->setFilterText(filter);
    QCOMPARE(b->filterEdit()->text(), filter);
    const QStringList shown = visibleFiles(b);
    QCOMPARE(shown, expected);
    QVERIFY(shown.size() < all.size());
    b->setFilterText(QString());
    QCOMPARE(visibleFiles(b), all);
}

void TestMainWindow::saveActionCarvesFile()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QTemporaryDir out;
    QStringList asked;
    w.setDirectoryAsker([&](const QString &title) {
        asked << title;
        return out.path();
    });
    const int jobsBefore = w.jobsPanel()->rowCount();

    // etc/passwd: layer 1 edits layer 0's copy; the merged view (and the carve) gives layer 1's.
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("etc/passwd")));
    QVERIFY(w.saveAction()->isEnabled());
    w.saveAction()->trigger();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(w.jobsPanel()->rowCount(), jobsBefore + 1);
    QTRY_COMPARE_WITH_TIMEOUT(w.jobsPanel()->state(0), Job::State::Succeeded, 30000);
    const QString file = out.filePath(QStringLiteral("etc/passwd"));
    const QJsonObject entry = ll::test::mergedEntry(fx, QStringLiteral("etc/passwd"));
    QCOMPARE(entry.value(QStringLiteral("layer")).toInt(), 1);
    QCOMPARE(ll::test::fileSha256(file), entry.value(QStringLiteral("sha256")).toString());
    QTRY_COMPARE(w.extractController()->lastSavedFolder(), QFileInfo(file).absolutePath());
    QVERIFY(w.openFolderAction()->isEnabled());
    // The file keeps its entry's modification time, as Export does.
    qint64 mtime = -1;
    for (const auto &e :
        fx.value(QStringLiteral("layers")).toArray()[1].toObject().value(QStringLiteral("entries")).toArray())
        if (e.toObject().value(QStringLiteral("path")).toString() == QStringLiteral("etc/passwd"))
            mtime = e.toObject().value(QStringLiteral("mtime")).toInteger();
    QVERIFY(mtime > 0);
    QCOMPARE(QFileInfo(file).lastModified().toSecsSinceEpoch(), mtime);
    // The next save asks from the folder chosen, not from the subfolder the file landed in (a second
    // Ctrl+S there would give out/etc/etc/passwd).
    QCOMPARE(w.extractController()->startFolder(), out.path());

    // Cancelling the folder question does nothing.
    w.setDirectoryAsker([](const QString &) { return QString(); });
    w.saveAction()->trigger();
    QCOMPARE(w.jobsPanel()->rowCount(), jobsBefore + 1);

    // Open Saved Folder says when it cannot: the desktop refused, or the folder is gone.
    QStringList opened;
    bool openerWorks = false;
    w.extractController()->setFolderOpener([&](const QUrl &url) {
        opened << url.toLocalFile();
        return openerWorks;
    });
    w.openFolderAction()->trigger();
    QCOMPARE(opened, QStringList { QFileInfo(file).absolutePath() });
    QVERIFY2(w.errorText().contains(QFileInfo(file).absolutePath()), qPrintable(w.errorText()));
    openerWorks = true;
    QVERIFY(QDir(QFileInfo(file).absolutePath()).removeRecursively());
    w.openFolderAction()->trigger();
    QCOMPARE(opened.size(), 1);
    QVERIFY2(w.errorText().contains(QStringLiteral("no longer exists")), qPrintable(w.errorText()));
}

void TestMainWindow::folderDialogTakesNewFolder()
{
    QTemporaryDir base;
    FolderDialog d(nullptr, QStringLiteral("Save into folder"), base.path());
    auto *name = d.findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
    QVERIFY(name);
    // A folder that does not exist yet is created, as Export creates its destination.
    name->setText(QStringLiteral("new-out"));
    d.accept();
    QCOMPARE(d.result(), int(QDialog::Accepted));
    QCOMPARE(d.folder(), QDir(base.path()).filePath(QStringLiteral("new-out")));
    QVERIFY(QFileInfo(d.folder()).isDir());

    // A file is not a folder; a missing parent is not created.
    QFile f(QDir(base.path()).filePath(QStringLiteral("afile")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    FolderDialog d2(nullptr, QStringLiteral("Save into folder"), base.path());
    d2.findChild<QLineEdit *>(QStringLiteral("fileNameEdit"))->setText(QStringLiteral("afile"));
    d2.accept();
    QVERIFY(d2.folder().isEmpty());
    QVERIFY(!d2.refusal().isEmpty());
    d2.findChild<QLineEdit *>(QStringLiteral("fileNameEdit"))->setText(QStringLiteral("no/such/parent"));
    d2.accept();
    QVERIFY(d2.folder().isEmpty());
    QVERIFY(!QFileInfo::exists(QDir(base.path()).filePath(QStringLiteral("no"))));
}

void TestMainWindow::previewShowsText()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("opt/app/config.yaml")));
    QVERIFY(w.previewAction()->isEnabled());
    w.previewAction()->trigger();
    PreviewDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = w.findChild<PreviewDialog *>()) != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->text().isEmpty(), 30000);
    QVERIFY(dialog->isText());
    QCOMPARE(dialog->encodingName(), QStringLiteral("UTF-8"));
    delete dialog;

    // A binary file goes to the hex view.
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("bin/sh")));
    QTest::keyClick(w.fileBrowser()->view(), Qt::Key_Return); // Enter previews
    QTRY_VERIFY((dialog = w.findChild<PreviewDialog *>()) != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->hexText().isEmpty(), 30000);
    QVERIFY(!dialog->isText());
}

void TestMainWindow::dragStagesFiles()
{
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    FileBrowser *b = w.fileBrowser();
    FileTreeModel *model = b->model();
    const QModelIndexList indexes { model->indexForPath(QStringLiteral("etc/passwd")),
        model->indexForPath(QStringLiteral("opt/app")) };
    QVERIFY(indexes[0].isValid() && indexes[1].isValid());
    std::unique_ptr<QMimeData> mime(model->mimeData(indexes));
    QVERIFY(mime);
    QVERIFY(mime->hasUrls());
    const QList<QUrl> urls = mime->urls(); // stages now: an ExtractJob into the staging directory
    QCOMPARE(urls.size(), 2);
    QVERIFY(urls[0].isLocalFile());
    QVERIFY(urls[0].toLocalFile().endsWith(QStringLiteral("/etc/passwd")));
    QCOMPARE(ll::test::fileSha256(urls[0].toLocalFile()),
        ll::test::mergedEntry(fx, QStringLiteral("etc/passwd")).value(QStringLiteral("sha256")).toString());
    QVERIFY(QFileInfo(urls[1].toLocalFile()).isDir());
    QCOMPARE(ll::test::fileSha256(urls[1].toLocalFile() + QStringLiteral("/config.yaml")),
        ll::test::mergedEntry(fx, QStringLiteral("opt/app/config.yaml")).value(QStringLiteral("sha256")).toString());

    // In a layer's view the layer's own copy is staged (layer 0 still has the original passwd).
    b->showLayer(0);
    const QModelIndex layer0 = model->indexForPath(QStringLiteral("etc/passwd"));
    QVERIFY(layer0.isValid());
    std::unique_ptr<QMimeData> mime0(model->mimeData({ layer0 }));
    const QList<QUrl> urls0 = mime0->urls();
    QCOMPARE(urls0.size(), 1);
    QString expected;
    for (const auto &e :
        fx.value(QStringLiteral("layers")).toArray()[0].toObject().value(QStringLiteral("entries")).toArray()) {
        if (e.toObject().value(QStringLiteral("path")).toString() == QLatin1String("etc/passwd"))
            expected = e.toObject().value(QStringLiteral("sha256")).toString();
    }
    QVERIFY(!expected.isEmpty());
    QCOMPARE(ll::test::fileSha256(urls0[0].toLocalFile()), expected);
}

void TestMainWindow::dragPrestagesAndAnswersInnerAsks()
{
    // The download starts when the drag begins (mimeData()); a drop target asking again from inside the wait
    // (pcmanfm does, while hovering) gets the same files, not an empty list, and nothing is fetched twice.
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("lab/app:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0"), h.proxy()));
    h.proxyReset();
    h.throttle(400000);
    FileTreeModel *model = w.fileBrowser()->model();
    const QModelIndex passwd = model->indexForPath(QStringLiteral("etc/passwd"));
    QVERIFY(passwd.isValid());
    const int jobsBefore = w.jobsPanel()->rowCount();
    const auto dragRows = [&w] {
        QList<int> rows;
        for (int r = 0; r < w.jobsPanel()->rowCount(); ++r)
            if (w.jobsPanel()->title(r).startsWith(QLatin1String("Prepare drag")))
                rows << r;
        return rows;
    };
    std::unique_ptr<QMimeData> mime(model->mimeData({ passwd }));
    QVERIFY(mime);
    QCOMPARE(w.jobsPanel()->rowCount(), jobsBefore + 1); // prestaged at drag start
    QCOMPARE(dragRows().size(), 1);
    Job *drag = w.jobsPanel()->job(dragRows().first());
    QVERIFY(drag);
    QCOMPARE(drag->state(), Job::State::Running);

    QList<QUrl> inner;
    bool innerAsked = false;
    QTimer::singleShot(50, this, [&] {
        innerAsked = true;
        inner = mime->urls();
    });
    const QList<QUrl> outer = mime->urls();
    h.proxyReset();
    QVERIFY(innerAsked);
    QCOMPARE(outer.size(), 1);
    QCOMPARE(inner, outer);
    QCOMPARE(ll::test::fileSha256(outer[0].toLocalFile()),
        ll::test::mergedEntry(fx, QStringLiteral("etc/passwd")).value(QStringLiteral("sha256")).toString());
    QCOMPARE(qobject_cast<StagedFilesMimeData *>(mime.get())->stageCount(), 1);
    QCOMPARE(w.jobsPanel()->rowCount(), jobsBefore + 1); // one download for all the asks
    QCOMPARE(w.jobsPanel()->state(dragRows().first()), Job::State::Succeeded);

    // A second drag of the same file reuses what is staged.
    std::unique_ptr<QMimeData> again(model->mimeData({ passwd }));
    QCOMPARE(again->urls(), outer);
    QCOMPARE(w.jobsPanel()->rowCount(), jobsBefore + 1);

    // A drag that ends with nobody asking (dropped nowhere, Esc) stops its download.
    h.throttle(100000);
    const QModelIndex group = model->indexForPath(QStringLiteral("etc/group"));
    QVERIFY(group.isValid());
    std::unique_ptr<QMimeData> abandoned(model->mimeData({ group }));
    QCOMPARE(dragRows().size(), 2);
    QPointer<Job> abandonedJob;
    for (int r : dragRows())
        if (w.jobsPanel()->title(r).contains(QLatin1String("etc/group")))
            abandonedJob = w.jobsPanel()->job(r);
    QVERIFY(abandonedJob);
    QVERIFY(abandonedJob->isRunning());
    abandoned.reset();
    QTRY_VERIFY_WITH_TIMEOUT(abandonedJob.isNull() || abandonedJob->state() == Job::State::Cancelled, 10000);
    h.proxyReset();
}

void TestMainWindow::cancelStopsJob()
{
    auto &h = Harness::instance();
    h.proxyReset();
    // Blobs through the proxy at 200 KB/s: the big layer takes minutes unless cancelled.
    h.throttle(200000);
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(h.reference(QStringLiteral("lab/big:1.0"), h.proxy())));
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->scanJob(0) != nullptr, 30000);
    stream::LayerScanJob *scan = w.imageController()->scanJob(0);
    QTRY_VERIFY_WITH_TIMEOUT(scan->progressDone() > 0, 30000);
    const int row = w.jobsPanel()->rowOf(scan);
    QVERIFY(row >= 0);
    QCOMPARE(w.jobsPanel()->state(row), Job::State::Running);
    w.jobsPanel()->cancel(row);
    QTRY_COMPARE_WITH_TIMEOUT(w.jobsPanel()->state(row), Job::State::Cancelled, 10000);
    QCOMPARE(w.imageController()->layerState(0), ImageController::LayerState::Cancelled);
    QCOMPARE(w.layerModel()->state(0), LayerListModel::LoadState::Failed);
    QVERIFY(w.jobsPanel()->canRetry(row));
    // A cancelled listing is marked incomplete wherever it shows, not presented as the whole layer.
    QVERIFY2(
        w.layerModel()->stateText(0).contains(QStringLiteral("incomplete")), qPrintable(w.layerModel()->stateText(0)));
    QVERIFY2(
        w.fileBrowser()->infoText().contains(QStringLiteral("incomplete")), qPrintable(w.fileBrowser()->infoText()));
    w.fileBrowser()->showLayer(0);
    QVERIFY2(
        w.fileBrowser()->infoText().contains(QStringLiteral("incomplete")), qPrintable(w.fileBrowser()->infoText()));
    w.fileBrowser()->showMerged();

    // Retry at full speed lists the layer.
    h.proxyReset();
    w.jobsPanel()->retry(row);
    QCOMPARE(w.jobsPanel()->state(row), Job::State::Running);
    // New rows go on top: the analysis that starts once every layer is listed adds one above this one.
    const int rowsBefore = w.jobsPanel()->rowCount();
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    QCOMPARE(w.jobsPanel()->state(row + w.jobsPanel()->rowCount() - rowsBefore), Job::State::Succeeded);
    QVERIFY(w.fileBrowser()->selectPath(QStringLiteral("data/needle.bin")));
}

void TestMainWindow::failedOpenClearsState()
{
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QVERIFY(w.exportAction()->isEnabled());
    QVERIFY(!w.fileBrowser()->infoText().isEmpty());
    QVERIFY(w.openReference(h.anonRegistry() + QStringLiteral("/lab/nothere:1.0")));
    QTRY_VERIFY_WITH_TIMEOUT(w.errorText().contains(QStringLiteral("nothere")), 30000);
    // Nothing of the previous image stays: no export, no counts, no title naming what failed.
    QVERIFY(!w.imageController()->hasImage());
    QVERIFY(!w.exportAction()->isEnabled());
    QVERIFY(!w.saveAction()->isEnabled());
    QCOMPARE(w.fileBrowser()->infoText(), QString());
    QCOMPARE(w.layerModel()->rowCount(), 0);
    QCOMPARE(w.windowTitle(), QStringLiteral("Layerslayer"));
}

void TestMainWindow::badReferenceShowsError()
{
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(!w.openReference(QStringLiteral("UPPER/Case:tag!")));
    QVERIFY(!w.errorText().isEmpty());
    QVERIFY(w.openReference(h.anonRegistry() + QStringLiteral("/lab/nothere:1.0")));
    QTRY_VERIFY_WITH_TIMEOUT(w.errorText().contains(QStringLiteral("nothere")), 30000);
    QTRY_COMPARE(w.jobsPanel()->state(0), Job::State::Failed);
    QVERIFY(w.jobsPanel()->statusText(0).startsWith(QStringLiteral("Not found")));
    QVERIFY(w.jobsPanel()->canRetry(0));
}

void TestMainWindow::layoutAtSmallWindow()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    // The jobs are a status-bar indicator; the dock opens from it.
    auto *jobsDock = w.findChild<QDockWidget *>(QStringLiteral("jobsDock"));
    QVERIFY(jobsDock);
    QVERIFY(!jobsDock->isVisible());
    QVERIFY(w.jobsIndicator()->isVisible());
    QVERIFY(w.jobsPanel()->rowCount() > 0);
    QTRY_COMPARE(w.jobsIndicator()->runningCount(), 0);
    QTreeView *tree = w.fileBrowser()->view();
    QVERIFY2(tree->height() > w.height() / 2,
        qPrintable(QStringLiteral("tree %1 of %2").arg(tree->height()).arg(w.height())));
    // The Name column stretches; the origin-layer column is whole on screen.
    QHeaderView *header = tree->header();
    QVERIFY(!header->stretchLastSection());
    QCOMPARE(header->sectionResizeMode(FileTreeModel::NameColumn), QHeaderView::Stretch);
    QTRY_VERIFY(header->sectionSize(FileTreeModel::NameColumn) > header->sectionSize(FileTreeModel::LayerColumn));
    QVERIFY(
        header->sectionViewportPosition(FileTreeModel::LayerColumn) + header->sectionSize(FileTreeModel::LayerColumn)
        <= tree->viewport()->width());
    QVERIFY(header->sectionSize(FileTreeModel::NameColumn) >= 150);

    QTest::mouseClick(w.jobsIndicator(), Qt::LeftButton);
    QTRY_VERIFY(jobsDock->isVisible());
    QVERIFY(w.jobsIndicator()->isChecked());
    QTest::mouseClick(w.jobsIndicator(), Qt::LeftButton);
    QTRY_VERIFY(!jobsDock->isVisible());

    // A failed job shows in the indicator.
    QVERIFY(w.openReference(Harness::instance().anonRegistry() + QStringLiteral("/lab/nothere:1.0")));
    QTRY_VERIFY_WITH_TIMEOUT(w.jobsIndicator()->failedCount() == 1, 30000);
    QVERIFY2(w.jobsIndicator()->text().contains(QStringLiteral("failed")), qPrintable(w.jobsIndicator()->text()));
}

void TestMainWindow::keyboardNavigation()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    // Focus starts where one types an image.
    QWidget *focused = QApplication::focusWidget();
    QVERIFY2(focused && (focused == w.referenceCombo() || w.referenceCombo()->isAncestorOf(focused)),
        focused
            ? qPrintable(focused->objectName() + QLatin1Char(' ') + QLatin1String(focused->metaObject()->className()))
            : "no focus");
    QVERIFY(openAndWait(w, QStringLiteral("lab/app:1.0")));
    QCOMPARE(w.fileBrowser()->currentLayer(), -1);

    // Tabbing into the Layers list does not switch the tree; picking a row does.
    w.layersView()->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(w.layersView()->hasFocus());
    QCOMPARE(w.fileBrowser()->currentLayer(), -1);
    QTest::keyClick(w.layersView(), Qt::Key_Down);
    QTRY_VERIFY(w.fileBrowser()->currentLayer() >= 0);
    w.fileBrowser()->showMerged();

    // Down in the filter box goes into the results.
    w.fileBrowser()->focusFilter();
    QTRY_VERIFY(w.fileBrowser()->filterEdit()->hasFocus());
    w.fileBrowser()->setFilterText(QStringLiteral("passwd"));
    QTest::keyClick(w.fileBrowser()->filterEdit(), Qt::Key_Down);
    QTRY_VERIFY(w.fileBrowser()->view()->hasFocus());
    QVERIFY(w.fileBrowser()->view()->currentIndex().isValid());

    // Help: F1 lists the shortcuts.
    QCOMPARE(w.shortcutsAction()->shortcut(), QKeySequence(Qt::Key_F1));
    ShortcutsDialog *d = w.showShortcuts();
    const QStringList rows = d->rows();
    QVERIFY2(rows.filter(QStringLiteral("Save Selected")).size() == 1, qPrintable(rows.join(QLatin1Char('\n'))));
    QVERIFY(rows.filter(QStringLiteral("F1")).size() == 1);
    d->close();
    auto *help = w.findChild<QMenu *>(QStringLiteral("helpMenu"));
    QVERIFY(help);
    QStringList titles;
    for (QAction *a : help->actions())
        titles << a->text().remove(QLatin1Char('&'));
    QVERIFY(titles.contains(QStringLiteral("About Layerslayer")));
}

void TestMainWindow::hostileEntriesShown()
{
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral("lab/hostile:1.0")));
    // Layer 1 names "../../evil" and "safe/../../dotdot-inside": dropped from the listing, and said so
    // in the layer row and its tooltip (not only in a log line).
    const QModelIndex state = w.layerModel()->index(1, LayerListModel::StateColumn);
    QVERIFY(state.data(LayerListModel::DroppedRole).toInt() >= 2);
    QVERIFY2(state.data().toString().contains(QStringLiteral("unsafe dropped")), qPrintable(state.data().toString()));
    const QString tip = state.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("../../evil")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("safe/../../dotdot-inside")), qPrintable(tip));
    QCOMPARE(w.layerModel()->index(0, LayerListModel::StateColumn).data(LayerListModel::DroppedRole).toInt(), 0);
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
