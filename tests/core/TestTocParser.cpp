// TocParser: eStargz / legacy stargz footers, zstd:chunked manifest positions and footers, and TOC JSON of
// both formats (what the reference writers produce, and what a lying TOC says) as tables.
#include "toc/TocJsonReader.h"
#include "toc/TocParser.h"

#include <QDateTime>
#include <QTest>

using namespace ll;
using namespace ll::toc;

Q_DECLARE_METATYPE(ll::Error::Code)

namespace {

/** The 51-byte eStargz footer (as estargz's gzipFooterBytes writes it). */
QByteArray estargzFooter(qint64 offset, const QByteArray &magic = "STARGZ", char si1 = 'S')
{
    QByteArray sub = QByteArray::number(offset, 16).rightJustified(16, '0') + magic;
    QByteArray extra = QByteArray(1, si1) + 'G' + char(sub.size()) + '\0' + sub;
    return QByteArray("\x1f\x8b\x08\x04\0\0\0\0\0\xff", 10) + char(extra.size()) + '\0' + extra
        + QByteArray("\x01\x00\x00\xff\xff", 5) + QByteArray(8, '\0');
}

/** The 47-byte legacy stargz footer. */
QByteArray legacyFooter(qint64 offset)
{
    const QByteArray extra = QByteArray::number(offset, 16).rightJustified(16, '0') + "STARGZ";
    return QByteArray("\x1f\x8b\x08\x04\0\0\0\0\0\xff", 10) + char(extra.size()) + '\0' + extra
        + QByteArray("\x01\x00\x00\xff\xff", 5) + QByteArray(8, '\0');
}

QByteArray le64(quint64 v)
{
    QByteArray b(8, '\0');
    for (int i = 0; i < 8; ++i)
        b[i] = char((v >> (8 * i)) & 0xff);
    return b;
}

QByteArray zstdFooterBytes(
    quint64 offset, quint64 length, quint64 raw, quint64 type = 1, const QByteArray &magic = "GnUlInUx")
{
    return QByteArray("\x50\x2a\x4d\x18\x28\0\0\0", 8) + le64(offset) + le64(length) + le64(raw) + le64(type) + magic;
}

/** Everything a LayerToc says, a line per entry, file and chunk (to compare two readings of one TOC). */
QStringList describe(const LayerToc &toc)
{
    QStringList out;
    for (const stream::TarEntry &e : toc.entries)
        out << QStringLiteral("%1 %2 %3 %4 %5:%6 %7:%8 %9 %10 %11,%12")
                   .arg(e.path, e.typeName())
                   .arg(e.size)
                   .arg(e.mode, 0, 8)
                   .arg(e.uid)
                   .arg(e.gid)
                   .arg(e.uname, e.gname)
                   .arg(e.mtime)
                   .arg(e.linkTarget)
                   .arg(e.devMajor)
                   .arg(e.devMinor);
    for (const TocFile &f : toc.files) {
        out << QStringLiteral("file %1 %2 %3 #%4")
                   .arg(f.path)
                   .arg(f.size)
                   .arg(f.digest)
                   .arg(toc.fileIndex.value(f.path, -1));
        for (const TocChunk &c : f.chunks)
            out << QStringLiteral("  chunk %1-%2 +%3 at %4 %5 %6")
                       .arg(c.offset)
                       .arg(c.end)
                       .arg(c.innerOffset)
                       .arg(c.chunkOffset)
                       .arg(c.chunkSize)
                       .arg(c.digest);
    }
    return out;
}

/** TocJsonReader fed in pieces: cuts are where each piece ends. A failed feed ends it (as its owner would). */
Result<LayerToc> readInPieces(const QByteArray &json, LayerToc::Format format, qint64 dataEnd, QList<int> cuts)
{
    TocJsonReader reader(format, dataEnd);
    cuts << int(json.size());
    int from = 0;
    for (const int cut : std::as_const(cuts)) {
        const Status s = reader.feed(json.constData() + from, cut - from);
        if (!s)
            return s.error();
        from = cut;
    }
    return reader.finish();
}

/** The error of a failed result, for messages (Result::error() on a value is not allowed). */
template<typename T> QString errorText(const Result<T> &r)
{
    return r ? QString() : r.error().toString();
}

} // namespace

