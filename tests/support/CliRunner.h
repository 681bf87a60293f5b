#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace ll::test {

/** What one run of layerslayer-cli gave. exitCode is -1 when it did not start, crashed or timed out. */
struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool started = false;
    bool crashed = false;
    bool timedOut = false;
    qint64 elapsedMs = 0;
};

/**
 * Runs layerslayer-cli (path from env LL_CLI, set by tests/CMakeLists.txt) synchronously.
 * env defaults to the test's environment; extra variables can be inserted by the caller.
 */
class CliRunner
{
public:
    static QString cliPath();
    /** True when LL_CLI names an executable file. */
    static bool available();
    static CliResult run(const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 120000,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(), const QString &workingDir = {});
};

/** Shorthand for CliRunner::run. */
inline CliResult runCli(const QStringList &args, const QByteArray &stdinData = {})
{
    return CliRunner::run(args, stdinData);
}

} // namespace ll::test
