#pragma once

// Helpers shared by the benchmarks: output, running a job to completion, timing a shell pipeline
// (the reference figures), peak RSS.

#include "common/Job.h"
#include "oci/Image.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace llbench {

inline QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

/** Starts the job and spins an event loop until it has finished. */
inline void runToEnd(ll::Job &job)
{
    QEventLoop loop;
    QObject::connect(&job, &ll::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    if (!job.isFinished())
        loop.exec();
}

/**
 * Asks the harness's fault proxy (its address from state.json "proxy") to delay every request by latencyMs
 * (0: clears its rules and counters) and, with rateBytes > 0, to send each answer at that many bytes/s (a
 * link's bandwidth: loopback has none, so every byte a client leaves unread sits in socket buffers).
 */
inline bool proxyLatency(QNetworkAccessManager &nam, const QString &proxy, int latencyMs, qint64 rateBytes = 0)
{
    QNetworkRequest req(QUrl(QStringLiteral("http://%1/__control").arg(proxy)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QJsonObject rule { { QStringLiteral("type"), QStringLiteral("slow") }, { QStringLiteral("latency_ms"), latencyMs },
        { QStringLiteral("count"), 0 } };
    if (rateBytes > 0)
        rule.insert(QStringLiteral("rate"), rateBytes);
    QJsonObject cmd { { QStringLiteral("clear"), true }, { QStringLiteral("clear_stats"), true },
        { QStringLiteral("faults"), QJsonArray { rule } } };
    if (latencyMs <= 0)
        cmd.remove(QStringLiteral("faults"));
    QNetworkReply *reply = nam.post(req, QJsonDocument(cmd).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const bool ok = reply->error() == QNetworkReply::NoError;
    if (!ok)
        std::fprintf(stderr, "proxy control failed: %s\n", qPrintable(reply->errorString()));
    reply->deleteLater();
    return ok;
}

inline double mbps(qint64 bytes, qint64 ms)
{
    return ms > 0 ? double(bytes) / 1e6 / (double(ms) / 1000.0) : 0.0;
}

/** Runs a bash pipeline (with pipefail); wall milliseconds, or -1 when it failed. */
inline qint64 timeShell(const QString &command)
{
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(
        QStringLiteral("bash"), { QStringLiteral("-o"), QStringLiteral("pipefail"), QStringLiteral("-c"), command });
    if (!p.waitForFinished(-1) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        out() << "  reference failed: " << command << ": " << QString::fromLocal8Bit(p.readAllStandardError()) << "\n";
        out().flush();
        return -1;
    }
    return t.elapsed();
}

inline qint64 median(QList<qint64> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? -1 : v.at(v.size() / 2);
}

/** Peak resident set size of this process, KiB. */
inline qint64 peakRssKiB()
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/**
 * The layer a bench works on, from --blob URL (size by HEAD; a one-layer image is made up) or
 * --image REF --layer N (resolved). Returns 0, or the exit code after printing why.
 */
inline int resolveLayerTarget(
    ll::registry::RegistryClient &client, const QCommandLineParser &parser, ll::oci::Image *image, int *index)
{
    using namespace ll;
    *index = 0;
    if (parser.isSet(QStringLiteral("blob"))) {
        const QUrl url(parser.value(QStringLiteral("blob")));
        const QString path = url.path();
        const int at = path.indexOf(QLatin1String("/blobs/"));
        if (!path.startsWith(QLatin1String("/v2/")) || at < 0) {
            std::fprintf(stderr, "not a blob URL: %s\n", qPrintable(url.toString()));
            return 2;
        }
        image->registry = url.authority();
        image->repository = path.mid(4, at - 4);
        image->tag = QStringLiteral("bench");
        oci::Descriptor d;
        d.digest = path.mid(at + 7);
        d.mediaType = QStringLiteral("application/vnd.docker.image.rootfs.diff.tar.gzip");
        registry::RegistryRequest head;
        head.registry = image->registry;
        head.repository = image->repository;
        head.path = path;
        head.method = "HEAD";
        registry::RegistryCall *call = client.send(head);
        QEventLoop loop;
        QObject::connect(call, &registry::RegistryCall::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (call->hasError()) {
            std::fprintf(stderr, "HEAD %s: %s\n", qPrintable(url.toString()), qPrintable(call->error().toString()));
            delete call;
            return 1;
        }
        d.size = call->rawHeader("Content-Length").toLongLong();
        delete call;
        image->manifest.layers.append(d);
        return 0;
    }
    if (!parser.isSet(QStringLiteral("image"))) {
        std::fprintf(stderr, "give --blob URL or --image REF [--layer N]\n");
        return 2;
    }
    const auto ref = registry::ImageReference::parse(parser.value(QStringLiteral("image")));
    if (!ref) {
        std::fprintf(stderr, "%s\n", qPrintable(ref.error().toString()));
        return 2;
    }
    registry::ImageResolveJob resolve(&client, *ref);
    runToEnd(resolve);
    if (resolve.state() != Job::State::Succeeded) {
        std::fprintf(stderr, "%s\n", qPrintable(resolve.error().toString()));
        return 1;
    }
    *image = resolve.image();
    *index = parser.value(QStringLiteral("layer")).toInt();
    if (*index < 0 || *index >= image->manifest.layers.size()) {
        std::fprintf(stderr, "no layer %d\n", *index);
        return 2;
    }
    return 0;
}

} // namespace llbench