class TestTocParser : public QObject
{
    Q_OBJECT

private slots:
    void gzipFooter_data();
    void gzipFooter();
    void manifestPosition_data();
    void manifestPosition();
    void zstdFooter_data();
    void zstdFooter();
    void annotations();
    void parseToc_data();
    void parseToc();
    void chunksOfBothFormats();
    void jsonAsWritersWriteIt();
    void readsSplitAnywhere_data() { parseToc_data(); }
    void readsSplitAnywhere();
    void longValuesInSmallPieces();
};

void TestTocParser::gzipFooter_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<qint64>("blobSize");
    QTest::addColumn<int>("format"); // -1: refused
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<Error::Code>("code");
    const auto ok = Error::Code::None;
    QTest::newRow("eStargz") << estargzFooter(1000) << qint64(5000) << int(LayerToc::Format::EStargz) << qint64(1000)
                             << ok;
    QTest::newRow("eStargz after other bytes") << QByteArray(100, 'x') + estargzFooter(0x1234) << qint64(10000)
                                               << int(LayerToc::Format::EStargz) << qint64(0x1234) << ok;
    QTest::newRow("legacy") << QByteArray(4, 'y') + legacyFooter(777) << qint64(2000)
                            << int(LayerToc::Format::LegacyStargz) << qint64(777) << ok;
    QTest::newRow("plain gzip end") << QByteArray(51, '\0') << qint64(5000) << -1 << qint64(0) << Error::Code::NotFound;
    QTest::newRow("wrong magic") << estargzFooter(1000, "STARGX") << qint64(5000) << -1 << qint64(0)
                                 << Error::Code::NotFound;
    QTest::newRow("wrong subfield id") << estargzFooter(1000, "STARGZ", 'X') << qint64(5000) << -1 << qint64(0)
                                       << Error::Code::NotFound;
    QTest::newRow("offset past the end") << estargzFooter(10LL << 30) << qint64(5000) << -1 << qint64(0)
                                         << Error::Code::Malformed;
    QTest::newRow("offset inside the footer")
        << estargzFooter(4960) << qint64(5000) << -1 << qint64(0) << Error::Code::Malformed;
    QTest::newRow("legacy offset past the end")
        << legacyFooter(3000) << qint64(2000) << -1 << qint64(0) << Error::Code::Malformed;
    QByteArray badHex = estargzFooter(1000);
    badHex[20] = 'g';
    QTest::newRow("offset not hex") << badHex << qint64(5000) << -1 << qint64(0) << Error::Code::Malformed;
    QTest::newRow("too short") << QByteArray(20, '\x1f') << qint64(5000) << -1 << qint64(0) << Error::Code::NotFound;
}

void TestTocParser::gzipFooter()
{
    QFETCH(QByteArray, tail);
    QFETCH(qint64, blobSize);
    QFETCH(int, format);
    QFETCH(qint64, offset);
    QFETCH(Error::Code, code);
    const Result<TocParser::TocLocation> loc = TocParser::parseGzipFooter(tail, blobSize);
    if (format < 0) {
        QVERIFY(!loc);
        QCOMPARE(loc.error().code, code);
        return;
    }
    QVERIFY2(loc, qPrintable(errorText(loc)));
    QCOMPARE(int(loc->format), format);
    QCOMPARE(loc->offset, offset);
    QCOMPARE(loc->length, blobSize - loc->footerSize - offset);
    QCOMPARE(loc->footerSize, format == int(LayerToc::Format::EStargz) ? 51 : 47);
}

void TestTocParser::manifestPosition_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<qint64>("blobSize");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Error::Code>("code");
    QTest::newRow("skopeo's") << QStringLiteral("219437:13685:93760:1") << qint64(233170) << true << Error::Code::None;
    QTest::newRow("ends at the blob end") << QStringLiteral("100:50:200:1") << qint64(150) << true << Error::Code::None;
    QTest::newRow("past the end") << QStringLiteral("100:51:200:1") << qint64(150) << false << Error::Code::Malformed;
    QTest::newRow("offset far away") << QStringLiteral("99999999999:10:20:1") << qint64(150) << false
                                     << Error::Code::Malformed;
    QTest::newRow("inside the skippable header")
        << QStringLiteral("4:10:20:1") << qint64(150) << false << Error::Code::Malformed;
    QTest::newRow("three fields") << QStringLiteral("100:50:200") << qint64(1000) << false << Error::Code::Malformed;
    QTest::newRow("negative") << QStringLiteral("-100:50:200:1") << qint64(1000) << false << Error::Code::Malformed;
    QTest::newRow("not a number") << QStringLiteral("1x:50:200:1") << qint64(1000) << false << Error::Code::Malformed;
    QTest::newRow("zero length") << QStringLiteral("100:0:200:1") << qint64(1000) << false << Error::Code::Malformed;
    QTest::newRow("huge TOC") << QStringLiteral("100:50:999999999999:1") << qint64(1000) << false
                              << Error::Code::Malformed;
    QTest::newRow("type 2") << QStringLiteral("100:50:200:2") << qint64(1000) << false << Error::Code::Unsupported;
}

