// hunt::LayerSearch (--search): names files made from kept indexes, exact and glob searches compared with
// PathGlob over the same entries, whiteout markers never hits, names files private, rebuilt when the index
// is newer, removed when it is gone.
#include "common/PathBytes.h"
#include "hunt/LayerSearch.h"
#include "index/IndexStore.h"
#include "index/LayerIndex.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using ll::hunt::LayerSearch;
using ll::hunt::PathGlob;
using ll::stream::TarEntry;

namespace {

QString S(const char *s)
{
    return QString::fromUtf8(s);
}

QString digestOf(int n)
{
    return QStringLiteral("sha256:%1").arg(QString::number(n, 16), 64, QLatin1Char('0'));
}

TarEntry entry(const QString &path, TarEntry::Type type = TarEntry::Type::File, qint64 size = 10)
{
    TarEntry e;
    e.path = path;
    e.type = type;
    e.size = size;
    e.mode = type == TarEntry::Type::Directory ? 0755 : 0640;
    e.mtime = 1700000000;
    return e;
}

ll::index::LayerIndex layer(int n, const QVector<TarEntry> &entries)
{
    ll::index::LayerIndex idx;
    idx.digest = digestOf(n);
    idx.blobSize = 1234;
    idx.compression = QStringLiteral("gzip");
    idx.entries = entries;
    return idx;
}

} // namespace

class TestLayerSearch : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void sameAsBruteForce_data();
    void sameAsBruteForce();
    void linesRoundTrip();
    void literal_data();
    void literal();
    void namesFilesFollowTheIndexes();

private:
    QList<QPair<QString, QString>> search(const QString &pattern);
    QTemporaryDir m_dir;
    QVector<ll::index::LayerIndex> m_layers;
};

void TestLayerSearch::init()
{
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).removeRecursively();
    QDir().mkpath(m_dir.path());
    ll::index::IndexStore store(m_dir.path());
    m_layers.clear();
    m_layers << layer(1,
        { entry(S("etc"), TarEntry::Type::Directory), entry(S("etc/shadow")), entry(S("etc/gshadow")),
            entry(S("etc/passwd")), entry(S("root/.ssh/id_rsa")), entry(S("srv/.env")),
            entry(S("usr/lib/x/shadow.so"), TarEntry::Type::File, 123456789),
            entry(S("bin/rbash"), TarEntry::Type::Symlink, 0) });
    m_layers << layer(2,
        { entry(S("etc/.wh.shadow")), entry(S("srv/app/.env")), entry(S("srv/app/.wh..wh..opq")),
            entry(S("weird\tname")), entry(S("new\nline")), entry(S("ünïcode/ファイル.env")),
            entry(ll::PathBytes::decode("latin/caf\xe9.txt")), entry(S("latin/cafe.txt")) });
    QVector<TarEntry> many;
    for (int i = 0; i < 20000; ++i)
        many << entry(QStringLiteral("usr/share/doc/pkg%1/file%2.txt").arg(i / 100).arg(i));
    m_layers << layer(3, many);
    for (const auto &l : std::as_const(m_layers))
        QVERIFY(store.save(l).ok());
}

QList<QPair<QString, QString>> TestLayerSearch::search(const QString &pattern)
{
    QList<QPair<QString, QString>> hits;
    LayerSearch s { ll::index::IndexStore(m_dir.path()) };
    s.run(*PathGlob::parse(pattern), [&](const QString &digest, const TarEntry &e) {
        hits.append({ digest, e.path });
    });
    std::sort(hits.begin(), hits.end());
    return hits;
}

void TestLayerSearch::sameAsBruteForce_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::newRow("exact") << S("etc/shadow");
    QTest::newRow("exact, deep") << S("usr/share/doc/pkg7/file777.txt");
    QTest::newRow("exact, absent") << S("etc/nothing");
    QTest::newRow("glob with literal") << S("**/.env");
    QTest::newRow("glob around literal") << S("etc/*shadow*");
    QTest::newRow("glob, set") << S("usr/share/doc/pkg1[0-2]/file10[0-9][0-9].txt");
    QTest::newRow("glob, no literal") << S("*/*");
    QTest::newRow("unicode") << S("**/ファイル.env");
    QTest::newRow("literal in a number") << S("**/*12*");
    QTest::newRow("? over a non-ASCII name") << S("ünïcode/????.env");
    QTest::newRow("non-ASCII pattern, ASCII lines") << S("[ü]*/*");
    QTest::newRow("set over escaped bytes") << S("latin/caf[^a-z].txt");
    QTest::newRow("broad, every line") << S("**");
}

