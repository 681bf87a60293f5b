#include "CliRunner.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>

namespace ll::test {

QString CliRunner::cliPath()
{
    return qEnvironmentVariable("LL_CLI");
}

bool CliRunner::available()
{
    const QFileInfo fi(cliPath());
    return !cliPath().isEmpty() && fi.isFile() && fi.isExecutable();
}

CliResult CliRunner::run(const QStringList &args, const QByteArray &stdinData, int timeoutMs,
    const QProcessEnvironment &env, const QString &workingDir)
{
    CliResult result;
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    QElapsedTimer timer;
    timer.start();
    p.start(cliPath(), args);
    if (!p.waitForStarted(10000))
        return result;
    result.started = true;
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    // Drain both pipes while waiting so a chatty child never blocks on a full pipe.
    while (p.state() != QProcess::NotRunning && !p.waitForFinished(50)) {
        result.out += p.readAllStandardOutput();
        result.err += p.readAllStandardError();
        if (timer.elapsed() > timeoutMs) {
            p.kill();
            p.waitForFinished(5000);
            result.timedOut = true;
            break;
        }
    }
    result.out += p.readAllStandardOutput();
    result.err += p.readAllStandardError();
    result.elapsedMs = timer.elapsed();
    result.crashed = p.exitStatus() == QProcess::CrashExit;
    if (!result.timedOut && !result.crashed)
        result.exitCode = p.exitCode();
    return result;
}

} // namespace ll::test
