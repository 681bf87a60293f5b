// Layer tree / merged tree speed: 200,000 entries inserted, merged, listed and looked up.
// Usage: bench_tree [entries]   (prints timings and RSS; not a test, numbers vary by machine)

#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "stream/TarEntry.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <ctime>

using ll::fs::LayerTree;
using ll::fs::MergedTree;
using ll::stream::TarEntry;

namespace {

long rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

/** Deterministic image-like paths: a few big dirs, many small ones, names repeating across dirs. */
std::vector<TarEntry> makeEntries(int count, const QString &salt)
{
    static const char *const stems[] = { "README", "LICENSE", "__init__.py", "index.js", "package.json", "lib",
        "main.c", "util.h", "locale", "doc" };
    std::vector<TarEntry> out;
    out.reserve(size_t(count));
    quint32 x = 12345;
    auto rnd = [&x]() { return x = x * 1664525u + 1013904223u; };
    int i = 0;
    while (int(out.size()) < count) {
        const quint32 r = rnd();
        QString dir;
        if (r % 4 == 0) {
            dir = QStringLiteral("usr/share/big"); // one directory with tens of thousands of files
        } else {
            dir = QStringLiteral("usr/lib/pkg%1/sub%2/d%3").arg((r >> 4) % 400).arg((r >> 12) % 6).arg((r >> 16) % 4);
        }
        TarEntry e;
        e.path = dir + QLatin1Char('/') + QString::fromLatin1(stems[(r >> 20) % 10]) + QString::number(i++) + salt;
        e.type = TarEntry::Type::File;
        e.size = r % 100000;
        e.mode = 0644;
        e.uname = QStringLiteral("root");
        e.gname = QStringLiteral("root");
        e.mtime = 1700000000;
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace

/** Wall and CPU time of one phase. */
struct Phase {
    QElapsedTimer wall;
    std::clock_t cpu = std::clock();
    Phase() { wall.start(); }
    QString text() const
    {
        return QStringLiteral("%1 ms wall, %2 ms CPU")
            .arg(wall.elapsed(), 5)
            .arg(double(std::clock() - cpu) * 1000.0 / CLOCKS_PER_SEC, 5, 'f', 0);
    }
};

int main(int argc, char **argv)
{
    std::printf("sizeof(FileNode) = %d bytes\n", int(sizeof(ll::fs::FileNode)));
    const int count = argc > 1 ? std::atoi(argv[1]) : 200000;
    // Tar streams list a directory's members together (a directory walk): sort by path like one.
    std::vector<TarEntry> lower = makeEntries(count, QString());
    std::sort(lower.begin(), lower.end(), [](const TarEntry &a, const TarEntry &b) { return a.path < b.path; });
    // The upper layer overwrites a tenth of the lower files, deletes another tenth and adds new ones.
    std::vector<TarEntry> upper;
    for (size_t i = 0; i < lower.size(); i += 10) {
        upper.push_back(lower[i]);
        TarEntry wh = lower[i + 1 < lower.size() ? i + 1 : i];
        const int slash = int(wh.path.lastIndexOf(QLatin1Char('/')));
        wh.path = wh.path.left(slash + 1) + QStringLiteral(".wh.") + wh.path.mid(slash + 1);
        upper.push_back(wh);
    }
    for (const TarEntry &e : makeEntries(count / 10, QStringLiteral("x")))
        upper.push_back(e);
    std::sort(upper.begin(), upper.end(), [](const TarEntry &a, const TarEntry &b) { return a.path < b.path; });
    const long rss0 = rssKiB();

    const std::clock_t cpu0 = std::clock();
    auto report = [](const Phase &p, const QString &what) {
        std::printf("%-58s %s\n", qPrintable(what), qPrintable(p.text()));
    };

    Phase insert;
    LayerTree l0(0);
    for (const TarEntry &e : lower)
        (void)l0.addEntry(e);
    const long rss1 = rssKiB();
    report(insert,
        QStringLiteral("insert %1 entries into LayerTree (%2 nodes, +%3 KiB RSS)")
            .arg(count)
            .arg(l0.nodeCount())
            .arg(rss1 - rss0));

    Phase insertUpper;
    LayerTree l1(1);
    for (const TarEntry &e : upper)
        (void)l1.addEntry(e);
    report(insertUpper,
        QStringLiteral("insert %1 entries into upper layer (%2 whiteouts)")
            .arg(upper.size())
            .arg(l1.whiteouts().size()));

    Phase find;
    qint64 found = 0;
    for (const TarEntry &e : lower)
        found += l0.find(e.path) != nullptr;
    report(find, QStringLiteral("find %1 paths (%2 found)").arg(count).arg(found));

    Phase merge;
    MergedTree merged;
    merged.addLayer(l0);
    merged.addLayer(l1);
    const long rss2 = rssKiB();
    report(merge,
        QStringLiteral("merge 2 layers (%1 merged nodes, +%2 KiB RSS)").arg(merged.entryCount()).arg(rss2 - rss1));

    Phase list;
    const auto entries = merged.entries();
    qint64 pathChars = 0;
    for (const auto *n : entries)
        pathChars += n->path().size();
    report(list, QStringLiteral("list %1 merged entries in path order + path()").arg(entries.size()));

    Phase lookup;
    const std::vector<const LayerTree *> layers { &l0, &l1 };
    int deleted = 0;
    for (size_t i = 0; i < lower.size(); i += 7)
        deleted += MergedTree::lookupTopDown(layers, lower[i].path).isDeleted();
    report(lookup, QStringLiteral("lookupTopDown %1 paths (%2 deleted)").arg(lower.size() / 7 + 1).arg(deleted));
    std::printf("total CPU %.0f ms (wall clock above is inflated when the machine is busy)\n",
        double(std::clock() - cpu0) * 1000.0 / CLOCKS_PER_SEC);
    return 0;
}
