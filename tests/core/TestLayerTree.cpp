#include "LayerSpecs.h"

#include "fs/LayerTree.h"
#include "stream/TarEntry.h"

#include <QTest>

using ll::fs::FileNode;
using ll::fs::LayerTree;
using ll::fs::Lookup;
using ll::stream::TarEntry;
using layerspec::sizedEntry;

namespace {

using layerspec::checkConsistent;

QStringList paths(const std::vector<const FileNode *> &nodes)
{
    QStringList out;
    for (const FileNode *n : nodes)
        out << n->path();
    return out;
}

} // namespace

class TestLayerTree : public QObject
{
    Q_OBJECT
private slots:
    void implicitParents();
    void replacement();
    void fileReplacedByDirParent();
    void dirReplacedByFileDropsSubtree();
    void emptyDirReplacedByFileThenChild();
    void rootEntry();
    void whiteoutsAndOpaque();
    void unsafeRejected();
    void unnormalisedAccepted();
    void probe_data();
    void probe();
    void tenThousand();
};

void TestLayerTree::implicitParents()
{
    LayerTree t(3);
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f usr/share/doc/README"))).ok());
    QCOMPARE(t.entryCount(), 1);
    QCOMPARE(t.nodeCount(), 4);
    const FileNode *doc = t.find(QStringLiteral("usr/share/doc"));
    QVERIFY(doc);
    QVERIFY(doc->isDir());
    QVERIFY(doc->isImplicit());
    QVERIFY(!doc->hasEntry());
    QCOMPARE(doc->layer, 3);
    QCOMPARE(doc->path(), QStringLiteral("usr/share/doc"));

    // The parent's own entry arrives later: no longer implicit, metadata taken, children kept.
    TarEntry d = sizedEntry(QStringLiteral("d usr/share"));
    d.mode = 0700;
    d.uid = 42;
    QVERIFY(t.addEntry(d).ok());
    const FileNode *share = t.find(QStringLiteral("usr/share"));
    QVERIFY(share->hasEntry());
    QVERIFY(!share->isImplicit());
    QCOMPARE(share->mode, 0700u);
    QCOMPARE(share->uid, 42);
    QCOMPARE(share->childCount(), 1);
    QCOMPARE(t.entryCount(), 2);
    QCOMPARE(paths(t.entries()), QStringList({ QStringLiteral("usr/share/doc/README"), QStringLiteral("usr/share") }));
    QCOMPARE(t.find(QStringLiteral("usr/share/doc/README"))->size, qint64(20));
    QCOMPARE(t.find(QStringLiteral("usr/nope")), nullptr);
    QCOMPARE(t.find(QStringLiteral(".")), t.root());
    QCOMPARE(checkConsistent(t.root()), t.nodeCount());
}

void TestLayerTree::replacement()
{
    LayerTree t;
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f a"))).ok());
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f b"))).ok());
    TarEntry again = sizedEntry(QStringLiteral("l a>b"));
    QVERIFY(t.addEntry(again).ok());
    QCOMPARE(t.entryCount(), 2);
    QCOMPARE(t.nodeCount(), 2);
    const FileNode *a = t.find(QStringLiteral("a"));
    QCOMPARE(a->type, TarEntry::Type::Symlink);
    QCOMPARE(a->linkTarget, QStringLiteral("b"));
    QCOMPARE(a->row, 0); // replaced in place
    QCOMPARE(paths(t.entries()), QStringList({ QStringLiteral("b"), QStringLiteral("a") }));
}

void TestLayerTree::fileReplacedByDirParent()
{
    LayerTree t;
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f x"))).ok());
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f x/y"))).ok());
    const FileNode *x = t.find(QStringLiteral("x"));
    QVERIFY(x->isDir());
    QVERIFY(x->isImplicit());
    QCOMPARE(t.entryCount(), 1);
    QCOMPARE(paths(t.entries()), QStringList({ QStringLiteral("x/y") }));
}

void TestLayerTree::dirReplacedByFileDropsSubtree()
{
    LayerTree t;
    for (const char *s : { "d x", "d x/sub", "f x/sub/a", "f x/b", "f other" })
        QVERIFY(t.addEntry(sizedEntry(QString::fromLatin1(s))).ok());
    QCOMPARE(t.nodeCount(), 5);
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f x"))).ok());
    QCOMPARE(t.nodeCount(), 2);
    QCOMPARE(t.entryCount(), 2);
    QCOMPARE(t.find(QStringLiteral("x/b")), nullptr);
    QCOMPARE(t.find(QStringLiteral("x"))->type, TarEntry::Type::File);
    QCOMPARE(paths(t.entries()), QStringList({ QStringLiteral("other"), QStringLiteral("x") }));
    QCOMPARE(checkConsistent(t.root()), t.nodeCount());
}

