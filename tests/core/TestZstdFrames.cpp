// ZstdFrameRecorder and ZstdSpanReader on zstd streams made by the real writers (pzstd: several frames, each after
// a skippable frame; zstd: one frame; zstd -D: frames that need a dictionary): every checkpoint is a frame start
// where decoding starts again with the exact bytes zstd -dc gives from there, spans are checked before their bytes
// are trusted, and the layer index keeps the frames (a damaged record is refused).
#include "common/Sha256.h"
#include "index/LayerIndex.h"
#include "random/ZstdFrameRecorder.h"
#include "random/ZstdSpanReader.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using ll::Error;
using ll::index::LayerIndex;
using ll::random::ZstdFrameRecorder;
using ll::random::ZstdFrames;
using ll::random::ZstdSpanReader;

namespace {

/** Text-like lines and incompressible runs, as layers mix them (deterministic). */
QByteArray makeContent(qint64 size, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray out;
    out.reserve(int(size));
    while (out.size() < size) {
        if (rng.bounded(4) == 0) {
            QByteArray noise(int(rng.bounded(1, 64 * 1024)), Qt::Uninitialized);
            for (char &c : noise)
                c = char(rng.bounded(256));
            out += noise;
        } else {
            for (int i = int(rng.bounded(50, 2000)); i > 0; --i)
                out += QByteArray("line ") + QByteArray::number(rng.bounded(100000)) + " of some config text\n";
        }
    }
    out.truncate(int(size));
    return out;
}

QByteArray run(const QString &program, const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.start(program, args);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput();
}

struct Recorded {
    QByteArray output;
    ZstdFrames frames;
    QString refusal;
    Error error;
};

Recorded record(const QByteArray &zst, qint64 minSpan, qint64 slice)
{
    Recorded r;
    ZstdFrameRecorder recorder(minSpan);
    recorder.setSink([&r](const char *d, qint64 n) {
        r.output.append(d, int(n));
        return true;
    });
    for (qint64 at = 0; at < zst.size(); at += slice) {
        const ll::Status s = recorder.feed(zst.constData() + at, qMin(slice, zst.size() - at));
        if (!s) {
            r.error = s.error();
            return r;
        }
    }
    if (const ll::Status s = recorder.finish(); !s)
        r.error = s.error();
    r.frames = recorder.takeFrames();
    r.refusal = recorder.refusal();
    return r;
}

struct Read {
    QByteArray output;
    Error error;
    int verified = 0;
};

/** Reads zst from checkpoint first up to compressed end `end`, fed in slices. */
Read readFrom(const ZstdFrames &frames, int first, const QByteArray &zst, qint64 end, qint64 slice)
{
    Read r;
    ZstdSpanReader reader(frames, first);
    reader.setSink([&r](const char *d, qint64 n) {
        r.output.append(d, int(n));
        return true;
    });
    for (qint64 at = frames.spanStart(first); at < end; at += slice) {
        const ll::Status s = reader.feed(zst.constData() + at, qMin(slice, end - at));
        if (!s) {
            r.error = s.error();
            r.verified = reader.spansVerified();
            return r;
        }
    }
    if (const ll::Status s = reader.finish(); !s)
        r.error = s.error();
    r.verified = reader.spansVerified();
    return r;
}

quint32 le32(const QByteArray &b, qint64 at)
{
    quint32 v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | quint8(b.at(int(at + i)));
    return v;
}

} // namespace

class TestZstdFrames : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyFrameCheckpointRestartsExactly_data();
    void everyFrameCheckpointRestartsExactly();
    void spansGroupFramesUpToTheMinimum();
    void singleFrameKeepsNone();
    void dictionaryFramesKeepNone();
    void damagedSpanIsRefusedBeforeItsBytes();
    void readEndingInsideASpanIsAnError();
    void indexKeepsFrames();
    void indexRefusesLyingFrames_data();
    void indexRefusesLyingFrames();

private:
    QByteArray m_content;
    QByteArray m_pzstd;
};

