// bench_carve: carve one file out of an image from a running registry and compare what was downloaded with
// the physical bound (the compressed bytes that had to be read), next to `curl | gzip -dc` of the whole blob.
//
//   bench_carve REGISTRY/REPO:TAG PATH [--latency-ms N [--rate-mbit M] --proxy HOST:PORT] [--chunk-size KB]
//               [--runs N] [--save] [--follow] [--no-curl] [--no-carve] [--second-look]
//
// --latency-ms asks the harness's fault proxy (tests/support/harness.py; its address from state.json "proxy")
// to delay every request by N ms and sends all requests through it; it then also times a first look as a user
// makes it (manifest + carve, fresh connections) next to the wire's limit: one `curl` fetching the manifest and
// exactly the physical bound's bytes of the blob on one connection, with the bytes the proxy sent for each.
// --rate-mbit M also limits the proxy's answers to M Mbit/s, as a real link does (on loopback the bytes a client
// leaves unread when it closes a request fill socket buffers of several MB, counted as sent by the proxy).
// The first look is timed both ways: one open request read as the allowance grows (the default) and one bounded
// Range request per window (--bounded-reads); the worst run's bytes at the proxy are shown for each. --save
// also saves the found layer (SaveLayerJob) and times `curl -o` of the same blob. --second-look then lists every layer
// once into a temporary layer index (as a first look with --peek-all or the GUI does), prints what each index keeps for
// random access (gzip checkpoints or zstd frame starts, and their share of the tar) and carves again from it
// (bench/push-zstd-image.py pushes a multi-frame zstd image for it). The anonymous harness registry needs no token.
#include "common/HumanSize.h"
#include "extract/CarveJob.h"
#include "extract/SaveLayerJob.h"
#include "index/IndexStore.h"
#include "index/LayerIndex.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"
#include "stream/LayerScanJob.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

#include "BenchUtil.h"

using namespace ll;
using namespace llbench;

namespace {

/** The proxy's counters: body bytes sent and requests since the last clear. */
QPair<qint64, qint64> proxyStats(QNetworkAccessManager &nam, const QString &proxy)
{
    // The proxy records a request the client closed early once a write fails, a moment after the close.
    QEventLoop settle;
    QTimer::singleShot(400, &settle, &QEventLoop::quit);
    settle.exec();
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://%1/__stats").arg(proxy))));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return { o.value(QStringLiteral("bytes")).toInteger(), o.value(QStringLiteral("requests")).toInteger() };
}

double medianOf(QList<double> v)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(v.size() / 2);
}

