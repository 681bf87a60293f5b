#include "common/PathBytes.h"
#include "common/Sha256.h"
#include "index/IndexStore.h"
#include "index/LayerIndex.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <functional>
#include <sys/resource.h>

using ll::index::IndexStore;
using ll::index::LayerIndex;
using ll::stream::TarEntry;

namespace {

const QString Digest = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));

LayerIndex sample()
{
    LayerIndex index;
    index.digest = Digest;
    index.blobSize = 123456;
    index.compression = QStringLiteral("gzip");
    TarEntry dir;
    dir.path = QStringLiteral("etc");
    dir.type = TarEntry::Type::Directory;
    dir.mode = 0755;
    dir.compressedEnd = 65536;
    TarEntry file;
    file.path = QStringLiteral("etc/päss wd"); // any Unicode name survives
    file.size = 1234;
    file.mode = 04755;
    file.uid = 1000;
    file.gid = qint64(1) << 40; // base-256 sized ids
    file.uname = QStringLiteral("app");
    file.gname = QStringLiteral("app");
    file.mtime = 1700000000;
    file.headerOffset = 512;
    file.dataOffset = 1024;
    file.compressedEnd = 123456;
    TarEntry link;
    link.path = QStringLiteral("etc/link");
    link.type = TarEntry::Type::Symlink;
    link.linkTarget = QStringLiteral("../usr/lib/x");
    TarEntry again = file; // a later copy in the same archive
    again.size = 99;
    // Names are bytes: two Latin-1 names that UTF-8 decoding would both turn into "caf\ufffd"
    TarEntry latin1 = file;
    latin1.path = ll::PathBytes::decode("caf\xe9.txt");
    latin1.linkTarget = ll::PathBytes::decode("t\xe9");
    TarEntry latin1b = latin1;
    latin1b.path = ll::PathBytes::decode("caf\xef.txt");
    latin1b.size = 7;
    TarEntry sparse = file;
    sparse.path = QStringLiteral("var/sparse.img");
    sparse.size = qint64(1) << 32;
    sparse.sparse = { { 0, 4096 }, { 1 << 20, 512 }, { sparse.size, 0 } };
    index.entries = { dir, file, link, again, latin1, latin1b, sparse };
    // Checkpoints as a gzip pass records them: a member start at 0, then block boundaries with windows.
    index.checkpoints.compressedSize = index.blobSize;
    index.checkpoints.uncompressedSize = 3 << 20;
    for (int i = 0; i < 3; ++i) {
        ll::random::GzipCheckpoint p;
        p.compressedOffset = i * 40000;
        p.bits = i == 0 ? 0 : i + 2;
        p.uncompressedOffset = qint64(i) << 20;
        p.memberStart = i == 0;
        p.window = i == 0 ? QByteArray() : QByteArray(1000 + i, char('a' + i));
        index.checkpoints.points.append(p);
    }
    // Hashed pieces over the whole blob, each with the output reached at its end.
    index.checkpoints.pieceSize = 16384;
    const int pieces = int((index.blobSize + 16383) / 16384);
    for (int k = 0; k < pieces; ++k)
        index.checkpoints.pieces.append(
            { QByteArray(32, char(k + 1)), k + 1 == pieces ? index.checkpoints.uncompressedSize : qint64(k) * 300000 });
    return index;
}

QByteArray withTrailer(QByteArray body)
{
    return body + QByteArray::fromHex(ll::Sha256::digestOf(body).mid(7).toLatin1());
}

} // namespace

class TestLayerIndex : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void findTakesTheLastCopy();
    void refusesDamage_data();
    void refusesDamage();
    void storeNamesOnlyValidDigests();
    void writerDiscardLeavesNothing();
    void writerReportsTheRealErrno();
    void disabledStore();
    void pruneDropsLeastRecentlyUsed();
};

