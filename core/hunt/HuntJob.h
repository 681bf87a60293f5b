#pragma once

#include "catalog/SeenImage.h"
#include "common/Job.h"
#include "hunt/HuntAnswer.h"
#include "hunt/HuntQuery.h"
#include "hunt/HuntTargets.h"
#include "hunt/LayerFacts.h"
#include "index/IndexStore.h"
#include "oci/Image.h"
#include "oci/Platform.h"
#include "registry/ImageReference.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QVector>

#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace ll::registry {
class ImageResolveJob;
class RegistryClient;
} // namespace ll::registry
namespace ll::catalog {
class ImageCatalog;
}

namespace ll::hunt {

class LayerFactsJob;
class TargetExpandJob;

/** How a hunt runs. */
struct HuntOptions {
    int connections = 4; // requests at a time per registry (manifests and layers together)
    std::optional<oci::Platform> platform; // default: this machine's
    /** Every platform of a multi-arch index is an image of its own (attestation entries never). */
    bool allPlatforms = false;
    index::IndexStore store; // layer indexes used and kept (disabled: none)
};

/** Counters of a hunt, live while it runs. */
struct HuntStats {
    int images = 0; // images to search (targets expanded)
    int imagesDone = 0; // answered
    int imagesFailed = 0; // images and targets that failed
    int layersTotal = 0; // distinct layer digests of the images resolved so far
    int layersRead = 0; // distinct layers downloaded (whole or up to the early stop)
    int layersFromIndex = 0; // distinct layers answered from a kept index, without a request
    int layersShared = 0; // layer uses answered by what another image's read (or index) already gave
    qint64 bytesDownloaded = 0;
    qint64 requests = 0; // HTTP requests (manifests, listings, blobs, tokens)
    qint64 elapsedMs = 0;

    /** Bytes per second so far. */
    double rate() const { return elapsedMs > 0 ? double(bytesDownloaded) * 1000.0 / double(elapsedMs) : 0.0; }
    /** Time left from the images answered so far; -1 when not known yet. */
    qint64 etaMs() const
    {
        const int done = imagesDone + imagesFailed;
        return done > 0 && images > done ? elapsedMs * (images - done) / done : (images > 0 && done >= images ? 0 : -1);
    }
};

/** One image of a hunt and how far it got. */
struct HuntImage {
    enum class State { Queued, Resolving, Searching, Done, Failed };
    QString text; // as expanded
    registry::ImageReference reference;
    std::optional<oci::Platform> platform; // asked for (allPlatforms: one of the index's); none: the options'
    State state = State::Queued;
    oci::Image image; // manifest and platform (no config), once resolved
    Error error;
    int found = 0;
    int deleted = 0; // answers deleted but still held by a lower layer
};

/**
 * Finds files across many images at once (CLI --hunt and the GUI's Hunt window run this one job).
 *
 * Targets are expanded first (TargetExpandJob). Then, per image: the manifest at the platform, and each
 * pattern answered from the image's layers, top down (fs::MergedTree::lookupTopDown, as a carve searches):
 * - an exact path needs layers only down to the one that decides it (holds it, or hides it by a whiteout, an
 *   opaque dir or a non-directory parent); a hidden path goes on down to find the copies still there;
 * - a glob needs every layer, read whole (which leaves the layer's index for next time).
 * Each distinct layer digest is read at most once per hunt: what a layer says about the query (LayerFacts,
 * a sparse tree) is shared by every image that has it, images needing a layer being read wait for that read,
 * and a layer with a kept index is answered without a request. At most `connections` requests per registry
 * run at a time; one RegistryClient serves them all (tokens reused). An image that fails (auth, missing,
 * corrupt layer) gets an Error answer and the hunt goes on; the job fails only when every image did.
 * Memory: an image's layer list is dropped once it is answered; the shared facts hold only matching
 * entries and markers.
 *
 * progress(): images answered (or failed) of images (unit Items); statsChanged() for the rest. Cancel stops
 * every request; nothing partial is kept (indexes are only written by reads that reached the verified end).
 */
class HuntJob : public Job
{
    Q_OBJECT
public:
    HuntJob(registry::RegistryClient *client, const HuntTargets &targets, const HuntQuery &query,
        const HuntOptions &options = HuntOptions(), QObject *parent = nullptr);
    ~HuntJob() override;

    /** Records every image resolved (reference, digest, platform, layers) in this catalogue (before start()). */
    void setImageCatalog(catalog::ImageCatalog *catalog) { m_catalog = catalog; }

    const HuntQuery &query() const { return m_query; }
    const HuntOptions &options() const { return m_options; }
    /** Live counters. */
    HuntStats stats() const;
    const QVector<HuntImage> &images() const { return m_images; }

signals:
    /**
     * The targets were expanded: `count` images will be searched (index = HuntAnswer::imageIndex). With
     * allPlatforms emitted again with a larger count when an index brings more platforms (appended images).
     */
    void imagesListed(int count);
    /** An image's answers, all at once, in pattern order (Error answers for failed images and targets). */
    void answersReady(const QVector<ll::hunt::HuntAnswer> &answers);
    /** An image changed state (resolving, searching, done, failed). */
    void imageChanged(int index);
    void statsChanged();

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Task {
        enum class Kind { Resolve, Read };
        Kind kind = Kind::Resolve;
        int image = -1;
        int layer = -1; // Read: the position in that image
    };
    struct Work {
        std::vector<std::shared_ptr<const LayerFacts>> layers; // by position; nullptr: not known yet
    };

    void onExpanded();
    void pump();
    void startResolve(int image);
    void startRead(int image, int layer);
    void onResolved(int image, Job *job);
    /** allPlatforms: the index's other platforms queued as images of their own; true when image was re-queued. */
    bool expandPlatforms(int image, const registry::ImageResolveJob *resolve);
    void onRead(LayerFactsJob *job);
    void advance(int image);
    bool request(int image, int layer);
    void attach(int image, const QString &digest, const std::shared_ptr<const LayerFacts> &facts);
    void answer(int image);
    void failImage(int image, const Error &error);
    void childEnded();
    void finishIfDone();
    void flushCatalog();
    HuntAnswer baseAnswer(int image) const;

    registry::RegistryClient *m_client;
    HuntTargets m_targets;
    HuntQuery m_query;
    HuntOptions m_options;
    LayerFactsFilter m_filter;
    catalog::ImageCatalog *m_catalog = nullptr;
    QVector<catalog::SeenImage> m_seen; // recorded in one write

    QPointer<TargetExpandJob> m_expand;
    QVector<HuntImage> m_images;
    QHash<int, Work> m_work; // images being searched
    QHash<QString, std::shared_ptr<const LayerFacts>> m_facts; // digest -> what it says (read or indexed)
    QHash<QString, QVector<int>> m_waiting; // digest being read -> images waiting for it
    QSet<QString> m_distinct; // every layer digest seen
    QHash<QString, std::deque<Task>> m_reads; // per registry
    QHash<QString, std::deque<Task>> m_resolves; // per registry
    QStringList m_registries; // pump order
    QHash<QString, int> m_active; // per registry
    QList<QPointer<Job>> m_running;
    int m_live = 0; // children running
    bool m_cancelling = false;
    bool m_inCancel = false;
    int m_targetErrors = 0;

    HuntStats m_stats;
    qint64 m_bytesDone = 0;
    qint64 m_requestsAtStart = 0;
    QElapsedTimer m_timer;
};

} // namespace ll::hunt

Q_DECLARE_METATYPE(ll::hunt::HuntAnswer)