QString mb(qint64 bytes)
{
    return QString::number(bytes / 1048576.0, 'f', 2) + QStringLiteral(" MiB");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    int latencyMs = 0;
    qint64 rateBytes = 0; // --rate-mbit: the proxy sends at most this many bytes/s
    QString proxy;
    qint64 chunkKb = 64;
    int runs = 1;
    bool save = false;
    bool follow = false;
    bool curl = true;
    bool doCarve = true;
    bool secondLook = false;
    QStringList positional;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args.at(i);
        auto value = [&]() { return i + 1 < args.size() ? args.at(++i) : QString(); };
        if (a == QLatin1String("--latency-ms"))
            latencyMs = value().toInt();
        else if (a == QLatin1String("--rate-mbit"))
            rateBytes = qint64(value().toDouble() * 1e6 / 8);
        else if (a == QLatin1String("--proxy"))
            proxy = value();
        else if (a == QLatin1String("--chunk-size"))
            chunkKb = value().toLongLong();
        else if (a == QLatin1String("--runs"))
            runs = qMax(1, value().toInt());
        else if (a == QLatin1String("--save"))
            save = true;
        else if (a == QLatin1String("--follow"))
            follow = true;
        else if (a == QLatin1String("--no-curl"))
            curl = false;
        else if (a == QLatin1String("--no-carve"))
            doCarve = false;
        else if (a == QLatin1String("--second-look"))
            secondLook = true;
        else if (a == QLatin1String("--open"))
            ; // the default now; kept so that older command lines still run
        else
            positional << a;
    }
    if (positional.size() != 2 || (latencyMs > 0 && proxy.isEmpty())) {
        std::fprintf(stderr,
            "usage: bench_carve REGISTRY/REPO:TAG PATH [--latency-ms N [--rate-mbit M] --proxy HOST:PORT] "
            "[--chunk-size KB]"
            " [--runs N] [--save] [--follow] [--no-curl] [--no-carve] [--second-look]\n");
        return 2;
    }
    Result<registry::ImageReference> ref = registry::ImageReference::parse(positional.at(0));
    if (!ref) {
        std::fprintf(stderr, "%s\n", qPrintable(ref.error().toString()));
        return 2;
    }

    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    registry::RegistryClient client(&nam, &credentials);
    if (!proxy.isEmpty() && !proxyLatency(nam, proxy, latencyMs, rateBytes))
        return 1;

    registry::ImageResolveJob resolve(&client, *ref);
    runToEnd(resolve);
    if (resolve.state() != Job::State::Succeeded) {
        std::fprintf(stderr, "resolve: %s\n", qPrintable(resolve.error().toString()));
        return 1;
    }
    oci::Image image = resolve.image();
    if (!proxy.isEmpty())
        image.registry = proxy; // blobs through the (slow) proxy

    out() << "image     " << ref->toString() << "  (" << image.manifest.layers.size() << " layers, "
          << mb(image.totalLayerSize()) << " compressed)\n";
    out() << "via       " << image.registry
          << (latencyMs > 0 ? QStringLiteral("  (+%1 ms per request)").arg(latencyMs) : QString())
          << (rateBytes > 0 ? QStringLiteral("  (%1 Mbit/s)").arg(double(rateBytes) * 8 / 1e6) : QString()) << "\n";
    out() << "path      " << positional.at(1) << "   first chunk " << chunkKb << " KiB\n";
    out().flush();

    // One carve of the path out of img; false (and a message) when it fails.
    auto carveOnce = [&](const oci::Image &img, extract::CarveResult *result,
                         const index::IndexStore &store = index::IndexStore()) {
        QTemporaryDir dir;
        extract::CarveOptions o;
        o.outputDir = dir.path();
        o.firstChunk = chunkKb * 1024;
        o.follow = follow;
        extract::CarveJob job(&client, img, positional.at(1), o);
        job.setIndexStore(store);
        runToEnd(job);
        if (job.state() != Job::State::Succeeded) {
            std::fprintf(stderr, "carve: %s\n", qPrintable(job.error().toString()));
            return false;
        }
        *result = job.result();
        return true;
    };

    extract::CarveResult last;
    QList<double> elapsedMain;
    for (int run = 0; doCarve && run < runs; ++run) {
        extract::CarveResult r;
        if (!carveOnce(image, &r))
            return 1;
        last = r;
        elapsedMain << r.elapsedMs / 1000.0;
        const qint64 target = qint64(1.25 * double(r.physicalBound)) + chunkKb * 1024;
        out() << "\nrun " << run + 1 << ": " << extract::CarveResult::statusName(r.status) << " in layer "
              << r.layerIndex << " (" << mb(r.layerSize) << "), file " << r.size << " bytes\n";
        out() << "  bytes downloaded   " << r.bytesDownloaded << "  (" << mb(r.bytesDownloaded) << ")\n";
        out() << "  bytes requested    " << r.bytesRequested << "\n";
        out() << "  physical bound     " << r.physicalBound << "  (" << mb(r.physicalBound) << ")\n";
        out() << "  ratio              "
              << QString::number(double(r.bytesDownloaded) / qMax<qint64>(1, r.physicalBound), 'f', 3)
              << "  (downloaded / bound)\n";
        out() << "  target             " << target << "  (1.25 x bound + " << chunkKb
              << " KiB): " << (r.bytesDownloaded <= target ? "OK" : "EXCEEDED") << "\n";
        out() << "  requests           " << r.requests << "  (layer passes " << r.layersRead << ")\n";
        out() << "  elapsed            " << QString::number(r.elapsedMs / 1000.0, 'f', 3) << " s\n";
        out().flush();
    }
    out() << "peak RSS  " << peakRssKiB() / 1024 << " MiB\n";

    if (doCarve && secondLook) {
        QTemporaryDir indexDir;
        const index::IndexStore store(indexDir.path());
        QElapsedTimer listing;
        listing.start();
        for (int i = 0; i < image.manifest.layers.size(); ++i) {
            stream::LayerScanJob scan(&client, stream::LayerSource::fromImage(image, i));
            scan.setIndexStore(store);
            runToEnd(scan);
            if (scan.state() != Job::State::Succeeded) {
                std::fprintf(stderr, "listing layer %d: %s\n", i, qPrintable(scan.error().toString()));
                return 1;
            }
        }
        out() << "\n== second look: every layer listed once (" << QString::number(listing.elapsed() / 1000.0, 'f', 3)
              << " s), its index kept; the same carve again ==\n";
        for (int i = 0; i < image.manifest.layers.size(); ++i) {
            // Random access per layer: what its index keeps (gzip checkpoints or zstd frame starts) and its cost.
            const std::optional<index::LayerIndex> kept = store.load(image.manifest.layers.at(i).digest);
            if (!kept)
                continue;
            const bool zstd = !kept->frames.isEmpty();
            const qint64 tar = zstd ? kept->frames.uncompressedSize : kept->checkpoints.uncompressedSize;
            const qint64 bytes = zstd ? kept->frames.storageSize() : kept->checkpoints.storageSize();
            out() << "layer " << i << " index: " << kept->compression << ", "
                  << (zstd ? kept->frames.points.size() : kept->checkpoints.points.size())
                  << (zstd ? " zstd frame checkpoints, " : " gzip checkpoints, ");
            if (!zstd)
                out() << kept->checkpoints.pieces.size() << " pieces, ";
            out() << bytes << " bytes";
            if (tar > 0)
                out() << " for " << tar << " bytes of tar ("
                      << QString::number(100.0 * double(bytes) / double(tar), 'f', 3)
                      << " %; target <= 1 %: " << (bytes * 100 <= tar ? "MET" : "MISSED") << ")";
            out() << "\n";
        }
        QList<double> elapsedIndexed;
        QList<double> elapsedCurl;
        extract::CarveResult second;
        for (int run = 0; run < runs; ++run) {
            // A fresh client (a new connection), as a user's second look in a new process makes it.
            QNetworkAccessManager freshNam;
            registry::RegistryClient fresh(&freshNam, &credentials);
            QTemporaryDir dir;
            extract::CarveOptions o;
            o.outputDir = dir.path();
            o.follow = follow;
            extract::CarveJob job(&fresh, image, positional.at(1), o);
            job.setIndexStore(store);
            runToEnd(job);
            if (job.state() != Job::State::Succeeded) {
                std::fprintf(stderr, "carve: %s\n", qPrintable(job.error().toString()));
                return 1;
            }
            second = job.result();
            elapsedIndexed << second.elapsedMs / 1000.0;
            out() << "run " << run + 1 << ": downloaded " << second.bytesDownloaded << " in " << second.requests
                  << " request(s), from checkpoints " << (second.randomAccess ? "yes" : "no") << ", pieces verified "
                  << second.piecesVerified << ", elapsed " << QString::number(second.elapsedMs / 1000.0, 'f', 3)
                  << " s\n";
            // The reference: one curl fetching a range of the same size on a fresh connection, same proxy.
            const oci::Descriptor &blob = image.manifest.layers.at(qMax(0, second.layerIndex));
            elapsedCurl << timeShell(QStringLiteral("curl -sf -o /dev/null -r 0-%1 'http://%2/v2/%3/blobs/%4'")
                                         .arg(qMax<qint64>(0, second.bytesDownloaded - 1))
                                         .arg(image.registry, image.repository, blob.digest))
                    / 1000.0;
        }
        const double ours = medianOf(elapsedIndexed);
        const double curlRange = medianOf(elapsedCurl);
        const qint64 target = 1500000 + qint64(0.35 * double(second.size));
        out() << "median    first look " << QString::number(medianOf(elapsedMain), 'f', 3) << " s (" << last.requests
              << " requests), second look " << QString::number(ours, 'f', 3) << " s, curl of " << second.bytesDownloaded
              << " bytes " << QString::number(curlRange, 'f', 3) << " s\n";
        out() << "target    bytes <= 1.5 MB + 0.35 x " << second.size << " = " << target << ": "
              << (second.bytesDownloaded <= target ? "MET" : "MISSED")
              << "; 1 request: " << (second.requests == 1 ? "MET" : "MISSED")
              << "; time <= 1.3 x curl: " << (ours <= 1.3 * curlRange ? "MET" : "MISSED") << " ("
              << QString::number(ours / qMax(1e-9, curlRange), 'f', 2) << " x)\n";
        out().flush();
    }

    if (doCarve && !proxy.isEmpty() && latencyMs > 0) {
        // A first look as a user makes it: a fresh client (new connections), the manifest through the slow proxy,
        // then the carve; next to the wire's limit: one curl, one connection, the manifest and then exactly the
        // physical bound's bytes of the layer.
        Result<registry::ImageReference> viaProxy = registry::ImageReference::parse(
            proxy + QLatin1Char('/') + ref->repository() + QLatin1Char(':') + ref->tag());
        if (!viaProxy) {
            std::fprintf(stderr, "%s\n", qPrintable(viaProxy.error().toString()));
            return 1;
        }
        auto firstLook = [&](bool overlap, double *seconds, qint64 *proxyBytes, qint64 *proxyRequests,
                             extract::CarveResult *result) {
            QNetworkAccessManager freshNam;
            registry::RegistryClient fresh(&freshNam, &credentials);
            proxyLatency(nam, proxy, latencyMs, rateBytes); // clears the proxy's counters
            QElapsedTimer t;
            t.start();
            registry::ImageResolveJob resolveJob(&fresh, *viaProxy);
            resolveJob.setFetchConfig(false);
            runToEnd(resolveJob);
            if (resolveJob.state() != Job::State::Succeeded) {
                std::fprintf(stderr, "resolve: %s\n", qPrintable(resolveJob.error().toString()));
                return false;
            }
            QTemporaryDir dir;
            extract::CarveOptions o;
            o.outputDir = dir.path();
            o.firstChunk = chunkKb * 1024;
            o.follow = follow;
            o.overlap = overlap;
            extract::CarveJob job(&fresh, resolveJob.image(), positional.at(1), o);
            runToEnd(job);
            *seconds = t.elapsed() / 1000.0;
            if (job.state() != Job::State::Succeeded) {
                std::fprintf(stderr, "carve: %s\n", qPrintable(job.error().toString()));
                return false;
            }
            *result = job.result();
            const QPair<qint64, qint64> st = proxyStats(nam, proxy);
            *proxyBytes = st.first;
            *proxyRequests = st.second;
            return true;
        };
        struct Row {
            QList<double> seconds;
            qint64 bytes = 0;
            qint64 proxyBytes = 0; // the last run's
            qint64 proxyBytesMax = 0; // over the runs: what the sockets' buffers took beyond the stop, at worst
            qint64 proxyRequests = 0;
            int requests = 0;
            qint64 bound = 0;
        };
        Row bounded; // --bounded-reads: one bounded Range request per window
        Row open; // the default: one open request read as the allowance grows
        QList<double> wire;
        qint64 wireBytes = 0;
        qint64 wireRequests = 0;
        for (int run = 0; run < runs; ++run) {
            extract::CarveResult r;
            double sec = 0;
            if (!firstLook(true, &sec, &open.proxyBytes, &open.proxyRequests, &r))
                return 1;
            open.seconds << sec;
            open.bytes = r.bytesDownloaded;
            open.requests = r.requests;
            open.bound = r.physicalBound;
            open.proxyBytesMax = qMax(open.proxyBytesMax, open.proxyBytes);
            if (!firstLook(false, &sec, &bounded.proxyBytes, &bounded.proxyRequests, &r))
                return 1;
            bounded.proxyBytesMax = qMax(bounded.proxyBytesMax, bounded.proxyBytes);
            bounded.seconds << sec;
            bounded.bytes = r.bytesDownloaded;
            bounded.requests = r.requests;
            bounded.bound = r.physicalBound;
            const oci::Descriptor &found = image.manifest.layers.at(qMax(0, r.layerIndex));
            const QString manifestUrl
                = QStringLiteral("http://%1/v2/%2/manifests/%3").arg(proxy, ref->repository(), ref->tag());
            const QString blobUrl
                = QStringLiteral("http://%1/v2/%2/blobs/%3").arg(proxy, ref->repository(), found.digest);
            proxyLatency(nam, proxy, latencyMs, rateBytes);
            const qint64 ms = timeShell(
                QStringLiteral("curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json, "
                               "application/vnd.docker.distribution.manifest.v2+json' '%1' --next -sf -o /dev/null "
                               "-r 0-%2 '%3'")
                    .arg(manifestUrl)
                    .arg(qMax<qint64>(0, r.physicalBound - 1))
                    .arg(blobUrl));
            const QPair<qint64, qint64> st = proxyStats(nam, proxy);
            wireBytes = st.first;
            wireRequests = st.second;
            wire << ms / 1000.0;
        }
        auto s3 = [](double v) -> QString { return QString::number(v, 'f', 3) + QStringLiteral(" s"); };
        {
            const double wireMedian = medianOf(wire);
            const qint64 bytesTarget = qint64(1.25 * double(bounded.bound)) + chunkKb * 1024;
            out() << "\n== first look at +" << latencyMs << " ms: manifest + carve on fresh connections (median of "
                  << runs << ") ==\n";
            auto row = [&](const char *name, const Row &x) {
                out() << name << s3(medianOf(x.seconds)) << "  " << x.requests << " blob requests, " << x.proxyRequests
                      << " in all; downloaded " << x.bytes << " (proxy sent " << x.proxyBytes << ", at most "
                      << x.proxyBytesMax << " in " << runs << " runs), bound " << x.bound << "\n";
            };
            row("open request (default) ", open);
            row("bounded windows         ", bounded);
            out() << "wire limit (curl)       " << s3(wireMedian) << "  " << wireRequests
                  << " requests on one connection; proxy sent " << wireBytes << "\n";
            auto judge = [&](const char *name, const Row &x) {
                out() << "target    " << name
                      << ": time <= 1.3 x wire limit: " << (medianOf(x.seconds) <= 1.3 * wireMedian ? "MET" : "MISSED")
                      << " (" << QString::number(medianOf(x.seconds) / qMax(1e-9, wireMedian), 'f', 2)
                      << " x); bytes <= 1.25 x bound + " << chunkKb << " KiB = " << bytesTarget << ": "
                      << (x.bytes <= bytesTarget ? "MET" : "MISSED")
                      << " (proxy sent, worst run: " << (x.proxyBytesMax <= bytesTarget ? "MET" : "MISSED") << ")\n";
            };
            judge("default (open request)", open);
            judge("--bounded-reads       ", bounded);
            out().flush();
        }

        // The fault proxy (Python) costs something per request by itself: time the same carve through it
        // without the delay, and straight from the registry, so the delay's own share is visible.
        QList<double> elapsedDirect;
        QList<double> elapsedProxy0;
        oci::Image direct = image;
        direct.registry = ref->registry();
        proxyLatency(nam, proxy, 0);
        for (int run = 0; run < runs; ++run) {
            extract::CarveResult r;
            if (!carveOnce(direct, &r))
                return 1;
            elapsedDirect << r.elapsedMs / 1000.0;
            if (!carveOnce(image, &r))
                return 1;
            elapsedProxy0 << r.elapsedMs / 1000.0;
        }
        const double d = medianOf(elapsedDirect);
        const double p0 = medianOf(elapsedProxy0);
        const double pl = medianOf(elapsedMain);
        const double estimate = d + qMax(0.0, pl - p0);
        out() << "\n== " << latencyMs << " ms RTT estimate (median of " << runs << ", " << last.requests
              << " requests) ==\n";
        out() << "direct registry              " << s3(d) << "\n";
        out() << "via proxy, +0 ms             " << s3(p0) << "   (the proxy's own cost per request: "
              << QString::number((p0 - d) * 1000.0 / qMax(1, last.requests), 'f', 1) << " ms)\n";
        out() << "via proxy, +" << latencyMs << " ms            " << s3(pl) << "\n";
        out() << "on a real " << latencyMs << " ms link ~ direct + (proxy+" << latencyMs
              << " - proxy+0) = " << s3(estimate) << "   floor " << last.requests << " x " << latencyMs
              << " ms = " << s3(last.requests * latencyMs / 1000.0) << "\n";
        out() << "target    under 1 s: " << (estimate < 1.0 ? "MET" : "MISSED")
              << " (through the proxy: " << (pl < 1.0 ? "MET" : "MISSED") << ")\n";
        out().flush();
    }

    const int layer = last.layerIndex >= 0 ? last.layerIndex : int(image.manifest.layers.size()) - 1;
    const oci::Descriptor &blob = image.manifest.layers.at(layer);
    const QString url = QStringLiteral("http://%1/v2/%2/blobs/%3").arg(image.registry, image.repository, blob.digest);
    if (curl) {
        const QString decompress = blob.mediaType.contains(QLatin1String("zstd")) ? QStringLiteral("zstd -dc")
            : blob.mediaType.endsWith(QLatin1String(".tar"))                      ? QStringLiteral("cat")
                                                                                  : QStringLiteral("gzip -dc");
        const double t = timeShell(QStringLiteral("curl -sf '%1' | %2 > /dev/null").arg(url, decompress)) / 1000.0;
        out() << "\nreference: curl -s URL | " << decompress << " > /dev/null  (whole layer " << layer << ", "
              << mb(blob.size) << "): " << QString::number(t, 'f', 3) << " s";
        if (t > 0)
            out() << "  (" << QString::number(blob.size / 1048576.0 / t, 'f', 1) << " MiB/s compressed)";
        out() << "\n";
    }
    if (save) {
        // Alternate ours and curl's to share whatever else the machine is doing; best of each.
        double bestOurs = 1e9;
        double bestCurl = 1e9;
        for (int run = 0; run < runs; ++run) {
            QTemporaryDir dir;
            QElapsedTimer t;
            t.start();
            extract::SaveLayerJob job(&client, image, { layer }, dir.path());
            runToEnd(job);
            const double ours = t.elapsed() / 1000.0;
            if (job.state() != Job::State::Succeeded) {
                std::fprintf(stderr, "save: %s\n", qPrintable(job.error().toString()));
                return 1;
            }
            const double theirs
                = timeShell(QStringLiteral("curl -sf '%1' -o '%2/curl.blob'").arg(url, dir.path())) / 1000.0;
            bestOurs = qMin(bestOurs, ours);
            bestCurl = qMin(bestCurl, theirs);
            out() << "save layer " << layer << " run " << run + 1 << ": " << QString::number(ours, 'f', 3) << " s ("
                  << QString::number(blob.size / 1048576.0 / ours, 'f', 1)
                  << " MiB/s, sha256 verified); curl -o: " << QString::number(theirs, 'f', 3) << " s ("
                  << QString::number(blob.size / 1048576.0 / theirs, 'f', 1) << " MiB/s)\n";
            out().flush();
        }
        out() << "save best: " << QString::number(bestOurs, 'f', 3) << " s vs curl "
              << QString::number(bestCurl, 'f', 3) << " s: throughput " << QString::number(bestCurl / bestOurs, 'f', 2)
              << " x curl (target >= 0.90)\n";
    }
    if (!proxy.isEmpty() && latencyMs > 0)
        proxyLatency(nam, proxy, 0);
    return 0;
}
