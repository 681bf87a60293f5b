// The Hunt window against the real registry: the table fills live as images are answered, the deleted but
// recoverable rows are marked, per-image states (a missing image fails on its own line), filter and sort,
// CSV/JSON export, and opening a result in the main window at its file; signing in to a registry that refused
// an image (token and htpasswd registries) searches it again; a result row dragged stages its file; the History
// tab's search over everything cached; every platform of multi-arch images; symlinks with their target; the
// window at 1024x700. Models under QAbstractItemModelTester.
#include "MainWindow.h"
#include "UiTestEnv.h"
#include "catalog/ImageCatalog.h"
#include "controllers/AuthController.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/CredentialsDialog.h"
#include "dialogs/PreviewDialog.h"
#include "hunt/CachedHitsModel.h"
#include "hunt/HuntController.h"
#include "hunt/HuntHistoryPanel.h"
#include "hunt/HuntImagesModel.h"
#include "hunt/HuntResultsModel.h"
#include "hunt/HuntWindow.h"
#include "hunt/SeenImagesModel.h"
#include "index/IndexStore.h"
#include "registry/ImageReference.h"
#include "widgets/FileBrowser.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using ll::test::Harness;
using ll::ui::HuntResultsModel;
using ll::ui::HuntWindow;

class TestHuntWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fillsLiveAndMarksRecoverable();
    void exportsAndOpensInMainWindow();
    void openingAnImageRecordsItInHistory();
    void previewAndSaveFromARow();
    void signInSearchesTheImageAgain_data();
    void signInSearchesTheImageAgain();
    void signInWithAllPlatforms();
    void dragSavesARowsFile();
    void historySearchesEverythingCached();
    void allPlatforms();
    void symlinkShowsItsTarget();
    void fitsSmallWindow();

private:
    QString ref(const QString &name) const { return Harness::instance().reference(name, Harness::instance().proxy()); }
    /** Runs a hunt as typed and waits for its end. */
    static bool hunt(HuntWindow &w, const QString &targets, const QString &patterns);
    /** Makes the results row whose path is path current; false when there is none. */
    static bool select(HuntWindow &w, const QString &path, int image = -1);
    QTemporaryDir m_idx;
};

void TestHuntWindow::initTestCase()
{
    ll::test::isolateSettings("TestHuntWindow");
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    qputenv("LL_INDEX_DIR", m_idx.path().toLocal8Bit()); // the window's indexes and history, private to the test
}

