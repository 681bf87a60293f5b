#pragma once

#include "common/Job.h"
#include "index/IndexStore.h"
#include "oci/Image.h"
#include "stream/TarEntry.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

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
struct TocFile;
class TocFetchJob;
class TocFileJob;
} // namespace ll::toc

namespace ll::extract {

class AtomicFileWriter;

/** How a carve fetches and where it writes. */
struct CarveOptions {
    /** Output root (-o/--output-dir); the file lands at <outputDir>/<path>. Relative: to the current dir. */
    QString outputDir = QStringLiteral("carved");
    /** Size of the first Range request (--chunk-size KB). */
    qint64 firstChunk = 64 * 1024;
    /** Follow a symlink in the last component inside the image (--follow) and carve its target. */
    bool follow = false;
    /** Range windows never ask for more than growth x consumed + firstChunk bytes in total. */
    double growth = 1.25;
    /**
     * One open request per layer read as the allowance grows (FetchPolicy::overlap), the default: a first carve
     * costs about one round trip plus the transfer (bench_carve at +50 ms: 1.03 x one curl of the bytes needed,
     * where bounded windows take 11 round trips, 4.3 x). The client reads no further than bounded windows would,
     * but at the close the sockets' buffers may hold bytes sent beyond it (on loopback, where nothing limits the
     * sender, up to a few MB; on a real link about what is in flight). false (--bounded-reads): one bounded Range
     * request per window, so the wire never carries more than the allowance.
     */
    bool overlap = true;
    /**
     * After the file is found in a streamed layer, read on to the layer's end whatever its size (--whole-layer):
     * a later copy of the path in the same layer (tar -r appends one) replaces it, as tar -x and Docker apply
     * the layer, and the layer digest is checked. Without it the carve reads on only when what is left of the
     * layer is at most ReadOnSlack or what was read so far (at most twice the bytes, plus 4 MiB), and stops
     * at the copy it found otherwise (CarveResult::stoppedEarly).
     */
    bool wholeLayer = false;
    static constexpr qint64 ReadOnSlack = qint64(4) << 20;
    /** The read-on rule: after a copy found at blob offset at, is the rest of a layerSize-byte layer cheap enough
        to read (at most ReadOnSlack or what was read so far)? Carves and the hunt's layer reads both follow it. */
    static bool readsOn(qint64 layerSize, qint64 at) { return layerSize - at <= qMax(ReadOnSlack, at); }
};

/** What a carve found and what it cost. */
struct CarveResult {
    enum class Status { NotFound, Found, Deleted };
    Status status = Status::NotFound;
    QString path; // the requested path (normal form)
    QString resolvedPath; // after symlinks (parents always, the last component with follow); == path otherwise
    stream::TarEntry::Type type = stream::TarEntry::Type::File; // of the entry at `path` (Found)
    QString linkTarget; // symlink or hard link target of that entry
    int layerIndex = -1; // Found: the layer holding the content; Deleted: the layer whose whiteout/opaque dir hides it
    QString layerDigest;
    qint64 layerSize = -1;
    qint64 size = 0; // bytes of the file (Found, regular file or hard link)
    QString savedTo; // absolute path of the written file; empty when nothing was written (symlink, deleted)
    qint64 bytesDownloaded = 0; // network bytes that arrived, all layers and passes
    qint64 bytesRequested = 0; // bytes asked for by Range requests
    /** Compressed bytes that had to be read: whole layers searched + the found layer up to the file's end. */
    qint64 physicalBound = 0;
    int requests = 0;
    int layersRead = 0; // layer passes made (a hard link or a re-read after a symlink adds one)
    int layersFromIndex = 0; // layers searched in their kept index instead of a download
    /**
     * Found and saved: the pass that read the file reached its layer's end and the layer digest matched.
     * false: the read stopped early (only a gzip member ending in what was read had its CRC checked).
     */
    bool verified = false;
    /** Found in a streamed layer that was not read to its end: a later copy there would not have been seen. */
    bool stoppedEarly = false;
    int layersFromToc = 0; // layers searched in their table of contents (eStargz, zstd:chunked)
    bool fromToc = false; // the file was fetched by its TOC chunk offsets (one request, each chunk verified)
    /** The file was read from its layer index's gzip checkpoints: one Range request, spans checked. */
    bool randomAccess = false;
    /** Pieces (64 KiB of compressed bytes) whose SHA-256 was checked in that read (its bytes were trusted only then).
     */
    int piecesVerified = 0;
    /** Non-empty when a read from a layer index's checkpoints failed: why; the layer was streamed instead, and the
        index discarded when it proved wrong (a span no longer matched), kept after a network failure. */
    QString indexFallback;
    qint64 elapsedMs = 0;

