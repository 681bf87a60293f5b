#include "hunt/LayerSearch.h"

#include "common/PathBytes.h"
#include "fs/Whiteout.h"
#include "hunt/HuntLogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <cstring>

namespace ll::hunt {

namespace {

constexpr qsizetype BlockSize = qsizetype(1) << 20;

char typeChar(stream::TarEntry::Type t)
{
    using T = stream::TarEntry::Type;
    switch (t) {
    case T::File:
        return 'f';
    case T::Directory:
        return 'd';
    case T::Symlink:
        return 'l';
    case T::Hardlink:
        return 'h';
    case T::CharDevice:
        return 'c';
    case T::BlockDevice:
        return 'b';
    case T::Fifo:
        return 'p';
    case T::Other:
        break;
    }
    return 'o';
}

bool typeOf(char c, stream::TarEntry::Type *t)
{
    using T = stream::TarEntry::Type;
    switch (c) {
    case 'f':
        *t = T::File;
        return true;
    case 'd':
        *t = T::Directory;
        return true;
    case 'l':
        *t = T::Symlink;
        return true;
    case 'h':
        *t = T::Hardlink;
        return true;
    case 'c':
        *t = T::CharDevice;
        return true;
    case 'b':
        *t = T::BlockDevice;
        return true;
    case 'p':
        *t = T::Fifo;
        return true;
    case 'o':
        *t = T::Other;
        return true;
    default:
        return false;
    }
}

/** Parses a decimal number at p (stops at the first non-digit); false when there is none. */
bool number(const char *&p, const char *end, qint64 *out, int base = 10)
{
    qint64 v = 0;
    const char *start = p;
    while (p < end && *p >= '0' && *p < '0' + base) {
        v = v * base + (*p - '0');
        ++p;
    }
    *out = v;
    return p > start;
}

bool isAscii(const char *p, const char *end)
{
    for (; p < end; ++p) {
        if (static_cast<unsigned char>(*p) >= 0x80)
            return false;
    }
    return true;
}

} // namespace

QString LayerSearch::namesDirectory() const
{
    return m_store.isEnabled() ? QDir(m_store.directory()).filePath(QStringLiteral("search")) : QString();
}

QByteArray LayerSearch::literalOf(const QString &pattern)
{
    QString best, cur;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern[i];
        if (c == QLatin1Char('\\') && i + 1 < pattern.size()) {
            cur += pattern[++i];
        } else if (c == QLatin1Char('*') || c == QLatin1Char('?')) {
            cur.clear();
        } else if (c == QLatin1Char('[')) {
            cur.clear();
            // Skip the set: "[!" or "[^", a "]" first is a member, then up to the closing "]".
            qsizetype j = i + 1;
            if (j < pattern.size() && (pattern[j] == QLatin1Char('!') || pattern[j] == QLatin1Char('^')))
                ++j;
            if (j < pattern.size() && pattern[j] == QLatin1Char(']'))
                ++j;
            while (j < pattern.size() && pattern[j] != QLatin1Char(']'))
                j += pattern[j] == QLatin1Char('\\') ? 2 : 1;
            i = j;
        } else {
            cur += c;
        }
        if (cur.size() > best.size())
            best = cur;
    }
    // "**/" and a leading "/" leave slashes that stored paths may not have at that place.
    while (best.startsWith(QLatin1Char('/')))
        best.remove(0, 1);
    // A surrogate pair cut by a wildcard is not a literal character.
    if (!best.isEmpty() && best.back().isHighSurrogate())
        best.chop(1);
    if (!best.isEmpty() && best.front().isLowSurrogate())
        best.remove(0, 1);
    return PathBytes::encode(best);
}

QByteArray LayerSearch::lineOf(const stream::TarEntry &e)
{
    const QByteArray path = PathBytes::encode(e.path); // raw bytes, as the archive has them
    if (path.contains('\n') || path.contains('\t'))
        return {};
    QByteArray line;
    line.reserve(path.size() + 40);
    line += typeChar(e.type);
    line += ' ';
    line += QByteArray::number(e.size);
    line += ' ';
    line += QByteArray::number(e.mode & 07777, 8);
    line += ' ';
    line += QByteArray::number(e.mtime);
    line += '\t';
    line += path;
    line += '\n';
    return line;
}

bool LayerSearch::parseLine(const char *line, qsizetype size, stream::TarEntry *e)
{
    const char *p = line, *end = line + size;
    if (size < 8 || !typeOf(*p, &e->type) || p[1] != ' ')
        return false;
    p += 2;
    qint64 v = 0;
    if (!number(p, end, &e->size) || p >= end || *p++ != ' ' || !number(p, end, &v, 8) || p >= end || *p++ != ' ')
        return false;
    e->mode = quint32(v);
    if (!number(p, end, &e->mtime) || p >= end || *p++ != '\t')
        return false;
    e->path = PathBytes::decode(QByteArrayView(p, end - p));
    return !e->path.isEmpty();
}

