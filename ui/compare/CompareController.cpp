#include "compare/CompareController.h"

#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "index/IndexStore.h"
#include "registry/ImageReference.h"
#include "stream/LayerScanJob.h"

namespace ll::ui {

CompareController::CompareController(registry::RegistryClient *client, QWidget *dialogParent, QObject *parent)
    : QObject(parent)
    , m_old(new ImageController(client, this))
    , m_new(new ImageController(client, this))
    , m_oldExtract(new ExtractController(m_old, dialogParent, this))
    , m_newExtract(new ExtractController(m_new, dialogParent, this))
{
    for (const Side side : { Side::Old, Side::New }) {
        ImageController *image = this->image(side);
        image->setIndexStore(index::IndexStore::fromEnvironment());
        image->setTracker([this](Job *job, ImageController::Factory) { track(job); });
        connect(image, &ImageController::allLayersListed, this, [this, side] { onListed(side); });
        connect(image, &ImageController::resolveFailed, this,
            [this, side](const Error &error, bool) { onResolveFailed(side, error); });
        connect(
            image, &ImageController::layerStateChanged, this, [this, side](int layer) { onLayerState(side, layer); });
    }
    const auto tracker = [this](Job *job, ExtractController::Factory) { track(job); };
    m_oldExtract->setTracker(tracker);
    m_newExtract->setTracker(tracker);
    connect(m_oldExtract, &ExtractController::failed, this, &CompareController::failed);
    connect(m_newExtract, &ExtractController::failed, this, &CompareController::failed);
}

CompareController::~CompareController()
{
    // The diff reads both images' trees: done before they go.
    if (m_diff) {
        m_diff->disconnect(this);
        m_diff->stopAndWait();
    }
}

void CompareController::track(Job *job)
{
    if (auto *scan = qobject_cast<stream::LayerScanJob *>(job)) {
        connect(scan, &Job::finished, this, [this, scan] { m_bytes += scan->bytesDownloaded(); });
    }
    if (m_tracker)
        m_tracker(job);
}

bool CompareController::compare(const QString &oldReference, const QString &newReference)
{
    cancel();
    const auto oldRef = registry::ImageReference::parse(oldReference.trimmed());
    const auto newRef = registry::ImageReference::parse(newReference.trimmed());
    if (!oldRef || !newRef) {
        emit failed(tr("Not an image reference: %1").arg((!oldRef ? oldRef.error() : newRef.error()).message));
        return false;
    }
    m_result.reset();
    m_shared = 0;
    m_bytes = 0;
    m_running = true;
    m_newReference = newRef->toString();
    emit progressText(tr("Listing %1…").arg(oldRef->displayName()));
    m_old->open(*oldRef);
    return true;
}

void CompareController::cancel()
{
    if (m_diff) {
        analysis::DiffJob *job = m_diff;
        m_diff = nullptr;
        job->disconnect(this);
        job->stopAndWait();
        job->deleteLater();
    }
    m_result.reset(); // it points into the trees closed below
    m_old->close();
    m_new->close();
    m_running = false;
}

void CompareController::fail(const QString &message)
{
    if (!m_running)
        return;
    m_running = false;
    emit failed(message);
}

void CompareController::onResolveFailed(Side side, const Error &error)
{
    const ImageController *image = this->image(side);
    fail(tr("Cannot open %1: %2").arg(image->reference().displayName(), error.message));
}

void CompareController::onLayerState(Side side, int layer)
{
    const ImageController *image = this->image(side);
    const ImageController::LayerState state = image->layerState(layer);
    if (state == ImageController::LayerState::Failed || state == ImageController::LayerState::Cancelled) {
        fail(tr("%1: listing layer %2 %3; retry it in the Jobs panel and compare again")
                 .arg(image->reference().displayName())
                 .arg(layer)
                 .arg(state == ImageController::LayerState::Cancelled ? tr("was cancelled") : tr("failed")));
    }
}

void CompareController::onListed(Side side)
{
    if (!m_running)
        return;
    if (side == Side::Old) {
        const auto ref = registry::ImageReference::parse(m_newReference);
        emit progressText(tr("Listing %1…").arg(ref->displayName()));
        m_new->open(*ref);
        return;
    }
    startDiff();
}

void CompareController::startDiff()
{
    // Bottom layers with the same digests hold the same files: the new side takes the old side's trees there,
    // which the walk recognises and skips.
    const auto &ol = m_old->image().manifest.layers;
    const auto &nl = m_new->image().manifest.layers;
    m_shared = 0;
    while (m_shared < ol.size() && m_shared < nl.size() && ol[m_shared].digest == nl[m_shared].digest)
        ++m_shared;
    std::vector<const fs::LayerTree *> before = m_old->listedStack();
    std::vector<const fs::LayerTree *> after = m_new->listedStack();
    for (int i = 0; i < m_shared; ++i)
        after[size_t(i)] = before[size_t(i)];
    emit progressText(tr("Comparing…"));
    m_diff = new analysis::DiffJob(std::move(before), std::move(after), this);
    m_diff->setTitle(tr("Compare %1 with %2").arg(m_old->reference().displayName(), m_new->reference().displayName()));
    connect(m_diff, &Job::finished, this, [this, job = m_diff.data()] {
        if (job != m_diff)
            return;
        m_diff = nullptr;
        job->deleteLater();
        if (job->state() != Job::State::Succeeded) {
            fail(job->state() == Job::State::Cancelled ? tr("Comparison cancelled") : job->error().message);
            return;
        }
        m_result = job->result();
        m_running = false;
        emit finished();
    });
    track(m_diff);
    m_diff->start();
}

void CompareController::preview(Side side, const QString &path, int layer)
{
    (side == Side::Old ? m_oldExtract : m_newExtract)->preview(path, layer);
}

} // namespace ll::ui
