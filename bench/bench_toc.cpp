// bench_toc: list a layer that has a table of contents (eStargz, zstd:chunked) from its TOC and by streaming it,
// and, through the harness's fault proxy at +N ms per request, the TOC listing next to one curl fetching the same
// footer + TOC ranges on one connection (what the wire needs at least).
//
//   bench_toc REGISTRY/REPO:TAG [--layer N] [--latency-ms N --proxy HOST:PORT] [--runs N] [--no-stream]
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

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
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
        else
            positional << a;
    }
    if (positional.size() != 1 || (latencyMs > 0 && proxy.isEmpty())) {
        std::fprintf(stderr,
            "usage: bench_toc REGISTRY/REPO:TAG [--layer N] [--latency-ms N --proxy HOST:PORT] [--runs N] "
            "[--no-stream]\n");
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
