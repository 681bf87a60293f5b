#pragma once

#include "hunt/PathGlob.h"
#include "index/IndexStore.h"
#include "stream/TarEntry.h"

#include <functional>

namespace ll::hunt {

/**
 * Offline search (--search): every layer index kept in a store, matched against one pattern, without the
 * network. Whiteout markers are not hits. The caller joins hits with the images seen (catalog).
 */
class LayerSearch
{
public:
    explicit LayerSearch(const index::IndexStore &store) : m_store(store) { }

    struct Stats {
        int layers = 0; // indexes searched
        qint64 entries = 0; // entries looked at
    };
    using Hit = std::function<void(const QString &layerDigest, const stream::TarEntry &entry)>;

    /** Calls hit for every entry of every kept index that pattern matches. */
    Stats run(const PathGlob &pattern, const Hit &hit) const;

private:
    index::IndexStore m_store;
};

} // namespace ll::hunt