bool LayerSearch::ensureNames(const QString &digest, const QString &namesPath, bool *built) const
{
    *built = false;
    const QFileInfo idx(m_store.pathFor(digest));
    const QFileInfo names(namesPath);
    if (names.exists() && names.lastModified() >= idx.lastModified())
        return true;
    std::unique_ptr<index::IndexReader> reader = m_store.open(digest);
    if (!reader)
        return false;
    QSaveFile out(namesPath);
    if (!out.open(QIODevice::WriteOnly)) {
        qCWarning(llHunt) << "cannot write" << namesPath << out.errorString();
        return false;
    }
    out.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    QByteArray block;
    block.reserve(BlockSize + 4096);
    stream::TarEntry e;
    while (reader->next(&e)) {
        block += lineOf(e);
        if (block.size() >= BlockSize) {
            out.write(block);
            block.clear();
        }
    }
    if (reader->error().isError()) {
        qCWarning(llHunt).noquote() << digest << ":" << reader->error().message;
        out.cancelWriting();
        return false;
    }
    out.write(block);
    if (!out.commit()) {
        qCWarning(llHunt) << "cannot write" << namesPath << out.errorString();
        return false;
    }
    *built = true;
    return true;
}

LayerSearch::Stats LayerSearch::run(const PathGlob &pattern, const Hit &hit) const
{
    Stats stats;
    if (!m_store.isEnabled())
        return stats;
    const QString dir = namesDirectory();
    if (!QDir().mkpath(dir))
        return stats;
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    QStringList digests = m_store.digests();
    digests.sort();
    auto namesPathOf = [&dir](const QString &digest) -> QString {
        return dir + QLatin1Char('/') + QString(digest).replace(QLatin1Char(':'), QLatin1Char('-'))
            + QStringLiteral(".names");
    };
    // Names files whose index is gone (pruned) go too: the folder stays bounded like the store.
    const QSet<QString> kept(digests.begin(), digests.end());
    for (const QString &f : QDir(dir).entryList({ QStringLiteral("*.names") }, QDir::Files)) {
        QString digest = f.chopped(6);
        if (digest.size() > 6)
            digest[6] = QLatin1Char(':');
        if (!kept.contains(digest))
            QFile::remove(dir + QLatin1Char('/') + f);
    }

    const QByteArray needle = pattern.isExact() ? QByteArray('\t' + PathBytes::encode(pattern.exactPath()) + '\n')
                                                : literalOf(pattern.pattern());
    const bool everyLine = needle.isEmpty();
    QByteArray buffer(BlockSize + 1, Qt::Uninitialized);
    stream::TarEntry e;

    for (const QString &digest : std::as_const(digests)) {
        const QString namesPath = namesPathOf(digest);
        bool built = false;
        if (!ensureNames(digest, namesPath, &built))
            continue;
        stats.namesBuilt += built ? 1 : 0;
        QFile f(namesPath);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        ++stats.layers;
        qsizetype have = 0; // bytes of an unfinished line carried over
        for (;;) {
            const qint64 got = f.read(buffer.data() + have, BlockSize - have);
            if (got < 0)
                break;
            const qsizetype size = have + qsizetype(got);
            if (size == 0)
                break;
            stats.bytesScanned += got;
            const char *base = buffer.constData();
            // Whole lines only; the tail waits for the next block (a line longer than a block is dropped).
            const char *lastNl = static_cast<const char *>(memrchr(base, '\n', size_t(size)));
            const qsizetype usable = lastNl ? (lastNl - base) + 1 : 0;
            stats.entries += std::count(base, base + usable, '\n');
            auto handleLine = [&](const char *ls, const char *le) {
                if (!pattern.isExact()) {
                    // Most lines are ASCII: match their bytes as they are, and decode only the hits.
                    const char *tab = static_cast<const char *>(memchr(ls, '\t', size_t(le - ls)));
                    if (!tab)
                        return;
                    if (isAscii(tab + 1, le) && !pattern.matches(QLatin1StringView(tab + 1, le)))
                        return;
                }
                if (!parseLine(ls, le - ls, &e))
                    return;
                if ((pattern.isExact() || pattern.matches(e.path))
                    && fs::Whiteout::classify(e.path).kind == fs::Whiteout::Kind::None)
                    hit(digest, e);
            };
            if (everyLine) {
                const char *ls = base;
                while (ls < base + usable) {
                    const char *le = static_cast<const char *>(memchr(ls, '\n', size_t(base + usable - ls)));
                    handleLine(ls, le);
                    ls = le + 1;
                }
            } else {
                const char *from = base;
                while (from < base + usable) {
                    const char *at = static_cast<const char *>(
                        memmem(from, size_t(base + usable - from), needle.constData(), size_t(needle.size())));
                    if (!at)
                        break;
                    const char *ls = at;
                    while (ls > base && ls[-1] != '\n')
                        --ls;
                    const char *le = static_cast<const char *>(memchr(at, '\n', size_t(base + usable - at)));
                    if (pattern.isExact())
                        le = at + needle.size() - 1; // the needle ends with the line's newline
                    handleLine(ls, le);
                    from = le + 1;
                }
            }
            have = size - usable;
            if (usable == 0 && have >= BlockSize)
                have = 0; // a line longer than a block: not a names line
            if (have > 0)
                memmove(buffer.data(), base + usable, size_t(have));
            if (got == 0)
                break;
        }
    }
    return stats;
}

} // namespace ll::hunt