void TestLayerTree::emptyDirReplacedByFileThenChild()
{
    // Exercises the cached parent dir: it must not survive its dir turning into a file and back.
    LayerTree t;
    for (const char *s : { "f a/b/x", "f a/b/y", "f a/b", "f a/b/z", "f a/c" })
        QVERIFY(t.addEntry(sizedEntry(QString::fromLatin1(s))).ok());
    const FileNode *b = t.find(QStringLiteral("a/b"));
    QVERIFY(b->isDir());
    QVERIFY(b->isImplicit());
    QCOMPARE(b->childCount(), 1);
    QCOMPARE(b->children[0]->name, QStringLiteral("z"));
    QCOMPARE(paths(t.entries()), QStringList({ QStringLiteral("a/b/z"), QStringLiteral("a/c") }));
    QCOMPARE(checkConsistent(t.root()), t.nodeCount());
}

void TestLayerTree::rootEntry()
{
    LayerTree t;
    TarEntry r = sizedEntry(QStringLiteral("d ."));
    r.mode = 0700;
    QVERIFY(t.addEntry(r).ok());
    QVERIFY(t.root()->hasEntry());
    QCOMPARE(t.root()->mode, 0700u);
    QCOMPARE(t.root()->path(), QStringLiteral("."));
    QCOMPARE(t.nodeCount(), 0);
    QCOMPARE(t.entryCount(), 1);
}

void TestLayerTree::whiteoutsAndOpaque()
{
    LayerTree t(2);
    for (const char *s : { "d etc", "f etc/.wh.passwd", "f .wh.tmp", "f var/cache/.wh..wh..opq", "f var/cache/new",
             "f .wh..wh.plnk", "f .wh..wh.plnk/1234", "f etc/.wh.passwd", "f etc/.wh.hosts", "f etc/hosts" })
        QVERIFY(t.addEntry(sizedEntry(QString::fromLatin1(s))).ok());
    QCOMPARE(t.whiteouts(),
        QStringList({ QStringLiteral("etc/passwd"), QStringLiteral("tmp"), QStringLiteral("etc/hosts") }));
    QCOMPARE(t.opaqueDirs(), QStringList({ QStringLiteral("var/cache") }));

    const FileNode *passwd = t.find(QStringLiteral("etc/passwd"));
    QVERIFY(passwd);
    QVERIFY(passwd->isWhiteoutOnly());
    const FileNode *hosts = t.find(QStringLiteral("etc/hosts"));
    QVERIFY(hosts->isWhiteout()); // deleted below and re-created here
    QVERIFY(hosts->hasEntry());
    QVERIFY(!hosts->isWhiteoutOnly());
    const FileNode *cache = t.find(QStringLiteral("var/cache"));
    QVERIFY(cache->isOpaque());
    QVERIFY(cache->isImplicit());
    QCOMPARE(t.find(QStringLiteral(".wh..wh.plnk")), nullptr);
    QCOMPARE(t.find(QStringLiteral("etc/.wh.passwd")), nullptr);
    // Listed: etc, var/cache/new, etc/hosts; markers never.
    QCOMPARE(paths(t.entries()),
        QStringList({ QStringLiteral("etc"), QStringLiteral("var/cache/new"), QStringLiteral("etc/hosts") }));
    QCOMPARE(t.entryCount(), 3);
    QCOMPARE(checkConsistent(t.root()), t.nodeCount());
}