void TestLayerIndex::roundTrip()
{
    const LayerIndex in = sample();
    const auto out = LayerIndex::fromBytes(in.toBytes(), Digest);
    QVERIFY(out);
    QCOMPARE(out->digest, in.digest);
    QCOMPARE(out->blobSize, in.blobSize);
    QCOMPARE(out->compression, in.compression);
    QCOMPARE(out->entries.size(), in.entries.size());
    for (int i = 0; i < in.entries.size(); ++i) {
        const TarEntry &a = in.entries.at(i);
        const TarEntry &b = out->entries.at(i);
        QCOMPARE(b.path, a.path);
        QCOMPARE(b.type, a.type);
        QCOMPARE(b.size, a.size);
        QCOMPARE(b.mode, a.mode);
        QCOMPARE(b.uid, a.uid);
        QCOMPARE(b.gid, a.gid);
        QCOMPARE(b.uname, a.uname);
        QCOMPARE(b.gname, a.gname);
        QCOMPARE(b.mtime, a.mtime);
        QCOMPARE(b.linkTarget, a.linkTarget);
        QCOMPARE(b.headerOffset, a.headerOffset);
        QCOMPARE(b.dataOffset, a.dataOffset);
        QCOMPARE(b.compressedEnd, a.compressedEnd);
        QCOMPARE(b.sparse, a.sparse);
    }
    QCOMPARE(ll::PathBytes::encode(out->entries.at(4).path), QByteArray("caf\xe9.txt"));
    QCOMPARE(ll::PathBytes::encode(out->entries.at(4).linkTarget), QByteArray("t\xe9"));
    QCOMPARE(out->find(ll::PathBytes::decode("caf\xef.txt"))->size, qint64(7));
    QCOMPARE(out->find(ll::PathBytes::decode("caf\xe9.txt"))->size, qint64(1234));
    QCOMPARE(out->entries.at(6).storedSize(), qint64(4096 + 512));
    QCOMPARE(out->checkpoints.compressedSize, in.checkpoints.compressedSize);
    QCOMPARE(out->checkpoints.uncompressedSize, in.checkpoints.uncompressedSize);
    QCOMPARE(out->checkpoints.points.size(), in.checkpoints.points.size());
    for (int i = 0; i < in.checkpoints.points.size(); ++i) {
        const ll::random::GzipCheckpoint &a = in.checkpoints.points.at(i);
        const ll::random::GzipCheckpoint &b = out->checkpoints.points.at(i);
        QCOMPARE(b.compressedOffset, a.compressedOffset);
        QCOMPARE(b.bits, a.bits);
        QCOMPARE(b.uncompressedOffset, a.uncompressedOffset);
        QCOMPARE(b.memberStart, a.memberStart);
        QCOMPARE(b.window, a.window);
    }
    QCOMPARE(out->checkpoints.pieceSize, in.checkpoints.pieceSize);
    QCOMPARE(out->checkpoints.pieces.size(), in.checkpoints.pieces.size());
    for (int k = 0; k < in.checkpoints.pieces.size(); ++k) {
        QCOMPARE(out->checkpoints.pieces.at(k).sha256, in.checkpoints.pieces.at(k).sha256);
        QCOMPARE(out->checkpoints.pieces.at(k).outEnd, in.checkpoints.pieces.at(k).outEnd);
    }
    // A layer without checkpoints (zstd, plain tar) keeps none.
    LayerIndex plain = in;
    plain.checkpoints = {};
    const auto none = LayerIndex::fromBytes(plain.toBytes(), Digest);
    QVERIFY(none);
    QVERIFY(none->checkpoints.isEmpty());
    QCOMPARE(none->entries.size(), in.entries.size());
}

void TestLayerIndex::findTakesTheLastCopy()
{
    const LayerIndex index = sample();
    QCOMPARE(index.find(QStringLiteral("etc/päss wd"))->size, qint64(99));
    QVERIFY(!index.find(QStringLiteral("nope")));
}