    static QString statusName(Status status); // "found", "deleted", "not_found"
};

/**
 * Carves one file out of an image the way a container sees it (-f/--carve-file).
 *
 * Layers are searched from the top down (fs::MergedTree::lookupTopDown over per-layer trees filled as the
 * layers stream in). Each layer is read with FetchPolicy::Windowed and one byte budget shared by the whole
 * carve: a small first Range request, then geometrically growing ones, never more than
 * growth x (bytes consumed) + firstChunk in total. A layer's read stops the moment its answer is certain,
 * which closes the connection:
 * - the path is a regular file: its bytes stream to <outputDir>/<path>.part, renamed once complete and checked
 *   (the last copy of a path written twice in the layer wins: see CarveOptions::wholeLayer for when the read
 *   goes on after a copy to look for a later one; a carve from an index or a complete tree takes the last):
 *   the pass reads on through what it already asked for (LayerPipeline::setCheckAfterStop), so a gzip member
 *   ending there has its CRC32/ISIZE checked and, when the requests reach the layer's end, the layer digest
 *   (CarveResult::verified); a failed check leaves no file under the final name;
 * - a whiteout of the path or of a parent (`.wh.NAME`): Deleted;
 * - a hard link: its content is the target's, earlier in the same layer: re-read from the compressed bytes that
 *   search pass received (kept in an unlinked temporary file while a layer is searched, read back on a helper
 *   thread), so the layer is not downloaded twice; without that file (no space) the layer is read again up to
 *   the target;
 * - a symlink: reported (type Symlink, linkTarget) without follow; with follow the layer is read to its end
 *   and the target is carved (resolved inside the image, chroot-like), saved under the requested name;
 * - a directory: Error::Usage ("is a directory"), a device/fifo: Error::Unsupported.
 * Otherwise (an opaque parent dir, nothing about the path) the layer is read to its end and the search
 * goes on below. Symlinked parent directories (e.g. /lib -> usr/lib) are resolved as found.
 * Output is safe: the path is normalised (".." above the root: Error::UnsafePath before any request), no
 * symlink below outputDir is followed, and a failed or cancelled carve leaves no file under the final name.
 * Errors in a layer (corrupt gzip, bad tar, a dropped connection beyond the retries) name the layer and offset.
 * progress(): compressed bytes consumed / total size of the image's layers (an upper bound).
 */
class CarveJob : public Job
{
    Q_OBJECT
public:
    CarveJob(registry::RegistryClient *client, const oci::Image &image, const QString &path,
        const CarveOptions &options = CarveOptions(), QObject *parent = nullptr);
    ~CarveJob() override;

    const CarveOptions &options() const { return m_options; }
    /** Complete when finished (the counters also while running). */
    const CarveResult &result() const { return m_result; }