void TestLayerSearch::sameAsBruteForce()
{
    QFETCH(QString, pattern);
    const PathGlob glob = *PathGlob::parse(pattern);
    QList<QPair<QString, QString>> expected;
    for (const auto &l : std::as_const(m_layers)) {
        for (const TarEntry &e : l.entries) {
            if (glob.matches(e.path) && !e.path.contains(QLatin1String(".wh.")) && !e.path.contains(QLatin1Char('\t'))
                && !e.path.contains(QLatin1Char('\n')))
                expected.append({ l.digest, e.path });
        }
    }
    std::sort(expected.begin(), expected.end());
    QCOMPARE(search(pattern), expected); // first search: names files made
    QCOMPARE(search(pattern), expected); // then read from them
}

void TestLayerSearch::linesRoundTrip()
{
    TarEntry e = entry(S("a b/c d.txt"), TarEntry::Type::Hardlink, 9876543210LL);
    e.mode = 04755;
    const QByteArray line = LayerSearch::lineOf(e);
    QVERIFY(line.endsWith('\n'));
    TarEntry back;
    QVERIFY(LayerSearch::parseLine(line.constData(), line.size() - 1, &back));
    QCOMPARE(back.path, e.path);
    QCOMPARE(back.type, e.type);
    QCOMPARE(back.size, e.size);
    QCOMPARE(back.mode, e.mode);
    QCOMPARE(back.mtime, e.mtime);
    QVERIFY(LayerSearch::lineOf(entry(S("tab\there"))).isEmpty());
    QVERIFY(!LayerSearch::parseLine("garbage", 7, &back));
}

void TestLayerSearch::literal_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QByteArray>("literal");
    QTest::newRow("**/.env") << S("**/.env") << QByteArray(".env");
    QTest::newRow("etc/*shadow*") << S("etc/*shadow*") << QByteArray("shadow");
    QTest::newRow("set skipped") << S("ab[xyz]defg") << QByteArray("defg");
    QTest::newRow("] first in set") << S("a[]b]cd") << QByteArray("cd");
    QTest::newRow("escape") << S("x\\*yz*") << QByteArray("x*yz");
    QTest::newRow("none") << S("*/?") << QByteArray();
}

void TestLayerSearch::literal()
{
    QFETCH(QString, pattern);
    QFETCH(QByteArray, literal);
    QCOMPARE(LayerSearch::literalOf(pattern), literal);
}

void TestLayerSearch::namesFilesFollowTheIndexes()
{
    LayerSearch s { ll::index::IndexStore(m_dir.path()) };
    auto count = [&s](const QString &p) {
        int n = 0;
        const LayerSearch::Stats st = s.run(*PathGlob::parse(p), [&n](const QString &, const TarEntry &) { ++n; });
        return qMakePair(n, st);
    };
    auto first = count(S("etc/shadow"));
    QCOMPARE(first.first, 1);
    QCOMPARE(first.second.namesBuilt, 3);
    QCOMPARE(first.second.layers, 3);
    QVERIFY(first.second.entries >= 20000);
    QCOMPARE(count(S("etc/shadow")).second.namesBuilt, 0);
    const QStringList names = QDir(s.namesDirectory()).entryList(QDir::Files);
    QCOMPARE(names.size(), 3);
    for (const QString &n : names) {
        const QFile::Permissions p = QFileInfo(s.namesDirectory() + QLatin1Char('/') + n).permissions();
        QCOMPARE(
            p & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());
    }
    // A newer index of layer 1 (now without etc/shadow): its names file is made again.
    ll::index::IndexStore store(m_dir.path());
    QVERIFY(store.save(layer(1, { entry(S("etc/passwd")) })).ok());
    {
        // The names file older than the new index (file times may have a one-second resolution).
        const QString old
            = s.namesDirectory() + QStringLiteral("/sha256-") + digestOf(1).mid(7) + QStringLiteral(".names");
        QFile f(old);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600), QFileDevice::FileModificationTime));
    }
    auto again = count(S("etc/shadow"));
    QCOMPARE(again.first, 0);
    QCOMPARE(again.second.namesBuilt, 1);
    // An index gone (pruned): its names file goes at the next search.
    QVERIFY(QFile::remove(store.pathFor(digestOf(3))));
    QCOMPARE(count(S("**/file1.txt")).first, 0);
    QCOMPARE(QDir(s.namesDirectory()).entryList(QDir::Files).size(), 2);
}

QTEST_GUILESS_MAIN(TestLayerSearch)
#include "TestLayerSearch.moc"