void TestZstdFrames::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("pzstd")).isEmpty())
        QSKIP("pzstd is not installed");
    m_content = makeContent(12 * 1024 * 1024, 7);
    // pzstd -1 cuts its input into 2 MiB frames, each after a 12-byte skippable frame naming its size.
    m_pzstd = run(QStringLiteral("pzstd"),
        { QStringLiteral("-q"), QStringLiteral("-1"), QStringLiteral("-p"), QStringLiteral("2"), QStringLiteral("-c") },
        m_content);
    QVERIFY(!m_pzstd.isEmpty());
}

void TestZstdFrames::everyFrameCheckpointRestartsExactly_data()
{
    QTest::addColumn<qint64>("slice");
    // Feed boundaries anywhere, inside frame headers and skippable frames included.
    QTest::newRow("1 MiB") << qint64(1 << 20);
    QTest::newRow("65536+17") << qint64(65536 + 17);
    QTest::newRow("4093") << qint64(4093);
    QTest::newRow("7") << qint64(7);
}

void TestZstdFrames::everyFrameCheckpointRestartsExactly()
{
    QFETCH(qint64, slice);
    const Recorded b = record(m_pzstd, 256 * 1024, slice);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    QVERIFY(b.output == m_content);
    const ZstdFrames &f = b.frames;
    // 12 MiB in 2 MiB frames, each > 256 KiB compressed, then the empty frame pzstd closes with (no output).
    QCOMPARE(f.points.size(), 7);
    QCOMPARE(f.points.last().uncompressedOffset, f.uncompressedSize);
    QCOMPARE(f.compressedSize, qint64(m_pzstd.size()));
    QCOMPARE(f.uncompressedSize, qint64(m_content.size()));
    QCOMPARE(f.points.first().compressedOffset, 0);
    QCOMPARE(f.points.first().uncompressedOffset, 0);
    for (int i = 0; i < f.points.size(); ++i) {
        const ll::random::ZstdFrame &p = f.points.at(i);
        // A zstd frame (not the skippable frame before it), 2 MiB of output apart.
        if (i > 0) {
            QCOMPARE(le32(m_pzstd, p.compressedOffset), 0xFD2FB528u);
            QCOMPARE(p.uncompressedOffset, qint64(i) * 2 * 1024 * 1024);
        }
        QCOMPARE(p.spanSha256.toHex(),
            ll::Sha256::digestOf(m_pzstd.mid(int(p.compressedOffset), int(f.spanEnd(i) - p.compressedOffset)))
                .mid(7)
                .toLatin1());
        QCOMPARE(f.indexAt(p.uncompressedOffset), i);
        if (slice != qint64(1 << 20))
            continue; // the reads do not depend on how the recording was fed
        const qint64 u = p.uncompressedOffset;
        const Read one = readFrom(f, i, m_pzstd, f.spanEnd(i), 4093);
        QVERIFY2(!one.error.isError(), qPrintable(QStringLiteral("%1: %2").arg(i).arg(one.error.toString())));
        QCOMPARE(one.verified, 1);
        QVERIFY(one.output == m_content.mid(int(u), int(f.uncompressedEnd(i) - u)));
        const Read rest = readFrom(f, i, m_pzstd, m_pzstd.size(), 1 << 20);
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.toString()));
        QCOMPARE(rest.verified, int(f.points.size()) - i);
        QVERIFY(rest.output == m_content.mid(int(u)));
    }
}

void TestZstdFrames::spansGroupFramesUpToTheMinimum()
{
    // With the default minimum (1 MiB compressed), frame starts closer than that to the last checkpoint are
    // skipped: each span holds whole frames and is at least that long (the last one excepted).
    const Recorded b = record(m_pzstd, ZstdFrames::MinSpan, 1 << 20);
    QVERIFY(!b.error.isError());
    const ZstdFrames &f = b.frames;
    QVERIFY(f.points.size() >= 2);
    for (int i = 0; i + 1 < f.points.size(); ++i)
        QVERIFY(f.spanEnd(i) - f.spanStart(i) >= ZstdFrames::MinSpan);
    // One huge minimum: only the start is left, which is not worth keeping.
    QVERIFY(record(m_pzstd, qint64(1) << 40, 1 << 20).frames.isEmpty());
    qInfo("%d checkpoints for %lld bytes of zstd, %lld bytes in the index (%.4f %% of the tar)", int(f.points.size()),
        f.compressedSize, f.storageSize(), 100.0 * double(f.storageSize()) / m_content.size());
    QVERIFY(f.storageSize() * 100 <= f.uncompressedSize);
}

