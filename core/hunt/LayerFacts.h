#pragma once

#include "common/Error.h"
#include "fs/LayerTree.h"
#include "hunt/HuntQuery.h"

#include <QString>

#include <memory>
#include <vector>

namespace ll::index {
class IndexReader;
}

namespace ll::hunt {

/**
 * Decides, entry by entry, what of a layer a hunt keeps: entries a pattern matches, the parents of exact
 * paths (a file or symlink there hides the path), and every whiteout and opaque marker. The rest of a layer
 * is dropped as it streams: a hunt holds a few nodes per layer however big the layers are.
 */
class LayerFactsFilter
{
public:
    LayerFactsFilter() = default;
    explicit LayerFactsFilter(const HuntQuery &query);

    bool keeps(const stream::TarEntry &entry) const;
    /** Only exact patterns: a layer read can stop once every one of them is decided in it. */
    bool canStopEarly() const { return m_exactOnly && !m_exact.isEmpty(); }
    /**
     * Marks the exact patterns entry decides in its layer (the entry itself, or a whiteout of it or of a
     * parent); true when all are decided (decided has one flag per exact pattern).
     */
    bool decide(const stream::TarEntry &entry, std::vector<bool> *decided) const;
    int exactCount() const { return int(m_exact.size()); }

private:
    QList<PathGlob> m_globs;
    QStringList m_exact;
    bool m_exactOnly = true;
};

/**
 * What one layer (by digest) says about a hunt's query: a sparse LayerTree of the kept entries, shared by
 * every image that has the layer. complete: the layer was read to its end (or came from its index); else the
 * read stopped once every exact pattern was decided, which answers those patterns all the same.
 */
struct LayerFacts {
    QString digest;
    std::unique_ptr<fs::LayerTree> tree;
    bool complete = false;
    bool indexed = false; // came from a kept index
    Error error; // the layer could not be read: every image needing it fails with this

    /** Facts from a kept index (no request); nullptr when the index turns out damaged. */
    static std::shared_ptr<LayerFacts> fromIndex(
        index::IndexReader &reader, const QString &digest, const LayerFactsFilter &filter);
};

} // namespace ll::hunt
