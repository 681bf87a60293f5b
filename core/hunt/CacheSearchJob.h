#pragma once

#include "catalog/SeenImage.h"
#include "common/Job.h"
#include "hunt/LayerSearch.h"
#include "index/IndexStore.h"
#include "stream/TarEntry.h"

#include <QVector>

#include <atomic>

class QThread;

namespace ll::hunt {

/** One entry of a cached layer that a search matched, with the images seen that have that layer. */
struct CachedHit {
    QString layerDigest;
    stream::TarEntry entry;
    QVector<int> images; // into CacheSearchJob::images(); empty: no recorded image has the layer
};

/**
 * The offline search of everything cached (what CLI --search runs: LayerSearch over every kept layer index,
 * joined with the images-seen catalogue), on a worker thread, for the GUI. At most maxHits hits are kept
 * (truncated() says when more matched). Cancel: the hits found so far are dropped, the job ends Cancelled
 * once the scan returns.
 */
class CacheSearchJob : public Job
{
    Q_OBJECT
public:
    CacheSearchJob(
        const index::IndexStore &store, const PathGlob &pattern, int maxHits = 10000, QObject *parent = nullptr);
    ~CacheSearchJob() override;

    const QVector<CachedHit> &hits() const { return m_hits; }
    const QVector<catalog::SeenImage> &images() const { return m_images; }
    const LayerSearch::Stats &stats() const { return m_stats; }
    bool truncated() const { return m_truncated; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    index::IndexStore m_store;
    PathGlob m_pattern;
    int m_maxHits;
    QThread *m_thread = nullptr;
    std::atomic<bool> m_cancel { false };
    // Written by the worker, read after its end.
    QVector<CachedHit> m_hits;
    QVector<catalog::SeenImage> m_images;
    LayerSearch::Stats m_stats;
    bool m_truncated = false;
};

} // namespace ll::hunt
