// The jobs panel with scripted jobs: progress text, rate/ETA, cancel, inline errors per kind, retry through
// the row's factory, clearing finished rows.
#include "UiTestEnv.h"

#include "widgets/JobsPanel.h"

#include <QPushButton>
#include <QTest>
#include <QToolButton>

using namespace ll;
using namespace ll::ui;

namespace {

/** A job driven by the test. */
class ScriptedJob : public Job
{
public:
    using Job::Job;
    void report(qint64 done, qint64 total) { setProgress(done, total); }
    void succeedNow() { succeed(); }
    void countItems() { setProgressUnit(ProgressUnit::Items); }
    void failNow(const Error &e) { fail(e); }
    int cancelCalls = 0;

protected:
    void doStart() override { }
    void doCancel() override
    {
        ++cancelCalls;
        cancelled();
    }
};

} // namespace

class TestJobsPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { ll::test::isolateSettings("TestJobsPanel"); }
    void progressText();
    void itemProgressIsNotBytes();
    void cancelButton();
    void errorsInline_data();
    void errorsInline();
    void retryUsesFactory();
    void clearFinished();
    void etaText_data();
    void etaText();
};

void TestJobsPanel::progressText()
{
    JobsPanel panel;
    ScriptedJob job;
    job.setTitle(QStringLiteral("List layer 0"));
    panel.addJob(&job);
    QCOMPARE(panel.rowCount(), 1);
    QCOMPARE(panel.title(0), QStringLiteral("List layer 0"));
    job.start();
    QCOMPARE(panel.state(0), Job::State::Running);
    job.report(1024 * 1024, 4 * 1024 * 1024);
    QVERIFY2(panel.statusText(0).contains(QStringLiteral("1.0 MiB of 4.0 MiB")), qPrintable(panel.statusText(0)));
    // After the rate window, a rate and an ETA appear.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            job.report(job.progressDone() + 64 * 1024, 4 * 1024 * 1024);
            return panel.statusText(0).contains(QStringLiteral("/s"))
                && panel.statusText(0).contains(QStringLiteral("left"));
        }(),
        5000);
    job.succeedNow();
    QCOMPARE(panel.state(0), Job::State::Succeeded);
    QVERIFY(panel.statusText(0).startsWith(QStringLiteral("Done")));
    QVERIFY(!panel.canRetry(0));
}

void TestJobsPanel::itemProgressIsNotBytes()
{
    // A resolve job counts fetched documents, not bytes: no "3 B", no rate or ETA.
    JobsPanel panel;
    ScriptedJob job;
    job.countItems();
    panel.addJob(&job);
    job.start();
    job.report(1, 3);
    QCOMPARE(panel.statusText(0), QStringLiteral("1 of 3"));
    job.report(3, 3);
    job.succeedNow();
    QVERIFY2(panel.statusText(0).startsWith(QStringLiteral("Done in ")), qPrintable(panel.statusText(0)));
    QVERIFY(!panel.statusText(0).contains(QStringLiteral(" B")));
}

void TestJobsPanel::cancelButton()
{
    JobsPanel panel;
    panel.show();
    ScriptedJob job;
    panel.addJob(&job);
    job.start();
    auto *cancel = panel.findChild<QToolButton *>(QStringLiteral("cancel"));
    QVERIFY(cancel);
    QVERIFY(!cancel->isHidden());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(job.cancelCalls, 1);
    QCOMPARE(panel.state(0), Job::State::Cancelled);
    QCOMPARE(panel.statusText(0), QStringLiteral("Cancelled"));
    QVERIFY(cancel->isHidden());
}

