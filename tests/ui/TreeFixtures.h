#pragma once

// Hand-built layer trees for the model tests (no registry needed).

#include "fs/LayerTree.h"
#include "stream/TarEntry.h"

#include <QString>

#include <initializer_list>

namespace ll::test {

inline stream::TarEntry fileEntry(const QString &path, qint64 size = 0, quint32 mode = 0644, qint64 mtime = 1700000000)
{
    stream::TarEntry e;
    e.path = path;
    e.type = stream::TarEntry::Type::File;
    e.size = size;
    e.mode = mode;
    e.uid = 0;
    e.gid = 0;
    e.uname = QStringLiteral("root");
    e.gname = QStringLiteral("root");
    e.mtime = mtime;
    return e;
}

inline stream::TarEntry dirEntry(const QString &path, quint32 mode = 0755)
{
    stream::TarEntry e = fileEntry(path, 0, mode);
    e.type = stream::TarEntry::Type::Directory;
    return e;
}

inline stream::TarEntry linkEntry(const QString &path, const QString &target)
{
    stream::TarEntry e = fileEntry(path, 0, 0777);
    e.type = stream::TarEntry::Type::Symlink;
    e.linkTarget = target;
    return e;
}

inline void addAll(fs::LayerTree &tree, std::initializer_list<stream::TarEntry> entries)
{
    for (const stream::TarEntry &e : entries)
        (void)tree.addEntry(e);
}

/** Deterministic image-like paths: one big dir, many small ones (as bench/bench_tree). */
inline void addSynthetic(fs::LayerTree &tree, int count, int start = 0)
{
    static const char *const stems[] = { "README", "LICENSE", "__init__.py", "index.js", "package.json", "lib",
        "main.c", "util.h", "locale", "doc" };
    quint32 x = 12345u + quint32(start);
    for (int i = start; i < start + count; ++i) {
        x = x * 1664525u + 1013904223u;
        QString dir;
        if (x % 4 == 0)
            dir = QStringLiteral("usr/share/big");
        else
            dir = QStringLiteral("usr/lib/pkg%1/sub%2/d%3").arg((x >> 4) % 400).arg((x >> 12) % 6).arg((x >> 16) % 4);
        (void)tree.addEntry(
            fileEntry(dir + QLatin1Char('/') + QString::fromLatin1(stems[(x >> 20) % 10]) + QString::number(i),
                qint64(x % 100000)));
    }
}

} // namespace ll::test
