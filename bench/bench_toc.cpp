// bench_toc: list a layer that has a table of contents (eStargz, zstd:chunked) from its TOC and by streaming it,
// and, through the harness's fault proxy at +N ms per request, the TOC listing next to one curl fetching the same
// footer + TOC ranges on one connection (what the wire needs at least).
//
//   bench_toc REGISTRY/REPO:TAG [--layer N] [--latency-ms N --proxy HOST:PORT] [--runs N] [--no-stream]
//             [--parse-only N]
//
// --parse-only N: also fetch the footer + TOC bytes once and read them N times in memory, in 64 KiB pieces, as
// the listing does while they download (TocStreamReader: inflate, hash, parse): the CPU a listing costs without
// the network (median wall and CPU time; run it under valgrind --tool=callgrind with N = 1 for a profile).
//
// bench/push-estargz-image.py HOST:PORT pushes bench/estargz:76000 (76,000 files, ~650 MB of tar) to try it on.
// Targets (issue 9): <= 3 requests, bytes <= footer + TOC, at +50 ms within 1.3 x the curl.
#include "common/HumanSize.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"
#include "stream/LayerScanJob.h"
#include "toc/LayerToc.h"
#include "toc/TocParser.h"
#include "toc/TocStreamReader.h"

#include "registry/RegistryCall.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <cstdio>
#include <ctime>
#include <memory>

#include "BenchUtil.h"

using namespace ll;
using namespace llbench;

