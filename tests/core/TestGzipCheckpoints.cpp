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

Built build(const QByteArray &gz, qint64 span, qint64 slice)
{
    Built b;
    GzipCheckpointBuilder builder(span);
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
            r.verified = reader.spansVerified();
            return r;
        }
    }
    if (const ll::Status s = reader.finish(); !s)
        r.error = s.error();
    r.verified = reader.spansVerified();
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
    void damagedSpanIsRefusedBeforeItsBytes();
    void readEndingInsideASpanIsAnError();
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
}

void TestGzipCheckpoints::everyCheckpointRestartsExactly()
{
    QFETCH(QByteArray, gz);
    QFETCH(QByteArray, content);
    QVERIFY(!gz.isEmpty());
    const Built b = build(gz, 256 * 1024, 65536 + 17);
    QVERIFY2(!b.error.isError(), qPrintable(b.error.toString()));
    QCOMPARE(b.output.size(), content.size());
    QVERIFY(b.output == content);
    const GzipCheckpoints &pts = b.points;
    QVERIFY2(pts.points.size() >= 10, qPrintable(QString::number(pts.points.size())));
    QCOMPARE(pts.compressedSize, qint64(gz.size()));
    QCOMPARE(pts.uncompressedSize, qint64(content.size()));
    QCOMPARE(pts.points.first().uncompressedOffset, 0);
    for (int i = 0; i < pts.points.size(); ++i) {
        QCOMPARE(pts.points.at(i).spanSha256.size(), 32);
        QCOMPARE(pts.indexAt(pts.points.at(i).uncompressedOffset), i);
        // From checkpoint i: its span alone (a file inside it), then two spans (a file straddling the next
        // checkpoint), then to the blob's end (the last file of the layer). Odd slices: boundaries anywhere.
        const qint64 u = pts.points.at(i).uncompressedOffset;
        const Read one = readFrom(pts, i, gz, pts.spanEnd(i), 4093);
        QVERIFY2(!one.error.isError(), qPrintable(QStringLiteral("%1: %2").arg(i).arg(one.error.toString())));
        QCOMPARE(one.verified, 1);
        QVERIFY2(one.output == content.mid(int(u), int(pts.uncompressedEnd(i) - u)),
            qPrintable(QStringLiteral("span %1: %2 bytes").arg(i).arg(one.output.size())));
        if (i + 1 < pts.points.size()) {
            const Read two = readFrom(pts, i, gz, pts.spanEnd(i + 1), 65536);
            QVERIFY2(!two.error.isError(), qPrintable(two.error.toString()));
            QVERIFY(two.output == content.mid(int(u), int(pts.uncompressedEnd(i + 1) - u)));
        }
        const Read rest = readFrom(pts, i, gz, gz.size(), 1 << 20);
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.toString()));
        QCOMPARE(rest.verified, int(pts.points.size()) - i);
        QVERIFY2(rest.output == content.mid(int(u)), qPrintable(QStringLiteral("from %1").arg(i)));
    }
}

void TestGzipCheckpoints::damagedSpanIsRefusedBeforeItsBytes()
{
    const Built b = build(m_gzip, 256 * 1024, 1 << 20);
    QVERIFY(!b.error.isError());
    const GzipCheckpoints &pts = b.points;
    QVERIFY(pts.points.size() > 6);
    // A byte of span 5 changed on the registry: spans 3 and 4 come out, nothing of span 5.
    QByteArray bad = m_gzip;
    const qint64 at = (pts.points.at(5).spanStart() + pts.spanEnd(5)) / 2;
    bad[int(at)] = char(bad.at(int(at)) ^ 0x5a);
    const Read r = readFrom(pts, 3, bad, bad.size(), 65536);
    QCOMPARE(r.error.code, Error::Code::DigestMismatch);
    QVERIFY2(r.error.message.contains(QLatin1String("span 5")), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 2);
    const qint64 u3 = pts.points.at(3).uncompressedOffset;
    QVERIFY(r.output == m_content.mid(int(u3), int(pts.points.at(5).uncompressedOffset - u3)));
    // The first span itself damaged: nothing at all comes out.
    const Read first = readFrom(pts, 5, bad, bad.size(), 65536);
    QCOMPARE(first.error.code, Error::Code::DigestMismatch);
    QVERIFY(first.output.isEmpty());
}

void TestGzipCheckpoints::readEndingInsideASpanIsAnError()
{
    const Built b = build(m_gzip, 256 * 1024, 1 << 20);
    const GzipCheckpoints &pts = b.points;
    QVERIFY(pts.points.size() > 3);
    const Read r = readFrom(pts, 1, m_gzip, pts.spanEnd(2) - 100, 65536);
    QCOMPARE(r.error.code, Error::Code::Corrupt);
    QVERIFY2(r.error.message.contains(QLatin1String("span 2")), qPrintable(r.error.toString()));
    QCOMPARE(r.verified, 1);
}

void TestGzipCheckpoints::indexOverhead()
{
    // The default span (4 MiB of output): windows, hashes and offsets per GB of tar.
    const QByteArray content = makeContent(24 * 1024 * 1024, 3);
    const QByteArray gz = run(QStringLiteral("gzip"), { QStringLiteral("-6"), QStringLiteral("-c") }, content);
    const Built b = build(gz, GzipCheckpointBuilder::DefaultSpan, 1 << 20);
    QVERIFY(!b.error.isError());
    QVERIFY(b.output == content);
    const double ratio = double(b.points.storageSize()) / double(content.size());
    qInfo("%d checkpoints, %lld bytes for %lld bytes of tar: %.3f %% (%.1f MiB per GiB)", int(b.points.points.size()),
        b.points.storageSize(), qint64(content.size()), ratio * 100, ratio * 1024);
    QVERIFY(b.points.points.size() >= 5);
    QVERIFY2(ratio <= 0.01, qPrintable(QString::number(ratio)));
}

QTEST_APPLESS_MAIN(TestGzipCheckpoints)
#include "TestGzipCheckpoints.moc"
