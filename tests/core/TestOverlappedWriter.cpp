#include "common/Sha256.h"
#include "extract/AtomicFileWriter.h"
#include "extract/OverlappedWriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using ll::extract::AtomicFileWriter;
using ll::extract::OverlappedWriter;

class TestOverlappedWriter : public QObject
{
    Q_OBJECT

private slots:
    void writesEveryChunkInOrderWhileHashing_data();
    void writesEveryChunkInOrderWhileHashing();
    void writeRunsOnAnotherThread();
    void writeErrorIsReturned();
};

void TestOverlappedWriter::writesEveryChunkInOrderWhileHashing_data()
{
    QTest::addColumn<int>("chunk");
    QTest::newRow("1 byte") << 1;
    QTest::newRow("4 KiB (buffered)") << 4096;
    QTest::newRow("256 KiB (direct)") << 256 * 1024;
    QTest::newRow("odd 100,003") << 100003;
}

void TestOverlappedWriter::writesEveryChunkInOrderWhileHashing()
{
    QFETCH(int, chunk);
    QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
    for (int i = 0; i < data.size(); ++i)
        data[i] = char((i * 131) ^ (i >> 9));
    if (chunk == 1)
        data.truncate(20000); // a million thread hand-offs would only test patience

    QTemporaryDir dir;
    auto w = AtomicFileWriter::create(dir.path(), QStringLiteral("blob"));
    QVERIFY(bool(w));
    std::unique_ptr<AtomicFileWriter> writer = std::move(*w);
    ll::Sha256 sha;
    {
        OverlappedWriter overlapped([&writer](const char *d, qint64 n) { return writer->write(d, n); });
        for (qint64 at = 0; at < data.size(); at += chunk) {
            const qint64 n = qMin<qint64>(chunk, data.size() - at);
            const char *p = data.constData() + at;
            const ll::Status s = overlapped.write(p, n, [&sha, p, n] { sha.addData(p, n); });
            QVERIFY2(s, qPrintable(s.error().toString()));
        }
    }
    QVERIFY(writer->commit());
    QCOMPARE(sha.digestString(), ll::Sha256::digestOf(data));
    QFile f(dir.filePath(QStringLiteral("blob")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), data);
}

void TestOverlappedWriter::writeRunsOnAnotherThread()
{
    // The point of the class: the write and the caller's work run at the same time. Each side waits (bounded)
    // for the other to have started: serial execution, in either order, would see the other side never come.
    std::atomic<bool> writing { false };
    std::atomic<bool> hashing { false };
    std::thread::id writerThread;
    const auto waitFor = [](const std::atomic<bool> &flag) {
        QDeadlineTimer deadline(10000);
        while (!flag.load() && !deadline.hasExpired())
            std::this_thread::yield();
        return flag.load();
    };
    bool writerSawHash = false;
    bool hashSawWriter = false;
    {
        OverlappedWriter overlapped([&](const char *, qint64) {
            writerThread = std::this_thread::get_id();
            writing = true;
            writerSawHash = waitFor(hashing);
            return ll::Status();
        });
        const ll::Status s = overlapped.write("x", 1, [&] {
            hashing = true;
            hashSawWriter = waitFor(writing);
        });
        QVERIFY(s);
    }
    QVERIFY(writerSawHash);
    QVERIFY(hashSawWriter);
    QVERIFY(writerThread != std::this_thread::get_id());
}

void TestOverlappedWriter::writeErrorIsReturned()
{
    QTemporaryDir dir;
    auto w = AtomicFileWriter::create(dir.path(), QStringLiteral("f"));
    QVERIFY(bool(w));
    std::unique_ptr<AtomicFileWriter> writer = std::move(*w);
    writer->discard(); // closed: every write fails
    OverlappedWriter overlapped([&writer](const char *d, qint64 n) { return writer->write(d, n); });
    int hashed = 0;
    const ll::Status s = overlapped.write("abc", 3, [&hashed] { ++hashed; });
    QVERIFY(!s);
    QCOMPARE(s.error().code, ll::Error::Code::Internal);
    QCOMPARE(hashed, 1);
}

QTEST_APPLESS_MAIN(TestOverlappedWriter)
#include "TestOverlappedWriter.moc"