void TestLayerIndex::refusesDamage_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("digest");
    const QByteArray good = sample().toBytes();
    QTest::newRow("empty") << QByteArray() << Digest;
    QTest::newRow("not an index") << QByteArray(100, 'x') << Digest;
    QByteArray flipped = good;
    flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 1);
    QTest::newRow("flipped byte") << flipped << Digest;
    QTest::newRow("truncated") << good.left(good.size() - 10) << Digest;
    QTest::newRow("trailer only cut") << good.left(good.size() - 1) << Digest;
    QTest::newRow("another layer's") << good << (QStringLiteral("sha256:") + QString(64, QLatin1Char('b')));
    // Another format version with a valid checksum: refused for the version itself.
    QByteArray v2 = good.left(good.size() - 32);
    v2[4] = char(LayerIndex::FormatVersion + 1); // the version (little endian) right after the magic
    v2 += QByteArray::fromHex(ll::Sha256::digestOf(v2).mid(7).toLatin1());
    QTest::newRow("other version") << v2 << Digest;
    // Earlier versions (3: no checkpoints; 4: whole windows, a hash per span) are refused too, and replaced by the
    // store.
    for (const int version : { 3, 4 }) {
        QByteArray old = good.left(good.size() - 32);
        old[4] = char(version);
        QTest::newRow(qPrintable(QStringLiteral("version %1").arg(version))) << withTrailer(old) << Digest;
    }
    // Checkpoints that lie, with a valid checksum: refused before any is used.
    auto lying = [](const std::function<void(LayerIndex &)> &edit) {
        LayerIndex index = sample();
        edit(index);
        return index.toBytes();
    };
    QTest::newRow("checkpoints out of order") << lying([](LayerIndex &i) {
        std::swap(i.checkpoints.points[1].compressedOffset, i.checkpoints.points[2].compressedOffset);
    }) << Digest;
    QTest::newRow("checkpoint past the blob")
        << lying([](LayerIndex &i) { i.checkpoints.points[2].compressedOffset = i.blobSize + 1; }) << Digest;
    QTest::newRow("checkpoints of another size")
        << lying([](LayerIndex &i) { i.checkpoints.compressedSize = i.blobSize - 1; }) << Digest;
    QTest::newRow("first checkpoint not at 0")
        << lying([](LayerIndex &i) { i.checkpoints.points[0].uncompressedOffset = 1; }) << Digest;
    QTest::newRow("bits over 7") << lying([](LayerIndex &i) { i.checkpoints.points[1].bits = 8; }) << Digest;
    QTest::newRow("no window") << lying([](LayerIndex &i) { i.checkpoints.points[1].window.clear(); }) << Digest;
    QTest::newRow("a piece missing") << lying([](LayerIndex &i) { i.checkpoints.pieces.removeLast(); }) << Digest;
    QTest::newRow("pieces' output going back")
        << lying([](LayerIndex &i) { std::swap(i.checkpoints.pieces[1].outEnd, i.checkpoints.pieces[3].outEnd); })
        << Digest;
    QTest::newRow("pieces ending short of the tar")
        << lying([](LayerIndex &i) { i.checkpoints.pieces.last().outEnd -= 1; }) << Digest;
    QTest::newRow("piece size 0") << lying([](LayerIndex &i) { i.checkpoints.pieceSize = 0; }) << Digest;
    QTest::newRow("window too big") << lying([](LayerIndex &i) {
        i.checkpoints.points[1].window = QByteArray(LayerIndex::MaxWindowBytes + 1, 'w');
    }) << Digest;
}

void TestLayerIndex::refusesDamage()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, digest);
    const auto r = LayerIndex::fromBytes(bytes, digest);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ll::Error::Code::Corrupt);
}

void TestLayerIndex::storeNamesOnlyValidDigests()
{
    QTemporaryDir dir;
    const IndexStore store(dir.path());
    QCOMPARE(store.pathFor(Digest),
        dir.path() + QStringLiteral("/sha256-") + QString(64, QLatin1Char('a')) + QStringLiteral(".idx"));
    QVERIFY(store.pathFor(QStringLiteral("sha256:../../etc/passwd")).isEmpty());
    QVERIFY(store.pathFor(QStringLiteral("md5:abc")).isEmpty());
    QVERIFY(!store.writer(QStringLiteral("sha256:../x"), 1));
    QVERIFY(store.save(sample()));
    const auto loaded = store.load(Digest);
    QVERIFY(loaded.has_value());
    QCOMPARE(loaded->entries.size(), sample().entries.size());
    // Entry by entry, and a streaming lookup (the last copy wins).
    std::unique_ptr<ll::index::IndexReader> reader = store.open(Digest);
    QVERIFY(reader);
    TarEntry e;
    QStringList paths;
    while (reader->next(&e))
        paths << e.path;
    QVERIFY(!reader->error().isError());
    QCOMPARE(reader->compression(), QStringLiteral("gzip"));
    QCOMPARE(paths.size(), sample().entries.size());
    QCOMPARE(store.find(Digest, QStringLiteral("etc/päss wd"))->size, qint64(99));
    QVERIFY(!store.find(Digest, QStringLiteral("nope")).has_value());
}