void TestZstdFrames::singleFrameKeepsNone()
{
    // Plain zstd writes one frame (also with threads, --rsyncable or -B): no checkpoint but the start.
    const QByteArray one = run(QStringLiteral("zstd"),
        { QStringLiteral("-q"), QStringLiteral("-3"), QStringLiteral("-T2"), QStringLiteral("-c") }, m_content);
    QVERIFY(!one.isEmpty());
    const Recorded b = record(one, 64 * 1024, 65536 + 3);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    QVERIFY(b.output == m_content);
    QVERIFY(b.frames.isEmpty());
    QVERIFY(b.refusal.isEmpty());
}

void TestZstdFrames::dictionaryFramesKeepNone()
{
    // Frames compressed with a dictionary are not independent: the blob keeps no checkpoints at all.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList samples;
    for (int i = 0; i < 200; ++i) {
        const QString path = dir.filePath(QStringLiteral("s%1").arg(i));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(makeContent(4096, quint32(100 + i)));
        samples << path;
    }
    const QString dict = dir.filePath(QStringLiteral("dict"));
    QProcess train;
    train.start(QStringLiteral("zstd"),
        QStringList { QStringLiteral("-q"), QStringLiteral("--train"), QStringLiteral("--maxdict=16384"),
            QStringLiteral("-o"), dict }
            + samples);
    QVERIFY(train.waitForFinished(120000) && train.exitCode() == 0);
    QByteArray zst;
    QByteArray content;
    for (int i = 0; i < 3; ++i) { // cat a.zst b.zst c.zst: three frames
        const QByteArray part = makeContent(600 * 1024, quint32(i));
        content += part;
        zst += run(
            QStringLiteral("zstd"), { QStringLiteral("-q"), QStringLiteral("-D"), dict, QStringLiteral("-c") }, part);
    }
    QVERIFY(le32(zst, 0) == 0xFD2FB528u);
    ZstdFrameRecorder recorder(1024);
    QByteArray out;
    recorder.setSink([&out](const char *d, qint64 n) {
        out.append(d, int(n));
        return true;
    });
    // The layer decoder has no dictionary: the pass fails (such a layer cannot be read at all), and its frames,
    // recorded or refused, are never kept.
    ll::Status s = recorder.feed(zst.constData(), zst.size());
    if (s)
        s = recorder.finish();
    QVERIFY(!s);
    QCOMPARE(s.error().code, Error::Code::Corrupt);
    QVERIFY(recorder.takeFrames().isEmpty());
}

void TestZstdFrames::damagedSpanIsRefusedBeforeItsBytes()
{
    const Recorded b = record(m_pzstd, 256 * 1024, 1 << 20);
    QVERIFY(!b.error.isError());
    const ZstdFrames &f = b.frames;
    QVERIFY(f.points.size() > 4);
    // A byte of span 3 changed on the registry: spans 1 and 2 come out, nothing of span 3.
    QByteArray bad = m_pzstd;
    const qint64 at = (f.spanStart(3) + f.spanEnd(3)) / 2;
    bad[int(at)] = char(bad.at(int(at)) ^ 0x5a);
    const Read r = readFrom(f, 1, bad, bad.size(), 65536);
    QCOMPARE(r.error.code, Error::Code::DigestMismatch);
    QVERIFY2(r.error.message.contains(QLatin1String("span 3")), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 2);
    const qint64 u1 = f.points.at(1).uncompressedOffset;
    QVERIFY(r.output == m_content.mid(int(u1), int(f.points.at(3).uncompressedOffset - u1)));
    const Read first = readFrom(f, 3, bad, bad.size(), 65536);
    QCOMPARE(first.error.code, Error::Code::DigestMismatch);
    QVERIFY(first.output.isEmpty());
}