void TestTocParser::manifestPosition()
{
    QFETCH(QString, value);
    QFETCH(qint64, blobSize);
    QFETCH(bool, valid);
    QFETCH(Error::Code, code);
    const Result<TocParser::TocLocation> loc = TocParser::parseManifestPosition(value, blobSize);
    QCOMPARE(bool(loc), valid);
    if (!valid) {
        QCOMPARE(loc.error().code, code);
        return;
    }
    const QStringList parts = value.split(QLatin1Char(':'));
    QCOMPARE(loc->offset, parts[0].toLongLong());
    QCOMPARE(loc->length, parts[1].toLongLong());
    QCOMPARE(loc->uncompressedLength, parts[2].toLongLong());
}

void TestTocParser::zstdFooter_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<qint64>("blobSize");
    QTest::addColumn<bool>("valid");
    // skopeo's layer 1 of lab/app: 1123 bytes, manifest at 685, 390 bytes, 1336 uncompressed
    QTest::newRow("skopeo") << zstdFooterBytes(685, 390, 1336) << qint64(1123) << true;
    QTest::newRow("after data") << QByteArray(10, 'z') + zstdFooterBytes(685, 390, 1336) << qint64(1123) << true;
    QTest::newRow("manifest over the footer") << zstdFooterBytes(685, 400, 1336) << qint64(1123) << false;
    QTest::newRow("bad magic") << zstdFooterBytes(685, 390, 1336, 1, "GnUlInUy") << qint64(1123) << false;
    QTest::newRow("not skippable") << QByteArray(8, '\0') + zstdFooterBytes(685, 390, 1336).mid(8) << qint64(1123)
                                   << false;
    QTest::newRow("type 0") << zstdFooterBytes(685, 390, 1336, 0) << qint64(1123) << false;
    QTest::newRow("short") << zstdFooterBytes(685, 390, 1336).mid(1) << qint64(1123) << false;
}

void TestTocParser::zstdFooter()
{
    QFETCH(QByteArray, tail);
    QFETCH(qint64, blobSize);
    QFETCH(bool, valid);
    const Result<TocParser::TocLocation> loc = TocParser::parseZstdFooter(tail, blobSize);
    QCOMPARE(bool(loc), valid);
    if (valid) {
        QCOMPARE(loc->offset, qint64(685));
        QCOMPARE(loc->length, qint64(390));
        QCOMPARE(loc->format, LayerToc::Format::ZstdChunked);
    }
}

void TestTocParser::annotations()
{
    oci::Descriptor d;
    QVERIFY(!TocParser::fromAnnotations(d));
    d.annotations.insert(QStringLiteral("org.opencontainers.image.title"), QStringLiteral("x"));
    QVERIFY(!TocParser::fromAnnotations(d));
    d.annotations.insert(TocParser::EStargzDigestAnnotation, QStringLiteral("sha256:abc"));
    QCOMPARE(TocParser::fromAnnotations(d)->format, LayerToc::Format::EStargz);
    QCOMPARE(TocParser::fromAnnotations(d)->digest, QStringLiteral("sha256:abc"));
    for (const QString &key : { TocParser::ZstdPositionAnnotation, TocParser::ZstdPositionAnnotationOld }) {
        oci::Descriptor z;
        z.annotations.insert(key, QStringLiteral("1:2:3:1"));
        z.annotations.insert(
            QString(key).replace(QLatin1String("position"), QLatin1String("checksum")), QStringLiteral("sha256:def"));
        QCOMPARE(TocParser::fromAnnotations(z)->format, LayerToc::Format::ZstdChunked);
        QCOMPARE(TocParser::fromAnnotations(z)->digest, QStringLiteral("sha256:def"));
    }
}

