// bench_inflate FILE.tar.gz [chunkKiB]: inflate throughput of the stream stage, side by side:
// ISA-L and zlib decompressors alone, zlib with Z_BLOCK recording random-access checkpoints (what a pass that
// keeps a layer index costs; the index size per GB of tar), the full ISA-L → TarReader pass, and `gzip -dc`.
// The file is memory-mapped and fed in chunks (default 1 MiB, like network reads); a first pass warms the page cache.
#include "random/GzipCheckpointBuilder.h"
#include "stream/Decompressor.h"
#include "stream/TarReader.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

#include <cstdio>

using namespace ll;
using namespace ll::stream;

namespace {

struct Run {
    QString name;
    double seconds = 0;
    qint64 in = 0;
    qint64 out = 0;
    QString note;
    bool ok = true;
};

class CountingVisitor : public TarVisitor
{
public:
    Action onEntry(const TarEntry &entry) override
    {
        ++entries;
        if (entry.type == TarEntry::Type::File)
            fileBytes += entry.size;
        return Action::Skip;
    }
    qint64 entries = 0;
    qint64 fileBytes = 0;
};

Run inflate(
    const QString &name, const uchar *data, qint64 size, qint64 chunk, bool zlib, bool tar, bool checkpoints = false)
{
    Run r;
    r.name = name;
    std::unique_ptr<Decompressor> d = checkpoints ? std::make_unique<ll::random::GzipCheckpointBuilder>()
                                                  : Decompressor::create(Decompressor::Format::Gzip, zlib);
    CountingVisitor visitor;
    TarReader reader(&visitor);
    Status tarStatus;
    if (tar) {
        d->setSink([&](const char *p, qint64 n) {
            tarStatus = reader.feed(p, n);
            return tarStatus.ok();
        });
    } else {
        d->setSink([](const char *, qint64) { return true; });
    }
    QElapsedTimer timer;
    timer.start();
    Status s;
    for (qint64 pos = 0; pos < size && s.ok() && !d->isStopped(); pos += chunk)
        s = d->feed(reinterpret_cast<const char *>(data) + pos, std::min(chunk, size - pos));
    if (s.ok())
        s = d->finish();
    if (s.ok() && tar && tarStatus.ok())
        tarStatus = reader.finish();
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    r.in = d->totalIn();
    r.out = d->totalOut();
    if (!s.ok() || !tarStatus.ok()) {
        r.ok = false;
        r.note = (!s.ok() ? s.error() : tarStatus.error()).toString();
    } else if (tar) {
        r.note = QStringLiteral("%1 entries, %2 file bytes").arg(visitor.entries).arg(visitor.fileBytes);
    } else if (checkpoints) {
        const ll::random::GzipCheckpoints c
            = static_cast<ll::random::GzipCheckpointBuilder *>(d.get())->takeCheckpoints();
        r.note = QStringLiteral("%1 checkpoints, %2 bytes: %3 MiB per GiB of tar")
                     .arg(c.points.size())
                     .arg(c.storageSize())
                     .arg(double(c.storageSize()) / qMax<qint64>(1, r.out) * 1024, 0, 'f', 2);
    }
    return r;
}

Run gzipCli(const QString &path, qint64 size, qint64 outSize)
{
    Run r;
    r.name = QStringLiteral("gzip -dc > /dev/null");
    QProcess p;
    p.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    p.start(QStringLiteral("gzip"), { QStringLiteral("-dc"), path });
    r.ok = p.waitForFinished(-1) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    r.in = size;
    r.out = outSize;
    r.note = r.ok ? QStringLiteral("reference") : QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
    return r;
}

void print(const Run &r)
{
    const double mb = 1e6;
    std::printf("%-24s %8.2f %12.1f %12.1f  %s%s\n", qPrintable(r.name), r.seconds, r.in / mb / r.seconds,
        r.out / mb / r.seconds, r.ok ? "" : "FAILED: ", qPrintable(r.note));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_inflate FILE.tar.gz [chunkKiB]\n");
        return 2;
    }
    const QString path = args.at(1);
    const qint64 chunk = (args.size() > 2 ? args.at(2).toLongLong() : 1024) * 1024;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || chunk <= 0) {
        std::fprintf(stderr, "cannot open %s\n", qPrintable(path));
        return 2;
    }
    const qint64 size = file.size();
    const uchar *data = file.map(0, size);
    if (!data) {
        std::fprintf(stderr, "cannot map %s\n", qPrintable(path));
        return 2;
    }
    // Warm the page cache so the first contender does not pay for the disk.
    quint64 touch = 0;
    for (qint64 i = 0; i < size; i += 4096)
        touch += data[i];

    std::printf("file %s: %.1f MB compressed, chunks of %lld KiB%s\n", qPrintable(path), size / 1e6, chunk / 1024,
        touch == 1 ? " " : "");
    std::printf("%-24s %8s %12s %12s  %s\n", "stage", "seconds", "MB/s in", "MB/s out", "notes");
    const Run isal = inflate(QStringLiteral("ISA-L inflate"), data, size, chunk, false, false);
    print(isal);
    print(inflate(QStringLiteral("zlib inflate"), data, size, chunk, true, false));
    print(inflate(QStringLiteral("zlib + checkpoints"), data, size, chunk, true, false, true));
    print(inflate(QStringLiteral("ISA-L -> TarReader"), data, size, chunk, false, true));
    print(gzipCli(path, size, isal.out));
    std::printf("uncompressed: %.1f MB\n", isal.out / 1e6);
    return isal.ok ? 0 : 1;
}
