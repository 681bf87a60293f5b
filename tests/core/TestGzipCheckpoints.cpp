// GzipCheckpointBuilder and GzipSpanReader on gzip streams made by the real writers (gzip, pigz, concatenated
// members): every checkpoint is a place inflate starts again with the exact bytes gzip -dc gives from there, spans
// are checked before their bytes are trusted, and the index stays small.
#include "random/GzipCheckpointBuilder.h"
#include "random/GzipSpanReader.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using ll::Error;
using ll::random::GzipCheckpointBuilder;
using ll::random::GzipCheckpoints;
using ll::random::GzipSpanReader;

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
    if (!p.waitForFinished(120000) || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput();
}

struct Built {
    QByteArray output;
    GzipCheckpoints points;
    Error error;
};

Built build(const QByteArray &gz, qint64 span, qint64 slice, qint64 compressedSpan = 0,
    qint64 pieceSize = GzipCheckpoints::DefaultPieceSize, int *dropped = nullptr)
{
    Built b;
    GzipCheckpointBuilder builder(span, compressedSpan, pieceSize);
    builder.setSink([&b](const char *d, qint64 n) {
        b.output.append(d, int(n));
        return true;
    });
    for (qint64 at = 0; at < gz.size(); at += slice) {
        const ll::Status s = builder.feed(gz.constData() + at, qMin(slice, gz.size() - at));
        if (!s) {
            b.error = s.error();
            return b;
        }
    }
    if (const ll::Status s = builder.finish(); !s)
        b.error = s.error();
    b.points = builder.takeCheckpoints();
    if (dropped)
        *dropped = builder.droppedForBudget();
    return b;
}

struct Read {
    QByteArray output;
    Error error;
    int verified = 0;
};

/** Reads gz from checkpoint first up to compressed end `end`, fed in slices. */
Read readFrom(const GzipCheckpoints &points, int first, const QByteArray &gz, qint64 end, qint64 slice)
{
    Read r;
    GzipSpanReader reader(points, first);
    reader.setSink([&r](const char *d, qint64 n) {
        r.output.append(d, int(n));
        return true;
    });
    for (qint64 at = reader.compressedStart(); at < end; at += slice) {
        const ll::Status s = reader.feed(gz.constData() + at, qMin(slice, end - at));
        if (!s) {
            r.error = s.error();
            r.verified = reader.piecesVerified();
            return r;
        }
    }
    if (const ll::Status s = reader.finish(); !s)
        r.error = s.error();
    r.verified = reader.piecesVerified();
    return r;
}

} // namespace

class TestGzipCheckpoints : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyCheckpointRestartsExactly_data();
    void everyCheckpointRestartsExactly();
    void windowsKeepOnlyWhatIsCopied_data();
    void windowsKeepOnlyWhatIsCopied();
    void damagedPieceIsRefusedBeforeItsBytes();
    void readEndingInsideAPieceIsAnError();
    void dataAfterTheLastMemberIsIgnored();
    void indexOverhead_data();
    void indexOverhead();

private:
    QByteArray m_content;
    QByteArray m_gzip;
};

void TestGzipCheckpoints::initTestCase()
{
    m_content = makeContent(6 * 1024 * 1024, 7);
    m_gzip = run(QStringLiteral("gzip"), { QStringLiteral("-6"), QStringLiteral("-c") }, m_content);
    QVERIFY(!m_gzip.isEmpty());
}

