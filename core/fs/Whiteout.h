#pragma once

#include <QString>
#include <QStringView>

namespace ll::fs {

/**
 * OCI / AUFS whiteout names (OCI image spec, "Whiteouts"):
 *   dir/.wh.NAME      deletes dir/NAME (and its subtree) in lower layers;
 *   dir/.wh..wh..opq  makes dir opaque: all lower content of dir is hidden, this layer's content stays;
 *   .wh..wh.plnk, .wh..wh.aufs, .wh..wh.orph (and anything under them): AUFS metadata, ignored.
 * Markers are never listed as files.
 */
struct Whiteout {
    enum class Kind {
        None, // an ordinary entry
        Whiteout, // target = the deleted path
        Opaque, // target = the opaque directory ("." for the root)
        Ignored, // AUFS metadata or a malformed marker (".wh.", ".wh..", a path below a ".wh." component)
    };

    Kind kind = Kind::None;
    QString target;

    /** Classifies a normalised archive path (no leading "/" or "./", no trailing "/"). */
    static Whiteout classify(QStringView path);
    /** Does deleting `target` (a `.wh.` marker's target) delete path: the path itself or a parent of it? */
    static bool covers(QStringView target, QStringView path)
    {
        return path.startsWith(target)
            && (path.size() == target.size() || (!target.isEmpty() && path.at(target.size()) == QLatin1Char('/')));
    }
    /** True when a single path component starts with ".wh.". */
    static bool isMarkerName(QStringView name) { return name.startsWith(prefix()); }
    static QLatin1String prefix() { return QLatin1String(".wh."); }
    static QLatin1String opaqueName() { return QLatin1String(".wh..wh..opq"); }
};

} // namespace ll::fs
