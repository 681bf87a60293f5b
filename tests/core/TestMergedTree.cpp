#include "LayerSpecs.h"

#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "stream/TarEntry.h"

#include <QTest>

using layerspec::sizedEntry;
using ll::fs::FileNode;
using ll::fs::LayerStatus;
using ll::fs::LayerTree;
using ll::fs::Lookup;
using ll::fs::MergedTree;
using ll::stream::TarEntry;

namespace {

std::vector<LayerTree> buildLayers(const QList<QStringList> &specs)
{
    return layerspec::buildLayerLists(specs, layerspec::FileSize::PathLength);
}

using layerspec::pointers;

/** Consistent, and no marker: markers never reach the merged tree. */
int checkConsistent(const FileNode *root)
{
    return layerspec::checkConsistent(root, true);
}

QString statusString(const LayerStatus &s)
{
    switch (s.kind) {
    case LayerStatus::Kind::Visible:
        return QStringLiteral("visible");
    case LayerStatus::Kind::Overwritten:
        return QStringLiteral("overwritten %1").arg(s.byLayer);
    case LayerStatus::Kind::Deleted:
        return QStringLiteral("deleted %1").arg(s.byLayer);
    case LayerStatus::Kind::NotInLayer:
        return QStringLiteral("none");
    }
    return QString();
}

/** Everything the merged view shows of each node, in path order. */
QStringList describe(const MergedTree &merged)
{
    QStringList out;
    for (const FileNode *n : merged.entries())
        out << QStringLiteral("%1 t%2 @%3 f%4 s%5 m%6 >%7 h%8")
                   .arg(n->path())
                   .arg(int(n->type))
                   .arg(n->layer)
                   .arg(n->flags)
                   .arg(n->size)
                   .arg(n->mode, 0, 8)
                   .arg(n->linkTarget)
                   .arg(n->headerOffset);
    const FileNode *r = merged.root();
    out << QStringLiteral("root @%1 f%2 m%3").arg(r->layer).arg(r->flags).arg(r->mode, 0, 8);
    return out;
}

/** The layers merged from rvalues (the bottom one adopted) give what merging them by reference gives. */
void compareAdopted(const QList<QStringList> &layers)
{
    const std::vector<LayerTree> trees = buildLayers(layers);
    MergedTree copied;
    for (const LayerTree &t : trees)
        copied.addLayer(t);
    std::vector<LayerTree> consumed = buildLayers(layers);
    MergedTree adopted;
    for (LayerTree &t : consumed) {
        const bool bottom = &t == &consumed.front();
        adopted.addLayer(std::move(t));
        QCOMPARE(checkConsistent(adopted.root()), adopted.entryCount());
        if (bottom)
            QCOMPARE(t.nodeCount(), 0); // its nodes were taken over, not copied
    }
    QCOMPARE(adopted.entryCount(), copied.entryCount());
    QCOMPARE(describe(adopted), describe(copied));
}

QString lookupString(const Lookup &l)
{
    switch (l.status) {
    case Lookup::Status::Found:
        return QStringLiteral("found %1").arg(l.layer);
    case Lookup::Status::Deleted:
        return QStringLiteral("deleted %1").arg(l.layer);
    case Lookup::Status::NotFound:
        return QStringLiteral("notfound");
    case Lookup::Status::Unknown:
        return QStringLiteral("unknown %1").arg(l.layer);
    }
    return QString();
}

} // namespace

class TestMergedTree : public QObject
{
    Q_OBJECT
private slots:
    void scenarios_data();
    void scenarios();
    void lookupUnknownLayer();
    void replacedLowerFlag();
    void resolveSymlinks();
    void manyEntriesMerge();
    void deepPath();
    void adoptedBottomLayerRandom();
};

