#include "LayerSpecs.h"
#include "analysis/ImageDiff.h"

#include "fs/MergedTree.h"

#include <QHash>
#include <QMap>
#include <QRandomGenerator>
#include <QTest>

using ll::analysis::DiffEntry;
using ll::analysis::DiffSummary;
using ll::analysis::ImageDiff;
using ll::fs::FileNode;
using ll::fs::LayerTree;
using namespace layerspec;

Q_DECLARE_METATYPE(Specs)

namespace {

QString describe(const DiffEntry &e)
{
    const char change = e.change == DiffEntry::Change::Added ? '+' : e.change == DiffEntry::Change::Removed ? '-' : '~';
    QString what;
    const std::pair<quint8, char> flags[] = { { DiffEntry::Type, 'T' }, { DiffEntry::Size, 'S' },
        { DiffEntry::Mode, 'M' }, { DiffEntry::Owner, 'O' }, { DiffEntry::Link, 'L' }, { DiffEntry::Content, 'C' } };
    for (const auto &[flag, letter] : flags) {
        if (e.what & flag)
            what += QLatin1Char(letter);
    }
    return QStringLiteral("%1%2 %3 %4>%5 L%6>L%7 %8")
        .arg(QLatin1Char(change))
        .arg(e.path)
        .arg(ll::stream::TarEntry::typeName(e.type()))
        .arg(e.sizeBefore())
        .arg(e.sizeAfter())
        .arg(e.layerBefore())
        .arg(e.layerAfter())
        .arg(what)
        .trimmed();
}

/** Base layer specs both versions share. */
const std::vector<const char *> kBase { "d etc", "f etc/passwd 10", "f etc/hosts 5", "d usr", "f usr/bin 100",
    "l usr/link>bin" };

} // namespace

class TestImageDiff : public QObject
{
    Q_OBJECT
private slots:
    void compare_data();
    void compare();
    void sharedBaseIsSkippedByIdentity();
    void sameContentDifferentTrees();
    void contentDigestsDecide();
    void agreesWithMergedTree();
};

void TestImageDiff::compare_data()
{
    // Both images: the same base layer object (layer 0), then their own layers.
    QTest::addColumn<Specs>("beforeTop");
    QTest::addColumn<Specs>("afterTop");
    // "<+|-|~>path type sizeBefore>sizeAfter L<before>>L<after> flags", in the order of the walk.
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("summary"); // "added removed changed shared sizeDelta"

    QTest::newRow("app 1.0 -> 1.1")
        << Specs { { "d app", "f app/main 50 mtime=1", "f app/old 20", "d app/cache", "f app/cache/c1 7" } }
        << Specs { { "d app", "f app/main 60 mtime=2", "f app/new 30", "w etc/hosts", "o app/cache", "f app/cache/c2 8",
               "l usr/link>bin2", "f etc/passwd 10 mode=0600" } }
        << strings({ "-app/cache/c1 file 7>-1 L1>L-1", "+app/cache/c2 file -1>8 L-1>L1",
               "~app/main file 50>60 L1>L1 SC", "+app/new file -1>30 L-1>L1", "-app/old file 20>-1 L1>L-1",
               "-etc/hosts file 5>-1 L0>L-1", "~etc/passwd file 10>10 L0>L1 M", "~usr/link symlink 0>0 L0>L1 L" })
        // size delta: -7 + 8 + 10 + 30 - 20 - 5 = 16
        << QStringLiteral("2 3 3 1 16");

    QTest::newRow("type changes") << Specs { { "f x 5", "d y", "f y/a 1", "f y/b 2" } }
                                  << Specs { { "d x", "f x/in 3", "f y 4" } }
                                  << strings({ "~x dir 5>0 L1>L1 T", "+x/in file -1>3 L-1>L1", "~y file 0>4 L1>L1 T",
                                         "-y/a file 1>-1 L1>L-1", "-y/b file 2>-1 L1>L-1" })
                                  // -5 + 3 + 4 - 1 - 2 = -1
                                  << QStringLiteral("1 2 2 1 -1");

    QTest::newRow("whiteout of a base dir, then re-created in a later layer")
        << Specs {} << Specs { { "w usr" }, { "d usr", "f usr/bin 100 mtime=9", "f usr/same 1" } }
        << strings({ "~usr/bin file 100>100 L0>L2 C", "-usr/link symlink 0>-1 L0>L-1", "+usr/same file -1>1 L-1>L2" })
        << QStringLiteral("1 1 1 1 1");

    QTest::newRow("owner change, markers only in a new dir")
        << Specs {} << Specs { { "f etc/passwd 10 uid=5", "w ghost/x" } }
        << strings({ "~etc/passwd file 10>10 L0>L1 O" }) << QStringLiteral("0 0 1 1 0");
}