void TestGzipCheckpoints::everyCheckpointRestartsExactly_data()
{
    QTest::addColumn<QByteArray>("gz");
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("gzip -6") << m_gzip << m_content;
    if (!QStandardPaths::findExecutable(QStringLiteral("pigz")).isEmpty())
        QTest::newRow("pigz -9") << run(QStringLiteral("pigz"), { QStringLiteral("-9"), QStringLiteral("-c") },
            m_content) << m_content;
    // Two members (cat a.gz b.gz) and zero padding after them.
    const QByteArray second = makeContent(2 * 1024 * 1024, 11);
    QByteArray multi = m_gzip + run(QStringLiteral("gzip"), { QStringLiteral("-1"), QStringLiteral("-c") }, second);
    multi += QByteArray(512, '\0');
    QTest::newRow("two members + padding") << multi << (m_content + second);
    // A long run of zeros after text: back-references reach the window all the way (the whole window is kept).
    const QByteArray zeros = m_content.left(1024 * 1024) + QByteArray(3 * 1024 * 1024, '\0') + m_content.mid(5 << 20);
    QTest::newRow("zeros") << run(QStringLiteral("gzip"), { QStringLiteral("-6"), QStringLiteral("-c") }, zeros)
                           << zeros;
}

void TestGzipCheckpoints::everyCheckpointRestartsExactly()
{
    QFETCH(QByteArray, gz);
    QFETCH(QByteArray, content);
    QVERIFY(!gz.isEmpty());
    // Small spans and pieces: many checkpoints, piece edges everywhere (odd slices: feed boundaries anywhere).
    const Built b = build(gz, 256 * 1024, 65536 + 17, 96 * 1024, 8 * 1024);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    QCOMPARE(b.output.size(), content.size());
    QVERIFY(b.output == content);
    const GzipCheckpoints &pts = b.points;
    QVERIFY2(pts.points.size() >= 6, qPrintable(QString::number(pts.points.size())));
    QCOMPARE(pts.compressedSize, qint64(gz.size()));
    QCOMPARE(pts.uncompressedSize, qint64(content.size()));
    QCOMPARE(pts.points.first().uncompressedOffset, 0);
    QCOMPARE(pts.validate(), QString());
    for (int i = 0; i < pts.points.size(); ++i) {
        QCOMPARE(pts.indexAt(pts.points.at(i).uncompressedOffset), i);
        const qint64 u = pts.points.at(i).uncompressedOffset;
        const int firstPiece = pts.pieceAt(pts.points.at(i).spanStart());
        // From checkpoint i up to the end of each of the next pieces: exactly the output the index says each
        // piece's end reaches (a read stops at any piece, not only at a checkpoint).
        for (int k = firstPiece; k < qMin(int(pts.pieces.size()), firstPiece + 6); ++k) {
            const Read r = readFrom(pts, i, gz, pts.pieceEnd(k), 4093);
            QVERIFY2(!r.error.isError(), qPrintable(QStringLiteral("%1/%2: %3").arg(i).arg(k).arg(r.error.toString())));
            QCOMPARE(r.verified, k - firstPiece + 1);
            const qint64 end = qMax(u, pts.pieces.at(k).outEnd);
            QVERIFY2(r.output == content.mid(int(u), int(end - u)),
                qPrintable(QStringLiteral("checkpoint %1 to piece %2: %3 bytes, %4 expected")
                               .arg(i)
                               .arg(k)
                               .arg(r.output.size())
                               .arg(end - u)));
        }
        // The file that crosses the next checkpoint, then the rest of the blob (the last file of the layer).
        const int reach = pts.pieceReaching(pts.uncompressedEnd(i), firstPiece);
        const Read span = readFrom(pts, i, gz, pts.pieceEnd(reach), 65536);
        QVERIFY2(!span.error.isError(), qPrintable(span.error.toString()));
        QVERIFY(span.output.size() >= pts.uncompressedEnd(i) - u);
        QVERIFY(span.output == content.mid(int(u), span.output.size()));
        const Read rest = readFrom(pts, i, gz, gz.size(), 1 << 20);
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.toString()));
        QCOMPARE(rest.verified, int(pts.pieces.size()) - firstPiece);
        QVERIFY2(rest.output == content.mid(int(u)), qPrintable(QStringLiteral("from %1").arg(i)));
    }
}