void TestMergedTree::scenarios_data()
{
    QTest::addColumn<QList<QStringList>>("layers");
    QTest::addColumn<QStringList>("listing"); // merged entries(): "path@originLayer"
    QTest::addColumn<QStringList>("statuses"); // "L path=visible|overwritten k|deleted k|none"
    QTest::addColumn<QStringList>("lookups"); // "path=found k|deleted k|notfound"

    auto L = [](std::initializer_list<const char *> specs) {
        QStringList out;
        for (const char *s : specs)
            out << QString::fromLatin1(s);
        return out;
    };

    QTest::newRow("file overwritten by upper layer")
        << QList<QStringList> { L({ "d etc", "f etc/passwd", "f etc/hosts" }), L({ "f etc/passwd" }) }
        << L({ "etc@0", "etc/hosts@0", "etc/passwd@1" })
        << L({ "0 etc/passwd=overwritten 1", "1 etc/passwd=visible", "0 etc=visible", "0 etc/hosts=visible",
               "1 etc=visible", "0 nope=none" })
        << L({ "etc/passwd=found 1", "etc/hosts=found 0", "etc=found 1", "etc/nope=notfound" });

    QTest::newRow("whiteout of a file") << QList<QStringList> { L({ "d etc", "f etc/passwd", "f etc/hosts" }),
        L({ "f etc/.wh.passwd" }) } << L({ "etc@0", "etc/hosts@0" })
                                        << L({ "0 etc/passwd=deleted 1", "0 etc/hosts=visible", "1 etc/passwd=none" })
                                        << L({ "etc/passwd=deleted 1", "etc/hosts=found 0" });

    QTest::newRow("whiteout of a dir removes subtree")
        << QList<QStringList> { L({ "d usr", "d usr/share", "f usr/share/a", "d usr/share/s", "f usr/share/s/b",
                                    "f usr/bin" }),
               L({ "f usr/.wh.share" }) }
        << L({ "usr@0", "usr/bin@0" })
        << L({ "0 usr/share=deleted 1", "0 usr/share/a=deleted 1", "0 usr/share/s/b=deleted 1", "0 usr=visible" })
        << L({ "usr/share/s/b=deleted 1", "usr/share=deleted 1", "usr/bin=found 0" });

    QTest::newRow("opaque dir hides lower children, keeps own")
        << QList<QStringList> { L({ "d app", "f app/old1", "d app/sub", "f app/sub/x", "f keep" }),
               L({ "d app", "f app/.wh..wh..opq", "f app/new" }) }
        << L({ "app@1", "app/new@1", "keep@0" })
        << L({ "0 app/old1=deleted 1", "0 app/sub/x=deleted 1", "0 app=overwritten 1", "1 app/new=visible",
               "0 keep=visible" })
        << L({ "app/old1=deleted 1", "app/sub/x=deleted 1", "app/new=found 1", "app=found 1", "keep=found 0" });

    // `rm -rf app/*` in a Dockerfile step: the layer holds the marker and nothing else in the dir (the merged
    // view used to keep the lower children: the opaque dir was only applied when it had children).
    QTest::newRow("opaque dir with nothing else in it")
        << QList<QStringList> { L({ "d app", "f app/old1", "d app/sub", "f app/sub/x" }), L({ "f app/.wh..wh..opq" }) }
        << L({ "app@0" }) << L({ "0 app/old1=deleted 1", "0 app/sub/x=deleted 1" })
        << L({ "app/old1=deleted 1", "app/sub/x=deleted 1", "app=found 1" });

    QTest::newRow("opaque with implicit dir, upper adds more")
        << QList<QStringList> { L({ "d d", "f d/a" }), L({ "f d/.wh..wh..opq", "f d/b" }), L({ "f d/c" }) }
        << L({ "d@0", "d/b@1", "d/c@2" }) << L({ "0 d/a=deleted 1", "1 d/b=visible", "2 d/c=visible" })
        << L({ "d/a=deleted 1", "d/b=found 1", "d/c=found 2" });

    QTest::newRow("re-adding a deleted file")
        << QList<QStringList> { L({ "f a", "f b" }), L({ "f .wh.a" }), L({ "f a" }) } << L({ "a@2", "b@0" })
        << L({ "0 a=deleted 1", "1 a=none", "2 a=visible" }) << L({ "a=found 2", "b=found 0" });

    QTest::newRow("re-adding a deleted dir in the same layer")
        << QList<QStringList> { L({ "d d", "f d/a", "f d/b" }), L({ "f .wh.d", "d d", "f d/b" }) }
        << L({ "d@1", "d/b@1" }) << L({ "0 d/a=deleted 1", "0 d/b=overwritten 1", "0 d=overwritten 1" })
        << L({ "d/a=deleted 1", "d/b=found 1", "d=found 1" });

    QTest::newRow("file replacing dir") << QList<QStringList> { L({ "d x", "f x/y", "d x/z", "f x/z/w" }),
        L({ "f x" }) } << L({ "x@1" }) << L({ "0 x=overwritten 1", "0 x/y=deleted 1", "0 x/z/w=deleted 1" })
                                        << L({ "x=found 1", "x/y=deleted 1", "x/z/w=deleted 1" });

    QTest::newRow("symlink replacing dir")
        << QList<QStringList> { L({ "d lib", "f lib/libc.so" }), L({ "l lib>usr/lib" }) } << L({ "lib@1" })
        << L({ "0 lib/libc.so=deleted 1", "0 lib=overwritten 1" }) << L({ "lib/libc.so=deleted 1", "lib=found 1" });

    QTest::newRow("dir replacing file") << QList<QStringList> { L({ "f x", "f y" }), L({ "d x", "f x/y" }) }
                                        << L({ "x@1", "x/y@1", "y@0" }) << L({ "0 x=overwritten 1", "1 x/y=visible" })
                                        << L({ "x=found 1", "x/y=found 1" });

    QTest::newRow("implicit dir replacing file")
        << QList<QStringList> { L({ "f x" }), L({ "f x/y" }) } << L({ "x@1", "x/y@1" }) << L({ "0 x=overwritten 1" })
        << L({ "x=found 1", "x/y=found 1" });

    QTest::newRow("whiteout of a path that never existed")
        << QList<QStringList> { L({ "f a" }), L({ "f .wh.ghost", "f sub/.wh.ghost" }) } << L({ "a@0" })
        << L({ "0 a=visible" }) << L({ "a=found 0", "ghost=deleted 1", "nothing=notfound" });

    QTest::newRow("whiteout two layers up")
        << QList<QStringList> { L({ "d a", "f a/x" }), L({ "f a/y" }), L({ "f .wh.a" }) } << QStringList()
        << L({ "0 a/x=deleted 2", "1 a/y=deleted 2", "0 a=deleted 2" }) << L({ "a/x=deleted 2", "a/y=deleted 2" });

    QTest::newRow("upper copy wins, lower deleted in between")
        << QList<QStringList> { L({ "f etc/passwd" }), L({ "f etc/.wh.passwd" }), L({ "f etc/shadow" }) }
        << L({ "etc@0", "etc/shadow@2" }) << L({ "0 etc/passwd=deleted 1", "0 etc=visible" })
        << L({ "etc/passwd=deleted 1", "etc/shadow=found 2", "etc=found 2" });

    QTest::newRow("opaque root") << QList<QStringList> { L({ "f a", "d b", "f b/c" }), L({ "f .wh..wh..opq", "f z" }) }
                                 << L({ "z@1" }) << L({ "0 a=deleted 1", "0 b/c=deleted 1" })
                                 << L({ "a=deleted 1", "z=found 1" });

    QTest::newRow("path order") << QList<QStringList> { L({ "f b", "f a-x", "f a/c", "f a/b", "f A" }) }
                                << L({ "A@0", "a@0", "a/b@0", "a/c@0", "a-x@0", "b@0" }) << QStringList()
                                << QStringList();
}

