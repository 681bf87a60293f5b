#include "LayerSpecs.h"
#include "analysis/ImageAnalysis.h"

#include <QTest>

using ll::analysis::Change;
using ll::analysis::ImageAnalysis;
using namespace layerspec;

Q_DECLARE_METATYPE(Specs)

namespace {

QString describe(int layer, const Change &c)
{
    const char kind = c.kind == Change::Kind::Added ? 'A' : c.kind == Change::Kind::Modified ? 'M' : 'D';
    return QStringLiteral("L%1 %2 %3 %4 %5")
        .arg(layer)
        .arg(QLatin1Char(kind))
        .arg(c.path())
        .arg(c.size)
        .arg(c.sizeBefore);
}

} // namespace

class TestImageAnalysis : public QObject
{
    Q_OBJECT
private slots:
    void analyze_data();
    void analyze();
    void diveArithmetic();
    void emptyImage();
};

void TestImageAnalysis::analyze_data()
{
    QTest::addColumn<Specs>("layers");
    // Per layer: "added modified deleted addedBytes modifiedBytes deletedBytes".
    QTest::addColumn<QStringList>("counts");
    // Every change, sorted: "L<layer> <A|M|D> <path> <size> <sizeBefore>".
    QTest::addColumn<QStringList>("changes");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("wasted");
    QTest::addColumn<qint64>("scoreNum"); // score = scoreNum / total
    // "path bytes minBytes layers", most bytes first.
    QTest::addColumn<QStringList>("wastedPaths");

    // Overwritten and whited-out files (the example worked through in diveArithmetic()).
    QTest::newRow("overwrite and whiteout")
        << Specs { { "f a 100", "f b 50", "d etc", "f etc/x 10" }, { "f a 100", "w b" }, { "f c 10" } }
        << strings({ "4 0 0 160 0 0", "0 1 1 0 100 50", "1 0 0 10 0 0" })
        << strings({ "L0 A a 100 0", "L0 A b 50 0", "L0 A etc 0 0", "L0 A etc/x 10 0", "L1 D b 0 50", "L1 M a 100 100",
               "L2 A c 10 0" })
        // total: 100 + 50 + 10 (layer 0) + 100 (layer 1) + 10 (layer 2) = 270
        // a: copies 100 + 100 = 200, smallest 100; b: 50 + deletion 0 = 50, smallest 0. wasted = 250
        // sum of smallest copies: a 100 + b 0 + etc/x 10 + c 10 = 120
        << qint64(270) << qint64(250) << qint64(120) << strings({ "a 200 100 0,1", "b 50 0 0,1" });

    // An opaque dir keeps what the layer names again (app/a, app/sub) and hides the rest, also deeper down.
    QTest::newRow("opaque dir") << Specs { { "d app", "f app/a 10", "f app/b 20", "d app/sub", "f app/sub/c 30",
                                               "f keep 5" },
        { "o app", "f app/a 11", "d app/sub" } }
                                << strings({ "6 0 0 65 0 0", "0 1 2 0 11 50" })
                                << strings({ "L0 A app 0 0", "L0 A app/a 10 0", "L0 A app/b 20 0", "L0 A app/sub 0 0",
                                       "L0 A app/sub/c 30 0", "L0 A keep 5 0", "L1 D app/b 0 20", "L1 D app/sub/c 0 30",
                                       "L1 M app/a 11 10" })
                                // total: 10 + 20 + 30 + 5 + 11 = 76
                                // app/a 10 + 11 = 21 (min 10); app/b 20 + 0 (min 0); app/sub/c 30 + 0 (min 0): wasted
                                // 71 smallest: 10 + 0 + 0 + keep 5 = 15
                                << qint64(76) << qint64(71) << qint64(15)
                                << strings({ "app/sub/c 30 0 0,1", "app/a 21 10 0,1", "app/b 20 0 0,1" });

    // A whited-out dir, a file replacing a dir, a dir replacing a file, then a path written again after
    // its deletion (its record goes on: 40 + 0 + 41).
    QTest::newRow("dir whiteout and type changes")
        << Specs { { "d opt", "f opt/x 40", "f opt/y 60", "f bin 7", "d lib", "f lib/z 3" },
               { "w opt", "f lib 2", "d bin", "f bin/new 1" }, { "d opt", "f opt/x 41" } }
        << strings({ "6 0 0 110 0 0", "1 2 1 1 2 100", "2 0 0 41 0 0" })
        << strings({ "L0 A bin 7 0", "L0 A lib 0 0", "L0 A lib/z 3 0", "L0 A opt 0 0", "L0 A opt/x 40 0",
               "L0 A opt/y 60 0", "L1 A bin/new 1 0", "L1 D opt 0 100", "L1 M bin 0 7", "L1 M lib 2 3", "L2 A opt 0 0",
               "L2 A opt/x 41 0" })
        // total: 40 + 60 + 7 + 3 + 2 + 1 + 41 = 154
        // opt/x 40 + 0 + 41 = 81, opt/y 60, bin 7, lib/z 3 (all min 0): wasted 151
        // smallest: lib 2 + bin/new 1 = 3
        << qint64(154) << qint64(151) << qint64(3)
        << strings({ "opt/x 81 0 0,1,2", "opt/y 60 0 0,1", "bin 7 0 0,1", "lib/z 3 0 0,1" });

    // Directories listed again count only when their mode or owner changes; a whiteout of nothing and a
    // dir re-created after a whiteout of it (its lower content is gone, what it names again is modified).
    QTest::newRow("dirs relisted, recreated")
        << Specs { { "d etc", "f etc/a 1", "f etc/b 2" }, { "d etc", "f etc/c 4", "w nothing" }, { "d etc mode=0700" },
               { "w etc", "d etc", "f etc/a 8" } }
        << strings({ "3 0 0 3 0 0", "1 0 0 4 0 0", "0 1 0 0 0 0", "0 2 2 0 8 6" })
        << strings({ "L0 A etc 0 0", "L0 A etc/a 1 0", "L0 A etc/b 2 0", "L1 A etc/c 4 0", "L2 M etc 0 0",
               "L3 D etc/b 0 2", "L3 D etc/c 0 4", "L3 M etc 0 0", "L3 M etc/a 8 1" })
        // layer 3: the re-created etc is back to 0755 over 0700 (modified), etc/a named again (modified),
        // etc/b and etc/c hidden (deleted, 2 + 4 bytes).
        // total: 1 + 2 + 4 + 8 = 15; etc/a 1 + 8 = 9 (min 1), etc/c 4 + 0, etc/b 2 + 0: wasted 15
        // smallest: etc/a 1 + etc/b 0 + etc/c 0 = 1
        << qint64(15) << qint64(15) << qint64(1) << strings({ "etc/a 9 1 0,3", "etc/c 4 0 1,3", "etc/b 2 0 0,3" });
}

