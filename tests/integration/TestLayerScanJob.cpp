// LayerScanJob against the real registry: entries arrive in order and in batches, and a slow consumer
// holds the worker back (bounded memory) instead of letting batches pile up on the job's thread.
#include "Harness.h"
#include "RegistryTestUtil.h"

#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "stream/LayerScanJob.h"

#include <QProcess>
#include <QTest>
#include <QThread>

using namespace ll;
using ll::test::Harness;

class TestLayerScanJob : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void slowConsumerHoldsTheWorkerBack();

private:
    oci::Image m_wide;
    int m_entries = 30000;
};

void TestLayerScanJob::initTestCase()
{
    auto &h = Harness::instance();
    if (!h.available())
        QSKIP(qPrintable(h.unavailableReason()));
    // A layer with many small entries (made by the bench's script, pushed to the anonymous registry).
    QProcess push;
    push.start(QStringLiteral("/usr/bin/python3"),
        { qEnvironmentVariable("LL_SOURCE_DIR") + QStringLiteral("/bench/push-wide-image.py"), h.anonRegistry(),
            QString::number(m_entries) });
    QVERIFY(push.waitForFinished(120000));
    QVERIFY2(push.exitCode() == 0, push.readAllStandardError().constData());

    ll::test::ClientEnv fx;
    registry::ImageResolveJob resolve(fx.client.get(),
        *registry::ImageReference::parse(
            h.anonRegistry() + QStringLiteral("/bench/wide:") + QString::number(m_entries)));
    ll::test::runJob(resolve);
    QVERIFY2(resolve.state() == Job::State::Succeeded, qPrintable(resolve.error().toString()));
    m_wide = resolve.image();
}

void TestLayerScanJob::slowConsumerHoldsTheWorkerBack()
{
    ll::test::ClientEnv fx;
    stream::LayerScanJob job(fx.client.get(), stream::LayerSource::fromImage(m_wide, 0));
    int batches = 0;
    int entries = 0;
    qint64 producedAfterStall = -1;
    QString lastPath;
    bool ordered = true;
    connect(&job, &stream::LayerScanJob::entriesReady, this, [&](const QVector<stream::TarEntry> &batch) {
        ++batches;
        for (const auto &e : batch) {
            if (e.type == stream::TarEntry::Type::File) {
                ordered = ordered && lastPath < e.path;
                lastPath = e.path;
            }
        }
        entries += batch.size();
        if (batches == 1) {
            // Block the consumer's thread for a while: the worker may fill its few batch slots, no more.
            QThread::msleep(1500);
            producedAfterStall = job.uncompressedProduced();
        }
    });
    ll::test::runJob(job);
    QVERIFY2(job.state() == Job::State::Succeeded, qPrintable(job.error().toString()));
    QVERIFY(ordered);
    QVERIFY(entries > m_entries);
    QCOMPARE(job.entryCount(), entries);
    const qint64 total = job.uncompressedProduced();
    QVERIFY(batches > 10);
    // Each entry is 1 KiB of tar; 8 pending batches of 1024 entries are ~8 MiB of a ~31 MiB archive.
    QVERIFY2(producedAfterStall < total * 6 / 10,
        qPrintable(QStringLiteral("worker produced %1 of %2 bytes while the consumer stalled")
                       .arg(producedAfterStall)
                       .arg(total)));
}

QTEST_GUILESS_MAIN(TestLayerScanJob)
#include "TestLayerScanJob.moc"
