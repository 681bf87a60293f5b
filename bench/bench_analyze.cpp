// Layer changes, efficiency and image comparison at scale (issue 8's targets):
//   - changes + efficiency of a 200,000-entry image, after its listing (target < 200 ms);
//   - comparison of two 200,000-entry images listed from layer indexes (target < 1 s, peak RSS <= 150 MiB),
//     with the base layer shared and, as the worst case, with nothing shared (every directory walked).
// The images are made here, shaped as bench/push-wide-image.py makes its wide layer (wide/dNNN/eNN/fNNNNNN.txt),
// with upper layers that re-write, delete (whiteouts) and hide (an opaque dir) part of it; their indexes are
// written with IndexStore as a listing keeps them, then read back in a fresh process so its peak RSS is its own.
//
// Usage: bench_analyze [--entries N]      (prints figures; not a test, numbers vary by machine)

#include "BenchUtil.h"
#include "analysis/ImageAnalysis.h"
#include "analysis/ImageDiff.h"
#include "fs/LayerTree.h"
#include "index/IndexStore.h"
#include "index/LayerIndex.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QTemporaryDir>

#include <ctime>
#include <deque>

using ll::fs::LayerTree;
using ll::stream::TarEntry;
using llbench::out;

namespace {

QString digestOf(const QByteArray &label)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(label, QCryptographicHash::Sha256).toHex());
}

TarEntry dirEntry(const QString &path)
{
    TarEntry e;
    e.path = path;
    e.type = TarEntry::Type::Directory;
    e.mode = 0755;
    e.mtime = 1700000000;
    return e;
}

TarEntry fileEntry(const QString &path, qint64 size, qint64 mtime = 1700000000)
{
    TarEntry e;
    e.path = path;
    e.type = TarEntry::Type::File;
    e.size = size;
    e.mode = 0644;
    e.mtime = mtime;
    return e;
}

QString filePath(int i)
{
    return QStringLiteral("wide/d%1/e%2/f%3.txt")
        .arg(i / 1000, 3, 10, QLatin1Char('0'))
        .arg((i / 50) % 20, 2, 10, QLatin1Char('0'))
        .arg(i, 6, 10, QLatin1Char('0'));
}

/** The wide base layer: n files with their directories (parents first, as tar writes them). */
QVector<TarEntry> baseLayer(int n)
{
    QVector<TarEntry> out;
    out.reserve(n + n / 40);
    out.append(dirEntry(QStringLiteral("wide")));
    for (int i = 0; i < n; ++i) {
        if (i % 1000 == 0)
            out.append(dirEntry(QStringLiteral("wide/d%1").arg(i / 1000, 3, 10, QLatin1Char('0'))));
        if (i % 50 == 0)
            out.append(dirEntry(filePath(i).section(QLatin1Char('/'), 0, 2)));
        out.append(fileEntry(filePath(i), 8 + i % 4096));
    }
    return out;
}

/**
 * An upper layer: every step-th file re-written (bigger, newer), every (step*2)-th + 1 whited out, one d-dir
 * made opaque with a tenth of its files named again, and `added` new files under app/.
 */
QVector<TarEntry> upperLayer(int n, int step, int seed, int added)
{
    QVector<TarEntry> out;
    for (int i = seed; i < n; i += step)
        out.append(fileEntry(filePath(i), 9 + i % 4096, 1700000000 + seed));
    for (int i = seed + 1; i < n; i += step * 2) {
        const QString p = filePath(i);
        out.append(fileEntry(
            p.section(QLatin1Char('/'), 0, -2) + QStringLiteral("/.wh.") + p.section(QLatin1Char('/'), -1), 0));
    }
    const int opaque = (seed * 7) % qMax(1, n / 1000);
    const QString dir = QStringLiteral("wide/d%1").arg(opaque, 3, 10, QLatin1Char('0'));
    out.append(fileEntry(dir + QStringLiteral("/.wh..wh..opq"), 0));
    for (int i = opaque * 1000; i < qMin(n, opaque * 1000 + 1000); i += 10)
        out.append(fileEntry(filePath(i), 8 + i % 4096));
    out.append(dirEntry(QStringLiteral("app")));
    for (int i = 0; i < added; ++i)
        out.append(fileEntry(QStringLiteral("app/new%1-%2").arg(seed).arg(i), 100 + i));
    return out;
}

