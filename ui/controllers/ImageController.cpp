#include "controllers/ImageController.h"

#include "catalog/ImageCatalog.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "models/ModelLogging.h"
#include "registry/ImageResolveJob.h"
#include "stream/LayerScanJob.h"
#include "toc/LayerToc.h"

namespace ll::ui {

struct ImageController::Layer {
    std::unique_ptr<fs::LayerTree> tree;
    LayerState state = LayerState::Pending;
    QPointer<stream::LayerScanJob> job;
    int entries = 0;
    QStringList rejected; // the first entries the tree refused (unsafe paths), as the archive named them
    int checkpoints = 0; // gzip checkpoints its index keeps (random access)
    QString tocFormat; // listed from its table of contents: "estargz", "zstd:chunked", ...
    std::shared_ptr<const toc::LayerToc> toc; // that table of contents
};

namespace {

/** Cancels a job we no longer listen to and deletes it once it has ended. */
void abandon(Job *job, QObject *listener)
{
    if (!job)
        return;
    QObject::disconnect(job, nullptr, listener, nullptr);
    if (job->isFinished()) {
        job->deleteLater();
        return;
    }
    QObject::connect(job, &Job::finished, job, &QObject::deleteLater);
    if (job->isRunning())
        job->cancel();
    else
        job->deleteLater();
}

} // namespace

ImageController::ImageController(registry::RegistryClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    m_refresh.setSingleShot(true);
    m_refresh.setInterval(200);
    connect(&m_refresh, &QTimer::timeout, this, &ImageController::flush);
}

ImageController::~ImageController()
{
    close();
}

void ImageController::open(const registry::ImageReference &reference, const std::optional<oci::Platform> &platform)
{
    close();
    m_reference = reference;
    m_platform = platform;
    emit resolving(reference);

    // The retry factory re-creates the resolve for the same reference while nothing else was opened since.
    auto makeResolve = [this]() -> Job * {
        auto *job = new registry::ImageResolveJob(m_client, m_reference, m_platform, this);
        job->setTitle(tr("Resolve %1").arg(m_reference.displayName()));
        m_resolve = job;
        connect(job, &Job::finished, this, &ImageController::onResolved);
        return job;
    };
    Job *job = makeResolve();
    if (m_tracker) {
        QPointer<ImageController> self(this);
        const registry::ImageReference ref = reference;
        m_tracker(job, [self, ref, platform]() -> Job * {
            if (!self || self->m_resolve || self->m_hasImage || !(self->m_reference == ref))
                return nullptr;
            self->m_platform = platform;
            auto *j = new registry::ImageResolveJob(self->m_client, ref, platform, self);
            j->setTitle(tr("Resolve %1").arg(ref.displayName()));
            self->m_resolve = j;
            connect(j, &Job::finished, self, &ImageController::onResolved);
            emit self->resolving(ref);
            return j;
        });
    }
    job->start();
}

void ImageController::reload()
{
    const auto ref = m_reference;
    const auto platform = m_platform;
    open(ref, platform);
}

void ImageController::adopt(const oci::Image &image)
{
    close();
    if (Result<registry::ImageReference> ref = registry::ImageReference::parse(image.reference))
        m_reference = *ref;
    m_image = image;
    m_hasImage = true;
}

void ImageController::close()
{
    m_refresh.stop();
    abandon(m_resolve, this);
    m_resolve = nullptr;
    if (m_hasImage || !m_layers.empty())
        emit aboutToClose();
    for (auto &layer : m_layers)
        abandon(layer->job, this);
    m_merged.reset();
    m_layers.clear();
    m_hasImage = false;
    m_image = oci::Image();
    m_dirty = m_mergedDirty = m_allSignalled = false;
}

void ImageController::onResolved()
{
    auto *job = qobject_cast<registry::ImageResolveJob *>(sender());
    if (!job || job != m_resolve)
        return;
    m_resolve = nullptr;
    job->deleteLater();
    if (job->state() == Job::State::Cancelled)
        return;
    if (job->state() != Job::State::Succeeded) {
        const Error &e = job->error();
        const bool auth = e.code == Error::Code::Unauthorized || e.code == Error::Code::Forbidden;
        emit resolveFailed(e, auth);
        return;
    }
    m_image = job->image();
    m_hasImage = true;
    // Seen: History and --search know it from now on (beside the indexes; nothing when they are off).
    if (const Status s = catalog::ImageCatalog::forIndexStore(m_indexStore).record(m_image); !s)
        qCWarning(llUi).noquote() << s.error().toString();
    const int n = int(m_image.manifest.layers.size());
    for (int i = 0; i < n; ++i) {
        auto layer = std::make_unique<Layer>();
        layer->tree = std::make_unique<fs::LayerTree>(i);
        m_layers.push_back(std::move(layer));
    }
    m_merged = std::make_unique<fs::MergedTree>();
    emit imageResolved();
    if (n == 0) {
        m_allSignalled = true;
        emit allLayersListed();
        return;
    }
    pump();
}

const fs::LayerTree *ImageController::layerTree(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->tree.get() : nullptr;
}

ImageController::LayerState ImageController::layerState(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->state : LayerState::Pending;
}

stream::LayerScanJob *ImageController::scanJob(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->job.data() : nullptr;
}

std::vector<const fs::LayerTree *> ImageController::listedStack() const
{
    std::vector<const fs::LayerTree *> stack;
    stack.reserve(m_layers.size());
    for (const auto &layer : m_layers)
        stack.push_back(layer->state == LayerState::Listed ? layer->tree.get() : nullptr);
    return stack;
}

int ImageController::mergedLayerCount() const
{
    return m_merged ? m_merged->layerCount() : 0;
}

QStringList ImageController::rejectedEntries(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->rejected : QStringList();
}

int ImageController::layerCheckpoints(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->checkpoints : 0;
}

QString ImageController::layerTocFormat(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->tocFormat : QString();
}

std::shared_ptr<const toc::LayerToc> ImageController::layerToc(int layer) const
{
    return layer >= 0 && layer < layerCount() ? m_layers[size_t(layer)]->toc : nullptr;
}

bool ImageController::allListed() const
{
    if (!m_hasImage)
        return false;
    for (const auto &layer : m_layers) {
        if (layer->state != LayerState::Listed)
            return false;
    }
    return true;
}

void ImageController::pump()
{
    int running = 0;
    for (const auto &layer : m_layers)
        running += layer->state == LayerState::Listing ? 1 : 0;
    for (int i = 0; i < layerCount() && running < m_maxParallel; ++i) {
        if (m_layers[size_t(i)]->state == LayerState::Pending) {
            startScan(i);
            ++running;
        }
    }
}

stream::LayerScanJob *ImageController::makeScan(int index)
{
    Layer &layer = *m_layers[size_t(index)];
    auto *job = new stream::LayerScanJob(m_client, stream::LayerSource::fromImage(m_image, index), this);
    job->setIndexStore(m_indexStore);
    job->setTitle(tr("List layer %1 of %2").arg(index).arg(m_reference.displayName()));
    layer.job = job;
    layer.state = LayerState::Listing;
    layer.entries = 0;
    layer.rejected.clear();
    connect(job, &stream::LayerScanJob::entriesReady, this, [this, index](const QVector<stream::TarEntry> &entries) {
        Layer &l = *m_layers[size_t(index)];
        for (const auto &entry : entries) {
            // Unsafe names are counted by the tree and not added; the first are kept to be shown.
            const auto added = l.tree->addEntry(entry);
            if (!added && added.error().code == Error::Code::UnsafePath && l.rejected.size() < MaxRejectedNames)
                l.rejected << entry.path;
        }
        l.entries += int(entries.size());
        if (l.job)
            emit layerProgress(index, l.job->progressDone(), l.job->progressTotal(), l.entries);
        markDirty();
    });
    connect(job, &Job::progress, this, [this, index](qint64 done, qint64 total) {
        emit layerProgress(index, done, total, m_layers[size_t(index)]->entries);
    });
    connect(job, &Job::finished, this, [this, index, job] { onScanFinished(index, job); });
    return job;
}

void ImageController::startScan(int index)
{
    auto *job = makeScan(index);
    if (m_tracker) {
        QPointer<ImageController> self(this);
        const QString digest = m_image.manifestDigest;
        m_tracker(job, [self, index, digest]() -> Job * {
            if (!self || !self->m_hasImage || self->m_image.manifestDigest != digest || index >= self->layerCount())
                return nullptr;
            const LayerState s = self->layerState(index);
            if (s != LayerState::Failed && s != LayerState::Cancelled)
                return nullptr;
            self->rescan(index);
            return self->scanJob(index);
        });
    }
    emit layerStateChanged(index);
    job->start();
}

void ImageController::rescan(int index)
{
    if (index < 0 || index >= layerCount())
        return;
    Layer &layer = *m_layers[size_t(index)];
    if (layer.state != LayerState::Failed && layer.state != LayerState::Cancelled)
        return;
    // A fresh tree: the old one may hold a partial listing. Models let go of it in layerTreeReplaced().
    std::unique_ptr<fs::LayerTree> old = std::move(layer.tree);
    layer.tree = std::make_unique<fs::LayerTree>(index);
    emit layerTreeReplaced(index);
    old.reset();
    auto *job = makeScan(index);
    emit layerStateChanged(index);
    // Started by whoever asked (the jobs panel's retry starts Idle jobs).
    Q_UNUSED(job);
}

void ImageController::onScanFinished(int index, stream::LayerScanJob *job)
{
    if (index >= layerCount())
        return;
    Layer &layer = *m_layers[size_t(index)];
    if (layer.job != job)
        return;
    layer.job = nullptr;
    switch (job->state()) {
    case Job::State::Succeeded:
        layer.state = LayerState::Listed;
        layer.checkpoints = job->checkpointCount();
        layer.tocFormat = job->isFromToc() && job->layerToc() ? job->layerToc()->formatName() : QString();
        layer.toc = job->isFromToc() ? job->layerToc() : nullptr;
        break;
    case Job::State::Cancelled:
        layer.state = LayerState::Cancelled;
        break;
    default:
        layer.state = LayerState::Failed;
        break;
    }
    job->deleteLater();
    emit layerStateChanged(index);
    advanceMerge();
    markDirty();
    pump();
    if (!m_allSignalled && allListed()) {
        m_allSignalled = true;
        flush();
        emit allLayersListed();
    }
}

void ImageController::advanceMerge()
{
    if (!m_merged)
        return;
    while (m_merged->layerCount() < layerCount()
        && m_layers[size_t(m_merged->layerCount())]->state == LayerState::Listed) {
        m_merged->addLayer(*m_layers[size_t(m_merged->layerCount())]->tree);
        m_mergedDirty = true;
    }
}

void ImageController::markDirty()
{
    m_dirty = true;
    if (!m_refresh.isActive())
        m_refresh.start();
}

void ImageController::flush()
{
    m_refresh.stop();
    if (m_dirty) {
        m_dirty = false;
        emit treesGrew();
    }
    if (m_mergedDirty) {
        m_mergedDirty = false;
        emit mergedTreeChanged();
    }
}

} // namespace ll::ui