void TestTocParser::parseToc_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("format");
    QTest::addColumn<qint64>("dataEnd");
    QTest::addColumn<QString>("error"); // empty: valid; else a word of the message

    const int est = int(LayerToc::Format::EStargz);
    const int zst = int(LayerToc::Format::ZstdChunked);
    // eStargz: a file of 3 chunks (the last one without chunkSize), an empty file, a dir, links, a device
    const QByteArray estargz = R"({"version":1,"entries":[
        {"name":"etc/","type":"dir","mode":493,"modtime":"2023-11-14T22:13:20Z","userName":"root","groupName":"root"},
        {"name":"etc/big","type":"reg","size":250,"mode":420,"offset":100,"digest":"sha256:aa","chunkSize":100,"chunkDigest":"sha256:c0"},
        {"name":"etc/big","type":"chunk","offset":200,"chunkOffset":100,"chunkSize":100,"chunkDigest":"sha256:c1"},
        {"name":"etc/big","type":"chunk","offset":300,"chunkOffset":200,"chunkDigest":"sha256:c2"},
        {"name":"etc/empty","type":"reg","mode":420},
        {"name":"etc/small","type":"reg","size":5,"mode":2541,"uid":1000,"gid":42,"offset":400},
        {"name":"bin/sh-link","type":"hardlink","linkName":"./etc/small"},
        {"name":"bin/rbash","type":"symlink","linkName":"sh"},
        {"name":"dev/null","type":"char","devMajor":1,"devMinor":3}]})";
    QTest::newRow("eStargz") << estargz << est << qint64(500) << QString();
    QTest::newRow("eStargz, data ends before the last member")
        << estargz << est << qint64(400) << QStringLiteral("outside");
    QByteArray lie = estargz;
    lie.replace(R"("offset":300,)", R"("offset":150,)");
    QTest::newRow("chunks out of order") << lie << est << qint64(500) << QStringLiteral("order");
    lie = estargz;
    lie.replace(R"("size":250,)", R"("size":150,)");
    QTest::newRow("chunks larger than the file") << lie << est << qint64(500) << QStringLiteral("size");
    lie = estargz;
    lie.replace(R"("chunkOffset":200,)", R"("chunkOffset":210,)");
    QTest::newRow("chunk offsets with a hole") << lie << est << qint64(500) << QStringLiteral("expected");
    lie = estargz;
    lie.replace(R"("size":5,"mode":2541,"uid":1000,"gid":42,"offset":400)", R"("size":5,"mode":2541)");
    QTest::newRow("data without an offset") << lie << est << qint64(500) << QStringLiteral("no offset");
    lie = estargz;
    lie.replace(R"("offset":400)", R"("offset":-4)");
    QTest::newRow("negative offset") << lie << est << qint64(500) << QStringLiteral("outside");
    lie = estargz;
    lie.replace(R"("size":250,)", R"("size":-250,)");
    QTest::newRow("negative size") << lie << est << qint64(500) << QStringLiteral("negative");
    QTest::newRow("chunk of nothing") << QByteArray(
        R"({"entries":[{"name":"a","type":"chunk","offset":10,"chunkOffset":5}]})")
                                      << est << qint64(500) << QStringLiteral("no such file");
    QTest::newRow("not JSON") << QByteArray("{\"entries\":[") << est << qint64(500) << QStringLiteral("JSON");
    QTest::newRow("no entries") << QByteArray(R"({"version":1})") << est << qint64(500) << QStringLiteral("entries");
    QTest::newRow("data after the JSON") << estargz + "\n}" << est << qint64(500) << QStringLiteral("JSON");
    QTest::newRow("entries not an array")
        << QByteArray(R"({"entries":{"name":"a"}})") << est << qint64(500) << QStringLiteral("entries");
    QTest::newRow("two entries arrays") << QByteArray(R"({"entries":[],"entries":[]})") << est << qint64(500)
                                        << QStringLiteral("two");
    QTest::newRow("an entry that is not an object") << QByteArray(R"({"entries":[{"name":"a","type":"dir"},7]})") << est
                                                    << qint64(500) << QStringLiteral("entry 1 is not");
    QTest::newRow("nested too deep") << QByteArray(R"({"entries":[{"name":"a","xattrs":)") + QByteArray(200, '[')
            + QByteArray(200, ']') + "}]}"
                                     << est << qint64(500) << QStringLiteral("deeper");
    QTest::newRow("nameless entry") << QByteArray(R"({"entries":[{"type":"dir"}]})") << est << qint64(500)
                                    << QStringLiteral("no name");

    // zstd:chunked (containers/storage): endOffset on the file, chunk entries without one
    const QByteArray zstd = R"({"version":1,"entries":[
        {"type":"reg","name":"bin/sh","mode":493,"size":300,"digest":"sha256:ff","offset":198,"endOffset":700,"chunkSize":120,"chunkDigest":"sha256:d0"},
        {"type":"chunk","name":"bin/sh","offset":400,"chunkSize":180,"chunkOffset":120,"chunkDigest":"sha256:d1"},
        {"type":"reg","name":"etc/passwd","mode":420,"size":10,"offset":800,"endOffset":850}]})";
    QTest::newRow("zstd:chunked") << zstd << zst << qint64(900) << QString();
    QTest::newRow("zstd:chunked endOffset past the data") << zstd << zst << qint64(820) << QStringLiteral("outside");
    lie = zstd;
    lie.replace(R"("endOffset":700)", R"("endOffset":300)");
    QTest::newRow("zstd:chunked endOffset before the last chunk")
        << lie << zst << qint64(900) << QStringLiteral("ends at");
}

