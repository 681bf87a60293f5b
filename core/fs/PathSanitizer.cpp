#include "fs/PathSanitizer.h"

#include "common/Logging.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include <deque>

namespace ll::fs {

namespace {

Error unsafe(QStringView path, const QString &why)
{
    return Error(Error::Code::UnsafePath, QStringLiteral("Unsafe path: %1").arg(path.toString()), why);
}

} // namespace

bool PathSanitizer::isNormal(QStringView path)
{
    if (path == QLatin1String("."))
        return true;
    if (path.isEmpty() || path.startsWith(QLatin1Char('/')) || path.endsWith(QLatin1Char('/')))
        return false;
    if (path.contains(QChar(0)))
        return false;
    qsizetype start = 0;
    while (start <= path.size()) {
        qsizetype end = path.indexOf(QLatin1Char('/'), start);
        if (end < 0)
            end = path.size();
        const QStringView c = path.mid(start, end - start);
        if (c.isEmpty() || c == QLatin1String(".") || c == QLatin1String(".."))
            return false;
        start = end + 1;
    }
    return true;
}

Result<QString> PathSanitizer::safeRelative(QStringView path)
{
    if (isNormal(path))
        return path.toString();
    if (path.contains(QChar(0)))
        return unsafe(path, QStringLiteral("NUL character in path"));

    QList<QStringView> parts;
    qsizetype start = 0;
    while (start <= path.size()) {
        qsizetype end = path.indexOf(QLatin1Char('/'), start);
        if (end < 0)
            end = path.size();
        const QStringView c = path.mid(start, end - start);
        start = end + 1;
        if (c.isEmpty() || c == QLatin1String("."))
            continue;
        if (c == QLatin1String("..")) {
            if (parts.isEmpty())
                return unsafe(path, QStringLiteral("'..' climbs above the root"));
            parts.removeLast();
            continue;
        }
        parts.append(c);
    }
    if (parts.isEmpty())
        return QStringLiteral(".");
    QString result;
    for (const QStringView &c : parts) {
        if (!result.isEmpty())
            result += QLatin1Char('/');
        result += c;
    }
    return result;
}

Result<QString> PathSanitizer::resolveInside(const QString &rootDir, QStringView relPath)
{
    if (rootDir.isEmpty())
        return Error(Error::Code::Usage, QStringLiteral("No output directory"));
    const Result<QString> rel = safeRelative(relPath);
    if (!rel)
        return rel.error();
    const QString root = QDir::cleanPath(QFileInfo(rootDir).absoluteFilePath());
    if (*rel == QLatin1String("."))
        return root;
    const QString out = root == QLatin1String("/") ? QString(root + *rel) : QString(root + QLatin1Char('/') + *rel);
    // Defence in depth: the joined path must still start with root + "/".
    const QString cleaned = QDir::cleanPath(out);
    const QString prefix = root.endsWith(QLatin1Char('/')) ? root : root + QLatin1Char('/');
    if (!cleaned.startsWith(prefix))
        return unsafe(relPath, QStringLiteral("resolves outside %1").arg(root));
    return cleaned;
}

Result<QString> PathSanitizer::resolveInImage(QStringView path, const ReadLink &readLink, bool followFinal, int maxHops)
{
    if (path.contains(QChar(0)))
        return unsafe(path, QStringLiteral("NUL character in path"));

    std::deque<QString> pending;
    auto pushFront = [&pending](QStringView p) {
        // Components of p go in front of what is still pending, in order.
        std::deque<QString> parts;
        qsizetype start = 0;
        while (start <= p.size()) {
            qsizetype end = p.indexOf(QLatin1Char('/'), start);
            if (end < 0)
                end = p.size();
            const QStringView c = p.mid(start, end - start);
            if (!c.isEmpty() && c != QLatin1String("."))
                parts.push_back(c.toString());
            start = end + 1;
        }
        pending.insert(pending.begin(), parts.begin(), parts.end());
    };
    pushFront(path);

    QStringList done;
    int hops = 0;
    while (!pending.empty()) {
        const QString c = pending.front();
        pending.pop_front();
        if (c == QLatin1String("..")) {
            if (!done.isEmpty())
                done.removeLast();
            continue;
        }
        done.append(c);
        const bool isLast = pending.empty();
        if (isLast && !followFinal)
            break;
        const std::optional<QString> target = readLink(done.join(QLatin1Char('/')));
        if (!target)
            continue;
        if (++hops > maxHops) {
            qCDebug(llFs) << "symlink loop resolving" << path;
            return Error(Error::Code::NotFound, QStringLiteral("Too many levels of symbolic links: %1").arg(path),
                QStringLiteral("more than %1 links followed").arg(maxHops));
        }
        done.removeLast();
        if (target->startsWith(QLatin1Char('/')))
            done.clear();
        pushFront(*target);
    }
    if (done.isEmpty())
        return QStringLiteral(".");
    return done.join(QLatin1Char('/'));
}

} // namespace ll::fs
