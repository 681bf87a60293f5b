#pragma once

// Helpers shared by the benchmarks: output, running a job to completion, timing a shell pipeline
// (the reference figures), peak RSS.

#include "common/Job.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QList>
#include <QProcess>
#include <QTextStream>

#include <algorithm>
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

} // namespace llbench
