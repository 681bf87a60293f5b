#pragma once

#include <QFile>
#include <QMutex>
#include <QString>

namespace ll::cli {

/**
 * stdout/stderr writer for the CLI: -q silences progress and chatter (never results or errors),
 * -l/--log-file tees everything written to a file as well.
 */
class Console
{
public:
    static Console &instance();

    void setQuiet(bool quiet) { m_quiet = quiet; }
    bool isQuiet() const { return m_quiet; }
    bool openLog(const QString &path, QString *error);

    /** Results (listings, JSON): always printed. */
    void out(const QString &text);
    void outLine(const QString &text = {}) { out(text + QLatin1Char('\n')); }
    /** Raw bytes to stdout (JSON documents). */
    void outBytes(const QByteArray &bytes);
    /** Chatter and progress on stderr, silenced by -q. */
    void info(const QString &text);
    /** Errors and warnings on stderr: always printed. */
    void error(const QString &text);
    /** A log line (-v debug output, Qt warnings), from any thread: stderr and the log file. */
    void logLine(const QString &text);
    /** Routes Qt's logging (qCDebug & co., -v) through logLine() so --log-file has it too. */
    static void installMessageHandler();
    /** A progress line rewritten in place on a terminal (\r); silenced by -q. */
    void progress(const QString &text);
    void endProgress();

    /** A path as shown to the user: relative to the working directory when below it, else absolute. */
    static QString displayPath(const QString &path);

    bool stderrIsTerminal() const;
    bool stdinIsTerminal() const;

private:
    Console() = default;
    void write(FILE *stream, const QByteArray &bytes);

    QMutex m_mutex; // write() is reached from worker threads through the message handler
    bool m_quiet = false;
    bool m_progressShown = false;
    QFile m_log;
};

} // namespace ll::cli
