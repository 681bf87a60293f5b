#include "stream/ChunkQueue.h"

#include <QtTest>

#include <thread>

using ll::stream::ChunkQueue;

class TestChunkQueue : public QObject
{
    Q_OBJECT

private slots:
    void boundCountsAllocationsNotSizes();
    void chunksComeOutInOrderThenEnd();
    void abortWakesConsumer();
};

void TestChunkQueue::boundCountsAllocationsNotSizes()
{
    // Chunks handed over without a copy may sit in bigger allocations: the bound is on memory.
    ChunkQueue q(1 << 20);
    QByteArray small;
    small.reserve(1 << 20);
    small.append("abc", 3);
    QVERIFY(q.hasRoom());
    QVERIFY(q.push(small));
    QVERIFY(q.queuedBytes() >= (1 << 20));
    QVERIFY(!q.hasRoom());
    QByteArray out;
    QCOMPARE(q.pop(&out), ChunkQueue::Pop::Chunk);
    QCOMPARE(out, QByteArray("abc"));
    QCOMPARE(q.queuedBytes(), qint64(0));
    QVERIFY(q.hasRoom());
}

void TestChunkQueue::chunksComeOutInOrderThenEnd()
{
    ChunkQueue q(1 << 20);
    std::thread producer([&q] {
        for (int i = 0; i < 1000; ++i)
            q.push(QByteArray::number(i));
        q.finish();
    });
    QByteArray chunk;
    int next = 0;
    while (q.pop(&chunk) == ChunkQueue::Pop::Chunk)
        QCOMPARE(chunk.toInt(), next++);
    producer.join();
    QCOMPARE(next, 1000);
    QCOMPARE(q.pop(&chunk), ChunkQueue::Pop::End);
}

void TestChunkQueue::abortWakesConsumer()
{
    ChunkQueue q(1 << 20);
    ChunkQueue::Pop popped = ChunkQueue::Pop::Chunk;
    std::thread consumer([&q, &popped] {
        QByteArray chunk;
        popped = q.pop(&chunk); // blocks until the abort
    });
    q.abort();
    consumer.join();
    QCOMPARE(popped, ChunkQueue::Pop::Aborted);
    QVERIFY(q.isAborted());
    QVERIFY(!q.push(QByteArray("late")));
}

QTEST_APPLESS_MAIN(TestChunkQueue)
#include "TestChunkQueue.moc"