void TestMergedTree::scenarios()
{
    QFETCH(QList<QStringList>, layers);
    QFETCH(QStringList, listing);
    QFETCH(QStringList, statuses);
    QFETCH(QStringList, lookups);

    const std::vector<LayerTree> trees = buildLayers(layers);
    MergedTree merged;
    for (const LayerTree &t : trees) {
        merged.addLayer(t);
        QCOMPARE(checkConsistent(merged.root()), merged.entryCount());
    }
    QCOMPARE(merged.layerCount(), int(trees.size()));

    QStringList actual;
    for (const FileNode *n : merged.entries())
        actual << QStringLiteral("%1@%2").arg(n->path()).arg(n->layer);
    QCOMPARE(actual, listing);
    QCOMPARE(int(merged.entries().size()), merged.entryCount());
    compareAdopted(layers);
    if (QTest::currentTestFailed())
        return;
    for (const QString &l : listing) {
        const QString path = l.left(l.indexOf(QLatin1Char('@')));
        QVERIFY(merged.find(path));
        QCOMPARE(merged.find(path)->path(), path);
    }

    for (const QString &s : statuses) {
        const int sp = s.indexOf(QLatin1Char(' '));
        const int eq = s.indexOf(QLatin1Char('='));
        const int layer = s.left(sp).toInt();
        const QString path = s.mid(sp + 1, eq - sp - 1);
        QCOMPARE(QStringLiteral("%1 %2=%3").arg(layer).arg(path, statusString(merged.status(layer, path))), s);
    }

    const std::vector<const LayerTree *> ptrs = pointers(trees);
    for (const QString &s : lookups) {
        const int eq = s.indexOf(QLatin1Char('='));
        const QString path = s.left(eq);
        const Lookup l = MergedTree::lookupTopDown(ptrs, path);
        QCOMPARE(path + QLatin1Char('=') + lookupString(l), s);
        if (l.isFound()) {
            QCOMPARE(l.node->path(), path);
            // What the top-down lookup finds is what the merged view shows (for files).
            const FileNode *m = merged.find(path);
            QVERIFY(m);
            if (!m->isDir())
                QCOMPARE(m->layer, l.layer);
        } else {
            QCOMPARE(merged.find(path), nullptr);
        }
    }
}

