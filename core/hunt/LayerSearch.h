#pragma once

#include "hunt/PathGlob.h"
#include "index/IndexStore.h"
#include "stream/TarEntry.h"

#include <QByteArray>

#include <functional>

namespace ll::hunt {

/**
 * Offline search (--search): every layer index kept in a store, matched against one pattern, without the
 * network. Whiteout markers are not hits. The caller joins hits with the images seen (catalog).
 *
 * Fast form: beside the indexes (a "search" folder in the store's directory, 0700) each kept layer gets a
 * names file, one line per entry, "<type> <size> <mode> <mtime>\t<path>\n", made from the layer's index the
 * first time a search sees it (or when the index is newer), written whole or not at all (0600), and removed
 * when its index is gone. A search reads the names files in 1 MiB blocks: an exact path is one memmem for
 * "\t<path>\n", a glob looks for its longest literal run and matches the whole pattern only on the lines that
 * hold it (every line when it has none). Memory stays at the block size whatever the cache holds.
 * Entries whose path holds a tab or a newline (never in real images) are left out of names files.
 */
class LayerSearch
{
public:
    explicit LayerSearch(const index::IndexStore &store) : m_store(store) { }

    struct Stats {
        int layers = 0; // layers searched
        qint64 entries = 0; // entries in them
        int namesBuilt = 0; // names files made from indexes by this search
        qint64 bytesScanned = 0;
    };
    using Hit = std::function<void(const QString &layerDigest, const stream::TarEntry &entry)>;

    /** Calls hit for every entry of every kept layer that pattern matches (layers in digest order). */
    Stats run(const PathGlob &pattern, const Hit &hit) const;

    /** Where the names files live (empty when the store is disabled). */
    QString namesDirectory() const;
    /** The longest run of literal characters of a pattern (what memmem looks for), in UTF-8. */
    static QByteArray literalOf(const QString &pattern);
    /** One names line (without the newline) -> entry; false when it is not one. */
    static bool parseLine(const char *line, qsizetype size, stream::TarEntry *entry);
    /** The names line of an entry (with the newline); empty when its path cannot be written (tab, newline). */
    static QByteArray lineOf(const stream::TarEntry &entry);

private:
    bool ensureNames(const QString &digest, const QString &namesPath, bool *built) const;

    index::IndexStore m_store;
};

} // namespace ll::hunt