void TestJobsPanel::errorsInline_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("shown");
    const QString message = QStringLiteral("the message");
    // The core's text for a missing sign-in names the CLI's flags: the panel says it in the GUI's words.
    QTest::newRow("auth") << int(Error::Code::Unauthorized) << QStringLiteral("Not authorized: ")
                          << QStringLiteral(
                                 "the registry asks for a user name and password (open the image to sign in)");
    QTest::newRow("forbidden") << int(Error::Code::Forbidden) << QStringLiteral("Not authorized: ") << message;
    QTest::newRow("not found") << int(Error::Code::NotFound) << QStringLiteral("Not found: ") << message;
    QTest::newRow("network") << int(Error::Code::Network) << QStringLiteral("Network error: ") << message;
    QTest::newRow("digest") << int(Error::Code::DigestMismatch) << QStringLiteral("Digest mismatch: ") << message;
    QTest::newRow("other") << int(Error::Code::Corrupt) << QStringLiteral("Failed: ") << message;
}

void TestJobsPanel::errorsInline()
{
    QFETCH(int, code);
    QFETCH(QString, prefix);
    QFETCH(QString, shown);
    JobsPanel panel;
    ScriptedJob job;
    panel.addJob(&job, [] { return nullptr; });
    job.start();
    job.failNow(Error(Error::Code(code), QStringLiteral("the message")));
    QCOMPARE(panel.state(0), Job::State::Failed);
    QCOMPARE(panel.statusText(0), prefix + shown);
    QVERIFY(panel.canRetry(0));
}

void TestJobsPanel::retryUsesFactory()
{
    JobsPanel panel;
    panel.show();
    ScriptedJob first;
    first.setTitle(QStringLiteral("Save etc/passwd"));
    ScriptedJob *second = nullptr;
    int made = 0;
    panel.addJob(&first, [&]() -> Job * {
        ++made;
        second = new ScriptedJob(&panel);
        second->setTitle(QStringLiteral("Save etc/passwd"));
        return second;
    });
    first.start();
    first.failNow(Error(Error::Code::Network, QStringLiteral("connection reset")));
    auto *retry = panel.findChild<QToolButton *>(QStringLiteral("retry"));
    QVERIFY(retry && !retry->isHidden());
    QTest::mouseClick(retry, Qt::LeftButton);
    QCOMPARE(made, 1);
    QVERIFY(second);
    QCOMPARE(panel.rowCount(), 1); // the same row
    QCOMPARE(panel.job(0), second);
    QCOMPARE(second->state(), Job::State::Running); // started by the panel
    QVERIFY(retry->isHidden());
    second->succeedNow();
    QCOMPARE(panel.state(0), Job::State::Succeeded);
    // Without a factory there is no retry.
    ScriptedJob third;
    panel.addJob(&third);
    third.start();
    third.failNow(Error(Error::Code::NotFound, QStringLiteral("gone")));
    QCOMPARE(panel.rowOf(&third), 0);
    QVERIFY(!panel.canRetry(0));
}

void TestJobsPanel::clearFinished()
{
    JobsPanel panel;
    ScriptedJob a, b, c;
    panel.addJob(&a);
    panel.addJob(&b);
    panel.addJob(&c);
    a.start();
    b.start();
    c.start();
    a.succeedNow();
    c.cancel();
    panel.clearFinished();
    QCOMPARE(panel.rowCount(), 1);
    QCOMPARE(panel.job(0), &b);
    // A deleted job keeps its row and last state.
    auto *d = new ScriptedJob;
    panel.addJob(d);
    d->start();
    d->failNow(Error(Error::Code::Io, QStringLiteral("disk full")));
    delete d;
    QCOMPARE(panel.state(0), Job::State::Failed);
    QVERIFY(panel.statusText(0).contains(QStringLiteral("disk full")));
}

void TestJobsPanel::etaText_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("seconds") << qint64(42) << QStringLiteral("42 s left");
    QTest::newRow("minutes") << qint64(125) << QStringLiteral("2 min 5 s left");
    QTest::newRow("hours") << qint64(7380) << QStringLiteral("2 h 3 min left");
}

void TestJobsPanel::etaText()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(JobsPanel::etaText(seconds), text);
}

QTEST_MAIN(TestJobsPanel)
#include "TestJobsPanel.moc"