void TestMergedTree::lookupUnknownLayer()
{
    const std::vector<LayerTree> trees = buildLayers({ { QStringLiteral("f a") }, { QStringLiteral("f b") }, {} });
    std::vector<const LayerTree *> ptrs = pointers(trees);
    ptrs[0] = nullptr; // layer 0 not read yet
    QCOMPARE(lookupString(MergedTree::lookupTopDown(ptrs, QStringLiteral("b"))), QStringLiteral("found 1"));
    QCOMPARE(lookupString(MergedTree::lookupTopDown(ptrs, QStringLiteral("a"))), QStringLiteral("unknown 0"));
    ptrs[2] = nullptr;
    QCOMPARE(lookupString(MergedTree::lookupTopDown(ptrs, QStringLiteral("b"))), QStringLiteral("unknown 2"));
    QCOMPARE(lookupString(MergedTree::lookupTopDown({}, QStringLiteral("b"))), QStringLiteral("notfound"));
}

void TestMergedTree::replacedLowerFlag()
{
    const std::vector<LayerTree> trees = buildLayers(
        { { QStringLiteral("f etc/passwd"), QStringLiteral("f etc/group") }, { QStringLiteral("f etc/passwd") } });
    MergedTree merged;
    for (const LayerTree &t : trees)
        merged.addLayer(t);
    QVERIFY(merged.find(QStringLiteral("etc/passwd"))->replacedLower());
    QVERIFY(!merged.find(QStringLiteral("etc/group"))->replacedLower());
    QVERIFY(merged.find(QStringLiteral("etc"))->isImplicit());
    QCOMPARE(merged.find(QStringLiteral("etc/passwd"))->size, qint64(10));
}

void TestMergedTree::resolveSymlinks()
{
    const std::vector<LayerTree> trees = buildLayers(
        { { QStringLiteral("d usr/bin"), QStringLiteral("f usr/bin/dash"), QStringLiteral("l bin>usr/bin") },
            { QStringLiteral("l usr/bin/sh>/bin/dash"), QStringLiteral("l loop>loop") } });
    MergedTree merged;
    for (const LayerTree &t : trees)
        merged.addLayer(t);
    QCOMPARE(*merged.resolve(QStringLiteral("bin/sh")), QStringLiteral("usr/bin/dash"));
    QCOMPARE(*merged.resolve(QStringLiteral("bin/sh"), false), QStringLiteral("usr/bin/sh"));
    QCOMPARE(merged.resolve(QStringLiteral("loop")).error().code, ll::Error::Code::NotFound);
}