void TestZstdFrames::readEndingInsideASpanIsAnError()
{
    const Recorded b = record(m_pzstd, 256 * 1024, 1 << 20);
    const ZstdFrames &f = b.frames;
    QVERIFY(f.points.size() > 3);
    const Read r = readFrom(f, 1, m_pzstd, f.spanEnd(2) - 100, 65536);
    QCOMPARE(r.error.code, Error::Code::Corrupt);
    QVERIFY2(r.error.message.contains(QLatin1String("span 2")), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 1);
}

namespace {

const QString Digest = QStringLiteral("sha256:") + QString(64, QLatin1Char('c'));

LayerIndex frameIndex()
{
    LayerIndex index;
    index.digest = Digest;
    index.blobSize = 5 << 20;
    index.compression = QStringLiteral("zstd");
    ll::stream::TarEntry file;
    file.path = QStringLiteral("data/a.bin");
    file.size = 3 << 20;
    file.headerOffset = 0;
    file.dataOffset = 512;
    file.compressedEnd = index.blobSize;
    index.entries = { file };
    index.frames.compressedSize = index.blobSize;
    index.frames.uncompressedSize = 4 << 20;
    for (int i = 0; i < 3; ++i)
        index.frames.points.append(
            ll::random::ZstdFrame { qint64(i) * (3 << 19), qint64(i) << 20, QByteArray(32, char(i + 1)) });
    return index;
}

} // namespace

void TestZstdFrames::indexKeepsFrames()
{
    const LayerIndex in = frameIndex();
    const auto out = LayerIndex::fromBytes(in.toBytes(), Digest);
    QVERIFY2(out, qPrintable(out ? QString() : out.error().toString()));
    QCOMPARE(out->compression, QStringLiteral("zstd"));
    QVERIFY(out->checkpoints.isEmpty());
    QCOMPARE(out->frames.compressedSize, in.frames.compressedSize);
    QCOMPARE(out->frames.uncompressedSize, in.frames.uncompressedSize);
    QCOMPARE(out->frames.points.size(), in.frames.points.size());
    for (int i = 0; i < in.frames.points.size(); ++i) {
        QCOMPARE(out->frames.points.at(i).compressedOffset, in.frames.points.at(i).compressedOffset);
        QCOMPARE(out->frames.points.at(i).uncompressedOffset, in.frames.points.at(i).uncompressedOffset);
        QCOMPARE(out->frames.points.at(i).spanSha256, in.frames.points.at(i).spanSha256);
    }
    QCOMPARE(out->entries.size(), 1);
}

void TestZstdFrames::indexRefusesLyingFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    auto lying = [](const std::function<void(LayerIndex &)> &edit) {
        LayerIndex index = frameIndex();
        edit(index);
        return index.toBytes();
    };
    QTest::newRow("out of order") << lying(
        [](LayerIndex &i) { std::swap(i.frames.points[1].compressedOffset, i.frames.points[2].compressedOffset); });
    QTest::newRow("same output offset") << lying(
        [](LayerIndex &i) { i.frames.points[2].uncompressedOffset = i.frames.points[1].uncompressedOffset; });
    QTest::newRow("past the blob") << lying([](LayerIndex &i) { i.frames.points[2].compressedOffset = i.blobSize; });
    QTest::newRow("past the tar") << lying(
        [](LayerIndex &i) { i.frames.points[2].uncompressedOffset = i.frames.uncompressedSize + 1; });
    QTest::newRow("another size") << lying([](LayerIndex &i) { i.frames.compressedSize = i.blobSize - 1; });
    QTest::newRow("first not at 0") << lying([](LayerIndex &i) { i.frames.points[0].compressedOffset = 12; });
    QTest::newRow("one frame") << lying([](LayerIndex &i) { i.frames.points.resize(1); });
    // Damaged bytes inside the record: the trailer catches them.
    QByteArray flipped = frameIndex().toBytes();
    flipped[flipped.size() - 60] = char(flipped.at(flipped.size() - 60) ^ 1);
    QTest::newRow("flipped byte") << flipped;
}

void TestZstdFrames::indexRefusesLyingFrames()
{
    QFETCH(QByteArray, bytes);
    const auto r = LayerIndex::fromBytes(bytes, Digest);
    QVERIFY(!r);
    QCOMPARE(r.error().code, Error::Code::Corrupt);
}

QTEST_APPLESS_MAIN(TestZstdFrames)
#include "TestZstdFrames.moc"