namespace {

struct Listing {
    bool ok = false;
    QString error;
    int entries = 0;
    int requests = 0;
    qint64 bytes = 0;
    qint64 ms = 0;
    bool fromToc = false;
    std::shared_ptr<const toc::LayerToc> toc;
};

/** One listing of the layer with a fresh client (a new connection, as curl gets). */
Listing listOnce(const oci::Image &image, int layer, bool useToc)
{
    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    registry::RegistryClient client(&nam, &credentials);
    stream::LayerScanJob job(&client, stream::LayerSource::fromImage(image, layer));
    job.setTocEnabled(useToc);
    Listing out;
    QObject::connect(&job, &stream::LayerScanJob::entriesReady, &job,
        [&out](const QVector<stream::TarEntry> &batch) { out.entries += batch.size(); });
    QElapsedTimer t;
    t.start();
    runToEnd(job);
    out.ms = t.elapsed();
    out.ok = job.state() == Job::State::Succeeded;
    out.error = job.error().toString();
    out.fromToc = job.isFromToc();
    out.toc = job.layerToc();
    out.requests = job.isFromToc() ? job.tocRequestCount() : job.tocRequestCount() + job.requestCount();
    out.bytes = job.isFromToc() ? job.tocBytesDownloaded() : job.tocBytesDownloaded() + job.bytesDownloaded();
    return out;
}

/** CPU time of this process (all threads), ms. */
qint64 cpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

/** Reads the TOC bytes (footer + TOC, as fetched) runs times in memory; prints the cost. */
bool parseOnly(registry::RegistryClient &client, const oci::Image &image, int layer, const toc::LayerToc &t, int runs)
{
    const oci::Descriptor &d = image.manifest.layers.at(layer);
    const bool zstd = t.format == toc::LayerToc::Format::ZstdChunked;
    const qint64 footer = zstd ? 0 : toc::TocParser::EStargzFooterSize;
    const qint64 start = d.size - footer - t.tocBytes;
    registry::RegistryRequest r;
    r.registry = image.registry;
    r.repository = image.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(image.repository, d.digest);
    r.rangeStart = start;
    r.rangeEnd = d.size - 1;
    r.maxBodySize = d.size - start;
    registry::RegistryCall *call = client.send(r);
    QEventLoop loop;
    QObject::connect(call, &registry::RegistryCall::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray bytes = call->body();
    const bool failed = call->hasError();
    call->deleteLater();
    if (failed || bytes.size() != d.size - start) {
        std::fprintf(stderr, "parse-only: could not fetch the TOC bytes\n");
        return false;
    }
    Result<toc::TocParser::TocLocation> loc = zstd
        ? toc::TocParser::parseManifestPosition(d.annotations.value(toc::TocParser::ZstdPositionAnnotation,
                                                    d.annotations.value(toc::TocParser::ZstdPositionAnnotationOld)),
            d.size)
        : toc::TocParser::parseGzipFooter(bytes.right(footer), d.size);
    if (!loc) {
        std::fprintf(stderr, "parse-only: %s\n", qPrintable(loc.error().toString()));
        return false;
    }
    if (const auto a = toc::TocParser::fromAnnotations(d))
        loc->digest = a->digest;
    QList<qint64> wall, cpu;
    qsizetype entries = 0;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        const qint64 cpu0 = cpuMs();
        toc::TocStreamReader reader(*loc, zstd ? loc->offset - 8 : loc->offset);
        for (qint64 at = 0; at < t.tocBytes; at += 65536) {
            const Status s = reader.feed(bytes.constData() + at, qMin<qint64>(65536, t.tocBytes - at));
            if (!s) {
                std::fprintf(stderr, "parse-only: %s\n", qPrintable(s.error().toString()));
                return false;
            }
        }
        Result<toc::LayerToc> got = reader.finish();
        if (!got) {
            std::fprintf(stderr, "parse-only: %s\n", qPrintable(got.error().toString()));
            return false;
        }
        entries = got->entries.size();
        wall << timer.elapsed();
        cpu << cpuMs() - cpu0;
    }
    out() << "parse only (in memory, 64 KiB pieces)   " << median(wall) << " ms wall, " << median(cpu)
          << " ms CPU, median of " << runs << ", " << entries << " entries\n";
    out().flush();
    return true;
}

QString secs(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3) + QStringLiteral(" s");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    int layer = 0;
    int latencyMs = 0;
    int runs = 5;
    int parseRuns = 0;
    bool stream = true;
    QString proxy;
    QStringList positional;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args.at(i);
        auto value = [&]() { return i + 1 < args.size() ? args.at(++i) : QString(); };
        if (a == QLatin1String("--layer"))
            layer = value().toInt();
        else if (a == QLatin1String("--latency-ms"))
            latencyMs = value().toInt();
        else if (a == QLatin1String("--proxy"))
            proxy = value();
        else if (a == QLatin1String("--runs"))
            runs = qMax(1, value().toInt());
        else if (a == QLatin1String("--no-stream"))
            stream = false;
        else if (a == QLatin1String("--parse-only"))
            parseRuns = qMax(1, value().toInt());
        else
            positional << a;
    }
    if (positional.size() != 1 || (latencyMs > 0 && proxy.isEmpty())) {
        std::fprintf(stderr,
            "usage: bench_toc REGISTRY/REPO:TAG [--layer N] [--latency-ms N --proxy HOST:PORT] [--runs N] "
            "[--no-stream] [--parse-only N]\n");
        return 2;
    }
    const Result<registry::ImageReference> ref = registry::ImageReference::parse(positional.at(0));
    if (!ref) {
        std::fprintf(stderr, "%s\n", qPrintable(ref.error().toString()));
        return 2;
    }
    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    registry::RegistryClient client(&nam, &credentials);
    registry::ImageResolveJob resolve(&client, *ref);
    runToEnd(resolve);
    if (resolve.state() != Job::State::Succeeded) {
        std::fprintf(stderr, "resolve: %s\n", qPrintable(resolve.error().toString()));
        return 1;
    }
    const oci::Image image = resolve.image();
    if (layer < 0 || layer >= image.manifest.layers.size()) {
        std::fprintf(stderr, "no layer %d\n", layer);
        return 2;
    }
    const oci::Descriptor &d = image.manifest.layers.at(layer);
    out() << "layer     " << layer << " " << d.digest.left(19) << "  " << humanSize(d.size) << " compressed, "
          << d.mediaType << "\n";
    out().flush();

    // Direct: the TOC listing, then streaming the whole layer.
    const Listing t = listOnce(image, layer, true);
    if (!t.ok || !t.fromToc) {
        std::fprintf(stderr, "TOC listing failed: %s\n", qPrintable(t.ok ? QStringLiteral("no TOC used") : t.error));
        return 1;
    }
    const bool zstd = t.toc->format == toc::LayerToc::Format::ZstdChunked;
    const qint64 footer = zstd ? 0 : toc::TocParser::EStargzFooterSize;
    const qint64 bound = footer + t.toc->tocBytes;
    out() << "TOC       " << t.toc->formatName() << ", " << t.entries << " entries, TOC " << humanSize(t.toc->tocBytes)
          << " compressed" << (t.toc->verified ? " (digest checked)" : "") << "\n";
    out() << "listing from the TOC   " << secs(t.ms) << "  " << t.requests << " request(s), " << t.bytes
          << " bytes (footer + TOC = " << bound << ")   requests <= 3: " << (t.requests <= 3 ? "MET" : "MISSED")
          << ", bytes <= footer + TOC: " << (t.bytes <= bound ? "MET" : "MISSED") << "\n";
    out().flush();
    if (parseRuns > 0 && !parseOnly(client, image, layer, *t.toc, parseRuns))
        return 1;
    if (stream) {
        const Listing s = listOnce(image, layer, false);
        if (!s.ok) {
            std::fprintf(stderr, "streamed listing failed: %s\n", qPrintable(s.error));
            return 1;
        }
        out() << "listing by streaming   " << secs(s.ms) << "  " << s.requests << " request(s), " << s.bytes
              << " bytes, " << s.entries << " entries (the blob's own stargz.index.json member too)\n";
        out() << "TOC / stream: " << QString::number(double(t.ms) / double(qMax<qint64>(1, s.ms)), 'f', 4)
              << " of the time, " << QString::number(double(t.bytes) / double(qMax<qint64>(1, s.bytes)), 'f', 6)
              << " of the bytes\n";
        out().flush();
    }

    if (latencyMs <= 0)
        return 0;
    if (!proxyLatency(nam, proxy, latencyMs))
        return 1;
    oci::Image slow = image;
    slow.registry = proxy;
    const QString url = QStringLiteral("http://%1/v2/%2/blobs/%3").arg(proxy, image.repository, d.digest);
    // curl: the same ranges (footer, then the TOC) on one connection; zstd:chunked needs only the manifest.
    const qint64 tocStart = d.size - footer - t.toc->tocBytes;
    QString curl;
    if (zstd)
        curl = QStringLiteral("curl -sf -r %1-%2 '%3' -o /dev/null").arg(tocStart).arg(tocStart + bound - 1).arg(url);
    else
        curl = QStringLiteral("curl -sf -r %1-%2 '%3' -o /dev/null --next -sf -r %4-%5 '%3' -o /dev/null")
                   .arg(d.size - footer)
                   .arg(d.size - 1)
                   .arg(url)
                   .arg(tocStart)
                   .arg(d.size - footer - 1);
    QList<qint64> ours, theirs;
    for (int r = 0; r < runs; ++r) { // alternate, to share whatever else the machine does
        const Listing l = listOnce(slow, layer, true);
        if (!l.ok || !l.fromToc) {
            std::fprintf(stderr, "TOC listing through the proxy failed: %s\n", qPrintable(l.error));
            proxyLatency(nam, proxy, 0);
            return 1;
        }
        ours << l.ms;
        theirs << timeShell(curl);
    }
    proxyLatency(nam, proxy, 0);
    const qint64 o = median(ours), c = median(theirs);
    out() << "\n== +" << latencyMs << " ms per request (fault proxy), median of " << runs << "\n";
    out() << "listing from the TOC   " << secs(o) << "\n";
    out() << "curl footer + TOC      " << secs(c) << "   (" << curl << ")\n";
    const double ratio = double(o) / double(qMax<qint64>(1, c));
    out() << "ours / curl: " << QString::number(ratio, 'f', 2)
          << " (target <= 1.3: " << (ratio <= 1.3 ? "MET" : "MISSED") << ")\n";
    return 0;
}
