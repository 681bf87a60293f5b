// Full pass over one layer (peek / deep carve): LayerScanJob (network on the main thread, digest + inflate +
// tar on the worker) vs `curl | gzip -dc` and `curl | igzip -dc` on the same blob, side by side.
//
//   bench_peek --blob http://127.0.0.1:5000/v2/lab/big/blobs/sha256:...   [--runs 3] [--no-reference]
//   bench_peek --image 127.0.0.1:5000/lab/big:1.0 --layer 0
//   bench_peek --image 127.0.0.1:5000/bench/wide:76705 --cli build/app/layerslayer-cli --runs 10
//
// --cli: each run is a whole process, timed by /usr/bin/time: `layerslayer-cli --peek-all` and `--bulk-peek`
// (no layer index: every run streams the layer) next to `curl | gzip -dc | tar -t`, each run's peak RSS
// (ru_maxrss of the process, or of the largest process of the pipeline) and the maximum over the runs.
//
// Prints compressed and uncompressed MB/s, entries, elapsed and peak RSS (getrusage ru_maxrss, which covers
// this process only: the curl/gzip references run in children). Targets (issue 3): no slower than
// curl | gzip -dc; peak RSS <= 64 MiB.
#include "common/Job.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"
#include "stream/LayerScanJob.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

#include "BenchUtil.h"

using namespace ll;
using namespace llbench;