void TestImageDiff::compare()
{
    QFETCH(Specs, beforeTop);
    QFETCH(Specs, afterTop);
    QFETCH(QStringList, expected);
    QFETCH(QString, summary);

    Specs beforeSpecs { kBase }, afterSpecs { {} };
    beforeSpecs.insert(beforeSpecs.end(), beforeTop.begin(), beforeTop.end());
    afterSpecs.insert(afterSpecs.end(), afterTop.begin(), afterTop.end());
    auto before = buildLayers(beforeSpecs);
    auto after = buildLayers(afterSpecs);
    auto b = pointers(before);
    auto a = pointers(after);
    a[0] = b[0]; // the shared base: one listing

    QStringList got;
    const DiffSummary s = ImageDiff::compare(b, a, [&got](const DiffEntry &e) { got << describe(e); });
    QCOMPARE(got, expected);
    QCOMPARE(QStringLiteral("%1 %2 %3 %4 %5")
                 .arg(s.added)
                 .arg(s.removed)
                 .arg(s.changed)
                 .arg(s.sharedLayers)
                 .arg(s.sizeDelta),
        summary);
}

void TestImageDiff::sharedBaseIsSkippedByIdentity()
{
    auto layers = buildLayers({ kBase, { "f top 1" } });
    const auto p = pointers(layers);
    int calls = 0;
    const DiffSummary s = ImageDiff::compare(p, p, [&calls](const DiffEntry &) { ++calls; });
    QCOMPARE(calls, 0);
    QCOMPARE(s.sharedLayers, 2);
}

void TestImageDiff::sameContentDifferentTrees()
{
    // Two listings of the same content (not shared objects): compared by value, no difference.
    auto one = buildLayers({ kBase, { "f app/x 3", "w etc/hosts" } });
    auto two = buildLayers({ kBase, { "f app/x 3", "w etc/hosts" } });
    QStringList got;
    const DiffSummary s
        = ImageDiff::compare(pointers(one), pointers(two), [&got](const DiffEntry &e) { got << describe(e); });
    QCOMPARE(got, QStringList());
    QCOMPARE(s.sharedLayers, 0);
}

void TestImageDiff::contentDigestsDecide()
{
    auto one = buildLayers({ { "f same 4 mtime=1", "f touched 4 mtime=1" } });
    auto two = buildLayers({ { "f same 4 mtime=1", "f touched 4 mtime=2" } });
    // Without digests, size + mtime: "touched" changed.
    QStringList got;
    ImageDiff::compare(pointers(one), pointers(two), [&got](const DiffEntry &e) { got << describe(e); });
    QCOMPARE(got, QStringList { QStringLiteral("~touched file 4>4 L0>L0 C") });

    // Both sides read: digests decide ("same" differs in content although size and mtime match).
    QHash<const FileNode *, QByteArray> digests;
    digests.insert(one[0].find(u"same"), "d1");
    digests.insert(two[0].find(u"same"), "d2");
    digests.insert(one[0].find(u"touched"), "d3");
    digests.insert(two[0].find(u"touched"), "d3");
    ImageDiff::Options options;
    options.contentDigest = [&digests](const FileNode *n) { return digests.value(n); };
    got.clear();
    ImageDiff::compare(
        pointers(one), pointers(two), [&got](const DiffEntry &e) { got << describe(e); }, options);
    QCOMPARE(got, QStringList { QStringLiteral("~same file 4>4 L0>L0 C") });
}

