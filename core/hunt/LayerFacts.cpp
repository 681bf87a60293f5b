#include "hunt/LayerFacts.h"

#include "fs/Whiteout.h"
#include "hunt/HuntLogging.h"
#include "index/IndexReader.h"

namespace ll::hunt {

LayerFactsFilter::LayerFactsFilter(const HuntQuery &query)
{
    for (const PathGlob &p : query.patterns) {
        if (p.isExact()) {
            m_exact << p.exactPath();
        } else {
            m_globs << p;
            m_exactOnly = false;
        }
    }
}

bool LayerFactsFilter::keeps(const stream::TarEntry &entry) const
{
    const QString &path = entry.path;
    for (const QString &x : m_exact) {
        // The path itself or one of its parents.
        if (x.startsWith(path) && (x.size() == path.size() || x.at(path.size()) == QLatin1Char('/')))
            return true;
    }
    if (fs::Whiteout::classify(path).kind != fs::Whiteout::Kind::None)
        return true;
    for (const PathGlob &g : m_globs) {
        if (g.matches(path))
            return true;
    }
    return false;
}

bool LayerFactsFilter::decide(const stream::TarEntry &entry, std::vector<bool> *decided) const
{
    const fs::Whiteout w = fs::Whiteout::classify(entry.path);
    bool all = true;
    for (int i = 0; i < m_exact.size(); ++i) {
        if (!(*decided)[size_t(i)]) {
            if (entry.path == m_exact[i]
                || (w.kind == fs::Whiteout::Kind::Whiteout && fs::Whiteout::covers(w.target, m_exact[i])))
                (*decided)[size_t(i)] = true;
        }
        all = all && (*decided)[size_t(i)];
    }
    return all;
}

std::shared_ptr<LayerFacts> LayerFacts::fromIndex(
    index::IndexReader &reader, const QString &digest, const LayerFactsFilter &filter)
{
    auto facts = std::make_shared<LayerFacts>();
    facts->digest = digest;
    facts->tree = std::make_unique<fs::LayerTree>();
    facts->complete = true;
    facts->indexed = true;
    stream::TarEntry e;
    while (reader.next(&e)) {
        if (filter.keeps(e))
            (void)facts->tree->addEntry(e); // unsafe names are refused by the tree and never match
    }
    if (reader.error().isError()) {
        qCWarning(llHunt).noquote() << reader.error().message << "; reading the layer instead";
        return nullptr;
    }
    return facts;
}

} // namespace ll::hunt