namespace {

struct ProcessRun {
    qint64 ms = -1;
    qint64 maxRssKiB = -1;
    int exitCode = -1;
};

/** One run of a shell command under /usr/bin/time: wall time and peak RSS (KiB) of the largest process. */
ProcessRun timedRun(const QString &command)
{
    QTemporaryDir dir;
    const QString report = dir.filePath(QStringLiteral("time.txt"));
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer t;
    t.start();
    p.start(QStringLiteral("/usr/bin/time"),
        { QStringLiteral("-f"), QStringLiteral("%M"), QStringLiteral("-o"), report, QStringLiteral("sh"),
            QStringLiteral("-c"), command });
    p.waitForFinished(-1);
    ProcessRun r;
    r.ms = t.elapsed();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    QFile f(report);
    if (f.open(QIODevice::ReadOnly))
        r.maxRssKiB = f.readAll().trimmed().split('\n').last().toLongLong();
    return r;
}

int cliRuns(const QString &cli, const QString &image, const QString &url, int runs, bool reference)
{
    if (image.isEmpty()) {
        std::fprintf(stderr, "--cli needs --image\n");
        return 2;
    }
    struct Side {
        QString name;
        QString command;
        QList<qint64> rss, ms;
    };
    // LL_INDEX_DIR=off: no layer index is used or kept, so every run streams the layer.
    QList<Side> sides {
        { QStringLiteral("layerslayer-cli --peek-all"),
            QStringLiteral("LL_INDEX_DIR=off '%1' -q -t '%2' --peek-all > /dev/null").arg(cli, image), {}, {} },
        { QStringLiteral("layerslayer-cli --bulk-peek"),
            QStringLiteral("LL_INDEX_DIR=off '%1' -q -t '%2' --bulk-peek > /dev/null").arg(cli, image), {}, {} },
    };
    if (reference)
        sides << Side { QStringLiteral("curl | gzip -dc | tar -t"),
            QStringLiteral("curl -sf '%1' | gzip -dc | tar -t > /dev/null").arg(url), {}, {} };
    out() << "runs      " << runs << " of each, one process each, interleaved\n";
    for (int r = 0; r < runs; ++r) {
        for (Side &s : sides) {
            const ProcessRun pr = timedRun(s.command);
            if (pr.exitCode != 0) {
                std::fprintf(stderr, "%s: exit %d\n", qPrintable(s.name), pr.exitCode);
                return 1;
            }
            s.rss << pr.maxRssKiB;
            s.ms << pr.ms;
        }
    }
    out() << "\n== bench_peek --cli: peak RSS per run (MiB, /usr/bin/time %M) ==\n";
    for (const Side &s : sides) {
        QStringList each;
        for (qint64 k : s.rss)
            each << QString::number(double(k) / 1024.0, 'f', 1);
        const qint64 maxRss = *std::max_element(s.rss.cbegin(), s.rss.cend());
        out() << QStringLiteral("%1 max %2  median %3 ms  runs: %4\n")
                     .arg(s.name, -30)
                     .arg(QString::number(double(maxRss) / 1024.0, 'f', 1), 6)
                     .arg(median(s.ms), 6)
                     .arg(each.join(QLatin1Char(' ')));
    }
    for (int i = 0; i < 2; ++i) {
        const qint64 maxRss = *std::max_element(sides[i].rss.cbegin(), sides[i].rss.cend());
        const int within = int(std::count_if(
            sides[i].rss.cbegin(), sides[i].rss.cend(), [](qint64 k) { return k <= 64 * 1024; }));
        out() << QStringLiteral("target    %1 peak RSS <= 64 MiB in every run: %2 (%3 of %4, max %5 MiB)\n")
                     .arg(sides[i].name)
                     .arg(within == runs ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                     .arg(within)
                     .arg(runs)
                     .arg(double(maxRss) / 1024.0, 0, 'f', 1);
    }
    out().flush();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Full-pass layer scan vs curl | gzip -dc"));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("blob"), QStringLiteral("Blob URL http://host:port/v2/<repo>/blobs/<digest>."),
        QStringLiteral("url") });
    parser.addOption(
        { QStringLiteral("image"), QStringLiteral("Image reference (with --layer)."), QStringLiteral("ref") });
    parser.addOption({ QStringLiteral("layer"), QStringLiteral("Layer index (default 0)."), QStringLiteral("n"),
        QStringLiteral("0") });
    parser.addOption({ QStringLiteral("runs"), QStringLiteral("Runs of each side (default 3)."), QStringLiteral("n"),
        QStringLiteral("3") });
    parser.addOption({ QStringLiteral("no-reference"), QStringLiteral("Skip the curl | gzip references.") });
    parser.addOption({ QStringLiteral("cli"),
        QStringLiteral("layerslayer-cli to run --peek-all and --bulk-peek with, each run its own process under "
                       "/usr/bin/time (peak RSS per run)."),
        QStringLiteral("path") });
    parser.process(app);
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());

    QNetworkAccessManager nam;
    QTemporaryDir configDir; // no credentials: anonymous registries only
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    credentials.setDockerConfigDir(configDir.path());
    credentials.setAuthJsonPath(configDir.filePath(QStringLiteral("none.json")));
    registry::RegistryClient client(&nam, &credentials);

    oci::Image image;
    int index = 0;
    if (const int rc = resolveLayerTarget(client, parser, &image, &index); rc != 0)
        return rc;
    const stream::LayerSource source = stream::LayerSource::fromImage(image, index);
    const QString url = client.baseUrl(source.registry).toString()
        + QStringLiteral("/v2/%1/blobs/%2").arg(source.repository, source.layer.digest);

    if (parser.isSet(QStringLiteral("cli")))
        return cliRuns(parser.value(QStringLiteral("cli")), parser.value(QStringLiteral("image")), url, runs,
            !parser.isSet(QStringLiteral("no-reference")));

    const qint64 rssBefore = peakRssKiB();
    out() << "blob      " << url << "\n"
          << "size      " << source.layer.size << " bytes (" << QString::number(source.layer.size / 1e6, 'f', 1)
          << " MB compressed)\n"
          << "baseline  peak RSS " << rssBefore / 1024 << " MiB before the first scan\n";
    out().flush();

    QList<qint64> scanMs;
    qint64 produced = 0;
    int entries = 0;
    for (int r = 0; r < runs; ++r) {
        stream::LayerScanJob job(&client, source);
        int count = 0;
        QObject::connect(&job, &stream::LayerScanJob::entriesReady, &job,
            [&count](const QVector<stream::TarEntry> &batch) { count += batch.size(); });
        QElapsedTimer t;
        t.start();
        runToEnd(job);
        const qint64 ms = t.elapsed();
        if (job.state() != Job::State::Succeeded) {
            std::fprintf(stderr, "scan failed: %s\n", qPrintable(job.error().toString()));
            return 1;
        }
        produced = job.uncompressedProduced();
        entries = count;
        scanMs << ms;
        out() << QStringLiteral("scan run %1: %2 ms, %3 MB/s compressed, %4 MB/s uncompressed, %5 entries, format %6\n")
                     .arg(r + 1)
                     .arg(ms)
                     .arg(mbps(source.layer.size, ms), 0, 'f', 1)
                     .arg(mbps(produced, ms), 0, 'f', 1)
                     .arg(count)
                     .arg(stream::Decompressor::formatName(job.format()));
        out().flush();
    }
    const qint64 rss = peakRssKiB();

    QList<qint64> curlMs, gzipMs, igzipMs;
    const bool reference = !parser.isSet(QStringLiteral("no-reference"));
    const bool haveIgzip = !QStandardPaths::findExecutable(QStringLiteral("igzip")).isEmpty();
    if (reference) {
        for (int r = 0; r < runs; ++r) {
            curlMs << timeShell(QStringLiteral("curl -sf '%1' -o /dev/null").arg(url));
            gzipMs << timeShell(QStringLiteral("curl -sf '%1' | gzip -dc > /dev/null").arg(url));
            if (haveIgzip)
                igzipMs << timeShell(QStringLiteral("curl -sf '%1' | igzip -dc > /dev/null").arg(url));
        }
    }

    const qint64 scan = median(scanMs);
    out() << "\n== bench_peek (median of " << runs << ") ==\n";
    out() << QStringLiteral("%1 %2 %3 %4\n")
                 .arg(QStringLiteral("what"), -34)
                 .arg(QStringLiteral("ms"), 8)
                 .arg(QStringLiteral("MB/s comp"), 10)
                 .arg(QStringLiteral("MB/s out"), 10);
    auto row = [&](const QString &what, qint64 ms) {
        if (ms < 0)
            return;
        out() << QStringLiteral("%1 %2 %3 %4\n")
                     .arg(what, -34)
                     .arg(ms, 8)
                     .arg(mbps(source.layer.size, ms), 10, 'f', 1)
                     .arg(mbps(produced, ms), 10, 'f', 1);
    };
    row(QStringLiteral("LayerScanJob (digest+inflate+tar)"), scan);
    if (reference) {
        row(QStringLiteral("curl -o /dev/null (network only)"), median(curlMs));
        row(QStringLiteral("curl | gzip -dc > /dev/null"), median(gzipMs));
        if (haveIgzip)
            row(QStringLiteral("curl | igzip -dc > /dev/null"), median(igzipMs));
        else
            out() << "curl | igzip -dc: igzip not installed (Debian package isal)\n";
    }
    out() << "entries   " << entries << "\n"
          << "produced  " << produced << " bytes uncompressed\n"
          << "peak RSS  " << rss / 1024 << " MiB (" << rss << " KiB; baseline " << rssBefore / 1024 << " MiB)\n";
    if (reference && median(gzipMs) > 0) {
        out() << QStringLiteral("target    full pass no slower than curl | gzip -dc: %1 (%2x its speed)\n")
                     .arg(scan <= median(gzipMs) ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                     .arg(double(median(gzipMs)) / double(qMax<qint64>(1, scan)), 0, 'f', 2);
        if (haveIgzip && median(igzipMs) > 0)
            out() << QStringLiteral("          vs curl | igzip -dc: %1x its speed\n")
                         .arg(double(median(igzipMs)) / double(qMax<qint64>(1, scan)), 0, 'f', 2);
    }
    out() << QStringLiteral("target    peak RSS <= 64 MiB: %1\n")
                 .arg(rss <= 64 * 1024 ? QStringLiteral("MET") : QStringLiteral("MISSED"));
    out().flush();
    return 0;
}
