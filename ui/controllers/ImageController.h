#pragma once

#include "index/IndexStore.h"

#include "common/Error.h"
#include "common/Job.h"
#include "oci/Image.h"
#include "registry/ImageReference.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ll::registry {
class ImageResolveJob;
class RegistryClient;
} // namespace ll::registry
namespace ll::stream {
class LayerScanJob;
}
namespace ll::toc {
struct LayerToc;
}
namespace ll::fs {
class LayerTree;
class MergedTree;
} // namespace ll::fs

namespace ll::ui {

/**
 * Loads one image for the window: resolves the reference (ImageResolveJob), then lists every layer
 * (LayerScanJob, at most maxParallelScans() at a time, bottom layer first) into one fs::LayerTree per layer,
 * and applies finished layers bottom-up to an fs::MergedTree as soon as every layer below is listed.
 * Views are told at most every refreshInterval() ms (treesGrew()), so a stream of entries costs one view
 * update per interval. All network and inflate work runs in the jobs (inflate on their worker threads).
 * Jobs are handed to a tracker (the jobs panel) with a factory that re-creates them for Retry.
 */
class ImageController : public QObject
{
    Q_OBJECT
public:
    enum class LayerState { Pending, Listing, Listed, Failed, Cancelled };
    Q_ENUM(LayerState)

    using Factory = std::function<Job *()>;
    using Tracker = std::function<void(Job *job, Factory retry)>;

    explicit ImageController(registry::RegistryClient *client, QObject *parent = nullptr);
    ~ImageController() override;

    registry::RegistryClient *client() const { return m_client; }
    /** Layer indexes for listings and carves (disabled by default: the app sets the user's). */
    void setIndexStore(const index::IndexStore &store) { m_indexStore = store; }
    const index::IndexStore &indexStore() const { return m_indexStore; }
    void setTracker(Tracker tracker) { m_tracker = std::move(tracker); }
    void setMaxParallelScans(int n) { m_maxParallel = qMax(1, n); }
    int maxParallelScans() const { return m_maxParallel; }
    void setRefreshInterval(int ms) { m_refresh.setInterval(ms); }
    int refreshInterval() const { return m_refresh.interval(); }

    /** Closes what is open and resolves reference (for platform, else the host's). */
    void open(const registry::ImageReference &reference, const std::optional<oci::Platform> &platform = std::nullopt);
    /** Opens the same reference again (after new credentials) with the same platform. */
    void reload();
    /**
     * Takes an image resolved elsewhere (a hunt's answer) without listing its layers: saves and previews
     * through ExtractController then look into the layers as a carve does, reading only what they need.
     */
    void adopt(const oci::Image &image);
    /** Cancels every job and drops the trees (aboutToClose() first). */
    void close();

    bool isResolving() const { return m_resolve != nullptr; }
    bool hasImage() const { return m_hasImage; }
    const registry::ImageReference &reference() const { return m_reference; }
    std::optional<oci::Platform> requestedPlatform() const { return m_platform; }
    const oci::Image &image() const { return m_image; }

    int layerCount() const { return int(m_layers.size()); }
    const fs::LayerTree *layerTree(int layer) const;
    LayerState layerState(int layer) const;
    /** Trees of the listed layers by index, nullptr for the others (FileTreeModel::setLayerStack). */
    std::vector<const fs::LayerTree *> listedStack() const;
    /** The merged view of layers 0..mergedLayerCount()-1. */
    const fs::MergedTree *mergedTree() const { return m_merged.get(); }
    int mergedLayerCount() const;
    bool allListed() const;
    /** The first entries (at most MaxRejectedNames) a layer's listing dropped for an unsafe path. */
    QStringList rejectedEntries(int layer) const;
    /** A listed layer's random access: gzip checkpoints its index keeps (0: none) ... */
    int layerCheckpoints(int layer) const;
    /** ... or the table of contents it was listed from ("estargz", "stargz", "zstd:chunked"; empty: none). */
    QString layerTocFormat(int layer) const;
    /** That table of contents (nullptr: none): extractions read the layer by its chunks without fetching it again. */
    std::shared_ptr<const toc::LayerToc> layerToc(int layer) const;
    static constexpr int MaxRejectedNames = 50;
    /** The running scan of a layer (nullptr when none). */
    stream::LayerScanJob *scanJob(int layer) const;
    /** Re-lists a layer that failed or was cancelled. */
    void rescan(int layer);

signals:
    void resolving(const ll::registry::ImageReference &reference);
    /** The image (manifest, config, index) is known; layers start listing. */
    void imageResolved();
    /** Resolving failed. needsCredentials: the registry refused access (Unauthorized/Forbidden). */
    void resolveFailed(const ll::Error &error, bool needsCredentials);
    /** Trees are about to be deleted: drop every pointer into them now. */
    void aboutToClose();
    void layerStateChanged(int layer);
    void layerProgress(int layer, qint64 done, qint64 total, int entries);
    /** A layer's tree object was replaced (rescan): models showing it must be set again. */
    void layerTreeReplaced(int layer);
    /** Throttled: some layer trees grew since the last signal (models: refresh()). */
    void treesGrew();
    /** The merged tree got more layers (models showing it: refresh(), which resets). */
    void mergedTreeChanged();
    void allLayersListed();

private:
    struct Layer;
    void onResolved();
    void pump();
    void startScan(int layer);
    stream::LayerScanJob *makeScan(int layer);
    void onScanFinished(int layer, stream::LayerScanJob *job);
    void advanceMerge();
    void markDirty();
    void flush();

    registry::RegistryClient *m_client;
    Tracker m_tracker;
    registry::ImageReference m_reference;
    std::optional<oci::Platform> m_platform;
    registry::ImageResolveJob *m_resolve = nullptr;
    bool m_hasImage = false;
    oci::Image m_image;
    std::vector<std::unique_ptr<Layer>> m_layers;
    std::unique_ptr<fs::MergedTree> m_merged;
    int m_maxParallel = 2;
    QTimer m_refresh;
    bool m_dirty = false;
    bool m_mergedDirty = false;
    bool m_allSignalled = false;
    index::IndexStore m_indexStore;
};

} // namespace ll::ui
