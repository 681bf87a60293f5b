// Unit tests for the decompressor stage: gzip (ISA-L and zlib), zstd and plain, fed at every chunk size.
#include "stream/Decompressor.h"
#include "stream/GzipIsalDecompressor.h"
#include "stream/GzipZlibDecompressor.h"
#include "stream/PlainDecompressor.h"
#include "stream/ZstdDecompressor.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>

#include <zlib.h>

using namespace ll;
using namespace ll::stream;

namespace {

/** Mixed payload: compressible text runs and incompressible random runs, deterministic. */
QByteArray makePayload(qint64 size, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray out;
    out.reserve(size);
    int line = 0;
    while (out.size() < size) {
        if (rng.bounded(4) == 0) {
            QByteArray random(int(rng.bounded(1, 5000)), Qt::Uninitialized);
            for (char &c : random)
                c = char(rng.bounded(256));
            out += random;
        } else {
            out += "line " + QByteArray::number(line++) + " of some rather repetitive layer content\n";
        }
    }
    out.truncate(size);
    return out;
}

QByteArray runFilter(const QString &program, const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted())
        return {};
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput();
}

QByteArray gzipCli(const QByteArray &data)
{
    return runFilter(QStringLiteral("gzip"), { QStringLiteral("-c"), QStringLiteral("-6") }, data);
}

QByteArray zstdCli(const QByteArray &data)
{
    return runFilter(
        QStringLiteral("zstd"), { QStringLiteral("-c"), QStringLiteral("-q"), QStringLiteral("-3") }, data);
}

/** gzip member written by zlib in this process (deflateInit2 with windowBits 15+16); fullHeader adds
    FEXTRA, FNAME, FCOMMENT and FHCRC to the member header. */
QByteArray gzipZlib(const QByteArray &data, int level = 6, bool fullHeader = false)
{
    z_stream zs {};
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    static char extra[] = "EX\x04\0"
                          "abcd";
    static char name[] = "layer.tar";
    static char comment[] = "a comment";
    gz_header header {};
    header.extra = reinterpret_cast<Bytef *>(extra);
    header.extra_len = 8;
    header.name = reinterpret_cast<Bytef *>(name);
    header.comment = reinterpret_cast<Bytef *>(comment);
    header.hcrc = 1;
    if (fullHeader && deflateSetHeader(&zs, &header) != Z_OK)
        return {};
    QByteArray out(int(deflateBound(&zs, uLong(data.size())) + 64), Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int ret = deflate(&zs, Z_FINISH);
    out.truncate(int(zs.total_out));
    deflateEnd(&zs);
    return ret == Z_STREAM_END ? out : QByteArray();
}

QByteArray skippableFrame(const QByteArray &payload)
{
    QByteArray f("\x50\x2a\x4d\x18", 4); // 0x184D2A50 little endian
    const quint32 n = quint32(payload.size());
    for (int i = 0; i < 4; ++i)
        f += char((n >> (8 * i)) & 0xff);
    return f + payload;
}

enum class Impl { Isal, Zlib, Zstd, Plain };

std::unique_ptr<Decompressor> make(Impl impl)
{
    switch (impl) {
    case Impl::Isal:
        return std::make_unique<GzipIsalDecompressor>();
    case Impl::Zlib:
        return std::make_unique<GzipZlibDecompressor>();
    case Impl::Zstd:
        return std::make_unique<ZstdDecompressor>();
    case Impl::Plain:
        break;
    }
    return std::make_unique<PlainDecompressor>();
}

/** Feeds data in chunks of chunkSize (<= 0: whole), collects the output; returns the first error. */
Status decompressAll(Decompressor &d, const QByteArray &data, qint64 chunkSize, QByteArray *out)
{
    d.setSink([out](const char *p, qint64 n) {
        out->append(p, qsizetype(n));
        return true;
    });
    const qint64 step = chunkSize > 0 ? chunkSize : std::max<qint64>(1, data.size());
    for (qint64 pos = 0; pos < data.size(); pos += step) {
        if (Status s = d.feed(data.constData() + pos, std::min(step, data.size() - pos)); !s)
            return s;
    }
    return d.finish();
}

} // namespace