void TestTocParser::parseToc()
{
    QFETCH(QByteArray, json);
    QFETCH(int, format);
    QFETCH(qint64, dataEnd);
    QFETCH(QString, error);
    const Result<LayerToc> toc = TocParser::parseToc(json, LayerToc::Format(format), dataEnd);
    if (!error.isEmpty()) {
        QVERIFY2(!toc, "a lying TOC was accepted");
        QCOMPARE(toc.error().code, Error::Code::Malformed);
        QVERIFY2(toc.error().toString().contains(error), qPrintable(errorText(toc)));
        return;
    }
    QVERIFY2(toc, qPrintable(errorText(toc)));
    for (const TocFile &f : toc->files) {
        qint64 sum = 0;
        for (const TocChunk &c : f.chunks) {
            QVERIFY(c.offset < c.end);
            QVERIFY(c.end <= dataEnd);
            sum += c.chunkSize;
        }
        QCOMPARE(sum, f.size);
    }
}

void TestTocParser::chunksOfBothFormats()
{
    // The first rows of parseToc_data, checked field by field.
    const QByteArray estargz = R"({"version":1,"entries":[
        {"name":"etc/","type":"dir","mode":493,"modtime":"2023-11-14T22:13:20Z","userName":"root","groupName":"root"},
        {"name":"etc/big","type":"reg","size":250,"mode":420,"offset":100,"digest":"sha256:aa","chunkSize":100,"chunkDigest":"sha256:c0"},
        {"name":"etc/big","type":"chunk","offset":200,"chunkOffset":100,"chunkSize":100,"chunkDigest":"sha256:c1"},
        {"name":"etc/big","type":"chunk","offset":300,"chunkOffset":200,"chunkDigest":"sha256:c2"},
        {"name":"etc/small","type":"reg","size":5,"mode":2541,"uid":1000,"gid":42,"offset":400},
        {"name":"bin/sh-link","type":"hardlink","linkName":"./etc/small"},
        {"name":"dev/null","type":"char","devMajor":1,"devMinor":3}]})";
    const Result<LayerToc> e = TocParser::parseToc(estargz, LayerToc::Format::EStargz, 500);
    QVERIFY2(e, qPrintable(errorText(e)));
    QCOMPARE(e->entries.size(), 5); // chunk entries are folded into their file
    QCOMPARE(e->entries[0].path, QStringLiteral("etc"));
    QCOMPARE(e->entries[0].type, stream::TarEntry::Type::Directory);
    QCOMPARE(e->entries[0].mtime, qint64(1700000000));
    QCOMPARE(e->entries[0].uname, QStringLiteral("root"));
    QCOMPARE(e->entries[2].mode, quint32(04755));
    QCOMPARE(e->entries[2].uid, qint64(1000));
    QCOMPARE(e->entries[3].linkTarget, QStringLiteral("etc/small"));
    QCOMPARE(e->entries[4].devMajor, quint32(1));
    QCOMPARE(e->entries[4].devMinor, quint32(3));
    const TocFile *big = e->file(QStringLiteral("etc/big"));
    QVERIFY(big);
    QCOMPARE(big->chunks.size(), 3);
    const qint64 expect[3][4] = { { 100, 200, 0, 100 }, { 200, 300, 100, 100 }, { 300, 400, 200, 50 } };
    for (int k = 0; k < 3; ++k) {
        QCOMPARE(big->chunks[k].offset, expect[k][0]);
        QCOMPARE(big->chunks[k].end, expect[k][1]); // the next member's start
        QCOMPARE(big->chunks[k].chunkOffset, expect[k][2]);
        QCOMPARE(big->chunks[k].chunkSize, expect[k][3]);
    }
    QCOMPARE(big->chunks[1].digest, QStringLiteral("sha256:c1"));
    const TocFile *small = e->file(QStringLiteral("etc/small"));
    QCOMPARE(small->chunks.size(), 1);
    QCOMPARE(small->chunks[0].end, qint64(500)); // the last member ends where the TOC starts
    QCOMPARE(small->chunks[0].chunkSize, qint64(5));

    const QByteArray zstd = R"({"version":1,"entries":[
        {"type":"reg","name":"bin/sh","mode":493,"size":300,"digest":"sha256:ff","offset":198,"endOffset":700,"chunkSize":120},
        {"type":"chunk","name":"bin/sh","offset":400,"chunkSize":180,"chunkOffset":120},
        {"type":"reg","name":"etc/passwd","mode":420,"size":10,"offset":800,"endOffset":850}]})";
    const Result<LayerToc> z = TocParser::parseToc(zstd, LayerToc::Format::ZstdChunked, 900);
    QVERIFY2(z, qPrintable(errorText(z)));
    const TocFile *sh = z->file(QStringLiteral("bin/sh"));
    QCOMPARE(sh->chunks.size(), 2);
    QCOMPARE(sh->chunks[0].end, qint64(400));
    QCOMPARE(sh->chunks[1].end, qint64(700)); // the file's endOffset, not the next file's start
    QCOMPARE(z->file(QStringLiteral("etc/passwd"))->chunks[0].end, qint64(850));
    QCOMPARE(z->compression(), stream::Decompressor::Format::Zstd);
}