void TestImageDiff::agreesWithMergedTree()
{
    // Random stacks over a small name space (whiteouts, opaque dirs, type changes, re-creations), a shared
    // random base: the differences must be exactly those between the two fs::MergedTree views.
    QRandomGenerator rng(20261207);
    const char *names[] = { "a", "b", "c" };
    auto randomPath = [&]() {
        QString p;
        const int depth = 1 + int(rng.bounded(3));
        for (int i = 0; i < depth; ++i)
            p += (i ? QStringLiteral("/") : QString()) + QString::fromLatin1(names[rng.bounded(3)]);
        return p;
    };
    std::vector<QStringList> lastSpecs;
    auto randomLayer = [&](int index) {
        LayerTree t(index);
        lastSpecs.emplace_back();
        const int n = 1 + int(rng.bounded(6));
        for (int i = 0; i < n; ++i) {
            const QString p = randomPath();
            QString spec;
            switch (rng.bounded(6)) {
            case 0:
                spec = QStringLiteral("d ") + p + (rng.bounded(2) ? QStringLiteral(" mode=0700") : QString());
                break;
            case 1:
                spec = QStringLiteral("w ") + p;
                break;
            case 2:
                spec = QStringLiteral("o ") + p;
                break;
            case 3:
                spec = QStringLiteral("l %1>%2").arg(p).arg(rng.bounded(2));
                break;
            default:
                spec = QStringLiteral("f %1 %2 mtime=%3").arg(p).arg(rng.bounded(3)).arg(rng.bounded(2));
                break;
            }
            (void)t.addEntry(entry(spec));
            lastSpecs.back() << spec;
        }
        return t;
    };
    auto view = [](const std::vector<const LayerTree *> &layers) {
        ll::fs::MergedTree m;
        for (const LayerTree *l : layers)
            m.addLayer(*l);
        QMap<QString, QString> out;
        for (const FileNode *n : m.entries()) {
            out.insert(n->path(),
                QStringLiteral("%1 %2 %3 %4 %5")
                    .arg(int(n->type))
                    .arg(n->isDir() ? 0 : n->size)
                    .arg(n->mode)
                    .arg(n->isDir() ? 0 : n->mtime)
                    .arg(n->linkTarget));
        }
        return out;
    };
    for (int round = 0; round < 2000; ++round) {
        std::vector<LayerTree> before, after;
        lastSpecs.clear();
        const int base = int(rng.bounded(3));
        for (int i = 0; i < base; ++i)
            before.push_back(randomLayer(i));
        const int nb = base + 1 + int(rng.bounded(3)), na = base + 1 + int(rng.bounded(3));
        for (int i = base; i < nb; ++i)
            before.push_back(randomLayer(i));
        for (int i = 0; i < base; ++i)
            after.emplace_back(i); // placeholders: the base is shared by pointer
        for (int i = base; i < na; ++i)
            after.push_back(randomLayer(i));
        auto b = pointers(before);
        auto a = pointers(after);
        for (int i = 0; i < base; ++i)
            a[size_t(i)] = b[size_t(i)];

        const auto vb = view(b), va = view(a);
        QStringList expected;
        for (auto it = vb.cbegin(); it != vb.cend(); ++it) {
            if (!va.contains(it.key()))
                expected << QLatin1Char('-') + it.key();
            else if (va.value(it.key()) != it.value())
                expected << QLatin1Char('~') + it.key();
        }
        for (auto it = va.cbegin(); it != va.cend(); ++it) {
            if (!vb.contains(it.key()))
                expected << QLatin1Char('+') + it.key();
        }
        QStringList got;
        ImageDiff::compare(b, a, [&got](const DiffEntry &e) {
            const char c = e.change == DiffEntry::Change::Added ? '+'
                : e.change == DiffEntry::Change::Removed        ? '-'
                                                                : '~';
            got << QLatin1Char(c) + e.path;
        });
        expected.sort();
        got.sort();
        if (got != expected) {
            for (const QStringList &l : lastSpecs)
                qWarning() << "layer (base, before, after in order):" << l;
            qWarning() << "base" << base << "before" << nb << "after" << na;
            qWarning() << "got" << got << "expected" << expected;
            QCOMPARE(got, expected);
        }
    }
}

QTEST_APPLESS_MAIN(TestImageDiff)
#include "TestImageDiff.moc"