void TestLayerIndex::writerDiscardLeavesNothing()
{
    QTemporaryDir dir;
    const IndexStore store(dir.path());
    {
        auto w = store.writer(Digest, 10);
        QVERIFY(w);
        w->add(sample().entries.first());
        // destroyed without commit
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    QVERIFY(!store.load(Digest).has_value());
}

// A write that fails (here: the file size limit, RLIMIT_FSIZE with SIGXFSZ ignored, which gives EFBIG as a full
// disk gives ENOSPC) is reported with its errno text; it was "cannot write the layer index" with whatever errno
// the close and rename left.
void TestLayerIndex::writerReportsTheRealErrno()
{
    QTemporaryDir dir;
    const IndexStore store(dir.path());
    auto w = store.writer(Digest, 10);
    QVERIFY(w);
    struct rlimit old;
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 4096;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    TarEntry e = sample().entries.at(1);
    for (int i = 0; i < 20000; ++i) { // > 1 MiB of entries: the buffer is written out
        e.path = QStringLiteral("dir/file-%1").arg(i);
        w->add(e);
    }
    const ll::Status s = w->commit(QStringLiteral("gzip"));
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, oldHandler);
    QVERIFY(!s);
    QVERIFY2(s.error().message.contains(QString::fromLocal8Bit(std::strerror(EFBIG))), qPrintable(s.error().message));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestLayerIndex::disabledStore()
{
    const IndexStore off;
    QVERIFY(!off.isEnabled());
    QVERIFY(!off.writer(Digest, 1));
    QVERIFY(!off.load(Digest).has_value());
    QVERIFY(!off.save(sample()));
    qputenv("LL_INDEX_DIR", "off");
    QVERIFY(!IndexStore::fromEnvironment().isEnabled());
    qputenv("LL_INDEX_DIR", "/somewhere/idx");
    QCOMPARE(IndexStore::fromEnvironment().directory(), QStringLiteral("/somewhere/idx"));
    qunsetenv("LL_INDEX_DIR");
}

void TestLayerIndex::pruneDropsLeastRecentlyUsed()
{
    QTemporaryDir dir;
    IndexStore store(dir.path());
    // Five indexes of a few KB each, with distinct ages (oldest first).
    QStringList digests;
    for (int i = 0; i < 5; ++i) {
        LayerIndex index = sample();
        index.digest = QStringLiteral("sha256:") + QString(64, QLatin1Char(QLatin1Char('a' + i)));
        for (int k = 0; k < 50; ++k) {
            TarEntry e;
            e.path = QStringLiteral("usr/share/doc/package-%1/changelog.Debian.gz").arg(k);
            index.entries.append(e);
        }
        QVERIFY(store.save(index));
        QFile f(store.pathFor(index.digest));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(
            f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-1000 + i * 100), QFileDevice::FileModificationTime));
        digests << index.digest;
    }
    const qint64 one = QFileInfo(store.pathFor(digests.first())).size();
    QVERIFY(one > 1000);
    // Using the oldest makes it the most recent.
    QVERIFY(store.load(digests.first()).has_value());
    // A limit of 4.5 files' worth: five are too many, and pruning goes down to 80% of it (3.6), so three stay.
    store.setLimit(one * 4 + one / 2);
    store.prune();
    QStringList left;
    for (const QString &d : digests)
        if (QFile::exists(store.pathFor(d)))
            left << d;
    QCOMPARE(left, QStringList({ digests.at(0), digests.at(3), digests.at(4) }));
    // A dead writer's temporary file goes after a day, a fresh one stays.
    QFile stale(store.pathFor(digests.at(4)) + QStringLiteral(".tmp-abcdef"));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.write("x");
    stale.flush(); // before the time is set: a later flush would make it new again
    QVERIFY(stale.setFileTime(QDateTime::currentDateTimeUtc().addDays(-2), QFileDevice::FileModificationTime));
    stale.close();
    QFile fresh(store.pathFor(digests.at(3)) + QStringLiteral(".tmp-123456"));
    QVERIFY(fresh.open(QIODevice::WriteOnly));
    fresh.close();
    store.prune();
    QVERIFY(!QFile::exists(stale.fileName()));
    QVERIFY(QFile::exists(fresh.fileName()));
}

QTEST_APPLESS_MAIN(TestLayerIndex)
#include "TestLayerIndex.moc"