void TestTocParser::jsonAsWritersWriteIt()
{
    // Escapes in names (Go's encoding/json writes \u0026, \u003c and UTF-8 as is), fields the listing does not
    // use (xattrs objects, accessTime, numLink) skipped, modtimes in the forms writers emit, a number where a
    // string belongs read as empty (as QJsonDocument's toString() did).
    const QByteArray json = R"({"version":1,"entries":[
        {"name":"etc/caf\u00e9 \"q\" a\u0026b","type":"reg","size":3,"offset":10,"modtime":"2023-11-14T22:13:20.123456789Z",
         "xattrs":{"user.a":"YQ==","security.capability":"AQAAAgAgAAAAAAAAAAAAAAAAAAA="},"accessTime":"2023-11-14T22:13:20Z","numLink":1},
        {"name":"etc/été","type":"dir","modtime":"2023-11-15T00:13:20+02:00","uid":1000,"userName":"me"},
        {"name":"etc/x","type":"symlink","linkName":"caf\u00e9","modtime":"1969-12-31T23:59:59Z","uid":1000},
        {"name":"etc/n","type":"reg","modtime":"not a date","userName":17,"mode":420.0}],"extra":[1,{"a":null}]})";
    const Result<LayerToc> toc = TocParser::parseToc(json, LayerToc::Format::EStargz, 100);
    QVERIFY2(toc, qPrintable(errorText(toc)));
    QCOMPARE(toc->entries.size(), 4);
    QCOMPARE(toc->entries[0].path, QStringLiteral("etc/café \"q\" a&b"));
    QCOMPARE(toc->entries[0].mtime, qint64(1700000000));
    QVERIFY(toc->file(QStringLiteral("etc/café \"q\" a&b")));
    QCOMPARE(toc->entries[1].path, QStringLiteral("etc/été"));
    QCOMPARE(toc->entries[1].mtime, qint64(1700000000));
    QCOMPARE(toc->entries[2].linkTarget, QStringLiteral("café"));
    QCOMPARE(toc->entries[2].mtime, qint64(-1));
    QCOMPARE(toc->entries[2].uname, QStringLiteral("me")); // written once per uid
    QCOMPARE(toc->entries[3].mtime, qint64(0));
    QCOMPARE(toc->entries[3].uname, QString());
    QCOMPARE(toc->entries[3].mode, quint32(0644));
    // The same instants as QDateTime reads them.
    for (const char *t : { "2023-11-14T22:13:20.123456789Z", "2023-11-15T00:13:20+02:00", "1969-12-31T23:59:59Z" }) {
        const QByteArray one = QByteArray(R"({"entries":[{"name":"a","type":"dir","modtime":")") + t + "\"}]}";
        const Result<LayerToc> r = TocParser::parseToc(one, LayerToc::Format::EStargz, 100);
        QVERIFY(r);
        QCOMPARE(r->entries[0].mtime, QDateTime::fromString(QString::fromLatin1(t), Qt::ISODate).toSecsSinceEpoch());
    }
}