void TestImageAnalysis::analyze()
{
    QFETCH(Specs, layers);
    QFETCH(QStringList, counts);
    QFETCH(QStringList, changes);
    QFETCH(qint64, total);
    QFETCH(qint64, wasted);
    QFETCH(qint64, scoreNum);
    QFETCH(QStringList, wastedPaths);

    const auto trees = buildLayers(layers);
    const ImageAnalysis a = ImageAnalysis::analyze(pointers(trees));
    QCOMPARE(int(a.layers().size()), layers.size());
    QStringList gotCounts, gotChanges;
    for (const auto &l : a.layers()) {
        gotCounts << QStringLiteral("%1 %2 %3 %4 %5 %6")
                         .arg(l.added)
                         .arg(l.modified)
                         .arg(l.deleted)
                         .arg(l.addedBytes)
                         .arg(l.modifiedBytes)
                         .arg(l.deletedBytes);
        for (const Change &c : l.changes)
            gotChanges << describe(l.layer, c);
    }
    gotChanges.sort();
    QCOMPARE(gotCounts, counts);
    QCOMPARE(gotChanges, changes);

    const auto &e = a.efficiency();
    QCOMPARE(e.totalBytes, total);
    QCOMPARE(e.wastedBytes, wasted);
    QCOMPARE(e.score, double(scoreNum) / double(total));
    QStringList gotWasted;
    for (const auto &w : e.wasted) {
        QStringList ls;
        for (int l : w.layers)
            ls << QString::number(l);
        gotWasted
            << QStringLiteral("%1 %2 %3 %4").arg(w.path).arg(w.bytes).arg(w.minBytes).arg(ls.join(QLatin1Char(',')));
    }
    QCOMPARE(gotWasted, wastedPaths);
}

void TestImageAnalysis::diveArithmetic()
{
    // dive (filetree/efficiency.go) visits the leaves of each layer's tree, groups them by path (a whiteout
    // under the path it deletes, with size 0 when that was a file), and for each path keeps the sum of the
    // sizes seen (CumulativeSize) and the smallest (minDiscoveredSize). Paths seen twice or more are the
    // inefficiencies; wasted bytes = the sum of their CumulativeSize (image.go); the score = sum of the
    // smallest sizes / sum of the cumulative sizes over all paths. For the image
    //   layer 0: /a 100, /b 50, /etc/x 10     layer 1: /a 100 again, .wh.b     layer 2: /c 10
    // dive has: /a {100, 100} cum 200 min 100; /b {50, 0} cum 50 min 0; /etc/x {10}; /c {10}
    //   wasted = 200 + 50 = 250; score = (100 + 0 + 10 + 10) / (200 + 50 + 10 + 10) = 120 / 270 = 0.444...
    const auto trees
        = buildLayers({ { "f a 100", "f b 50", "d etc", "f etc/x 10" }, { "f a 100", "w b" }, { "f c 10" } });
    const auto e = ImageAnalysis::analyze(pointers(trees)).efficiency();
    QCOMPARE(e.wastedBytes, qint64(250));
    QCOMPARE(e.score, 120.0 / 270.0);
    QCOMPARE(int(e.wasted.size()), 2);
    QCOMPARE(e.wasted[0].path, QStringLiteral("a"));
    QCOMPARE(e.wasted[1].path, QStringLiteral("b"));
}

void TestImageAnalysis::emptyImage()
{
    const auto trees = buildLayers({ {}, { "d empty" } });
    const ImageAnalysis a = ImageAnalysis::analyze(pointers(trees));
    QCOMPARE(a.efficiency().score, 1.0);
    QCOMPARE(a.efficiency().wastedBytes, qint64(0));
    QCOMPARE(a.layers().at(1).added, 1);
}

QTEST_APPLESS_MAIN(TestImageAnalysis)
#include "TestImageAnalysis.moc"
