#pragma once

#include "index/IndexStore.h"
#include "stream/LayerPipeline.h"
#include "stream/TarEntry.h"

#include <QPointer>
#include <QSemaphore>
#include <QVector>

#include <memory>

namespace ll::toc {
struct LayerToc;
class TocFetchJob;
} // namespace ll::toc

namespace ll::stream {

/**
 * Lists one layer's tar members as the blob streams in (--peek-all, the GUI's per-layer tree).
 * entriesReady() brings them in archive order, in batches, on the job's thread, all before finished().
 * With FetchPolicy::byteLimit the listing stops there and isIncomplete() says so (--partial).
 *
 * With an index store (setIndexStore()), a layer listed completely before comes from its index, with no
 * request at all (isFromIndex()); a complete pass whose digest matched keeps its index for next time.
 * Entries from an index carry TarEntry::compressedEnd; streamed ones come at once, without it (-1).
 *
 * A layer with a table of contents (eStargz, zstd:chunked: toc::TocFetchJob) is listed from it in 1-2 small
 * Range requests (isFromToc()); a TOC that is refused (digest mismatch, offsets outside the blob ...) is
 * logged and the layer is streamed instead. The TOC listing is what the TOC says: an eStargz blob's own
 * `stargz.index.json` member is not in it.
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
    /** Gzip checkpoints of the layer's index, kept by this pass or read from the index (0: none: no random
        access from it). Known once finished. */
    int checkpointCount() const { return m_checkpointCount; }

    /** Look for a TOC by a tail probe when no annotation announces one (default off). Before start(). */
    void setTocProbe(bool probe) { m_tocProbe = probe; }
    /** Use TOCs at all (default on). Before start(). */
    void setTocEnabled(bool enabled) { m_tocEnabled = enabled; }
    /** The listing came from the layer's table of contents (no layer download). */
    bool isFromToc() const { return m_fromToc; }
    /** That table of contents (carves and previews fetch files with it). */
    std::shared_ptr<const toc::LayerToc> layerToc() const { return m_toc; }
    /** Why a TOC was not used (empty when none was announced or it was used). */
    const QString &tocRefusal() const { return m_tocRefusal; }
    /** Requests and bytes of the TOC fetch (also counted when it was refused). */
    int tocRequestCount() const { return m_tocRequests; }
    qint64 tocBytesDownloaded() const { return m_tocBytes; }

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
    void openIndexWriter();
    bool startToc();
    void onTocFinished();
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
    bool m_tocEnabled = true;
    bool m_tocProbe = false;
    bool m_fromToc = false;
    int m_checkpointCount = 0;
    QPointer<toc::TocFetchJob> m_tocJob;
    std::shared_ptr<const toc::LayerToc> m_toc;
    QString m_tocRefusal;
    int m_tocRequests = 0;
    qint64 m_tocBytes = 0;
};

} // namespace ll::stream

Q_DECLARE_METATYPE(ll::stream::TarEntry)