void TestHuntWindow::fillsLiveAndMarksRecoverable()
{
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    QAbstractItemModelTester t1(w.controller()->results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(w.resultsProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(w.imagesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(w.historyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.show();
    w.targetsEdit()->setPlainText(ref(QStringLiteral("hunt/web:1.0")) + QLatin1Char('\n')
        + ref(QStringLiteral("hunt/web:2.0")) + QLatin1Char('\n') + ref(QStringLiteral("hunt/api:1.0"))
        + QLatin1Char('\n') + Harness::instance().proxy() + QStringLiteral("/hunt/missing:1.0\n"));
    w.patternsEdit()->setText(QStringLiteral("etc/shadow **/.env"));
    // Answers arrive image by image: the table grows in several inserts while the hunt runs.
    QSignalSpy inserts(w.controller()->results(), &QAbstractItemModel::rowsInserted);
    QTest::mouseClick(w.startButton(), Qt::LeftButton);
    QVERIFY(w.cancelButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isRunning(), 60000);
    QVERIFY(inserts.size() >= 3);
    QVERIFY(w.startButton()->isEnabled());

    const HuntResultsModel *m = w.controller()->results();
    int recoverable = 0, errors = 0;
    for (int r = 0; r < m->rowCount(); ++r) {
        const ll::hunt::HuntAnswer &a = m->answer(r);
        if (m->data(m->index(r, 0), HuntResultsModel::RecoverableRole).toBool()) {
            ++recoverable;
            QVERIFY(
                m->data(m->index(r, HuntResultsModel::StatusColumn)).toString().contains(QLatin1String("recoverable")));
            QVERIFY(m->data(m->index(r, 0), Qt::ForegroundRole).isValid());
        }
        errors += a.status == ll::hunt::HuntAnswer::Status::Error ? 1 : 0;
    }
    QCOMPARE(recoverable, 2); // web 2.0's etc/shadow, api's srv/api/.env
    QCOMPARE(errors, 1);
    // Per-image states: three done, the missing one failed with its reason.
    int done = 0, failed = 0;
    for (int r = 0; r < w.imagesModel()->rowCount(); ++r) {
        const QString state = w.imagesModel()->index(r, 1).data().toString();
        done += state.startsWith(QLatin1String("done")) ? 1 : 0;
        failed += state.startsWith(QLatin1String("failed")) ? 1 : 0;
    }
    QCOMPARE(done, 3);
    QCOMPARE(failed, 1);

    // Filter and sort through the proxy.
    w.filterEdit()->setText(QStringLiteral(".env"));
    QCOMPARE(w.resultsProxy()->rowCount(), 3); // web 1.0, web 2.0, api (hidden)
    w.filterEdit()->clear();
    w.resultsView()->sortByColumn(HuntResultsModel::LayerColumn, Qt::DescendingOrder);
    QCOMPARE(w.resultsProxy()->index(0, HuntResultsModel::LayerColumn).data(HuntResultsModel::SortRole).toInt(), 2);

    // To look at it: LL_HUNT_SCREENSHOT=/tmp/hunt.png under xvfb-run with QT_QPA_PLATFORM=xcb.
    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));

    // The history lists what was seen.
    w.historyModel()->reload();
    QCOMPARE(w.historyModel()->rowCount(), 3);
}

void TestHuntWindow::exportsAndOpensInMainWindow()
{
    ll::test::UiClientEnv env;
    ll::ui::MainWindow main(env.client.get());
    main.show();
    HuntWindow *w = main.openHunt();
    QVERIFY(w && w->isVisible());
    w->targetsEdit()->setPlainText(ref(QStringLiteral("hunt/worker:1.0")));
    w->patternsEdit()->setText(QStringLiteral("root/.ssh/id_rsa etc/passwd"));
    QVERIFY(w->startHunt());
    QTRY_VERIFY_WITH_TIMEOUT(!w->controller()->isRunning(), 60000);
    QCOMPARE(w->controller()->results()->rowCount(), 2);

    QTemporaryDir dir;
    QString error;
    QVERIFY(w->exportTo(dir.filePath(QStringLiteral("h.csv")), true, &error));
    QVERIFY(w->exportTo(dir.filePath(QStringLiteral("h.jsonl")), false, &error));
    QFile csv(dir.filePath(QStringLiteral("h.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith("image,digest,pattern,path,status"));
    QVERIFY(lines.join('\n').contains(",root/.ssh/id_rsa,deleted,2,"));
    QFile json(dir.filePath(QStringLiteral("h.jsonl")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    QCOMPARE(json.readAll().trimmed().split('\n').size(), 2);

    // Open a found file in the main window: the image loads and the file is selected there.
    int row = -1;
    for (int r = 0; r < w->resultsProxy()->rowCount(); ++r) {
        if (w->resultsProxy()->index(r, HuntResultsModel::PathColumn).data().toString() == QLatin1String("etc/passwd"))
            row = r;
    }
    QVERIFY(row >= 0);
    w->resultsView()->setCurrentIndex(w->resultsProxy()->index(row, 0));
    QSignalSpy open(w, &HuntWindow::openRequested);
    QTest::mouseClick(w->openButton(), Qt::LeftButton);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.at(0).at(1).toString(), QStringLiteral("etc/passwd"));
    QTRY_COMPARE_WITH_TIMEOUT(
        main.imageController()->reference().toString(), ref(QStringLiteral("hunt/worker:1.0")), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(
        main.fileBrowser()->selectedPaths() == QStringList { QStringLiteral("etc/passwd") }, 30000);
}

void TestHuntWindow::openingAnImageRecordsItInHistory()
{
    // An image opened in the main window (not hunted) is in the History and in --search's catalogue.
    QTemporaryDir idx;
    ll::test::UiClientEnv env;
    ll::ui::MainWindow main(env.client.get());
    main.imageController()->setIndexStore(ll::index::IndexStore(idx.path()));
    QVERIFY(main.openReference(ref(QStringLiteral("lab/app:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(main.imageController()->hasImage(), 30000);
    const QVector<ll::catalog::SeenImage> seen
        = ll::catalog::ImageCatalog::forIndexStore(ll::index::IndexStore(idx.path())).recent();
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.at(0).reference, ref(QStringLiteral("lab/app:1.0")));
    const QJsonObject fixture = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    QCOMPARE(seen.at(0).manifestDigest, fixture.value(QLatin1String("digest")).toString());
    QStringList layers;
    for (const QJsonValue &l : fixture.value(QLatin1String("layers")).toArray())
        layers << l.toObject().value(QLatin1String("digest")).toString();
    QCOMPARE(seen.at(0).layers, layers);
}

void TestHuntWindow::previewAndSaveFromARow()
{
    // hunt/worker:1.0: etc/passwd is found (base layer); root/.ssh/id_rsa was deleted by layer 2 and is still
    // in layer 1. Both can be saved and previewed from their rows; the deleted one comes from layer 1.
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    w.show();
    w.targetsEdit()->setPlainText(ref(QStringLiteral("hunt/worker:1.0")));
    w.patternsEdit()->setText(QStringLiteral("root/.ssh/id_rsa etc/passwd etc/nothing"));
    QVERIFY(w.startHunt());
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isRunning(), 60000);
    QTemporaryDir out;
    w.extractController()->setDirectoryAsker([&out](const QString &) { return out.path(); });
    auto select = [&w](const QString &path) {
        for (int r = 0; r < w.resultsProxy()->rowCount(); ++r) {
            if (w.resultsProxy()->index(r, HuntResultsModel::PathColumn).data().toString() == path) {
                w.resultsView()->setCurrentIndex(w.resultsProxy()->index(r, 0));
                return true;
            }
        }
        return false;
    };
    QVERIFY(select(QStringLiteral("etc/nothing"))); // not found: nothing to fetch
    QVERIFY(!w.saveButton()->isEnabled());
    QVERIFY(!w.previewButton()->isEnabled());

    QVERIFY(select(QStringLiteral("root/.ssh/id_rsa")));
    QVERIFY(w.saveButton()->isEnabled());
    QTest::mouseClick(w.saveButton(), Qt::LeftButton);
    const QString key = out.filePath(QStringLiteral("root/.ssh/id_rsa"));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(key), 30000);
    QFile f(key);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("planted-test-key"));

    QVERIFY(select(QStringLiteral("etc/passwd")));
    QTest::mouseClick(w.previewButton(), Qt::LeftButton);
    ll::ui::PreviewDialog *preview = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((preview = w.findChild<ll::ui::PreviewDialog *>(QStringLiteral("previewDialog"))), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(preview->text().startsWith(QLatin1String("root:x:0:0")), 30000);

    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT"); !shot.isEmpty()) {
        preview->close();
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));
    }
}

bool TestHuntWindow::hunt(HuntWindow &w, const QString &targets, const QString &patterns)
{
    w.targetsEdit()->setPlainText(targets);
    w.patternsEdit()->setText(patterns);
    if (!w.startHunt())
        return false;
    return QTest::qWaitFor([&w] { return !w.controller()->isRunning(); }, 60000);
}

bool TestHuntWindow::select(HuntWindow &w, const QString &path, int image)
{
    for (int r = 0; r < w.resultsProxy()->rowCount(); ++r) {
        const int source = w.resultsProxy()->mapToSource(w.resultsProxy()->index(r, 0)).row();
        if (image >= 0 && w.controller()->results()->answer(source).imageIndex != image)
            continue;
        if (w.resultsProxy()->index(r, HuntResultsModel::PathColumn).data(HuntResultsModel::SortRole).toString()
            == path) {
            w.resultsView()->setCurrentIndex(w.resultsProxy()->index(r, 0));
            return true;
        }
    }
    return false;
}

void TestHuntWindow::signInSearchesTheImageAgain_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("registry"); // users.<registry> in state.json
    QTest::addColumn<QString>("path");
    QTest::newRow("token registry") << QStringLiteral("private/hunt:1.0") << QStringLiteral("token")
                                    << QStringLiteral("srv/.env");
    QTest::newRow("htpasswd registry") << QStringLiteral("private/basic:1.0") << QStringLiteral("basic")
                                       << QStringLiteral("basic.txt");
}

void TestHuntWindow::signInSearchesTheImageAgain()
{
    // A private image fails with "needs sign-in" beside an open one; Sign In… opens the main window's
    // credentials dialog; a wrong password is refused and asked again; the right one searches just that
    // registry's images again, whose row then holds the file (and can be saved from).
    QFETCH(QString, fixture);
    QFETCH(QString, registry);
    QFETCH(QString, path);
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    QAbstractItemModelTester t1(w.controller()->results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(w.imagesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.show();
    const QString privateRef = h.reference(fixture);
    QVERIFY(hunt(
        w, privateRef + QLatin1Char('\n') + ref(QStringLiteral("hunt/web:1.0")), path + QStringLiteral(" etc/passwd")));
    const HuntResultsModel *m = w.controller()->results();
    int image = -1;
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->answer(r).status == ll::hunt::HuntAnswer::Status::Error) {
            QCOMPARE(m->answer(r).image, privateRef);
            QVERIFY(m->index(r, HuntResultsModel::StatusColumn)
                        .data()
                        .toString()
                        .startsWith(QLatin1String("needs sign-in")));
            // The GUI speaks of signing in, never of the CLI's flags.
            QVERIFY(!m->index(r, HuntResultsModel::StatusColumn).data().toString().contains(QLatin1String("--")));
            image = m->answer(r).imageIndex;
            w.resultsView()->setCurrentIndex(w.resultsProxy()->mapFromSource(m->index(r, 0)));
        }
    }
    QVERIFY(image >= 0);
    QVERIFY(w.controller()->needsSignIn(image));
    QVERIFY(w.imagesModel()->index(image, 1).data().toString().startsWith(QLatin1String("needs sign-in")));
    QVERIFY(!w.imagesModel()->index(image, 1).data().toString().contains(QLatin1String("--")));
    QVERIFY(w.signInButton()->isEnabled());
    const int webRows = m->rowCount() - 1;
    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT_SIGNIN"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));

    // A wrong password: refused, asked again (the dialog says so), nothing else searched.
    QTest::mouseClick(w.signInButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && w.authController()->dialog()->isVisible(), 10000);
    QPointer<ll::ui::CredentialsDialog> first = w.authController()->dialog();
    QCOMPARE(first->registry(), h.reference(fixture).section(QLatin1Char('/'), 0, 0));
    first->setUsername(h.username(registry));
    first->setPassword(QStringLiteral("not-the-password"));
    first->accept();
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && (first.isNull() || w.authController()->dialog() != first)
            && w.authController()->dialog()->isVisible(),
        30000);
    ll::ui::CredentialsDialog *second = w.authController()->dialog();
    bool saysRefused = false;
    for (QLabel *l : second->findChildren<QLabel *>())
        saysRefused = saysRefused || l->text().contains(QStringLiteral("refused"));
    QVERIFY(saysRefused);
    QVERIFY(w.controller()->needsSignIn(image));

    // The right one: the image is searched again in this hunt, its row replaced by the answers.
    second->setUsername(h.username(registry));
    second->setPassword(h.password(registry));
    second->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->needsSignIn(image) && !w.controller()->isRunning(), 60000);
    int found = 0, errors = 0;
    for (int r = 0; r < m->rowCount(); ++r) {
        const ll::hunt::HuntAnswer &a = m->answer(r);
        errors += a.status == ll::hunt::HuntAnswer::Status::Error ? 1 : 0;
        if (a.imageIndex == image && a.path == path) {
            QCOMPARE(a.status, ll::hunt::HuntAnswer::Status::Found);
            QCOMPARE(a.image, privateRef);
            ++found;
        }
    }
    QCOMPARE(found, 1);
    QCOMPARE(errors, 0);
    QCOMPARE(m->rowCount(), webRows + 2); // the image's two patterns; the open image's rows untouched
    QVERIFY(w.imagesModel()->index(image, 1).data().toString().startsWith(QLatin1String("done")));
    QVERIFY(!w.signInButton()->isEnabled() || !w.controller()->needsSignIn(image));
    QVERIFY(!w.authController()->dialog() || !w.authController()->dialog()->isVisible());

    // The row's file is the signed-in image's: saved from it.
    QTemporaryDir out;
    w.extractController()->setDirectoryAsker([&out](const QString &) { return out.path(); });
    QVERIFY(select(w, path, image));
    QVERIFY(w.saveButton()->isEnabled());
    QTest::mouseClick(w.saveButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out.filePath(path)), 30000);
    QString expected;
    for (const QJsonValue &l : h.fixture(fixture).value(QLatin1String("layers")).toArray()) {
        for (const QJsonValue &e : l.toObject().value(QLatin1String("entries")).toArray()) {
            if (e.toObject().value(QLatin1String("path")).toString() == path)
                expected = e.toObject().value(QLatin1String("sha256")).toString();
        }
    }
    if (!expected.isEmpty())
        QCOMPARE(ll::test::fileSha256(out.filePath(path)), expected);
}

void TestHuntWindow::signInWithAllPlatforms()
{
    // A multi-arch index behind htpasswd, hunted with All platforms: its index cannot be read before the
    // sign-in; after it, every platform is searched, the first in the image's row and the others appended,
    // each row's file saved from its own platform.
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    QAbstractItemModelTester t1(w.controller()->results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(w.imagesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.show();
    w.allPlatformsBox()->setChecked(true);
    QVERIFY(hunt(w, h.reference(QStringLiteral("private/multi:1.0")), QStringLiteral("etc/arch")));
    QCOMPARE(w.imagesModel()->rowCount(), 1);
    QVERIFY(w.controller()->needsSignIn(0));
    QVERIFY(w.signIn(0));
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && w.authController()->dialog()->isVisible(), 10000);
    w.authController()->dialog()->setUsername(h.username(QStringLiteral("basic")));
    w.authController()->dialog()->setPassword(h.password(QStringLiteral("basic")));
    w.authController()->dialog()->accept();
    QTRY_VERIFY_WITH_TIMEOUT(w.imagesModel()->rowCount() == 4 && !w.controller()->isRunning(), 60000);
    const HuntResultsModel *m = w.controller()->results();
    QStringList platforms;
    int armV6 = -1;
    for (int r = 0; r < m->rowCount(); ++r) {
        const ll::hunt::HuntAnswer &a = m->answer(r);
        QCOMPARE(a.status, ll::hunt::HuntAnswer::Status::Found);
        QCOMPARE(w.controller()->image(a.imageIndex)->image.platform.toString(), a.platform);
        platforms << a.platform;
        if (a.platform == QLatin1String("linux/arm/v6"))
            armV6 = a.imageIndex;
    }
    platforms.sort();
    QCOMPARE(platforms,
        QStringList({ QStringLiteral("linux/amd64"), QStringLiteral("linux/arm/v6"), QStringLiteral("linux/arm/v7"),
            QStringLiteral("linux/arm64/v8") }));
    for (int r = 0; r < 4; ++r)
        QVERIFY(w.imagesModel()->index(r, 1).data().toString().startsWith(QLatin1String("done")));
    QTemporaryDir out;
    w.extractController()->setDirectoryAsker([&out](const QString &) { return out.path(); });
    QVERIFY(armV6 >= 0);
    QVERIFY(select(w, QStringLiteral("etc/arch"), armV6));
    QTest::mouseClick(w.saveButton(), Qt::LeftButton);
    const QString saved = out.filePath(QStringLiteral("etc/arch"));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(saved), 30000);
    QFile f(saved);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("linux/arm/v6\n"));
}

