#pragma once

#include "hunt/PathGlob.h"
#include "stream/TarEntry.h"

#include <QList>

#include <optional>

namespace ll::hunt {

/** What a hunt looks for: one or more patterns, optionally only one entry type and a minimum size. */
struct HuntQuery {
    QList<PathGlob> patterns;
    std::optional<stream::TarEntry::Type> type;
    qint64 minSize = -1; // bytes; -1: any
    /**
     * Exact paths: when a whiteout (or opaque dir) hides the path, read on down the lower layers for the copies it
     * hides ("deleted, still recoverable from layer N"). Off: stop at what hides it, as a carve does (the answer
     * is Deleted by that layer, copies not searched): no layer is read that a carve would not read.
     */
    bool hiddenCopies = true;

    /** A glob needs whole layer listings; exact paths alone allow the top-down early stop. */
    bool hasGlob() const
    {
        for (const PathGlob &p : patterns) {
            if (!p.isExact())
                return true;
        }
        return false;
    }
    /** Type and size filters (applied to the copy an answer shows). */
    bool accepts(stream::TarEntry::Type t, qint64 size) const
    {
        return (!type || *type == t) && (minSize < 0 || size >= minSize);
    }
};

} // namespace ll::hunt
