#include "hunt/CacheSearchJob.h"

#include "catalog/ImageCatalog.h"
#include "hunt/HuntLogging.h"

#include <QThread>

namespace ll::hunt {

CacheSearchJob::CacheSearchJob(const index::IndexStore &store, const PathGlob &pattern, int maxHits, QObject *parent)
    : Job(parent), m_store(store), m_pattern(pattern), m_maxHits(maxHits)
{
    setCancelIsAsync(true);
    setProgressUnit(ProgressUnit::Items);
    setTitle(tr("Search the cache for %1").arg(pattern.pattern()));
}

CacheSearchJob::~CacheSearchJob()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->disconnect(this);
        m_thread->wait(); // a scan is bounded (a names file per cached layer, read in blocks)
        delete m_thread;
    }
}

void CacheSearchJob::doStart()
{
    if (!m_store.isEnabled()) {
        fail(Error(Error::Code::Usage, tr("layer indexes are off: nothing is cached to search")));
        return;
    }
    m_thread = QThread::create([this]() {
        m_images = catalog::ImageCatalog::forIndexStore(m_store).recent();
        const QHash<QString, QVector<int>> owners = catalog::ImageCatalog::byLayer(m_images);
        LayerSearch search(m_store);
        m_stats = search.run(m_pattern, [this, &owners](const QString &digest, const stream::TarEntry &e) {
            if (m_cancel)
                return;
            if (m_hits.size() >= m_maxHits) {
                m_truncated = true;
                return;
            }
            m_hits.append(CachedHit { digest, e, owners.value(digest) });
        });
    });
    connect(m_thread, &QThread::finished, this, [this]() {
        qCDebug(llHunt) << "cache search" << m_pattern.pattern() << m_hits.size() << "hit(s) in" << m_stats.entries
                        << "entries," << m_stats.layers << "layer(s)";
        if (m_cancel) {
            m_hits.clear();
            cancelled();
            return;
        }
        setProgress(m_stats.layers, m_stats.layers);
        succeed();
    });
    m_thread->start();
}

void CacheSearchJob::doCancel()
{
    m_cancel = true;
    if (!m_thread)
        cancelled();
}

} // namespace ll::hunt
