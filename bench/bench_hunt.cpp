// Hunt benchmark (issue 10): one hunt across a fleet of images vs today's way (a loop of single-image carves),
// cold and warm, and the offline --search over >= 1 M cached entries vs the original tool's sqlite log.
//
//   bench/push-hunt-fleet.py ANON --as PROXY > fleet.txt      (>= 40 images, shared bases, whiteouts)
//   bench_hunt --fleet fleet.txt --proxy PROXY [--latency-ms 50] [--cli build/app/layerslayer-cli]
//              [--pattern etc/shadow] [--search-entries 1000000]
//
// Every figure is a whole layerslayer-cli process (what a user or a script runs), timed from outside; bytes and
// requests come from the CLI's own JSON and from the fault proxy's counters (state.json "proxy"), which also adds
// --latency-ms to every request.
#include "BenchUtil.h"
#include "catalog/ImageCatalog.h"
#include "index/IndexStore.h"
#include "index/LayerIndex.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <cstdio>

using llbench::out;

namespace {

QString g_cli;
QString g_proxy;

struct Run {
    qint64 ms = 0;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList &args, const QString &indexDir)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LL_INDEX_DIR"), indexDir);
    p.setProcessEnvironment(env);
    QElapsedTimer t;
    t.start();
    p.start(g_cli, args);
    p.waitForFinished(-1);
    Run r;
    r.ms = t.elapsed();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QJsonObject lastJson(const QByteArray &text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return lines.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(lines.constLast()).object();
}

QJsonObject proxy(const QString &path, const QByteArray &post = {})
{
    QProcess p;
    QStringList args { QStringLiteral("-s"), QStringLiteral("http://%1%2").arg(g_proxy, path) };
    if (!post.isEmpty())
        args << QStringLiteral("-X") << QStringLiteral("POST") << QStringLiteral("-d") << QString::fromUtf8(post);
    p.start(QStringLiteral("curl"), args);
    p.waitForFinished(-1);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

void setLatency(int ms)
{
    proxy(QStringLiteral("/__control"), "{\"clear\": true, \"clear_stats\": true}");
    if (ms > 0) {
        proxy(QStringLiteral("/__control"),
            QJsonDocument(QJsonObject { { QStringLiteral("faults"),
                              QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("slow") },
                                  { QStringLiteral("latency_ms"), ms }, { QStringLiteral("count"), 0 } } } } })
                .toJson(QJsonDocument::Compact));
    }
}

void clearStats()
{
    proxy(QStringLiteral("/__control"), "{\"clear_stats\": true}");
}

struct BlobStats {
    int requests = 0;
    qint64 bytes = 0;
    qint64 perDistinctMax = 0; // sum over digests of the most one path (one image) took
};

BlobStats blobStats()
{
    BlobStats s;
    QHash<QString, qint64> maxPerDigest;
    const QJsonObject paths = proxy(QStringLiteral("/__stats")).value(QLatin1String("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const qsizetype at = it.key().indexOf(QLatin1String("/blobs/sha256:"));
        if (at < 0)
            continue;
        const QJsonObject o = it.value().toObject();
        s.requests += o.value(QLatin1String("requests")).toInt();
        const qint64 b = qint64(o.value(QLatin1String("bytes")).toDouble());
        s.bytes += b;
        qint64 &m = maxPerDigest[it.key().mid(at + 7)];
        m = qMax(m, b);
    }
    for (qint64 m : std::as_const(maxPerDigest))
        s.perDistinctMax += m;
    return s;
}

QString secs(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 2) + QStringLiteral(" s");
}

QString mb(qint64 bytes)
{
    return QString::number(double(bytes) / 1e6, 'f', 2) + QStringLiteral(" MB");
}

/** /usr/bin/time -f "%e %M" around a command: wall seconds and max RSS KiB. */
bool timed(const QString &program, const QStringList &args, const QString &indexDir, double *wall, qint64 *rssKiB,
    QByteArray *stdoutText = nullptr)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LL_INDEX_DIR"), indexDir);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("/usr/bin/time"),
        QStringList { QStringLiteral("-f"), QStringLiteral("TIME %e %M"), program } + args);
    p.waitForFinished(-1);
    const QByteArray err = p.readAllStandardError();
    if (stdoutText)
        *stdoutText = p.readAllStandardOutput();
    const qsizetype at = err.lastIndexOf("TIME ");
    if (at < 0)
        return false;
    const QList<QByteArray> f = err.mid(at + 5).trimmed().split(' ');
    *wall = f.value(0).toDouble();
    *rssKiB = f.value(1).toLongLong();
    return true;
}

