// Full pass over one layer (peek / deep carve): LayerScanJob (network on the main thread, digest + inflate +
// tar on the worker) vs `curl | gzip -dc` and `curl | igzip -dc` on the same blob, side by side.
//
//   bench_peek --blob http://127.0.0.1:5000/v2/lab/big/blobs/sha256:...   [--runs 3] [--no-reference]
//   bench_peek --image 127.0.0.1:5000/lab/big:1.0 --layer 0
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