void TestHuntWindow::dragSavesARowsFile()
{
    // Dragging a result row gives file URLs staged when a drop target asks (the main tree's drag-to-save): a
    // found file, and a deleted one from the layer that still holds it. Rows without a file cannot be dragged.
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    w.show();
    QVERIFY(hunt(w, ref(QStringLiteral("hunt/worker:1.0")), QStringLiteral("root/.ssh/id_rsa etc/passwd etc/nothing")));
    QVERIFY(w.resultsView()->dragEnabled());
    QSortFilterProxyModel *proxy = w.resultsProxy();

    QVERIFY(select(w, QStringLiteral("etc/nothing")));
    QVERIFY(!(proxy->flags(w.resultsView()->currentIndex()) & Qt::ItemIsDragEnabled));
    QVERIFY(!proxy->mimeData({ w.resultsView()->currentIndex() }));

    QVERIFY(select(w, QStringLiteral("root/.ssh/id_rsa")));
    const QModelIndex key = w.resultsView()->currentIndex();
    QVERIFY(proxy->flags(key) & Qt::ItemIsDragEnabled);
    QVERIFY(select(w, QStringLiteral("etc/passwd")));
    const QModelIndex passwd = w.resultsView()->currentIndex();
    std::unique_ptr<QMimeData> mime(proxy->mimeData({ key, passwd }));
    QVERIFY(mime);
    QVERIFY(mime->hasUrls());
    QCOMPARE(mime->text(), QStringLiteral("root/.ssh/id_rsa\netc/passwd"));
    const QList<QUrl> urls = mime->urls(); // what a drop target (file manager) asks for: staged now
    QCOMPARE(urls.size(), 2);
    // What the file manager then does with them: copy into the folder dropped on.
    QTemporaryDir folder;
    for (const QUrl &u : urls) {
        QVERIFY(u.isLocalFile());
        QVERIFY(QFile::copy(u.toLocalFile(), folder.filePath(QFileInfo(u.toLocalFile()).fileName())));
    }
    QFile f(folder.filePath(QStringLiteral("id_rsa")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("planted-test-key"));
    QFile p(folder.filePath(QStringLiteral("passwd")));
    QVERIFY(p.open(QIODevice::ReadOnly));
    QVERIFY(p.readAll().startsWith("root:x:0:0"));
}

void TestHuntWindow::historySearchesEverythingCached()
{
    // A glob hunt reads whole layers and keeps their indexes; the History tab's search then finds the files in
    // them offline, each with its image and layer, and a double-click opens that image at that file.
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    w.show();
    QVERIFY(hunt(w, ref(QStringLiteral("hunt/web:1.0")) + QLatin1Char('\n') + ref(QStringLiteral("hunt/api:1.0")),
        QStringLiteral("**/.env")));
    ll::ui::HuntHistoryPanel *history = w.historyPanel();
    QAbstractItemModelTester t(history->hitsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.tabs()->setCurrentWidget(history);
    QSignalSpy done(history, &ll::ui::HuntHistoryPanel::searchFinished);
    history->searchEdit()->setText(QStringLiteral("srv/*/.env"));
    QTest::keyClick(history->searchEdit(), Qt::Key_Return);
    QVERIFY(done.wait(30000) || done.size() == 1);
    ll::ui::CachedHitsModel *hits = history->hitsModel();
    QStringList rows;
    int webRow = -1;
    for (int r = 0; r < hits->rowCount(); ++r) {
        rows << hits->reference(r) + QLatin1Char(' ')
                + hits->index(r, ll::ui::CachedHitsModel::LayerColumn).data().toString() + QLatin1Char(' ')
                + hits->path(r);
        if (hits->reference(r) == ref(QStringLiteral("hunt/web:1.0")))
            webRow = r;
    }
    QVERIFY2(rows.contains(ref(QStringLiteral("hunt/web:1.0")) + QStringLiteral(" 1 srv/web/.env")),
        qPrintable(rows.join(QLatin1Char('\n'))));
    QVERIFY2(rows.contains(ref(QStringLiteral("hunt/api:1.0")) + QStringLiteral(" 1 srv/api/.env")),
        qPrintable(rows.join(QLatin1Char('\n'))));
    QVERIFY(history->statusLabel()->text().contains(QLatin1String("hit")));
    QVERIFY(history->hitsView()->isVisible());
    QTRY_VERIFY(history->hitsView()->height() > 3 * history->hitsView()->verticalHeader()->defaultSectionSize());
    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT_HISTORY"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));

    QSignalSpy open(&w, &HuntWindow::openRequested);
    const QModelIndex cell = hits->index(webRow, ll::ui::CachedHitsModel::PathColumn);
    history->hitsView()->scrollTo(cell);
    const QPoint at = history->hitsView()->visualRect(cell).center();
    QTest::mouseClick(history->hitsView()->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(history->hitsView()->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.at(0).at(0).toString(), ref(QStringLiteral("hunt/web:1.0")));
    QCOMPARE(open.at(0).at(1).toString(), QStringLiteral("srv/web/.env"));

    // A pattern that is not one says so.
    history->searchEdit()->setText(QStringLiteral("a[b"));
    QVERIFY(!history->search());
}

void TestHuntWindow::allPlatforms()
{
    // With All platforms every platform of a multi-arch image is hunted (the OCI index's attestation never),
    // each row naming its platform.
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    QAbstractItemModelTester t(w.imagesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.show();
    w.allPlatformsBox()->setChecked(true);
    QVERIFY(hunt(w, ref(QStringLiteral("lab/multi:1.0")) + QLatin1Char('\n') + ref(QStringLiteral("lab/oci:1.0")),
        QStringLiteral("etc/arch")));
    const HuntResultsModel *m = w.controller()->results();
    QStringList got;
    for (int r = 0; r < m->rowCount(); ++r) {
        const ll::hunt::HuntAnswer &a = m->answer(r);
        QCOMPARE(a.status, ll::hunt::HuntAnswer::Status::Found);
        got << a.image.section(QLatin1Char('/'), 1) + QLatin1Char(' ') + a.platform;
        QVERIFY(m->index(r, HuntResultsModel::ImageColumn).data().toString().endsWith(a.platform + QLatin1Char(')')));
    }
    got.sort();
    QCOMPARE(got,
        QStringList({ QStringLiteral("lab/multi:1.0 linux/amd64"), QStringLiteral("lab/multi:1.0 linux/arm/v6"),
            QStringLiteral("lab/multi:1.0 linux/arm/v7"), QStringLiteral("lab/multi:1.0 linux/arm64/v8"),
            QStringLiteral("lab/oci:1.0 linux/amd64"), QStringLiteral("lab/oci:1.0 linux/arm64/v8") }));
    QCOMPARE(w.imagesModel()->rowCount(), 6);
}

void TestHuntWindow::symlinkShowsItsTarget()
{
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    w.show();
    QVERIFY(hunt(w, ref(QStringLiteral("lab/app:1.0")), QStringLiteral("etc/localtime")));
    QVERIFY(select(w, QStringLiteral("etc/localtime")));
    const QModelIndex path = w.resultsView()->currentIndex().siblingAtColumn(HuntResultsModel::PathColumn);
    QCOMPARE(path.data().toString(), QStringLiteral("etc/localtime → /usr/share/zoneinfo/UTC"));
    QTemporaryDir dir;
    QString error;
    QVERIFY(w.exportTo(dir.filePath(QStringLiteral("h.jsonl")), false, &error));
    QFile json(dir.filePath(QStringLiteral("h.jsonl")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(json.readAll().trimmed()).object();
    QCOMPARE(o.value(QLatin1String("link")).toString(), QStringLiteral("/usr/share/zoneinfo/UTC"));
    QCOMPARE(o.value(QLatin1String("type")).toString(), QStringLiteral("symlink"));
}

void TestHuntWindow::fitsSmallWindow()
{
    // At 1024x700 every column of the results is on screen (the path takes what the others leave), and every
    // button of the window is wholly inside it.
    ll::test::UiClientEnv env;
    HuntWindow w(env.client.get());
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(hunt(w, ref(QStringLiteral("hunt/web:2.0")), QStringLiteral("etc/shadow **/.env")));
    QVERIFY(w.width() <= 1024 && w.height() <= 700);
    const QHeaderView *header = w.resultsView()->horizontalHeader();
    int right = 0;
    for (int c = 0; c < header->count(); ++c)
        right = qMax(right, header->sectionViewportPosition(c) + header->sectionSize(c));
    QVERIFY2(right <= w.resultsView()->viewport()->width(),
        qPrintable(QStringLiteral("%1 > %2").arg(right).arg(w.resultsView()->viewport()->width())));
    QVERIFY(header->sectionSize(HuntResultsModel::PathColumn) >= 150);
    for (QPushButton *b : w.findChildren<QPushButton *>()) {
        if (!b->isVisible())
            continue;
        const QRect r(b->mapTo(&w, QPoint(0, 0)), b->size());
        QVERIFY2(w.rect().contains(r), qPrintable(b->text()));
        QVERIFY2(b->width() >= b->minimumSizeHint().width(), qPrintable(b->text()));
    }
    // To look at it: LL_HUNT_SCREENSHOT_SMALL / _LARGE (1600x1000) under xvfb-run with QT_QPA_PLATFORM=xcb.
    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT_SMALL"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));
    if (const QByteArray shot = qgetenv("LL_HUNT_SCREENSHOT_LARGE"); !shot.isEmpty()) {
        w.resize(1600, 1000);
        QTRY_COMPARE(w.size(), QSize(1600, 1000));
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));
    }
}

QTEST_MAIN(TestHuntWindow)
#include "TestHuntWindow.moc"
