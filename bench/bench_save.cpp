// Save one layer blob to disk: SaveLayerJob (stream to .part, sha256 checked, rename) vs `curl -o FILE` and
// `curl -o FILE && sha256sum FILE` on the same blob, side by side.
//
//   bench_save --image 127.0.0.1:5000/lab/big:1.0 --layer 0 [--runs 3] [--dir /tmp]
//   bench_save --blob http://127.0.0.1:5000/v2/lab/big/blobs/sha256:...
//
// Target (issue 3): save runs at >= 0.9 x curl's throughput with the digest checked.
#include "common/Job.h"
#include "extract/SaveLayerJob.h"
#include "registry/CredentialStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QProcess>
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
    parser.setApplicationDescription(QStringLiteral("SaveLayerJob vs curl -o"));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("blob"), QStringLiteral("Blob URL http://host:port/v2/<repo>/blobs/<digest>."),
        QStringLiteral("url") });
    parser.addOption(
        { QStringLiteral("image"), QStringLiteral("Image reference (with --layer)."), QStringLiteral("ref") });
    parser.addOption({ QStringLiteral("layer"), QStringLiteral("Layer index (default 0)."), QStringLiteral("n"),
        QStringLiteral("0") });
    parser.addOption({ QStringLiteral("runs"), QStringLiteral("Runs of each side (default 3)."), QStringLiteral("n"),
        QStringLiteral("3") });
    parser.addOption(
        { QStringLiteral("dir"), QStringLiteral("Where the files go (default: a temp dir)."), QStringLiteral("dir") });
    parser.process(app);
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());

    QNetworkAccessManager nam;
    QTemporaryDir configDir;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    credentials.setDockerConfigDir(configDir.path());
    credentials.setAuthJsonPath(configDir.filePath(QStringLiteral("none.json")));
    registry::RegistryClient client(&nam, &credentials);

    oci::Image image;
    int index = 0;
    if (const int rc = resolveLayerTarget(client, parser, &image, &index); rc != 0)
        return rc;
    const oci::Descriptor layer = image.manifest.layers.at(index);
    const QString url = client.baseUrl(image.registry).toString()
        + QStringLiteral("/v2/%1/blobs/%2").arg(image.repository, layer.digest);

    QTemporaryDir tmp(parser.isSet(QStringLiteral("dir"))
            ? parser.value(QStringLiteral("dir")) + QStringLiteral("/bench_save-XXXXXX")
            : QDir::tempPath() + QStringLiteral("/bench_save-XXXXXX"));
    if (!tmp.isValid()) {
        std::fprintf(stderr, "cannot create a temp dir\n");
        return 1;
    }
    out() << "blob      " << url << "\n"
          << "size      " << layer.size << " bytes (" << QString::number(layer.size / 1e6, 'f', 1) << " MB)\n"
          << "dir       " << tmp.path() << "\n";
    out().flush();

    QList<qint64> saveMs, curlMs, curlShaMs;
    for (int r = 0; r < runs; ++r) {
        const QString dir = tmp.filePath(QStringLiteral("save-%1").arg(r));
        extract::SaveLayerJob job(&client, image, { index }, dir);
        QElapsedTimer t;
        t.start();
        runToEnd(job);
        const qint64 ms = t.elapsed();
        if (job.state() != Job::State::Succeeded) {
            std::fprintf(stderr, "save failed: %s\n", qPrintable(job.error().toString()));
            return 1;
        }
        saveMs << ms;
        const QString saved = job.saved().isEmpty() ? QString() : job.saved().first().path;
        out() << QStringLiteral("save run %1: %2 ms, %3 MB/s, %4 bytes downloaded, %5\n")
                     .arg(r + 1)
                     .arg(ms)
                     .arg(mbps(layer.size, ms), 0, 'f', 1)
                     .arg(job.bytesDownloaded())
                     .arg(QFileInfo(saved).fileName());
        out().flush();
        QDir(dir).removeRecursively(); // keep the page cache / disk use comparable between runs

        const QString file = tmp.filePath(QStringLiteral("curl-%1.bin").arg(r));
        curlMs << timeShell(QStringLiteral("curl -sf '%1' -o '%2'").arg(url, file));
        QFile::remove(file);
        curlShaMs << timeShell(QStringLiteral("curl -sf '%1' -o '%2' && sha256sum '%2' > /dev/null").arg(url, file));
        QFile::remove(file);
    }

    const qint64 save = median(saveMs);
    const qint64 curl = median(curlMs);
    out() << "\n== bench_save (median of " << runs << ") ==\n";
    out() << QStringLiteral("%1 %2 %3\n")
                 .arg(QStringLiteral("what"), -40)
                 .arg(QStringLiteral("ms"), 8)
                 .arg(QStringLiteral("MB/s"), 8);
    auto row = [&](const QString &what, qint64 ms) {
        if (ms >= 0)
            out() << QStringLiteral("%1 %2 %3\n").arg(what, -40).arg(ms, 8).arg(mbps(layer.size, ms), 8, 'f', 1);
    };
    row(QStringLiteral("SaveLayerJob (.part, sha256, rename)"), save);
    row(QStringLiteral("curl -o FILE"), curl);
    row(QStringLiteral("curl -o FILE && sha256sum FILE"), median(curlShaMs));
    out() << "peak RSS  " << peakRssKiB() / 1024 << " MiB\n";
    if (curl > 0)
        out() << QStringLiteral("target    save >= 0.9 x curl -o throughput: %1 (%2x)\n")
                     .arg(double(curl) / double(qMax<qint64>(1, save)) >= 0.9 ? QStringLiteral("MET")
                                                                              : QStringLiteral("MISSED"))
                     .arg(double(curl) / double(qMax<qint64>(1, save)), 0, 'f', 2);
    out().flush();
    return 0;
}
