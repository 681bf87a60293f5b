#pragma once

// Crafted layers for the analysis tests: one spec string per tar entry.

#include "fs/LayerTree.h"
#include "stream/TarEntry.h"

#include <QStringList>

#include <initializer_list>
#include <vector>

namespace analysistest {

/**
 * "f PATH [SIZE] [key=value...]" a file (keys: mode= octal, uid=, gid=, mtime=), "d PATH" a directory,
 * "l PATH>TARGET" a symlink, "w PATH" a whiteout of PATH (PATH's dir/.wh.NAME), "o DIR" DIR/.wh..wh..opq.
 * Files default to mode 0644, directories 0755, mtime 0.
 */
inline ll::stream::TarEntry entry(const QString &spec)
{
    using ll::stream::TarEntry;
    const QStringList parts = spec.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    TarEntry e;
    QString path = parts.value(1);
    const qsizetype gt = path.indexOf(QLatin1Char('>'));
    if (gt >= 0) {
        e.linkTarget = path.mid(gt + 1);
        path = path.left(gt);
    }
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const QString dir = slash < 0 ? QString() : path.left(slash + 1);
    const QString name = path.mid(slash + 1);
    e.mode = 0644;
    switch (parts.value(0).at(0).toLatin1()) {
    case 'd':
        e.type = TarEntry::Type::Directory;
        e.mode = 0755;
        break;
    case 'l':
        e.type = TarEntry::Type::Symlink;
        e.mode = 0777;
        break;
    case 'w':
        path = dir + QStringLiteral(".wh.") + name;
        break;
    case 'o':
        path = path + QStringLiteral("/.wh..wh..opq");
        break;
    default:
        break;
    }
    e.path = path;
    for (int i = 2; i < parts.size(); ++i) {
        const QString &p = parts[i];
        if (p.startsWith(QLatin1String("mode=")))
            e.mode = p.mid(5).toUInt(nullptr, 8);
        else if (p.startsWith(QLatin1String("uid=")))
            e.uid = p.mid(4).toLongLong();
        else if (p.startsWith(QLatin1String("gid=")))
            e.gid = p.mid(4).toLongLong();
        else if (p.startsWith(QLatin1String("mtime=")))
            e.mtime = p.mid(6).toLongLong();
        else
            e.size = p.toLongLong();
    }
    return e;
}

/** Layers bottom-up, one spec per entry. */
using Specs = std::vector<std::vector<const char *>>;

inline QStringList strings(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *s : list)
        out << QString::fromUtf8(s);
    return out;
}

inline std::vector<ll::fs::LayerTree> buildLayers(const Specs &specs)
{
    std::vector<ll::fs::LayerTree> layers;
    layers.reserve(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        layers.emplace_back(int(i));
        for (const char *s : specs[i]) {
            if (!layers.back().addEntry(entry(QString::fromUtf8(s))).ok())
                qWarning("bad spec %s", s);
        }
    }
    return layers;
}

inline std::vector<const ll::fs::LayerTree *> pointers(const std::vector<ll::fs::LayerTree> &layers)
{
    std::vector<const ll::fs::LayerTree *> out;
    for (const ll::fs::LayerTree &l : layers)
        out.push_back(&l);
    return out;
}

} // namespace analysistest
