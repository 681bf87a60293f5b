#pragma once

// Crafted layers for the fs and analysis tests: one spec string per tar entry.

#include "fs/FileNode.h"
#include "fs/LayerTree.h"
#include "stream/TarEntry.h"

#include <QList>
#include <QStringList>

#include <initializer_list>
#include <vector>

namespace layerspec {

/** What a file spec without a size gets. */
enum class FileSize { Zero, PathLength };

/**
 * "f PATH [SIZE] [key=value...]" a file (keys: mode= octal, uid=, gid=, mtime=), "d PATH" a directory,
 * "l PATH>TARGET" a symlink, "h PATH>TARGET" a hard link, "c PATH" a character device, "w PATH" a whiteout of
 * PATH (PATH's dir/.wh.NAME), "o DIR" DIR/.wh..wh..opq. Files default to mode 0644 and size 0 (or the length of
 * their path), directories 0755, symlinks 0777, mtime 0, owner root.
 */
inline ll::stream::TarEntry entry(const QString &spec, FileSize fileSize = FileSize::Zero)
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
    e.uname = QStringLiteral("root");
    switch (parts.value(0).at(0).toLatin1()) {
    case 'd':
        e.type = TarEntry::Type::Directory;
        e.mode = 0755;
        break;
    case 'l':
        e.type = TarEntry::Type::Symlink;
        e.mode = 0777;
        break;
    case 'h':
        e.type = TarEntry::Type::Hardlink;
        break;
    case 'c':
        e.type = TarEntry::Type::CharDevice;
        break;
    case 'w':
        path = dir + QStringLiteral(".wh.") + name;
        break;
    case 'o':
        path = path + QStringLiteral("/.wh..wh..opq");
        break;
    default:
        if (fileSize == FileSize::PathLength)
            e.size = path.size();
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

/** entry() with a file's size the length of its path (the fs tests tell files apart by size). */
inline ll::stream::TarEntry sizedEntry(const QString &spec)
{
    return entry(spec, FileSize::PathLength);
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

/** One tree per layer (index = position), bottom-up; a spec the tree refuses is reported. */
inline std::vector<ll::fs::LayerTree> buildLayerLists(
    const QList<QStringList> &specs, FileSize fileSize = FileSize::Zero)
{
    std::vector<ll::fs::LayerTree> layers;
    layers.reserve(size_t(specs.size()));
    for (int i = 0; i < specs.size(); ++i) {
        layers.emplace_back(i);
        for (const QString &s : specs[i]) {
            if (!layers.back().addEntry(entry(s, fileSize)).ok())
                qWarning("bad spec %s", qPrintable(s));
        }
    }
    return layers;
}

inline std::vector<ll::fs::LayerTree> buildLayers(const Specs &specs)
{
    QList<QStringList> lists;
    for (const std::vector<const char *> &layer : specs) {
        QStringList l;
        for (const char *s : layer)
            l << QString::fromUtf8(s);
        lists << l;
    }
    return buildLayerLists(lists);
}

inline std::vector<const ll::fs::LayerTree *> pointers(const std::vector<ll::fs::LayerTree> &layers)
{
    std::vector<const ll::fs::LayerTree *> out;
    for (const ll::fs::LayerTree &l : layers)
        out.push_back(&l);
    return out;
}

/**
 * parent/row/name-lookup consistency of the whole tree below root (and, with noMarkers, no whiteout or opaque
 * marker in it, as in a merged tree); the number of nodes below root, or -1.
 */
inline int checkConsistent(const ll::fs::FileNode *root, bool noMarkers = false)
{
    int count = 0;
    std::vector<const ll::fs::FileNode *> stack { root };
    while (!stack.empty()) {
        const ll::fs::FileNode *n = stack.back();
        stack.pop_back();
        for (int r = 0; r < n->childCount(); ++r) {
            const ll::fs::FileNode *c = n->children[size_t(r)];
            if (c->parent != n || c->row != r || n->child(c->name) != c)
                return -1;
            if (noMarkers && (c->isWhiteout() || c->isOpaque()))
                return -1;
            ++count;
            stack.push_back(c);
        }
    }
    return count;
}

} // namespace layerspec
