// bench_extract_toc: extract N files of a layer with a table of contents (eStargz, zstd:chunked) by their chunks
// (what --extract, the export dialog and multi-file drags do) and by streaming the layer (the TOC not used), both
// through the harness's fault proxy at +N ms per request: time, requests and bytes (ours and the proxy's count).
//
//   bench_extract_toc REGISTRY/REPO:TAG --proxy HOST:PORT [--files N] [--latency-ms N] [--runs N] [--layer N]
//                     [--no-stream]
//
// The N files are the layer's regular files spread evenly over the TOC (every (count/N)-th): the runs of chunks
// then rarely merge, the worst case for requests. bench/push-estargz-image.py HOST:PORT pushes bench/estargz:76000.
#include "common/HumanSize.h"
#include "extract/ExtractJob.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"
#include "toc/TocRunsJob.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <memory>

#include "BenchUtil.h"

using namespace ll;
using namespace llbench;

namespace {

struct Run {
    bool ok = false;
    QString error;
    qint64 ms = 0;
    int requests = 0;
    qint64 bytes = 0;
    qint64 proxyBytes = 0;
    int proxyRequests = 0;
    int written = 0;
    int chunks = 0;
    bool byChunks = false;
};

QPair<qint64, qint64> proxyStats(QNetworkAccessManager &nam, const QString &proxy)
{
    QEventLoop settle; // the proxy records a request the client closed early a moment after the close
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

/** One extraction with a fresh client (new connections), into a fresh directory. */
Run extractOnce(const oci::Image &image, int layer, const QStringList &paths, bool byChunks)
{
    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    registry::RegistryClient client(&nam, &credentials);
    QTemporaryDir dir;
    extract::ExtractOptions options;
    options.layer = layer;
    extract::ExtractJob job(&client, image, paths, dir.path(), options);
    job.setTocEnabled(byChunks);
    QElapsedTimer t;
    t.start();
    runToEnd(job);
    Run r;
    r.ms = t.elapsed();
    r.ok = job.state() == Job::State::Succeeded;
    r.error = job.error().toString();
    r.requests = job.requestCount();
    r.bytes = job.bytesDownloaded();
    r.written = job.count(extract::ExtractItem::Outcome::Written);
    r.chunks = job.chunksVerified();
    r.byChunks = job.tocLayers().contains(layer);
    return r;
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
    int latencyMs = 50;
    int runs = 3;
    int files = 16;
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
        else if (a == QLatin1String("--files"))
            files = qMax(1, value().toInt());
        else if (a == QLatin1String("--no-stream"))
            stream = false;
        else
            positional << a;
    }
    if (positional.size() != 1 || proxy.isEmpty()) {
        std::fprintf(stderr,
            "usage: bench_extract_toc REGISTRY/REPO:TAG --proxy HOST:PORT [--files N] [--latency-ms N] [--runs N] "
            "[--layer N] [--no-stream]\n");
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
    oci::Image image = resolve.image();
    if (layer < 0 || layer >= image.manifest.layers.size()) {
        std::fprintf(stderr, "no layer %d\n", layer);
        return 2;
    }
    const oci::Descriptor &d = image.manifest.layers.at(layer);
    toc::TocFetchJob fetch(&client, stream::LayerSource::fromImage(image, layer));
    runToEnd(fetch);
    if (fetch.state() != Job::State::Succeeded) {
        std::fprintf(stderr, "no TOC: %s\n", qPrintable(fetch.error().toString()));
        return 1;
    }
    const toc::LayerToc &t = *fetch.toc();
    QVector<int> regular; // entries
    for (int i = 0; i < t.entries.size(); ++i) {
        if (t.entries.at(i).type == stream::TarEntry::Type::File && t.entries.at(i).size > 0)
            regular.append(i);
    }
    QStringList paths;
    QVector<int> picked;
    qint64 content = 0;
    const int n = qMin<int>(files, regular.size());
    for (int k = 0; k < n; ++k) {
        const stream::TarEntry &e = t.entries.at(regular.at(int(qint64(k) * regular.size() / n)));
        paths << e.path;
        picked << t.fileIndex.value(e.path);
        content += e.size;
    }
    const QVector<toc::TocRun> planned = toc::TocRunsJob::planRuns(t, picked, toc::TocRunsJob::DefaultMaxGap);
    out() << "layer     " << layer << " " << d.digest.left(19) << "  " << humanSize(d.size) << " compressed, "
          << t.formatName() << ", " << t.entries.size() << " entries\n";
    out() << "files     " << n << " spread over the layer, " << humanSize(content) << " of content; " << planned.size()
          << " run(s) of chunks, " << humanSize(toc::TocRunsJob::bytesOf(planned)) << " compressed\n";
    out().flush();

    if (!proxyLatency(nam, proxy, latencyMs))
        return 1;
    image.registry = proxy;
    QList<qint64> chunkMs, streamMs;
    Run lastChunks, lastStream;
    for (int r = 0; r < runs; ++r) { // alternate, to share whatever else the machine does
        proxyLatency(nam, proxy, latencyMs);
        Run c = extractOnce(image, layer, paths, true);
        const auto cs = proxyStats(nam, proxy);
        c.proxyBytes = cs.first;
        c.proxyRequests = int(cs.second);
        if (!c.ok || !c.byChunks || c.written < n) {
            std::fprintf(stderr, "by chunks failed: %s (by chunks: %d, written %d)\n", qPrintable(c.error),
                int(c.byChunks), c.written);
            proxyLatency(nam, proxy, 0);
            return 1;
        }
        chunkMs << c.ms;
        lastChunks = c;
        if (stream) {
            proxyLatency(nam, proxy, latencyMs);
            Run s = extractOnce(image, layer, paths, false);
            const auto ss = proxyStats(nam, proxy);
            s.proxyBytes = ss.first;
            s.proxyRequests = int(ss.second);
            if (!s.ok) {
                std::fprintf(stderr, "streaming failed: %s\n", qPrintable(s.error));
                proxyLatency(nam, proxy, 0);
                return 1;
            }
            streamMs << s.ms;
            lastStream = s;
        }
    }
    proxyLatency(nam, proxy, 0);
    out() << "\n== +" << latencyMs << " ms per request (fault proxy), median of " << runs << "\n";
    out() << "by chunks     " << secs(median(chunkMs)) << "  " << lastChunks.requests << " blob request(s) (TOC "
          << (t.format == toc::LayerToc::Format::ZstdChunked ? 1 : 2) << " + runs), " << lastChunks.bytes
          << " bytes; proxy: " << lastChunks.proxyRequests << " request(s), " << lastChunks.proxyBytes << " bytes; "
          << lastChunks.chunks << " chunks verified\n";
    if (stream) {
        out() << "streaming     " << secs(median(streamMs)) << "  " << lastStream.requests << " blob request(s), "
              << lastStream.bytes << " bytes; proxy: " << lastStream.proxyRequests << " request(s), "
              << lastStream.proxyBytes << " bytes\n";
        out() << "chunks / stream: "
              << QString::number(double(median(chunkMs)) / double(qMax<qint64>(1, median(streamMs))), 'f', 3)
              << " of the time, "
              << QString::number(double(lastChunks.bytes) / double(qMax<qint64>(1, lastStream.bytes)), 'f', 4)
              << " of the bytes\n";
    }
    return 0;
}