/** A cache of >= entries entries over layers of 50,000 (paths like a distribution's), and images for them. */
int makeSearchCache(const QString &dir, qint64 entries, QString *tsv)
{
    ll::index::IndexStore store(dir);
    store.setLimit(qint64(4) << 30);
    QDir().mkpath(dir);
    const int perLayer = 50000;
    const int layers = int((entries + perLayer - 1) / perLayer);
    QFile list(*tsv);
    list.open(QIODevice::WriteOnly);
    QVector<ll::catalog::SeenImage> images;
    for (int l = 0; l < layers; ++l) {
        ll::index::LayerIndex idx;
        idx.digest = QStringLiteral("sha256:%1").arg(QString::number(l, 16), 64, QLatin1Char('0'));
        idx.blobSize = 1000000;
        idx.compression = QStringLiteral("gzip");
        idx.entries.reserve(perLayer);
        for (int i = 0; i < perLayer; ++i) {
            ll::stream::TarEntry e;
            e.path = QStringLiteral("usr/share/pkg%1-%2/lib/module%3/file%4.%5")
                         .arg(l)
                         .arg(i / 500)
                         .arg((i / 20) % 25)
                         .arg(i)
                         .arg(i % 7 == 0 ? QStringLiteral("py") : QStringLiteral("so"));
            if (i == perLayer / 2)
                e.path = QStringLiteral("etc/shadow");
            e.size = 1000 + i;
            e.mode = 0644;
            e.mtime = 1700000000;
            e.compressedEnd = i;
            idx.entries.append(e);
            list.write(QByteArray::number(l) + '\t' + e.path.toUtf8() + '\n');
        }
        const ll::Status s = store.save(idx);
        if (!s) {
            out() << "cannot write the search cache: " << s.error().message << "\n";
            return -1;
        }
        ll::catalog::SeenImage img;
        img.reference = QStringLiteral("bench.local/search/img%1:1.0").arg(l);
        img.layers << idx.digest;
        img.when = QDateTime::currentDateTimeUtc();
        images << img;
    }
    (void)ll::catalog::ImageCatalog::forIndexStore(store).record(images);
    return layers;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString fleetFile;
    int latencyMs = 50;
    QString pattern = QStringLiteral("etc/shadow");
    qint64 searchEntries = 1000000;
    g_cli = QCoreApplication::applicationDirPath() + QStringLiteral("/../app/layerslayer-cli");
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString a = args.at(i);
        auto value = [&]() { return i + 1 < args.size() ? args.at(++i) : QString(); };
        if (a == QLatin1String("--fleet"))
            fleetFile = value();
        else if (a == QLatin1String("--proxy"))
            g_proxy = value();
        else if (a == QLatin1String("--latency-ms"))
            latencyMs = value().toInt();
        else if (a == QLatin1String("--cli"))
            g_cli = value();
        else if (a == QLatin1String("--pattern"))
            pattern = value();
        else if (a == QLatin1String("--search-entries"))
            searchEntries = value().toLongLong();
    }
    QTemporaryDir tmp;
    if (!fleetFile.isEmpty() && !g_proxy.isEmpty()) {
        QFile f(fleetFile);
        f.open(QIODevice::ReadOnly);
        const QStringList fleet = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const QString idx = tmp.filePath(QStringLiteral("idx"));
        out() << "== hunt " << pattern << " across " << fleet.size() << " images, through the proxy at +" << latencyMs
              << " ms per request, 4 connections\n";
        out().flush();

        // Today's way: one carve per image, no cache.
        setLatency(latencyMs);
        qint64 loopMs = 0, loopBytes = 0;
        int loopFound = 0, loopRequests = 0;
        for (int i = 0; i < fleet.size(); ++i) {
            const Run r = runCli({ QStringLiteral("--json"), QStringLiteral("-t"), fleet[i], QStringLiteral("-f"),
                                     pattern, QStringLiteral("-o"), tmp.filePath(QStringLiteral("carved/%1").arg(i)) },
                QStringLiteral("off"));
            loopMs += r.ms;
            const QJsonObject o = lastJson(r.out);
            loopBytes += qint64(o.value(QLatin1String("bytes_downloaded")).toDouble());
            loopRequests += o.value(QLatin1String("requests")).toInt();
            loopFound += o.value(QLatin1String("status")).toString() == QLatin1String("found") ? 1 : 0;
        }
        const BlobStats loopBlobs = blobStats();

        // The hunt, cold (no index), exact path: early stops, each distinct layer read once.
        clearStats();
        const QStringList huntArgs = { QStringLiteral("--json"), QStringLiteral("--hunt"), pattern,
            QStringLiteral("--targets-file"), fleetFile };
        const Run cold = runCli(huntArgs, idx);
        const QJsonObject cs = lastJson(cold.out);
        const BlobStats coldBlobs = blobStats();
        int huntFound = 0, huntDeleted = 0;
        for (const QByteArray &line : cold.out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            huntFound += o.value(QLatin1String("status")).toString() == QLatin1String("found") ? 1 : 0;
            huntDeleted += o.value(QLatin1String("status")).toString() == QLatin1String("deleted") ? 1 : 0;
        }

        out() << "\n                                   wall      downloaded   blob GETs  requests  answers\n";
        out() << QStringLiteral("loop of %1 single-image carves    %2  %3  %4  %5  %6 found\n")
                     .arg(fleet.size(), 3)
                     .arg(secs(loopMs), 8)
                     .arg(mb(loopBytes), 10)
                     .arg(loopBlobs.requests, 9)
                     .arg(loopRequests, 8)
                     .arg(loopFound);
        out() << QStringLiteral("hunt, cold (exact path)             %1  %2  %3  %4  %5 found, %6 deleted\n")
                     .arg(secs(cold.ms), 8)
                     .arg(mb(qint64(cs.value(QLatin1String("bytes_downloaded")).toDouble())), 10)
                     .arg(coldBlobs.requests, 9)
                     .arg(cs.value(QLatin1String("requests")).toInt(), 8)
                     .arg(huntFound)
                     .arg(huntDeleted);
        out() << QStringLiteral("  speed-up %1x (target >= 5x: %2); bytes %3 vs sum over distinct layers of one "
                                "carve's need %4 (copies under whiteouts searched: see --visible-only below)\n")
                     .arg(double(loopMs) / double(qMax<qint64>(1, cold.ms)), 0, 'f', 1)
                     .arg(loopMs >= 5 * cold.ms ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                     .arg(mb(coldBlobs.bytes), mb(loopBlobs.perDistinctMax));
        out() << QStringLiteral("  layers: %1 distinct, %2 read, %3 uses shared\n")
                     .arg(cs.value(QLatin1String("layers_total")).toInt())
                     .arg(cs.value(QLatin1String("layers_read")).toInt())
                     .arg(cs.value(QLatin1String("layers_shared")).toInt());

        // The carves' own question: stop at a whiteout (no search for the copies it hides), in a fresh cache.
        clearStats();
        const Run visible = runCli(
            huntArgs + QStringList { QStringLiteral("--visible-only") }, tmp.filePath(QStringLiteral("idx-visible")));
        const QJsonObject vs = lastJson(visible.out);
        const BlobStats visibleBlobs = blobStats();
        out() << QStringLiteral("hunt, cold, --visible-only            %1  %2  %3  %4\n")
                     .arg(secs(visible.ms), 8)
                     .arg(mb(qint64(vs.value(QLatin1String("bytes_downloaded")).toDouble())), 10)
                     .arg(visibleBlobs.requests, 9)
                     .arg(vs.value(QLatin1String("requests")).toInt(), 8);
        out() << QStringLiteral("  speed-up %1x (target >= 5x: %2); bytes %3 vs the carves' %4 (target <=: %5); "
                                "the default hunt's %6 more are lower layers read for the copies whiteouts hide\n")
                     .arg(double(loopMs) / double(qMax<qint64>(1, visible.ms)), 0, 'f', 1)
                     .arg(loopMs >= 5 * visible.ms ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                     .arg(mb(visibleBlobs.bytes), mb(loopBlobs.perDistinctMax))
                     .arg(visibleBlobs.bytes <= loopBlobs.perDistinctMax ? QStringLiteral("MET")
                                                                         : QStringLiteral("MISSED"))
                     .arg(mb(coldBlobs.bytes - visibleBlobs.bytes));

        // A glob needs whole layers, which leaves every layer's index; then both hunts again, warm.
        clearStats();
        const QStringList globArgs = huntArgs + QStringList { QStringLiteral("--hunt"), QStringLiteral("**/.env") };
        const Run glob = runCli(globArgs, idx);
        const QJsonObject gs = lastJson(glob.out);
        const BlobStats globBlobs = blobStats();
        out() << QStringLiteral("hunt, cold (+ glob **/.env, whole)  %1  %2  %3  %4\n")
                     .arg(secs(glob.ms), 8)
                     .arg(mb(qint64(gs.value(QLatin1String("bytes_downloaded")).toDouble())), 10)
                     .arg(globBlobs.requests, 9)
                     .arg(gs.value(QLatin1String("requests")).toInt(), 8);
        for (const QStringList &a : { globArgs, huntArgs }) {
            clearStats();
            QList<qint64> walls;
            QJsonObject ws;
            for (int k = 0; k < 3; ++k) {
                const Run warm = runCli(a, idx);
                walls << warm.ms;
                ws = lastJson(warm.out);
            }
            const BlobStats warmBlobs = blobStats();
            const int rounds = (int(fleet.size()) + 3) / 4 + 2;
            out() << QStringLiteral("hunt, warm %1  %2  %3  %4  %5   (median of 3; blob GETs must be 0: %6; "
                                    "floor %7 round trips = %8)\n")
                         .arg(a.size() > huntArgs.size() ? QStringLiteral("(exact + glob)          ")
                                                         : QStringLiteral("(exact)                 "))
                         .arg(secs(llbench::median(walls)), 8)
                         .arg(mb(qint64(ws.value(QLatin1String("bytes_downloaded")).toDouble())), 10)
                         .arg(warmBlobs.requests, 9)
                         .arg(ws.value(QLatin1String("requests")).toInt(), 8)
                         .arg(warmBlobs.requests == 0 ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                         .arg(rounds)
                         .arg(secs(qint64(rounds) * latencyMs));
        }

        // The floor: the same manifest GETs, 4 at a time, by curl through the same proxy.
        QStringList curlArgs { QStringLiteral("-s"), QStringLiteral("--parallel"), QStringLiteral("--parallel-max"),
            QStringLiteral("4"), QStringLiteral("-H"),
            QStringLiteral("Accept: application/vnd.docker.distribution.manifest.v2+json, "
                           "application/vnd.oci.image.manifest.v1+json") };
        for (const QString &ref : fleet) {
            const qsizetype slash = ref.indexOf(QLatin1Char('/'));
            const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
            curlArgs << QStringLiteral("-o") << QStringLiteral("/dev/null")
                     << QStringLiteral("http://%1/v2/%2/manifests/%3")
                            .arg(ref.left(slash), ref.mid(slash + 1, colon - slash - 1), ref.mid(colon + 1));
        }
        QList<qint64> curlWalls;
        for (int k = 0; k < 3; ++k) {
            QProcess p;
            QElapsedTimer t;
            t.start();
            p.start(QStringLiteral("curl"), curlArgs);
            p.waitForFinished(-1);
            curlWalls << t.elapsed();
        }
        out() << QStringLiteral("curl, the %1 manifest GETs, 4 at a time  %2                                   "
                                "(median of 3: this proxy's floor for a warm hunt)\n")
                     .arg(fleet.size())
                     .arg(secs(llbench::median(curlWalls)), 8);
        setLatency(0);
        out().flush();
    }

    if (searchEntries > 0) {
        const QString dir = tmp.filePath(QStringLiteral("search"));
        QString tsv = tmp.filePath(QStringLiteral("entries.tsv"));
        out() << "\n== --search over " << searchEntries << " cached entries\n";
        out().flush();
        const int layers = makeSearchCache(dir, searchEntries, &tsv);
        if (layers < 0)
            return 1;
        double wall = 0;
        qint64 rss = 0;
        QByteArray text;
        const QStringList searchArgs
            = { QStringLiteral("--json"), QStringLiteral("--search"), QStringLiteral("**/*shadow*") };
        timed(g_cli, searchArgs, dir, &wall, &rss, &text);
        const QJsonObject first = lastJson(text);
        out() << QStringLiteral(
            "layerslayer-cli --search '**/*shadow*', first (names made from %1 indexes)  %2 s  %3 MiB  %4 hits\n")
                     .arg(layers)
                     .arg(wall, 0, 'f', 2)
                     .arg(rss / 1024)
                     .arg(first.value(QLatin1String("hits")).toInt());
        QList<qint64> walls, rsses;
        for (int k = 0; k < 5; ++k) {
            timed(g_cli, searchArgs, dir, &wall, &rss, &text);
            walls << qint64(wall * 1000);
            rsses << rss;
        }
        const QJsonObject warm = lastJson(text);
        const qint64 w = llbench::median(walls);
        const qint64 r = *std::max_element(rsses.begin(), rsses.end());
        out() << QStringLiteral("layerslayer-cli --search '**/*shadow*' (median of 5)               %1 s  %2 MiB  %3 "
                                "entries  (target <= 1 s: %4, RSS <= 64 MiB: %5)\n")
                     .arg(double(w) / 1000.0, 0, 'f', 2)
                     .arg(r / 1024)
                     .arg(warm.value(QLatin1String("entries")).toDouble(), 0, 'f', 0)
                     .arg(w <= 1000 ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                     .arg(r <= 64 * 1024 ? QStringLiteral("MET") : QStringLiteral("MISSED"));
        for (const QString &p :
            { QStringLiteral("etc/shadow"), QStringLiteral("**/file4242.py"), QStringLiteral("*/*") }) {
            QList<qint64> pw;
            qint64 prss = 0;
            for (int k = 0; k < 3; ++k) {
                timed(g_cli, { QStringLiteral("--json"), QStringLiteral("--search"), p }, dir, &wall, &rss, &text);
                pw << qint64(wall * 1000);
                prss = qMax(prss, rss);
            }
            const qint64 m = llbench::median(pw);
            out() << QStringLiteral(
                "layerslayer-cli --search '%1' (median of 3)%2%3 s  %4 MiB  %5 hits  (<= 1 s: %6)\n")
                         .arg(p)
                         .arg(QString(qMax(1, 35 - int(p.size())), QLatin1Char(' ')))
                         .arg(double(m) / 1000.0, 0, 'f', 2)
                         .arg(prss / 1024)
                         .arg(lastJson(text).value(QLatin1String("hits")).toInt())
                         .arg(m <= 1000 ? QStringLiteral("MET") : QStringLiteral("MISSED"));
        }

        // The original tool's fslog: sqlite, LIKE '%shadow%' over the same paths.
        const QString db = tmp.filePath(QStringLiteral("fslog.db"));
        if (llbench::timeShell(QStringLiteral("sqlite3 %1 'create table files(layer int, path text)' '.mode tabs' "
                                              "'.import %2 files'")
                                   .arg(db, tsv))
            >= 0) {
            timed(QStringLiteral("sqlite3"),
                { db, QStringLiteral("select count(*) from files where path like '%shadow%'") }, QStringLiteral("off"),
                &wall, &rss, &text);
            QList<qint64> sw;
            for (int k = 0; k < 5; ++k) {
                timed(QStringLiteral("sqlite3"),
                    { db, QStringLiteral("select count(*) from files where path like '%shadow%'") },
                    QStringLiteral("off"), &wall, &rss, &text);
                sw << qint64(wall * 1000);
            }
            out() << QStringLiteral(
                "sqlite3 LIKE '%shadow%' (the original's fslog; median of 5)        %1 s  %2 MiB  %3 "
                "hits\n")
                         .arg(double(llbench::median(sw)) / 1000.0, 0, 'f', 2)
                         .arg(rss / 1024)
                         .arg(QString::fromUtf8(text.trimmed()));
        }
    }
    out().flush();
    return 0;
}
