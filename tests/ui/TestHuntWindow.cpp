// The Hunt window against the real registry: the table fills live as images are answered, the deleted but
// recoverable rows are marked, per-image states (a missing image fails on its own line), filter and sort,
// CSV/JSON export, and opening a result in the main window at its file. Models under QAbstractItemModelTester.
#include "MainWindow.h"
#include "UiTestEnv.h"
#include "catalog/ImageCatalog.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/PreviewDialog.h"
#include "hunt/HuntController.h"
#include "hunt/HuntImagesModel.h"
#include "hunt/HuntResultsModel.h"
#include "hunt/HuntWindow.h"
#include "hunt/SeenImagesModel.h"
#include "index/IndexStore.h"
#include "registry/ImageReference.h"
#include "widgets/FileBrowser.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
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

private:
    QString ref(const QString &name) const { return Harness::instance().reference(name, Harness::instance().proxy()); }
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

QTEST_MAIN(TestHuntWindow)
#include "TestHuntWindow.moc"