LayerTree treeOf(int index, const QVector<TarEntry> &entries)
{
    LayerTree t(index);
    for (const TarEntry &e : entries)
        (void)t.addEntry(e);
    return t;
}

/** Peak RSS of this process image (VmHWM: reset by exec, unlike getrusage's maxrss, which a child inherits). */
qint64 peakRssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/** CPU time of this process, ms (the machine is shared: wall time also counts other processes' turns). */
qint64 cpuMs()
{
    return qint64(std::clock()) * 1000 / CLOCKS_PER_SEC;
}

/** Phase 2, in its own process: list two images from the kept indexes and compare them. */
int diffPhase(const QString &dir, const QStringList &oldDigests, const QStringList &newDigests)
{
    const ll::index::IndexStore store(dir);
    QElapsedTimer t;
    t.start();
    qint64 cpu0 = cpuMs();
    std::deque<LayerTree> owned;
    QHash<QString, const LayerTree *> byDigest; // a layer both images have (same digest, same place) once
    auto list = [&](const QStringList &digests) {
        std::vector<const LayerTree *> trees;
        for (int i = 0; i < digests.size(); ++i) {
            const QString key = digests[i] + QLatin1Char('@') + QString::number(i);
            if (const LayerTree *shared = byDigest.value(key)) {
                trees.push_back(shared);
                continue;
            }
            auto reader = store.open(digests[i]);
            if (!reader)
                qFatal("no index for %s", qPrintable(digests[i]));
            LayerTree &tree = owned.emplace_back(i);
            TarEntry e;
            while (reader->next(&e))
                (void)tree.addEntry(e);
            byDigest.insert(key, &tree);
            trees.push_back(&tree);
        }
        return trees;
    };
    const auto before = list(oldDigests);
    const auto after = list(newDigests);
    const qint64 listMs = t.elapsed();
    const qint64 listCpu = cpuMs() - cpu0;
    const qint64 listRss = peakRssKiB();
    t.restart();
    cpu0 = cpuMs();
    qint64 lines = 0;
    const ll::analysis::DiffSummary s
        = ll::analysis::ImageDiff::compare(before, after, [&lines](const ll::analysis::DiffEntry &) { ++lines; });
    const qint64 diffMs = t.elapsed();
    const qint64 diffCpu = cpuMs() - cpu0;
    out() << QStringLiteral(
        "    listed from indexes: %1 ms (CPU %2 ms; reference: the listing alone), peak RSS %3 MiB\n")
                 .arg(listMs)
                 .arg(listCpu)
                 .arg(listRss / 1024);
    out() << QStringLiteral("    compare: %1 ms (CPU %2 ms) -> %3 added, %4 removed, %5 changed, %6 shared layer(s)\n")
                 .arg(diffMs)
                 .arg(diffCpu)
                 .arg(s.added)
                 .arg(s.removed)
                 .arg(s.changed)
                 .arg(s.sharedLayers);
    out() << QStringLiteral(
        "    total from indexes: %1 ms, CPU %2 ms (target < 1000), peak RSS %3 MiB (target <= 150)\n")
                 .arg(listMs + diffMs)
                 .arg(listCpu + diffCpu)
                 .arg(peakRssKiB() / 1024);
    out().flush();
    return lines == s.added + s.removed + s.changed ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const QCommandLineOption entriesOpt(
        QStringLiteral("entries"), QStringLiteral("Base entries."), QStringLiteral("n"), QStringLiteral("200000"));
    const QCommandLineOption diffOpt(QStringLiteral("diff-phase"), QStringLiteral("(internal)"), QStringLiteral("dir"));
    const QCommandLineOption oldOpt(QStringLiteral("old"), QStringLiteral("(internal)"), QStringLiteral("digests"));
    const QCommandLineOption newOpt(QStringLiteral("new"), QStringLiteral("(internal)"), QStringLiteral("digests"));
    p.addOptions({ entriesOpt, diffOpt, oldOpt, newOpt });
    p.addHelpOption();
    p.process(app);
    if (p.isSet(diffOpt)) {
        return diffPhase(
            p.value(diffOpt), p.value(oldOpt).split(QLatin1Char(',')), p.value(newOpt).split(QLatin1Char(',')));
    }
    const int n = p.value(entriesOpt).toInt();

    // The images: base + two upper layers (1.0), base + two other upper layers (1.1).
    const QVector<TarEntry> base = baseLayer(n);
    const QVector<TarEntry> a1 = upperLayer(n, 100, 1, 1000), a2 = upperLayer(n, 250, 3, 200);
    const QVector<TarEntry> b1 = a1, b2 = upperLayer(n, 90, 5, 1500);
    out() << QStringLiteral("image: %1 entries in the base layer, upper layers of %2 and %3 entries\n")
                 .arg(base.size())
                 .arg(a1.size())
                 .arg(a2.size());

    // 1. Changes + efficiency after the listing.
    QElapsedTimer t;
    t.start();
    std::vector<LayerTree> trees;
    trees.push_back(treeOf(0, base));
    trees.push_back(treeOf(1, a1));
    trees.push_back(treeOf(2, a2));
    const qint64 treeMs = t.elapsed();
    std::vector<const LayerTree *> ptrs { &trees[0], &trees[1], &trees[2] };
    QList<qint64> runs, cpuRuns;
    ll::analysis::ImageAnalysis a;
    for (int i = 0; i < 5; ++i) {
        t.restart();
        const qint64 c0 = cpuMs();
        a = ll::analysis::ImageAnalysis::analyze(ptrs);
        runs << t.elapsed();
        cpuRuns << cpuMs() - c0;
    }
    const auto &e = a.efficiency();
    out() << QStringLiteral("changes + efficiency: median %1 ms of 5, CPU %2 ms (target < 200 ms); reference: building "
                            "the layer trees from the entries took %3 ms\n")
                 .arg(llbench::median(runs))
                 .arg(llbench::median(cpuRuns))
                 .arg(treeMs);
    out() << QStringLiteral("  layer 1: +%1 ~%2 -%3; layer 2: +%4 ~%5 -%6; wasted %7 of %8 bytes, efficiency %9\n")
                 .arg(a.layers()[1].added)
                 .arg(a.layers()[1].modified)
                 .arg(a.layers()[1].deleted)
                 .arg(a.layers()[2].added)
                 .arg(a.layers()[2].modified)
                 .arg(a.layers()[2].deleted)
                 .arg(e.wastedBytes)
                 .arg(e.totalBytes)
                 .arg(e.score, 0, 'f', 4);
    out().flush();
    trees.clear();

    // 2. Indexes as listings keep them; the comparison runs in a fresh process.
    QTemporaryDir dir;
    const ll::index::IndexStore store(dir.path());
    auto keep = [&store](const QByteArray &label, const QVector<TarEntry> &entries) {
        ll::index::LayerIndex index;
        index.digest = digestOf(label);
        index.blobSize = 1;
        index.compression = QStringLiteral("gzip");
        index.entries = entries;
        for (auto &en : index.entries)
            en.compressedEnd = 1;
        if (!store.save(index).ok())
            qFatal("cannot keep index %s", label.constData());
        return index.digest;
    };
    const QString dBase = keep("base", base), dBaseCopy = keep("base-rebuilt", base);
    const QString dA1 = keep("a1", a1), dA2 = keep("a2", a2), dB2 = keep("b2", b2);
    const QString dB1 = keep("a1-rebuilt", b1);
    auto phase = [&](const QString &title, const QStringList &oldD, const QStringList &newD) {
        out() << title << "\n";
        out().flush();
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(QCoreApplication::applicationFilePath(),
            { QStringLiteral("--diff-phase"), dir.path(), QStringLiteral("--old"), oldD.join(QLatin1Char(',')),
                QStringLiteral("--new"), newD.join(QLatin1Char(',')) });
        child.waitForFinished(-1);
    };
    phase(
        QStringLiteral("compare, base layer and first upper layer shared:"), { dBase, dA1, dA2 }, { dBase, dA1, dB2 });
    phase(QStringLiteral("compare, nothing shared (the same base under another digest: every directory walked):"),
        { dBase, dA1, dA2 }, { dBaseCopy, dB1, dB2 });
    return 0;
}