Q_DECLARE_METATYPE(Impl)

class TestDecompressor : public QObject
{
    Q_OBJECT

private:
    QByteArray m_payload; // ~600 KB: more than two output buffers
    QByteArray m_payload2; // a second, different member
    QByteArray m_gzCli, m_gzZlib, m_gz2, m_zst, m_zst2;

private Q_SLOTS:
    void initTestCase()
    {
        m_payload = makePayload(600 * 1024 + 123, 1);
        m_payload2 = makePayload(300 * 1024 + 7, 2);
        m_gzCli = gzipCli(m_payload);
        m_gzZlib = gzipZlib(m_payload);
        m_gz2 = gzipCli(m_payload2);
        QVERIFY(!m_gzCli.isEmpty());
        QVERIFY(!m_gzZlib.isEmpty());
        QVERIFY(!m_gz2.isEmpty());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("zstd")).isEmpty(), "zstd CLI missing");
        m_zst = zstdCli(m_payload);
        m_zst2 = zstdCli(m_payload2);
        QVERIFY(!m_zst.isEmpty());
        QVERIFY(!m_zst2.isEmpty());
    }

    void detect_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<Decompressor::Format>("format");
        QTest::newRow("gzip") << QByteArray("\x1f\x8b\x08\x00", 4) << Decompressor::Format::Gzip;
        QTest::newRow("gzip-2bytes") << QByteArray("\x1f\x8b", 2) << Decompressor::Format::Gzip;
        QTest::newRow("zstd") << QByteArray("\x28\xb5\x2f\xfd\x00", 5) << Decompressor::Format::Zstd;
        QTest::newRow("zstd-short") << QByteArray("\x28\xb5\x2f", 3) << Decompressor::Format::Plain;
        // pzstd (and others) start with a skippable frame (magic 0x184D2A50..5F)
        QTest::newRow("zstd-skippable-first")
            << QByteArray("\x50\x2a\x4d\x18\x04\0\0\0", 8) << Decompressor::Format::Zstd;
        QTest::newRow("zstd-skippable-5f") << QByteArray("\x5f\x2a\x4d\x18", 4) << Decompressor::Format::Zstd;
        QTest::newRow("not-skippable") << QByteArray("\x60\x2a\x4d\x18", 4) << Decompressor::Format::Plain;
        QTest::newRow("tar") << QByteArray("etc/\0\0\0\0", 8) << Decompressor::Format::Plain;
        QTest::newRow("empty") << QByteArray() << Decompressor::Format::Plain;
        QTest::newRow("gzip-1byte") << QByteArray("\x1f", 1) << Decompressor::Format::Plain;
    }
    void detect()
    {
        QFETCH(QByteArray, data);
        QFETCH(Decompressor::Format, format);
        QCOMPARE(Decompressor::detect(data.constData(), data.size()), format);
    }

    void createAndNames()
    {
        QCOMPARE(Decompressor::formatName(Decompressor::Format::Gzip), QStringLiteral("gzip"));
        QCOMPARE(Decompressor::formatName(Decompressor::Format::Zstd), QStringLiteral("zstd"));
        QCOMPARE(Decompressor::formatName(Decompressor::Format::Plain), QStringLiteral("plain"));
        auto isal = Decompressor::create(Decompressor::Format::Gzip);
        QVERIFY(dynamic_cast<GzipIsalDecompressor *>(isal.get()));
        auto zlib = Decompressor::create(Decompressor::Format::Gzip, true);
        QVERIFY(dynamic_cast<GzipZlibDecompressor *>(zlib.get()));
        QCOMPARE(Decompressor::create(Decompressor::Format::Zstd)->format(), Decompressor::Format::Zstd);
        QCOMPARE(Decompressor::create(Decompressor::Format::Plain)->format(), Decompressor::Format::Plain);
    }

    void roundTrip_data()
    {
        QTest::addColumn<Impl>("impl");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<qint64>("chunk");

        const QByteArray zeros(1000, '\0');
        struct Case {
            const char *name;
            QList<Impl> impls;
            QByteArray input;
            QByteArray expected;
        };
        const QList<Case> cases = {
            { "gzip-cli", { Impl::Isal, Impl::Zlib }, m_gzCli, m_payload },
            { "gzip-zlib", { Impl::Isal, Impl::Zlib }, m_gzZlib, m_payload },
            { "gzip-multi", { Impl::Isal, Impl::Zlib }, m_gzCli + m_gz2 + m_gzZlib,
                m_payload + m_payload2 + m_payload },
            { "gzip-trailing-zeros", { Impl::Isal, Impl::Zlib }, m_gzCli + m_gz2 + zeros, m_payload + m_payload2 },
            { "gzip-header-fields", { Impl::Isal, Impl::Zlib }, gzipZlib(m_payload2, 6, true) + m_gzCli,
                m_payload2 + m_payload },
            { "gzip-empty-member", { Impl::Isal, Impl::Zlib }, gzipZlib({}) + m_gz2, m_payload2 },
            // Bytes after the last member are ignored as gzip -t does ("decompression OK, trailing garbage
            // ignored"), not reported as a truncated stream (trailingDataOffset() says where they begin).
            { "gzip-trailing-garbage", { Impl::Isal, Impl::Zlib }, m_gzCli + QByteArray("garbage!"), m_payload },
            { "gzip-trailing-1f", { Impl::Isal, Impl::Zlib }, m_gzCli + QByteArray("\x1f!garbage"), m_payload },
            { "gzip-garbage-after-zeros", { Impl::Isal, Impl::Zlib }, m_gzCli + QByteArray(10, '\0') + "x", m_payload },
            { "zstd", { Impl::Zstd }, m_zst, m_payload },
            { "zstd-frames-skippable", { Impl::Zstd },
                skippableFrame("meta") + m_zst + skippableFrame(QByteArray(70000, 'x')) + m_zst2,
                m_payload + m_payload2 },
            { "plain", { Impl::Plain }, m_payload, m_payload },
        };
        const QList<qint64> chunks = { 1, 3, 4096, 65536, 0 };
        for (const Case &c : cases) {
            for (Impl impl : c.impls) {
                for (qint64 chunk : chunks) {
                    const char *implName = impl == Impl::Isal ? "isal"
                        : impl == Impl::Zlib                  ? "zlib"
                        : impl == Impl::Zstd                  ? "zstd"
                                                              : "plain";
                    QTest::addRow("%s/%s/%s", c.name, implName, chunk ? QByteArray::number(chunk).constData() : "whole")
                        << impl << c.input << c.expected << chunk;
                }
            }
        }
    }
    void roundTrip()
    {
        QFETCH(Impl, impl);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QFETCH(qint64, chunk);
        auto d = make(impl);
        QByteArray out;
        const Status s = decompressAll(*d, input, chunk, &out);
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(out.size(), expected.size());
        QVERIFY(out == expected);
        QCOMPARE(d->totalIn(), qint64(input.size()));
        QCOMPARE(d->totalOut(), qint64(expected.size()));
        QVERIFY(!d->isStopped());
        if (impl == Impl::Isal || impl == Impl::Zlib) {
            const QByteArray tail = QByteArray(10, '\0') + 'x';
            qint64 trailing = -1;
            if (input.endsWith("garbage!"))
                trailing = input.size() - 8;
            else if (input.endsWith("\x1f!garbage"))
                trailing = input.size() - 9;
            else if (input.endsWith(tail))
                trailing = input.size() - 1;
            QCOMPARE(d->trailingDataOffset(), trailing);
        }
    }

    void sinkChunksBounded()
    {
        // Output comes in views of the decompressor's own buffer, never more than OutputBufferSize at once.
        GzipIsalDecompressor d;
        qint64 biggest = 0;
        d.setSink([&](const char *, qint64 n) {
            biggest = std::max(biggest, n);
            return true;
        });
        QVERIFY(d.feed(m_gzCli.constData(), m_gzCli.size()).ok());
        QVERIFY(d.finish().ok());
        QVERIFY(biggest > 0);
        QVERIFY(biggest <= Decompressor::OutputBufferSize);
        QCOMPARE(d.memberCount(), 1);
    }

    void isalMatchesZlib()
    {
        // A bigger payload through both implementations: identical bytes.
        const QByteArray big = makePayload(8 * 1024 * 1024 + 5, 7);
        const QByteArray gz = gzipZlib(big, 1) + gzipCli(big.left(100000));
        QByteArray a, b;
        GzipIsalDecompressor isal;
        GzipZlibDecompressor zlib;
        QVERIFY(decompressAll(isal, gz, 100003, &a).ok());
        QVERIFY(decompressAll(zlib, gz, 100003, &b).ok());
        QCOMPARE(a.size(), big.size() + 100000);
        QVERIFY(a == b);
        QVERIFY(a == big + big.left(100000));
        QCOMPARE(isal.memberCount(), 2);
        QCOMPARE(zlib.memberCount(), 2);
    }

    void truncated_data()
    {
        QTest::addColumn<Impl>("impl");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<qint64>("chunk");
        const QList<std::pair<const char *, Impl>> impls
            = { { "isal", Impl::Isal }, { "zlib", Impl::Zlib }, { "zstd", Impl::Zstd } };
        for (const auto &[name, impl] : impls) {
            const QByteArray full = impl == Impl::Zstd ? m_zst : m_gzCli;
            const QByteArray second = impl == Impl::Zstd ? m_zst2 : m_gz2;
            const QList<qint64> cuts = { 1, 5, 12, full.size() / 2, full.size() - 5, full.size() - 1 };
            for (qint64 cut : cuts) {
                for (qint64 chunk : { qint64(1), qint64(4096), qint64(0) }) {
                    if (chunk == 1 && cut > 5000)
                        continue; // 1-byte feeds of the long cuts add nothing but time
                    QTest::addRow("%s/cut%lld/chunk%lld", name, cut, chunk) << impl << full.left(cut) << chunk;
                }
            }
            // A complete first member/frame and a truncated second one.
            QTest::addRow("%s/second-member", name) << impl << full + second.left(second.size() / 2) << qint64(4096);
            QTest::addRow("%s/second-header", name) << impl << full + second.left(3) << qint64(0);
            QTest::addRow("%s/empty", name) << impl << QByteArray() << qint64(0);
        }
    }
    void truncated()
    {
        QFETCH(Impl, impl);
        QFETCH(QByteArray, input);
        QFETCH(qint64, chunk);
        auto d = make(impl);
        QByteArray out;
        const Status s = decompressAll(*d, input, chunk, &out);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, Error::Code::Corrupt);
        QVERIFY2(s.error().message.startsWith(QLatin1String("truncated")), qPrintable(s.error().toString()));
        QVERIFY2(s.error().message.endsWith(QStringLiteral("compressed offset %1").arg(input.size())),
            qPrintable(s.error().toString()));
        // Sticky: the error comes back.
        QCOMPARE(d->finish().error().code, Error::Code::Corrupt);
    }

    void corrupt_data()
    {
        QTest::addColumn<Impl>("impl");
        QTest::addColumn<QByteArray>("input");
        auto flip = [](QByteArray data, qint64 at) {
            data[at] = char(data[at] ^ 0x5a);
            return data;
        };
        for (Impl impl : { Impl::Isal, Impl::Zlib }) {
            const char *name = impl == Impl::Isal ? "isal" : "zlib";
            const QByteArray gz = m_gzCli;
            QTest::addRow("%s/middle", name) << impl << flip(gz, gz.size() / 2);
            QTest::addRow("%s/early", name) << impl << flip(gz, 40);
            QTest::addRow("%s/crc", name) << impl << flip(gz, gz.size() - 7);
            QTest::addRow("%s/isize", name) << impl << flip(gz, gz.size() - 2);
            QTest::addRow("%s/method", name) << impl << flip(gz, 2);
            QTest::addRow("%s/not-gzip", name) << impl << QByteArray(100, 'a');
        }
        QTest::addRow("zstd/middle") << Impl::Zstd << flip(m_zst, m_zst.size() / 2);
        QTest::addRow("zstd/checksum") << Impl::Zstd << flip(m_zst, m_zst.size() - 2);
        QTest::addRow("zstd/trailing-garbage") << Impl::Zstd << m_zst + QByteArray("garbage!");
    }
    // A frame that needs a window over 128 MiB (zstd --long=31 from a pipe) is refused with a message saying so.
    void zstdWindowTooLarge()
    {
        const QByteArray big = runFilter(QStringLiteral("zstd"),
            { QStringLiteral("-c"), QStringLiteral("-q"), QStringLiteral("--long=31") }, m_payload);
        QVERIFY(!big.isEmpty());
        auto d = make(Impl::Zstd);
        QByteArray out;
        const Status s = decompressAll(*d, big, 0, &out);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, Error::Code::Corrupt);
        QVERIFY2(
            s.error().message.contains(QLatin1String("window larger than 128 MiB")), qPrintable(s.error().toString()));
    }

    void corrupt()
    {
        QFETCH(Impl, impl);
        QFETCH(QByteArray, input);
        for (qint64 chunk : { qint64(4096), qint64(0) }) {
            auto d = make(impl);
            QByteArray out;
            const Status s = decompressAll(*d, input, chunk, &out);
            QVERIFY(!s.ok());
            QCOMPARE(s.error().code, Error::Code::Corrupt);
            QVERIFY2(s.error().message.contains(QLatin1String("compressed offset")), qPrintable(s.error().toString()));
        }
    }

    void earlyStop_data()
    {
        QTest::addColumn<Impl>("impl");
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("isal") << Impl::Isal << m_gzCli + m_gz2;
        QTest::newRow("zlib") << Impl::Zlib << m_gzCli + m_gz2;
        QTest::newRow("zstd") << Impl::Zstd << m_zst + m_zst2;
        QTest::newRow("plain") << Impl::Plain << m_payload;
    }
    void earlyStop()
    {
        QFETCH(Impl, impl);
        QFETCH(QByteArray, input);
        auto d = make(impl);
        int calls = 0;
        qint64 seen = 0;
        d->setSink([&](const char *, qint64 n) {
            ++calls;
            seen += n;
            return seen < 1000; // the first chunk already has more: stop right there
        });
        const qint64 half = input.size() / 2;
        QVERIFY(d->feed(input.constData(), half).ok());
        QVERIFY(d->isStopped());
        QCOMPARE(calls, 1);
        // Further input is ignored, finish is fine.
        QVERIFY(d->feed(input.constData() + half, input.size() - half).ok());
        QVERIFY(d->finish().ok());
        QCOMPARE(calls, 1);
    }

    void randomDamage()
    {
        // Random byte damage: Corrupt (or, rarely, a lucky valid stream), never a crash (ASan+UBSan in CI).
        const QByteArray small = m_payload.left(50000);
        const QByteArray gz = gzipCli(small) + gzipZlib(small);
        const QByteArray zst = zstdCli(small);
        QRandomGenerator rng(3);
        for (Impl impl : { Impl::Isal, Impl::Zlib, Impl::Zstd }) {
            int corrupt = 0;
            for (int round = 0; round < 100; ++round) {
                QByteArray input = impl == Impl::Zstd ? zst : gz;
                for (int i = 0; i < 3; ++i)
                    input[rng.bounded(input.size())] = char(rng.bounded(256));
                auto d = make(impl);
                QByteArray out;
                const Status s = decompressAll(*d, input, 1 + rng.bounded(5000), &out);
                if (!s.ok()) {
                    QCOMPARE(s.error().code, Error::Code::Corrupt);
                    ++corrupt;
                }
            }
            QVERIFY(corrupt > 50);
        }
    }

    void plainIsAView()
    {
        PlainDecompressor d;
        const char *seen = nullptr;
        d.setSink([&](const char *p, qint64) {
            seen = p;
            return true;
        });
        QVERIFY(d.feed(m_payload.constData() + 10, 100).ok());
        QCOMPARE(seen, m_payload.constData() + 10);
        QVERIFY(d.finish().ok());
    }
};

QTEST_APPLESS_MAIN(TestDecompressor)
#include "TestDecompressor.moc"