void TestLayerTree::unsafeRejected()
{
    LayerTree t;
    const auto r = t.addEntry(sizedEntry(QStringLiteral("f ../../etc/passwd")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ll::Error::Code::UnsafePath);
    QCOMPARE(t.entryCount(), 0);
    QCOMPARE(t.nodeCount(), 0);
    QCOMPARE(t.rejectedCount(), 1);
}

void TestLayerTree::unnormalisedAccepted()
{
    LayerTree t;
    QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f ./a//b/../c"))).ok());
    QVERIFY(t.find(QStringLiteral("a/c")));
    QCOMPARE(t.find(QStringLiteral("a/b")), nullptr);
}

void TestLayerTree::probe_data()
{
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status"); // Lookup::Status

    const int notFound = int(Lookup::Status::NotFound);
    const int found = int(Lookup::Status::Found);
    const int deleted = int(Lookup::Status::Deleted);
    const QStringList base { QStringLiteral("d etc"), QStringLiteral("f etc/passwd") };
    QTest::newRow("present") << base << "etc/passwd" << found;
    QTest::newRow("implicit dir present") << QStringList { QStringLiteral("f a/b/c") } << "a/b" << found;
    QTest::newRow("absent") << base << "etc/shadow" << notFound;
    QTest::newRow("absent parent") << base << "usr/bin/x" << notFound;
    QTest::newRow("root") << base << "." << found;
    QTest::newRow("whiteout") << QStringList { QStringLiteral("f etc/.wh.passwd") } << "etc/passwd" << deleted;
    QTest::newRow("whiteout of parent") << QStringList { QStringLiteral("f .wh.etc") } << "etc/passwd" << deleted;
    QTest::newRow("whiteout parent, child recreated")
        << QStringList { QStringLiteral("f .wh.etc"), QStringLiteral("f etc/passwd") } << "etc/passwd" << found;
    QTest::newRow("whiteout parent, other child recreated")
        << QStringList { QStringLiteral("f .wh.etc"), QStringLiteral("f etc/passwd") } << "etc/shadow" << deleted;
    QTest::newRow("opaque parent") << QStringList { QStringLiteral("f etc/.wh..wh..opq") } << "etc/passwd" << deleted;
    QTest::newRow("opaque parent keeps own")
        << QStringList { QStringLiteral("f etc/.wh..wh..opq"), QStringLiteral("f etc/passwd") } << "etc/passwd"
        << found;
    QTest::newRow("opaque grandparent") << QStringList { QStringLiteral("f etc/.wh..wh..opq"),
        QStringLiteral("d etc/ssl") } << "etc/ssl/cert.pem"
                                        << deleted;
    QTest::newRow("opaque dir itself") << QStringList { QStringLiteral("f etc/.wh..wh..opq") } << "etc" << found;
    QTest::newRow("opaque root") << QStringList { QStringLiteral("f .wh..wh..opq") } << "anything" << deleted;
    QTest::newRow("file parent") << QStringList { QStringLiteral("f etc") } << "etc/passwd" << deleted;
    QTest::newRow("symlink parent") << QStringList { QStringLiteral("l etc>/x") } << "etc/passwd" << deleted;
    QTest::newRow("unsafe path") << base << "../etc/passwd" << notFound;
    QTest::newRow("unnormalised path") << base << "./etc//passwd" << found;
}

void TestLayerTree::probe()
{
    QFETCH(QStringList, specs);
    QFETCH(QString, path);
    QFETCH(int, status);

    LayerTree t(7);
    for (const QString &s : specs)
        QVERIFY(t.addEntry(sizedEntry(s)).ok());
    const Lookup l = t.probe(path);
    QCOMPARE(int(l.status), status);
    QCOMPARE(l.layer, l.status == Lookup::Status::NotFound ? -1 : 7);
    QCOMPARE(l.node != nullptr, l.status == Lookup::Status::Found);
    if (l.node && path != QLatin1String("./etc//passwd"))
        QCOMPARE(l.node->path(), path);
}

void TestLayerTree::tenThousand()
{
    LayerTree t;
    int expectedNodes = 0;
    // 10 dirs x 1000 files, children appearing before their dir entries for half the dirs.
    for (int d = 0; d < 10; ++d) {
        const QString dir = QStringLiteral("root/dir%1").arg(d);
        if (d % 2 == 0)
            QVERIFY(t.addEntry(sizedEntry(QStringLiteral("d ") + dir)).ok());
        for (int f = 0; f < 1000; ++f)
            QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f %1/file%2").arg(dir).arg(f))).ok());
        if (d % 2 == 1)
            QVERIFY(t.addEntry(sizedEntry(QStringLiteral("d ") + dir)).ok());
        expectedNodes += 1001;
    }
    expectedNodes += 1; // implicit "root"
    QCOMPARE(t.entryCount(), 10010);
    QCOMPARE(t.nodeCount(), expectedNodes);
    QCOMPARE(checkConsistent(t.root()), expectedNodes);
    const FileNode *f = t.find(QStringLiteral("root/dir7/file999"));
    QVERIFY(f);
    QCOMPARE(f->row, 999);
    QCOMPARE(f->parent->row, 7);
    QCOMPARE(f->path(), QStringLiteral("root/dir7/file999"));
    QVERIFY(t.find(QStringLiteral("root"))->isImplicit());
    // Replacing every 10th file keeps rows and counts.
    for (int i = 0; i < 1000; i += 10)
        QVERIFY(t.addEntry(sizedEntry(QStringLiteral("f root/dir3/file%1").arg(i))).ok());
    QCOMPARE(t.entryCount(), 10010);
    QCOMPARE(int(t.entries().size()), 10010);
    QCOMPARE(t.entries().back()->path(), QStringLiteral("root/dir3/file990"));
    QCOMPARE(checkConsistent(t.root()), expectedNodes);
}

QTEST_APPLESS_MAIN(TestLayerTree)
#include "TestLayerTree.moc"