    /**
     * Layer indexes to use (disabled by default; before start()): a layer with a kept index is searched
     * without a download, and the file is fetched with one Range request up to its compressedEnd.
     */
    void setIndexStore(const index::IndexStore &store) { m_store = store; }
    /**
     * Layers announcing a table of contents (eStargz, zstd:chunked) are searched in it (1-2 small requests)
     * and the file is fetched by its chunk offsets in one request, each chunk verified; a refused TOC or a
     * failed chunk falls back to streaming the layer. Default on. Before start().
     */
    void setTocEnabled(bool enabled) { m_tocEnabled = enabled; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    class Visitor;
    enum class PassKind { Search, Extract };

    void step();
    /** headerOffset >= 0: the copy of entryPath whose tar header is there (the last of a path written twice). */
    void startPass(int layer, PassKind kind, const QString &entryPath, qint64 headerOffset = -1);
    bool loadIndexed(int layer);
    bool fetchToc(int layer);
    void onTocFetched(int layer);
    void carveFromToc(int layer, const toc::TocFile &file);
    void onTocFileFinished(int layer);
    void accountToc(int requests, qint64 downloaded, qint64 requested);
    void onPassFinished();
    /** The hard link's target from the search pass's spooled bytes; false when there is no spool. */
    bool replayForHardlink(int layer, const QString &target);
    void onReplayFinished();
    void closeSpool();
    void onPassProgress();
    bool followLink(const QString &linkPath, const QString &target, const QString &rest);
    bool redirectThroughParent(int layer);
    void fallBackToStreaming(int layer, const Error &why, bool indexWrong);
    void finishFound(int layer, const stream::TarEntry &entry, qint64 size, const QString &savedTo);
    void finishWith(CarveResult::Status status, int layer);
    void failWith(const Error &error);
    void account();

    registry::RegistryClient *m_client;
    oci::Image m_image;
    CarveOptions m_options;
    QString m_requested; // as given
    QString m_path; // what is looked up now (normal form; changes when symlinks are followed)
    QString m_outRoot; // absolute output dir

    std::vector<std::unique_ptr<fs::LayerTree>> m_trees;
    std::vector<const fs::LayerTree *> m_complete; // index = layer; nullptr: not (completely) read yet
    index::IndexStore m_store;
    std::vector<bool> m_indexed; // index = layer; its tree came from m_store
    std::vector<bool> m_noIndex; // index = layer; a read from its checkpoints failed: streamed this time
    // index = layer; the registry sent bytes its index was not made from: streamed to its end, the digest decides
    std::vector<bool> m_readWhole;
    bool m_randomPass = false; // the current pass reads from the index's checkpoints
    bool m_tocEnabled = true;
    std::vector<std::shared_ptr<const toc::LayerToc>> m_tocs; // index = layer; its tree came from its TOC
    std::vector<bool> m_tocTried; // index = layer
    QPointer<toc::TocFetchJob> m_tocFetch;
    QPointer<toc::TocFileJob> m_tocFile;
    std::unique_ptr<AtomicFileWriter> m_tocWriter;
    std::unique_ptr<Visitor> m_visitor;
    QPointer<stream::LayerPipeline> m_pipeline;
    int m_passLayer = -1;
    PassKind m_passKind = PassKind::Search;
    stream::TarEntry m_requestedEntry; // the entry found at the requested path (type/link reported)
    bool m_haveRequestedEntry = false;
    int m_hops = 0; // symlinks followed
    int m_passes = 0; // extract passes (hard link chains)
    int m_spoolFd = -1; // the current search pass's compressed bytes (unlinked temporary file), or -1
    std::atomic<bool> m_spoolFailed { false }; // a write to it failed (worker thread): not usable
    static constexpr qint64 MaxSpoolBytes = qint64(256) << 20; // compressed bytes kept for a hard link at most
    QThread *m_replay = nullptr;
    std::atomic<bool> m_replayCancel { false };
    Error m_replayError; // written by the replay thread, read after it ended
    QString m_replayTarget;

    qint64 m_consumedBefore = 0; // budget carried across passes
    qint64 m_requestedBefore = 0;
    qint64 m_randomConsumed = 0; // reads from checkpoints (outside the windows' budget)
    qint64 m_randomRequested = 0;
    qint64 m_downloadedBefore = 0;
    int m_requestsBefore = 0;
    qint64 m_totalSize = 0;
    QElapsedTimer m_timer;
    CarveResult m_result;
};

} // namespace ll::extract
