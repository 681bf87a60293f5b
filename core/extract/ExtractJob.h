#pragma once

#include "common/Job.h"
#include "index/IndexStore.h"
#include "oci/Image.h"
#include "random/SpanRead.h"
#include "stream/TarEntry.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QVector>

#include <memory>
#include <vector>

namespace ll::registry {
class RegistryClient;
}
namespace ll::fs {
class LayerTree;
}
namespace ll::stream {
class LayerPipeline;
}
namespace ll::toc {
struct LayerToc;
class TocFetchJob;
class TocRunsJob;
} // namespace ll::toc

namespace ll::extract {

class SafeWriter;

/** What happened to one archive member (or one requested path) during an extraction. */
struct ExtractItem {
    enum class Outcome {
        Written, // file, dir, symlink or hard link created under the output directory
        Skipped, // on purpose: device node / fifo, unsafe path, whiteout marker, hard link target not extracted
        Failed, // an I/O error, or a requested path that is not in the image (error says which)
    };
    QString path; // normalised path inside the image (the raw archive name when it was unsafe)
    stream::TarEntry::Type type = stream::TarEntry::Type::File;
    int layer = -1;
    qint64 size = 0;
    Outcome outcome = Outcome::Written;
    /** The reason for Skipped/Failed (UnsafePath, Unsupported for devices, NotFound, Io, ...). */
    Error error;

    static QString outcomeName(Outcome outcome); // "written", "skipped", "failed"
};

/** How ExtractJob picks the copies it writes. */
struct ExtractOptions {
    /** -1: the merged view (what a container sees); N: the entries of layer N as they are in that layer. */
    int layer = -1;
    /** Keep setuid/setgid/sticky bits (ownership is never changed). */
    bool preservePermissions = false;
};

/**
 * Extracts files and whole subtrees of an image into a directory (--extract PATH... -o DIR [--layer N]).
 *
 * Merged mode reads layers from the top down, each once: every entry of layer k is checked against the
 * layers above (fs::MergedTree::lookupTopDown over their fs::LayerTree), so only the visible copy of each
 * path is written, whiteouts and opaque directories are honoured (a deleted file is never resurrected from
 * a lower layer) and directories merge. It stops as soon as every requested path is decided (a file found,
 * or deleted, or a directory made opaque), so lower layers are not downloaded for nothing.
 * Per-layer mode streams that one layer and writes its entries under the paths as they are.
 *
 * All writing goes through SafeWriter (nothing outside outputDir, no symlink traversal, .part + rename).
 * Device nodes and fifos are skipped, unsafe names are skipped and reported; a hard link is created only
 * when its target was extracted from the same layer. items() reports every member under the paths.
 * A layer's files are written to "<name>.part" and get their final names only after the whole layer was read
 * and verified (sha256 digest, gzip CRC, tar structure): a layer that fails (network, digest mismatch, corrupt
 * data) or a cancel leaves none of that layer's files under a final name (directories and symlinks, which carry
 * no content, may remain); files of layers verified before stay. Progress: compressed bytes.
 *
 * A layer is read only as far as the paths need (issue: 16 small files once cost whole layers):
 * - with a kept index (setIndexStore()), its tree comes from the index, a layer holding none of the paths is
 *   not downloaded at all, and one Range request reaches the compressedEnd of the last entry needed;
 * - with an index that keeps gzip checkpoints, the members needed are grouped by the spans they lie in, runs of
 *   overlapping or touching spans merge, and each run is one Range request (random::SpanRead::planRuns) whose
 *   spans are checked against their SHA-256 before any byte is used: such a layer counts as verified. A span
 *   that no longer matches (or a member not where the index says) discards the index; that or a network
 *   failure streams the layer instead (indexFallback()), none of the reads' files kept;
 * - a layer with a table of contents (eStargz, zstd:chunked: announced by its annotations; setTocEnabled()) is read
 *   by its chunks: its TOC is fetched (1-2 requests, checked against the annotation), the regular files needed
 *   are fetched chunk by chunk with one Range request per run of chunks (toc::TocRunsJob: runs merge across gaps
 *   of at most 64 KiB), every chunk checked against its chunkDigest and every file against its digest before it
 *   is written; directories, symlinks and hard links come from the TOC under the same rules as a stream's. A
 *   chunk that fails its checks, a TOC that disagrees with itself or a network failure beyond the retries
 *   streams the layer instead (tocFallback()), none of the chunk reads' files kept; a TOC that cannot be fetched
 *   or is refused leaves the layer to the paths below;
 * - otherwise the stream stops as soon as every path is decided (each a non-directory found or deleted here or
 *   above: a later copy in the same layer is not looked for, as a carve does); directories need the whole layer.
 * A layer read partly cannot be checked against its digest: its files get their final names unverified and
 * unverifiedLayers() lists it. expectedDownload() says beforehand how much at most will be fetched.
 */
class ExtractJob : public Job
{
    Q_OBJECT
public:
    /** paths: image paths ("/etc", "etc/passwd", "." for everything); outputDir is created if missing. */
    ExtractJob(registry::RegistryClient *client, const oci::Image &image, const QStringList &paths,
        const QString &outputDir, const ExtractOptions &options = ExtractOptions(), QObject *parent = nullptr);
    ~ExtractJob() override;

