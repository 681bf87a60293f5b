// Sign-in flow on the token registry's private repository: the window asks, the dialog is answered
// programmatically, the image opens; a wrong password asks again; "remember" writes the docker config only
// when ticked.
#include "MainWindow.h"
#include "UiTestEnv.h"

#include "controllers/AuthController.h"
#include "controllers/ImageController.h"
#include "dialogs/CredentialsDialog.h"
#include "models/LayerListModel.h"
#include "widgets/JobsPanel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTest>

using namespace ll;
using namespace ll::ui;
using ll::test::Harness;

class TestCredentialsDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void dialogFields();
    void signInOpensPrivateImage_data();
    void signInOpensPrivateImage();
    void wrongPasswordAsksAgain();
    void cancelShowsError();
};

void TestCredentialsDialog::initTestCase()
{
    ll::test::isolateSettings("TestCredentialsDialog");
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
}

void TestCredentialsDialog::dialogFields()
{
    CredentialsDialog d(QStringLiteral("127.0.0.1:5000"), QStringLiteral("authentication required"));
    auto *ok = d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    d.setUsername(QStringLiteral(" bob "));
    QVERIFY(!ok->isEnabled());
    d.setPassword(QStringLiteral("pa:ss"));
    QVERIFY(ok->isEnabled());
    QCOMPARE(d.credentials().username, QStringLiteral("bob"));
    QCOMPARE(d.credentials().password, QStringLiteral("pa:ss"));
    QVERIFY(!d.remember());
    QCOMPARE(d.findChild<QLineEdit *>(QStringLiteral("password"))->echoMode(), QLineEdit::Password);
}

void TestCredentialsDialog::signInOpensPrivateImage_data()
{
    QTest::addColumn<bool>("remember");
    QTest::newRow("this session only") << false;
    QTest::newRow("remember") << true;
}

void TestCredentialsDialog::signInOpensPrivateImage()
{
    QFETCH(bool, remember);
    auto &h = Harness::instance();
    const QJsonObject fx = h.fixture(QStringLiteral("private/secret:1.0"));
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(h.reference(QStringLiteral("private/secret:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && w.authController()->dialog()->isVisible(), 30000);
    CredentialsDialog *d = w.authController()->dialog();
    QCOMPARE(d->registry(), h.tokenRegistry());
    QVERIFY(!w.imageController()->hasImage());
    d->findChild<QLineEdit *>(QStringLiteral("username"))->setText(h.username(QStringLiteral("token")));
    d->findChild<QLineEdit *>(QStringLiteral("password"))->setText(h.password(QStringLiteral("token")));
    d->findChild<QCheckBox *>(QStringLiteral("remember"))->setChecked(remember);
    d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();

    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    QCOMPARE(w.layerModel()->rowCount(), int(fx.value(QStringLiteral("layers")).toArray().size()));
    QCOMPARE(w.imageController()->image().manifestDigest, fx.value(QStringLiteral("digest")).toString());

    const QString config = env.credentials.dockerConfigPath();
    QCOMPARE(QFile::exists(config), remember);
    if (remember) {
        QFile f(config);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject auths
            = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("auths")).toObject();
        QVERIFY2(auths.contains(h.tokenRegistry()), qPrintable(QStringList(auths.keys()).join(QLatin1Char(','))));
        QCOMPARE(QFile::permissions(config) & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
    }
}

void TestCredentialsDialog::wrongPasswordAsksAgain()
{
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(h.reference(QStringLiteral("private/secret:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && w.authController()->dialog()->isVisible(), 30000);
    // A QPointer: the second dialog may be allocated where the deleted first one was, so comparing raw
    // pointers alone could wait forever for a "different" dialog.
    QPointer<CredentialsDialog> first = w.authController()->dialog();
    first->setUsername(h.username(QStringLiteral("token")));
    first->setPassword(QStringLiteral("not-the-password"));
    first->accept();
    // Asked again, saying the credentials were refused.
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && (first.isNull() || w.authController()->dialog() != first)
            && w.authController()->dialog()->isVisible(),
        30000);
    CredentialsDialog *second = w.authController()->dialog();
    bool saysRefused = false;
    for (QLabel *l : second->findChildren<QLabel *>())
        saysRefused = saysRefused || l->text().contains(QStringLiteral("refused"));
    QVERIFY(saysRefused);
    // The user name typed stays; only the password is asked again.
    QCOMPARE(second->username(), h.username(QStringLiteral("token")));
    QVERIFY(second->password().isEmpty());
    second->setUsername(h.username(QStringLiteral("token")));
    second->setPassword(h.password(QStringLiteral("token")));
    second->accept();
    QTRY_VERIFY_WITH_TIMEOUT(w.imageController()->allListed(), 60000);
    QVERIFY(!QFile::exists(env.credentials.dockerConfigPath()));
}

void TestCredentialsDialog::cancelShowsError()
{
    auto &h = Harness::instance();
    ll::test::UiClientEnv env;
    MainWindow w(env.client.get());
    w.show();
    QVERIFY(w.openReference(h.reference(QStringLiteral("private/secret:1.0"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.authController()->dialog() && w.authController()->dialog()->isVisible(), 30000);
    // The GUI speaks of signing in, never of the CLI's flags.
    for (QLabel *l : w.authController()->dialog()->findChildren<QLabel *>())
        QVERIFY2(!l->text().contains(QStringLiteral("--")), qPrintable(l->text()));
    w.authController()->dialog()->reject();
    QTRY_VERIFY(w.errorText().contains(h.tokenRegistry()));
    QVERIFY(!w.imageController()->hasImage());
    // Cancel is the user's choice, not a refusal by the registry.
    QVERIFY2(w.errorText().contains(QStringLiteral("cancelled")), qPrintable(w.errorText()));
    QVERIFY2(!w.errorText().contains(QStringLiteral("refused")), qPrintable(w.errorText()));
    for (int row = 0; row < w.jobsPanel()->rowCount(); ++row)
        QVERIFY2(
            !w.jobsPanel()->statusText(row).contains(QStringLiteral("--")), qPrintable(w.jobsPanel()->statusText(row)));
}

QTEST_MAIN(TestCredentialsDialog)
#include "TestCredentialsDialog.moc"
