#include "cli/Console.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <unistd.h>

namespace ll::cli {

Console &Console::instance()
{
    static Console console;
    return console;
}

bool Console::openLog(const QString &path, QString *error)
{
    m_log.setFileName(path);
    if (!m_log.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text)) {
        *error = m_log.errorString();
        return false;
    }
    return true;
}

void Console::write(FILE *stream, const QByteArray &bytes)
{
    QMutexLocker lock(&m_mutex);
    fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    fflush(stream);
    if (m_log.isOpen()) {
        m_log.write(bytes);
        m_log.flush();
    }
}

void Console::logLine(const QString &text)
{
    write(stderr, text.toUtf8() + '\n');
}

void Console::installMessageHandler()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
        Console::instance().logLine(qFormatLogMessage(type, context, message));
    });
}

void Console::out(const QString &text)
{
    endProgress();
    write(stdout, text.toUtf8());
}

void Console::outBytes(const QByteArray &bytes)
{
    endProgress();
    write(stdout, bytes);
}

void Console::info(const QString &text)
{
    if (m_quiet)
        return;
    endProgress();
    write(stderr, text.toUtf8() + '\n');
}

void Console::error(const QString &text)
{
    endProgress();
    write(stderr, text.toUtf8() + '\n');
}

void Console::progress(const QString &text)
{
    if (m_quiet || !stderrIsTerminal())
        return;
    const QByteArray line = "\r\033[K" + text.toUtf8();
    fwrite(line.constData(), 1, size_t(line.size()), stderr);
    fflush(stderr);
    m_progressShown = true;
}

void Console::endProgress()
{
    if (!m_progressShown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    m_progressShown = false;
}

bool Console::stderrIsTerminal() const
{
    return isatty(fileno(stderr));
}

bool Console::stdinIsTerminal() const
{
    return isatty(fileno(stdin));
}

QString Console::displayPath(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString relative = QDir::current().relativeFilePath(absolute);
    // "../../dev/shm/x" says less than "/dev/shm/x"
    return relative.startsWith(QLatin1String("..")) ? QDir::cleanPath(absolute) : relative;
}

} // namespace ll::cli
