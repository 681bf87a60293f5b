#pragma once

#include "index/IndexStore.h"
#include "stream/LayerPipeline.h"
#include "stream/TarEntry.h"

#include <QSemaphore>
#include <QVector>

namespace ll::stream {

/**
 * Lists one layer's tar members as the blob streams in (--peek-all, the GUI's per-layer tree).
 * entriesReady() brings them in archive order, in batches, on the job's thread, all before finished().
 * With FetchPolicy::byteLimit the listing stops there and isIncomplete() says so (--partial).
 *
 * With an index store (setIndexStore()), a layer listed completely before comes from its index, with no
 * request at all (isFromIndex()); a complete pass whose digest matched keeps its index for next time.
 * Entries from an index carry TarEntry::compressedEnd; streamed ones come at once, without it (-1).
 */
class LayerScanJob : public LayerPipeline
{
    Q_OBJECT
public:
    LayerScanJob(registry::RegistryClient *client, const LayerSource &source, QObject *parent = nullptr);
    ~LayerScanJob() override;

    int entryCount() const { return m_count; }

    /** Where layer indexes are looked up and kept (disabled by default). Before start(). */
    void setIndexStore(const index::IndexStore &store) { m_store = store; }
    /** The listing came from a kept index (no download). */
    bool isFromIndex() const { return m_fromIndex; }

signals:
    void entriesReady(const QVector<ll::stream::TarEntry> &entries);

protected:
    void doStart() override;
    void doCancel() override;
    void workerFinishing() override;

private:
    class Visitor;
    void deliver(QVector<TarEntry> batch);
    void serveFromIndex();
    void onFinished();

    std::unique_ptr<Visitor> m_visitorImpl;
    // Batches handed to the job's thread and not yet delivered: the worker waits when all are taken, so a
    // slow consumer (a terminal, a busy UI) holds back the download instead of piling up entries.
    QSemaphore m_batchSlots { 8 };
    int m_count = 0;
    index::IndexStore m_store;
    std::unique_ptr<index::IndexWriter> m_indexWriter; // fed by the worker, committed on success
    std::unique_ptr<index::IndexReader> m_indexReader; // serving a kept index
    bool m_fromIndex = false;
};

} // namespace ll::stream

Q_DECLARE_METATYPE(ll::stream::TarEntry)