    const QVector<ExtractItem> &items() const { return m_items; }
    int count(ExtractItem::Outcome outcome) const;
    /** Layers that were streamed, in the order they were read. */
    const QVector<int> &layersRead() const { return m_layersRead; }
    /** Compressed bytes downloaded over all layers. */
    qint64 bytesDownloaded() const { return m_bytesDownloaded; }
    /** Layers read only in part (their digest unchecked), in the order they were read. */
    const QVector<int> &unverifiedLayers() const { return m_unverified; }
    /** Layers whose tree came from their kept index (read in part or not at all). */
    const QVector<int> &layersFromIndex() const { return m_fromIndex; }
    /** Layers read from their index's gzip checkpoints (each span's SHA-256 checked: they count as verified). */
    const QVector<int> &randomAccessLayers() const { return m_randomLayers; }
    /** Pieces (64 KiB of compressed bytes) checked in those reads. */
    int piecesVerified() const { return m_piecesVerified; }
    /** Blob requests made (all layers, all reads). */
    int requestCount() const { return m_requests; }
    /** Non-empty when a read from checkpoints failed (why): that layer was streamed instead, and its index
        discarded when it proved wrong (a span no longer matched, a member not where it said). */
    const QString &indexFallback() const { return m_indexFallback; }

    /** Layers read by their TOC's chunks (every chunk and file digest checked), in the order they were read. */
    const QVector<int> &tocLayers() const { return m_tocLayers; }
    /** Chunks checked against their chunkDigest in those reads. */
    int chunksVerified() const { return m_chunksVerified; }
    /** Non-empty when a read by TOC chunks failed or a TOC was refused (why): that layer was read another way. */
    const QString &tocFallback() const { return m_tocFallback; }
    /** Read layers that carry a TOC by their chunks (default true; before start()). */
    void setTocEnabled(bool enabled) { m_tocEnabled = enabled; }
    /** A layer's TOC already fetched and checked against its annotation (a listing's): not fetched again. Before
        start(); an unverified TOC is ignored. */
    void setLayerToc(int layer, std::shared_ptr<const toc::LayerToc> toc);

    /** Layer indexes to use (disabled by default; before start()). */
    void setIndexStore(const index::IndexStore &store) { m_store = store; }

    /**
     * At most how many compressed bytes extracting paths will download: per layer the compressedEnd of the
     * last entry needed when the layer is indexed (0 when none is), else the whole layer. Merged mode may stop
     * sooner (the paths decided in upper layers). Reads indexes only, no request.
     */
    static qint64 expectedDownload(const oci::Image &image, const QStringList &paths, int layer,
        const index::IndexStore &store, int *indexedLayers = nullptr);
    const QString &outputDir() const { return m_outputDir; }

signals:
    /** Items of one layer, after that layer was read (on the job's thread). */
    void itemsReady(const QVector<ll::extract::ExtractItem> &items);

protected:
    void doStart() override;
    void doCancel() override;

private:
    class Visitor;

    void startNextLayer();
    void startLayer(int layer, bool useIndex);
    void startRun();
    void startTocFetch(int layer);
    void onTocFetched();
    void startTocLayer(int layer, std::shared_ptr<const toc::LayerToc> toc);
    Status tocEntriesUpTo(int end);
    void onTocRunsFinished();
    void endLayer(State state, const Error &error);
    void fallBackToStreaming(const Error &why, bool indexWrong);
    bool loadIndexed(int layer, qint64 *needEnd);
    void onLayerFinished();
    void onLayerProgress(qint64 done, qint64 total);
    bool allDecided() const;
    void reportMissing();
    void finishAll();

    registry::RegistryClient *m_client;
    oci::Image m_image;
    QStringList m_rawPaths;
    QStringList m_paths; // normalised
    QString m_outputDir;
    ExtractOptions m_options;

    std::unique_ptr<SafeWriter> m_writer;
    std::vector<std::unique_ptr<fs::LayerTree>> m_trees; // by layer index; null until read
    std::vector<const fs::LayerTree *> m_treePtrs; // same, for lookups (null: not read)
    QHash<QString, int> m_writtenFrom; // path -> layer its file came from (hard links)
    QVector<int> m_order; // layers to read, top-down
    int m_next = 0;
    int m_currentLayer = -1;
    stream::LayerPipeline *m_pipeline = nullptr;
    std::unique_ptr<Visitor> m_visitor;
    QVector<ExtractItem> m_items;
    QVector<int> m_layersRead;
    qint64 m_bytesDone = 0;
    qint64 m_bytesTotal = -1;
    qint64 m_bytesDownloaded = 0;
    index::IndexStore m_store;
    QVector<int> m_unverified;
    QVector<int> m_fromIndex;
    // An indexed gzip layer read from its checkpoints: one request per run of touching spans, in stream order.
    QVector<random::SpanRead> m_runs;
    int m_run = 0;
    QSet<qint64> m_runHeaders; // header offsets of the members the runs must hold
    QVector<int> m_randomLayers;
    int m_piecesVerified = 0;
    int m_requests = 0;
    QString m_indexFallback;
    // A layer read by its TOC's chunks: the visitor is driven over the TOC's entries in order, the files' data
    // coming from the runs.
    bool m_tocEnabled = true;
    std::vector<bool> m_tocTried; // by layer: its TOC was fetched (or refused) already
    QHash<int, std::shared_ptr<const toc::LayerToc>> m_givenTocs; // setLayerToc()
    QPointer<toc::TocFetchJob> m_tocFetch;
    QPointer<toc::TocRunsJob> m_tocRuns;
    std::shared_ptr<const toc::LayerToc> m_toc; // the layer being read by its chunks
    QHash<int, int> m_tocEntryOf; // toc file index -> entry index, for the files fetched
    int m_tocCursor = 0; // next TOC entry to hand to the visitor
    int m_tocOpenEntry = -1; // the entry whose data is being handed on
    QVector<int> m_tocLayers;
    int m_chunksVerified = 0;
    QString m_tocFallback;
};

} // namespace ll::extract

Q_DECLARE_METATYPE(ll::extract::ExtractItem)