void TestTocParser::readsSplitAnywhere()
{
    // As a download brings it: the same TOC (or the same refusal) whatever the pieces.
    QFETCH(QByteArray, json);
    QFETCH(int, format);
    QFETCH(qint64, dataEnd);
    const Result<LayerToc> whole = TocParser::parseToc(json, LayerToc::Format(format), dataEnd);
    const QStringList expected = whole ? describe(*whole) : QStringList { whole.error().toString() };
    const auto same = [&](const Result<LayerToc> &got, const QByteArray &how) {
        const QStringList lines = got ? describe(*got) : QStringList { got.error().toString() };
        if (lines != expected)
            qWarning().noquote() << how << "\n"
                                 << lines.join(QLatin1Char('\n')) << "\nexpected\n"
                                 << expected.join(QLatin1Char('\n'));
        return lines == expected;
    };
    for (int cut = 0; cut <= json.size(); ++cut)
        QVERIFY(
            same(readInPieces(json, LayerToc::Format(format), dataEnd, { cut }), "cut at " + QByteArray::number(cut)));
    for (int a = 0; a < json.size(); a += 7) {
        for (int b = a; b <= json.size(); b += 13)
            QVERIFY(same(readInPieces(json, LayerToc::Format(format), dataEnd, { a, b }),
                "cuts at " + QByteArray::number(a) + ", " + QByteArray::number(b)));
    }
    QList<int> bytes;
    for (int i = 1; i < json.size(); ++i)
        bytes << i;
    QVERIFY(same(readInPieces(json, LayerToc::Format(format), dataEnd, bytes), "byte by byte"));
}

void TestTocParser::longValuesInSmallPieces()
{
    // A value far longer than the pieces (a big xattrs object), escapes and surrogate pairs cut in half, numbers
    // cut between digits, literals cut: read the same as whole, in any pieces.
    QByteArray big
        = R"({"version":1,"entries":[{"name":"a\u00e9\ud83d\ude00b","type":"reg","size":12345,"offset":10,"xattrs":{)";
    for (int i = 0; i < 3000; ++i)
        big += "\"k" + QByteArray::number(i) + "\":\"" + QByteArray(40, 'v') + "\",";
    big += R"("end":"x"},"modtime":"2023-11-14T22:13:20Z"}],"tail":[1.5e3,true,false,null,-0]})";
    const Result<LayerToc> whole = TocParser::parseToc(big, LayerToc::Format::EStargz, 100000);
    QVERIFY2(whole, qPrintable(errorText(whole)));
    QCOMPARE(whole->entries.size(), 1);
    QCOMPARE(whole->entries[0].path,
        QString::fromUtf8("a\xc3\xa9\xf0\x9f\x98\x80"
                          "b"));
    QCOMPARE(whole->entries[0].size, qint64(12345));
    QCOMPARE(whole->entries[0].mtime, qint64(1700000000));
    for (const int piece : { 1, 3, 64, 1000 }) {
        QList<int> cuts;
        for (int i = piece; i < big.size(); i += piece)
            cuts << i;
        const Result<LayerToc> got = readInPieces(big, LayerToc::Format::EStargz, 100000, cuts);
        QVERIFY2(got, qPrintable(errorText(got)));
        QCOMPARE(describe(*got), describe(*whole));
    }
    // Cut short anywhere, it is refused at the end, never taken for a whole TOC.
    for (int cut = 1; cut < 300; ++cut) {
        TocJsonReader reader(LayerToc::Format::EStargz, 100000);
        QVERIFY(reader.feed(big.constData(), cut));
        QVERIFY(!reader.finish());
    }
}

QTEST_APPLESS_MAIN(TestTocParser)
#include "TestTocParser.moc"