void TestGzipCheckpoints::windowsKeepOnlyWhatIsCopied_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("maxAverageWindow");
    QRandomGenerator rng(5);
    QByteArray noise(8 * 1024 * 1024, Qt::Uninitialized);
    for (char &c : noise)
        c = char(rng.bounded(256));
    // Incompressible (packed binaries, images, archives inside a layer): almost nothing is copied.
    QTest::newRow("random") << noise << 2048;
    // Text: most of the window is copied, and compresses.
    QTest::newRow("text") << makeContent(8 * 1024 * 1024, 9) << 32 * 1024;
}

void TestGzipCheckpoints::windowsKeepOnlyWhatIsCopied()
{
    QFETCH(QByteArray, content);
    QFETCH(int, maxAverageWindow);
    const QByteArray gz = run(QStringLiteral("gzip"), { QStringLiteral("-6"), QStringLiteral("-c") }, content);
    const Built b
        = build(gz, GzipCheckpointBuilder::DefaultSpan, 1 << 20, GzipCheckpointBuilder::DefaultCompressedSpan);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    const GzipCheckpoints &pts = b.points;
    qint64 windows = 0;
    qint64 widest = 0;
    for (int i = 0; i < pts.points.size(); ++i) {
        windows += pts.points.at(i).window.size();
        if (i > 0)
            widest = qMax(widest, pts.points.at(i).spanStart() - pts.points.at(i - 1).spanStart());
    }
    widest = qMax(widest, pts.compressedSize - pts.points.last().spanStart());
    qInfo("%d checkpoints, windows %lld bytes in all, widest span %lld compressed bytes", int(pts.points.size()),
        windows, widest);
    QVERIFY(windows / pts.points.size() <= maxAverageWindow);
    // A checkpoint at least every compressed span (plus the block that crosses it) while the budget allows.
    QVERIFY2(widest <= GzipCheckpointBuilder::DefaultCompressedSpan + 256 * 1024, qPrintable(QString::number(widest)));
    // Correct with the cut windows: every checkpoint restarts exactly.
    for (int i = 0; i < pts.points.size(); ++i) {
        const qint64 u = pts.points.at(i).uncompressedOffset;
        const int k = pts.pieceReaching(pts.uncompressedEnd(i), pts.pieceAt(pts.points.at(i).spanStart()));
        const Read r = readFrom(pts, i, gz, pts.pieceEnd(k), 100003);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.toString()));
        QVERIFY2(r.output == content.mid(int(u), r.output.size()), qPrintable(QString::number(i)));
        QVERIFY(r.output.size() >= pts.uncompressedEnd(i) - u);
    }
}

void TestGzipCheckpoints::damagedPieceIsRefusedBeforeItsBytes()
{
    const Built b = build(m_gzip, 256 * 1024, 1 << 20, 0, 16 * 1024);
    QVERIFY(!b.error.isError());
    const GzipCheckpoints &pts = b.points;
    QVERIFY(pts.points.size() > 6);
    // A byte of piece k changed on the registry: the pieces before it come out, nothing of piece k.
    const int first = pts.pieceAt(pts.points.at(3).spanStart());
    const int k = first + 5;
    QByteArray bad = m_gzip;
    const qint64 at = (pts.pieceStart(k) + pts.pieceEnd(k)) / 2;
    bad[int(at)] = char(bad.at(int(at)) ^ 0x5a);
    const Read r = readFrom(pts, 3, bad, bad.size(), 65536);
    QCOMPARE(r.error.code, Error::Code::DigestMismatch);
    QVERIFY2(r.error.message.contains(QStringLiteral("piece %1").arg(k)), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 5);
    const qint64 u3 = pts.points.at(3).uncompressedOffset;
    QVERIFY(r.output == m_content.mid(int(u3), int(pts.pieces.at(k - 1).outEnd - u3)));
    // The first piece itself damaged: nothing at all comes out.
    QByteArray badFirst = m_gzip;
    const qint64 at0 = pts.points.at(3).compressedOffset;
    badFirst[int(at0)] = char(badFirst.at(int(at0)) ^ 0x5a);
    const Read none = readFrom(pts, 3, badFirst, badFirst.size(), 65536);
    QCOMPARE(none.error.code, Error::Code::DigestMismatch);
    QVERIFY(none.output.isEmpty());
}