void TestMergedTree::manyEntriesMerge()
{
    // Two layers of 5,000 files in one dir; the upper deletes every other lower file and overwrites the rest.
    std::vector<LayerTree> trees;
    trees.emplace_back(0);
    trees.emplace_back(1);
    for (int i = 0; i < 5000; ++i) {
        QVERIFY(trees[0].addEntry(sizedEntry(QStringLiteral("f big/f%1").arg(i))).ok());
        QVERIFY(trees[1]
                    .addEntry(
                        sizedEntry(i % 2 ? QStringLiteral("f big/.wh.f%1").arg(i) : QStringLiteral("f big/f%1").arg(i)))
                    .ok());
    }
    MergedTree merged;
    merged.addLayer(trees[0]);
    QCOMPARE(merged.entryCount(), 5001);
    merged.addLayer(trees[1]);
    QCOMPARE(merged.entryCount(), 2501);
    QCOMPARE(checkConsistent(merged.root()), 2501);
    for (const FileNode *c : merged.find(QStringLiteral("big"))->children)
        QCOMPARE(c->layer, 1);
    QCOMPARE(statusString(merged.status(0, QStringLiteral("big/f7"))), QStringLiteral("deleted 1"));
    QCOMPARE(statusString(merged.status(0, QStringLiteral("big/f8"))), QStringLiteral("overwritten 1"));
}

void TestMergedTree::deepPath()
{
    // Hostile depth must not recurse on the C++ stack anywhere.
    QString deep;
    const int depth = 50000;
    for (int i = 0; i < depth; ++i)
        deep += i ? QStringLiteral("/d") : QStringLiteral("d");
    std::vector<LayerTree> trees;
    trees.emplace_back(0);
    trees.emplace_back(1);
    QVERIFY(trees[0].addEntry(sizedEntry(QStringLiteral("f ") + deep + QStringLiteral("/leaf"))).ok());
    QVERIFY(trees[1].addEntry(sizedEntry(QStringLiteral("f ") + deep + QStringLiteral("/.wh.leaf"))).ok());
    QCOMPARE(trees[0].nodeCount(), depth + 1);
    MergedTree merged;
    merged.addLayer(trees[0]);
    QCOMPARE(merged.entryCount(), depth + 1);
    merged.addLayer(trees[1]);
    QCOMPARE(merged.entryCount(), depth);
    QCOMPARE(int(merged.entries().size()), depth);
    QCOMPARE(merged.find(deep)->path(), deep);
    QVERIFY(MergedTree::lookupTopDown(pointers(trees), QString(deep + QStringLiteral("/leaf"))).isDeleted());
}

QTEST_APPLESS_MAIN(TestMergedTree)
void TestMergedTree::adoptedBottomLayerRandom()
{
    // Random stacks of 1-3 layers over a small name space (files, dirs, links, whiteouts, opaque dirs, entries
    // whose parents come later or never): adopting the bottom layer gives the copy's tree exactly.
    const QStringList names { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a/x"), QStringLiteral("a/y"),
        QStringLiteral("b/z"), QStringLiteral("a/x/q"), QStringLiteral("c/d/e") };
    quint32 seed = 12345;
    auto next = [&seed](quint32 n) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) % n;
    };
    for (int round = 0; round < 2000; ++round) {
        QList<QStringList> layers;
        const int count = 1 + int(next(3));
        for (int l = 0; l < count; ++l) {
            QStringList specs;
            const int entries = int(next(7));
            for (int i = 0; i < entries; ++i) {
                const QString &name = names[int(next(quint32(names.size())))];
                static const char kinds[] = { 'f', 'd', 'l', 'w', 'o', 'f' };
                const char kind = kinds[next(sizeof kinds)];
                specs << (kind == 'l' ? QStringLiteral("l %1>a").arg(name)
                                      : QString(QLatin1Char(kind)) + QLatin1Char(' ') + name);
            }
            layers << specs;
        }
        compareAdopted(layers);
        if (QTest::currentTestFailed()) {
            qWarning() << "layers:" << layers;
            return;
        }
    }
}

#include "TestMergedTree.moc"
