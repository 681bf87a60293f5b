#include "fs/Whiteout.h"

namespace ll::fs {

Whiteout Whiteout::classify(QStringView path)
{
    Whiteout result;
    // Fast path: most entries contain no ".wh." at all.
    if (!path.contains(prefix()))
        return result;

    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const QStringView dir = slash < 0 ? QStringView() : path.left(slash);
    const QStringView name = slash < 0 ? path : path.mid(slash + 1);

    // A marker component above the last one: AUFS hard-link dir content (.wh..wh.plnk/...) or garbage.
    qsizetype start = 0;
    while (start < dir.size()) {
        qsizetype end = dir.indexOf(QLatin1Char('/'), start);
        if (end < 0)
            end = dir.size();
        if (isMarkerName(dir.mid(start, end - start))) {
            result.kind = Kind::Ignored;
            return result;
        }
        start = end + 1;
    }

    if (!isMarkerName(name))
        return result;

    if (name == opaqueName()) {
        result.kind = Kind::Opaque;
        result.target = dir.isEmpty() ? QStringLiteral(".") : dir.toString();
        return result;
    }
    const QStringView target = name.mid(prefix().size());
    if (target.startsWith(prefix()) || target.isEmpty() || target == QLatin1String(".")
        || target == QLatin1String("..")) {
        // .wh..wh.plnk, .wh..wh.aufs, .wh..wh.orph and other AUFS metadata; or a marker naming nothing.
        result.kind = Kind::Ignored;
        return result;
    }
    result.kind = Kind::Whiteout;
    result.target = dir.isEmpty() ? target.toString() : dir.toString() + QLatin1Char('/') + target;
    return result;
}

} // namespace ll::fs