void TestGzipCheckpoints::readEndingInsideAPieceIsAnError()
{
    const Built b = build(m_gzip, 256 * 1024, 1 << 20, 0, 16 * 1024);
    const GzipCheckpoints &pts = b.points;
    QVERIFY(pts.points.size() > 3);
    const int first = pts.pieceAt(pts.points.at(1).spanStart());
    const Read r = readFrom(pts, 1, m_gzip, pts.pieceEnd(first + 1) - 100, 65536);
    QCOMPARE(r.error.code, Error::Code::Corrupt);
    QVERIFY2(r.error.message.contains(QStringLiteral("piece %1").arg(first + 1)), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 1);
}

void TestGzipCheckpoints::dataAfterTheLastMemberIsIgnored()
{
    // gzip -t: "decompression OK, trailing garbage ignored"; the streaming decoder and a read from checkpoints
    // that reaches it agree (the last piece holds the end of the member and the garbage).
    const QByteArray gz = m_gzip + QByteArray("not gzip at all, written after the stream by some tool\n").repeated(50);
    const Built b = build(gz, 256 * 1024, 65536, 0, 16 * 1024);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    QVERIFY(b.output == m_content);
    const GzipCheckpoints &pts = b.points;
    for (const int i : { 0, int(pts.points.size()) - 1 }) {
        const Read r = readFrom(pts, i, gz, gz.size(), 65536);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.toString()));
        QVERIFY(r.output == m_content.mid(int(pts.points.at(i).uncompressedOffset)));
    }
}

void TestGzipCheckpoints::indexOverhead_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("mixed") << makeContent(24 * 1024 * 1024, 3);
    QRandomGenerator rng(8);
    QByteArray noise(24 * 1024 * 1024, Qt::Uninitialized);
    for (char &c : noise)
        c = char(rng.bounded(256));
    QTest::newRow("random") << noise;
    // Half-compressible: small-alphabet noise (the windows are mostly copied and compress ~2x).
    QByteArray dna(24 * 1024 * 1024, Qt::Uninitialized);
    for (char &c : dna)
        c = "ACGT"[rng.bounded(4)];
    QTest::newRow("four letters") << dna;
}

void TestGzipCheckpoints::indexOverhead()
{
    QFETCH(QByteArray, content);
    // The defaults: windows, hashes and offsets per GB of tar.
    const QByteArray gz = run(QStringLiteral("gzip"), { QStringLiteral("-6"), QStringLiteral("-c") }, content);
    int dropped = 0;
    const Built b = build(gz, GzipCheckpointBuilder::DefaultSpan, 1 << 20, GzipCheckpointBuilder::DefaultCompressedSpan,
        GzipCheckpoints::DefaultPieceSize, &dropped);
    QVERIFY(!b.error.isError());
    QVERIFY(b.output == content);
    const double ratio = double(b.points.storageSize()) / double(content.size());
    qInfo("%d checkpoints (%d dropped for the budget), %lld bytes for %lld bytes of tar (%lld compressed): %.3f %% "
          "(%.1f MiB per GiB)",
        int(b.points.points.size()), dropped, b.points.storageSize(), qint64(content.size()), qint64(gz.size()),
        ratio * 100, ratio * 1024);
    QVERIFY(b.points.points.size() >= 5);
    QVERIFY2(ratio <= 0.01, qPrintable(QString::number(ratio)));
}

QTEST_APPLESS_MAIN(TestGzipCheckpoints)
#include "TestGzipCheckpoints.moc"
