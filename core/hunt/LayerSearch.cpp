#include "hunt/LayerSearch.h"

#include "fs/Whiteout.h"
#include "hunt/HuntLogging.h"

namespace ll::hunt {

LayerSearch::Stats LayerSearch::run(const PathGlob &pattern, const Hit &hit) const
{
    Stats stats;
    QStringList digests = m_store.digests();
    digests.sort();
    for (const QString &digest : std::as_const(digests)) {
        std::unique_ptr<index::IndexReader> reader = m_store.open(digest);
        if (!reader)
            continue;
        ++stats.layers;
        stream::TarEntry e;
        while (reader->next(&e)) {
            ++stats.entries;
            if (pattern.matches(e.path) && fs::Whiteout::classify(e.path).kind == fs::Whiteout::Kind::None)
                hit(digest, e);
        }
        if (reader->error().isError())
            qCWarning(llHunt).noquote() << digest << ":" << reader->error().message;
    }
    return stats;
}

} // namespace ll::hunt
