// The raw documents viewer: JsonHtml's colours, digest links and layout (a one-line document indented, a
// served layout kept); the window against the registry: lab/oci:1.0's index, then a platform's manifest and its
// config by clicking their digests (each checked against its digest), a layer said to be one, Back; from the
// main window (View > Raw Documents) and from the navigator's tag row.
#include "MainWindow.h"
#include "UiTestEnv.h"
#include "controllers/ImageController.h"
#include "documents/JsonHtml.h"
#include "documents/RawDocumentWindow.h"
#include "navigator/NavigatorController.h"
#include "navigator/NavigatorPanel.h"
#include "navigator/RegistryTreeModel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

using ll::test::Harness;
using ll::ui::JsonHtml;
using ll::ui::RawDocumentWindow;

class TestRawDocuments : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void jsonHtml();
    void followsDigests();
    void fromMainWindowAndNavigator();
};

void TestRawDocuments::initTestCase()
{
    ll::test::isolateSettings("TestRawDocuments");
}

void TestRawDocuments::jsonHtml()
{
    const QString d = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    const QByteArray compact
        = QStringLiteral(R"({"a":1,"b":[true,null],"c":{},"digest":"%1","s":"<x>"})").arg(d).toUtf8();
    const QString html = JsonHtml::toHtml(compact);
    QVERIFY(html.contains(QStringLiteral("<a href=\"digest:%1\">%1</a>").arg(d)));
    QVERIFY(html.contains(QLatin1String("&lt;x&gt;"))); // escaped
    QVERIFY(html.contains(QLatin1String("color:#1f5fa8\">&quot;a&quot;</span>"))); // a key
    QVERIFY(html.contains(QLatin1String("color:#b35c00\">1</span>"))); // a number
    QVERIFY(html.contains(QLatin1String("color:#8e24aa\">true</span>"))); // a literal
    QVERIFY(html.contains(QLatin1String("{}"))); // an empty object stays on its line
    QVERIFY(html.contains(QLatin1String("\n  "))); // indented
    // The plain text of the HTML is the JSON again.
    QTextDocument doc;
    doc.setHtml(html);
    QCOMPARE(QJsonDocument::fromJson(doc.toPlainText().toUtf8()), QJsonDocument::fromJson(compact));
    // A served layout is kept as it is.
    const QByteArray pretty = "{\n   \"x\": 1\n}";
    doc.setHtml(JsonHtml::toHtml(pretty));
    QCOMPARE(doc.toPlainText(), QString::fromUtf8(pretty));
    // Descriptors' media types by digest.
    const QByteArray index = QStringLiteral(R"({"manifests":[{"mediaType":"m","digest":"%1"}]})").arg(d).toUtf8();
    QCOMPARE(JsonHtml::digestMediaTypes(index).value(d), QStringLiteral("m"));
}

void TestRawDocuments::followsDigests()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    ll::test::UiClientEnv env;
    const QJsonObject oci = Harness::instance().fixture(QStringLiteral("lab/oci:1.0"));
    const QJsonObject amd64 = oci.value(QStringLiteral("manifests")).toArray().at(0).toObject();
    const QJsonObject image = amd64.value(QStringLiteral("image")).toObject();
    const QString config = image.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString();
    const QString layer
        = image.value(QStringLiteral("layers")).toArray().at(0).toObject().value(QStringLiteral("digest")).toString();
    RawDocumentWindow w(env.client.get());
    w.show();
    const QString host = Harness::instance().anonRegistry();
    w.openManifest(host, QStringLiteral("lab/oci"), oci.value(QStringLiteral("digest")).toString());
    QTRY_VERIFY_WITH_TIMEOUT(w.depth() == 1, 30000);
    QCOMPARE(ll::Sha256::digestOf(w.document()), oci.value(QStringLiteral("digest")).toString());
    QVERIFY(w.browser()->toHtml().contains(amd64.value(QStringLiteral("digest")).toString()));
    QVERIFY(!w.backButton()->isEnabled());

    // The platform's manifest, then its config, by their digests.
    w.openDigest(amd64.value(QStringLiteral("digest")).toString());
    QTRY_VERIFY_WITH_TIMEOUT(w.depth() == 2, 30000);
    QCOMPARE(ll::Sha256::digestOf(w.document()), amd64.value(QStringLiteral("digest")).toString());
    w.openDigest(config);
    QTRY_VERIFY_WITH_TIMEOUT(w.depth() == 3, 30000);
    QCOMPARE(ll::Sha256::digestOf(w.document()), config);
    QVERIFY(w.titleLabel()->text().contains(QLatin1String("config")));
    w.copyButton()->click();
    QCOMPARE(QApplication::clipboard()->text().toUtf8(), w.document());
    // A layer is not a document: said, nothing fetched.
    w.back();
    QCOMPARE(w.depth(), 2);
    w.openDigest(layer);
    QVERIFY(w.statusLabel()->isVisible());
    QVERIFY(w.statusLabel()->text().contains(QLatin1String("not a JSON document")));
    QCOMPARE(w.depth(), 2);
    // A manifest that is not there: said, the page stays.
    w.openManifest(host, QStringLiteral("lab/oci"), QStringLiteral("sha256:") + QString(64, QLatin1Char('0')));
    QTRY_VERIFY_WITH_TIMEOUT(w.statusLabel()->text().startsWith(QLatin1String("Cannot open")), 30000);
    QCOMPARE(w.depth(), 2);
    w.back();
    QCOMPARE(w.depth(), 1);
    if (const QByteArray shot = qgetenv("LL_RAW_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));
}

void TestRawDocuments::fromMainWindowAndNavigator()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    ll::test::UiClientEnv env;
    ll::ui::MainWindow w(env.client.get());
    w.show();
    const QString host = Harness::instance().anonRegistry();
    QSignalSpy resolved(w.imageController(), &ll::ui::ImageController::imageResolved);
    QVERIFY(w.openReference(host + QStringLiteral("/lab/app:1.0")));
    QVERIFY(resolved.wait(30000));
    w.rawDocumentsAction()->trigger();
    RawDocumentWindow *raw = w.openRawDocuments();
    QTRY_VERIFY_WITH_TIMEOUT(raw->depth() == 1, 30000);
    QCOMPARE(ll::Sha256::digestOf(raw->document()),
        Harness::instance().fixture(QStringLiteral("lab/app:1.0")).value(QStringLiteral("digest")).toString());

    // The navigator's tag row: View Manifest JSON shows the document it read.
    ll::ui::RegistryTreeModel *m = w.navigator()->model();
    const QModelIndex repo = m->addRepository(host, QStringLiteral("lab/multi"));
    m->fetchMore(repo);
    QTRY_VERIFY_WITH_TIMEOUT(m->childNamed(repo, QStringLiteral("1.0")).isValid(), 30000);
    const QPersistentModelIndex tag = m->childNamed(repo, QStringLiteral("1.0"));
    m->fetchMore(tag);
    QTRY_VERIFY_WITH_TIMEOUT(m->rowCount(tag) == 4, 30000);
    QMenu *menu = w.navigator()->panel()->contextMenuFor(tag);
    QAction *view = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->text().contains(QLatin1String("Manifest JSON")))
            view = a;
    }
    QVERIFY(view && view->isEnabled());
    view->trigger();
    delete menu;
    QCOMPARE(raw->depth(), 2);
    QCOMPARE(ll::Sha256::digestOf(raw->document()),
        Harness::instance().fixture(QStringLiteral("lab/multi:1.0")).value(QStringLiteral("digest")).toString());
}

QTEST_MAIN(TestRawDocuments)
#include "TestRawDocuments.moc"
