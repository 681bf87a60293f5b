#include "controllers/ExtractController.h"

#include "common/HumanSize.h"
#include "controllers/ImageController.h"
#include "dialogs/FolderDialog.h"
#include "dialogs/PreviewDialog.h"
#include "extract/CarveJob.h"
#include "extract/ExtractJob.h"
#include "extract/SaveLayerJob.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "models/ModelLogging.h"
#include "models/StagedFilesMimeData.h"
#include "toc/LayerToc.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProgressDialog>
#include <QTemporaryDir>
#include <QWidget>
#include <algorithm>

#include <memory>

namespace ll::ui {

namespace {

QString itemsTitle(const QStringList &paths)
{
    if (paths.size() == 1)
        return paths.first();
    return ExtractController::tr("%n item(s)", nullptr, int(paths.size()));
}

} // namespace

ExtractController::ExtractController(ImageController *image, QWidget *dialogParent, QObject *parent)
    : QObject(parent), m_image(image), m_dialogParent(dialogParent)
{
    m_askDirectory = [this](const QString &title) { return FolderDialog::ask(m_dialogParent, title, startFolder()); };
    m_openFolder = [](const QUrl &url) { return QDesktopServices::openUrl(url); };
}

ExtractController::~ExtractController() = default;

QString ExtractController::destinationOf(const QString &dir, const QString &imagePath)
{
    QString rel = imagePath;
    while (rel.startsWith(QLatin1Char('/')))
        rel.remove(0, 1);
    if (rel.isEmpty() || rel == QLatin1String("."))
        return QDir::cleanPath(dir);
    return QDir::cleanPath(dir + QLatin1Char('/') + rel);
}

namespace {

/** The tables of contents the image's listing fetched: the extraction reads those layers without a second fetch. */
void passTocs(const ImageController &image, extract::ExtractJob *job)
{
    for (int layer = 0; layer < image.layerCount(); ++layer) {
        if (std::shared_ptr<const toc::LayerToc> t = image.layerToc(layer))
            job->setLayerToc(layer, std::move(t));
    }
}

} // namespace

void ExtractController::track(Job *job, Factory retry)
{
    if (m_tracker)
        m_tracker(job, std::move(retry));
}

Job *ExtractController::makeSaveJob(
    const QStringList &paths, int layer, const QString &dir, bool preservePermissions, bool allowCarve)
{
    if (!m_image->hasImage() || paths.isEmpty())
        return nullptr;
    Job *job = nullptr;
    bool single = false;
    if (allowCarve && layer < 0 && paths.size() == 1 && m_image->allListed() && m_image->mergedTree()) {
        const fs::FileNode *node = m_image->mergedTree()->find(paths.first());
        single = node && !node->isDir();
    }
    if (single) {
        extract::CarveOptions options;
        options.outputDir = dir;
        auto *carve = new extract::CarveJob(m_image->client(), m_image->image(), paths.first(), options, this);
        carve->setIndexStore(m_image->indexStore());
        job = carve;
    } else {
        extract::ExtractOptions options;
        options.layer = layer;
        options.preservePermissions = preservePermissions;
        auto *ex = new extract::ExtractJob(m_image->client(), m_image->image(), paths, dir, options, this);
        ex->setIndexStore(m_image->indexStore());
        passTocs(*m_image, ex);
        job = ex;
    }
    job->setTitle(layer < 0 ? tr("Save %1").arg(itemsTitle(paths))
                            : tr("Save %1 from layer %2").arg(itemsTitle(paths)).arg(layer));
    connect(job, &Job::finished, this, [this, job, paths, dir] { onSaveFinished(job, paths, dir); });
    return job;
}

Job *ExtractController::save(const QStringList &paths, int layer)
{
    if (!m_image->hasImage() || paths.isEmpty())
        return nullptr;
    const QString dir
        = m_askDirectory(paths.size() == 1 ? tr("Save %1 into folder").arg(paths.first())
                                           : tr("Save %n item(s) into folder", nullptr, int(paths.size())));
    if (dir.isEmpty())
        return nullptr;
    // The next save asks from here, not from the subfolder the file landed in (out/etc/etc/...).
    m_destination = dir;
    return saveTo(paths, layer, dir);
}

Job *ExtractController::saveTo(const QStringList &paths, int layer, const QString &dir, bool preservePermissions)
{
    return startSave(paths, layer, dir, preservePermissions, true);
}

Job *ExtractController::exportTo(const QStringList &paths, int layer, const QString &dir, bool preservePermissions)
{
    return startSave(paths, layer, dir, preservePermissions, false);
}

Job *ExtractController::startSave(
    const QStringList &paths, int layer, const QString &dir, bool preservePermissions, bool allowCarve)
{
    Job *job = makeSaveJob(paths, layer, dir, preservePermissions, allowCarve);
    if (!job)
        return nullptr;
    QPointer<ExtractController> self(this);
    track(job, [self, paths, layer, dir, preservePermissions, allowCarve]() -> Job * {
        return self ? self->makeSaveJob(paths, layer, dir, preservePermissions, allowCarve) : nullptr;
    });
    job->start();
    return job;
}

void ExtractController::onSaveFinished(Job *job, const QStringList &paths, const QString &dir)
{
    job->deleteLater();
    if (job->state() == Job::State::Cancelled)
        return;
    if (job->state() == Job::State::Failed) {
        emit failed(tr("Saving %1 failed: %2").arg(itemsTitle(paths), job->error().message));
        return;
    }
    QString message;
    QString folder = dir;
    if (auto *carve = qobject_cast<extract::CarveJob *>(job)) {
        const extract::CarveResult &r = carve->result();
        switch (r.status) {
        case extract::CarveResult::Status::Found:
            if (!r.savedTo.isEmpty()) {
                folder = QFileInfo(r.savedTo).absolutePath();
                keepModificationTime(r.savedTo, r.resolvedPath);
                message = tr("Saved %1 (%2) to %3").arg(r.path, humanSize(r.size), r.savedTo);
            } else {
                message = tr("%1 is a symbolic link to %2; nothing written").arg(r.path, r.linkTarget);
            }
            break;
        case extract::CarveResult::Status::Deleted:
            emit failed(tr("%1 was deleted by layer %2").arg(r.path).arg(r.layerIndex));
            return;
        case extract::CarveResult::Status::NotFound:
            emit failed(tr("%1 is not in the image").arg(r.path));
            return;
        }
    } else if (auto *ex = qobject_cast<extract::ExtractJob *>(job)) {
        const int written = ex->count(extract::ExtractItem::Outcome::Written);
        const int skipped = ex->count(extract::ExtractItem::Outcome::Skipped);
        const int failedCount = ex->count(extract::ExtractItem::Outcome::Failed);
        message = tr("Saved %1 into %2: %3 written").arg(itemsTitle(paths), dir).arg(written);
        if (skipped)
            message += tr(", %1 skipped").arg(skipped);
        if (failedCount)
            message += tr(", %1 failed").arg(failedCount);
        if (paths.size() == 1)
            folder = QFileInfo(destinationOf(dir, paths.first())).absolutePath();
    }
    m_lastFolder = folder;
    emit saved(folder, message);
}

QList<Job *> ExtractController::saveLayers(const QList<int> &layers)
{
    if (!m_image->hasImage() || layers.isEmpty())
        return {};
    const QString dir = m_askDirectory(tr("Save %n layer blob(s) into folder", nullptr, int(layers.size())));
    if (dir.isEmpty())
        return {};
    m_destination = dir;
    return saveLayersTo(layers, dir);
}

QList<Job *> ExtractController::saveLayersTo(const QList<int> &layers, const QString &dir)
{
    if (!m_image->hasImage() || layers.isEmpty())
        return {};
    QPointer<ExtractController> self(this);
    auto make = [self, layers, dir]() -> Job * {
        if (!self || !self->m_image->hasImage())
            return nullptr;
        auto *job = new extract::SaveLayerJob(self->m_image->client(), self->m_image->image(), layers, dir, self);
        QStringList names;
        for (int l : layers)
            names << QString::number(l);
        job->setTitle(layers.size() == 1 ? tr("Save layer %1 blob").arg(layers.first())
                                         : tr("Save layer blobs %1").arg(names.join(QLatin1String(", "))));
        connect(job, &Job::finished, self, [self, job, dir] {
            job->deleteLater();
            if (job->state() == Job::State::Failed) {
                emit self->failed(tr("Saving layers failed: %1").arg(job->error().message));
            } else if (job->state() == Job::State::Succeeded) {
                self->m_lastFolder = dir;
                QStringList files;
                for (const auto &saved : job->saved())
                    files << QFileInfo(saved.path).fileName();
                emit self->saved(dir, tr("Saved %1 into %2").arg(files.join(QLatin1String(", ")), dir));
            }
        });
        return job;
    };
    Job *job = make();
    track(job, make);
    job->start();
    return { job };
}

void ExtractController::preview(const QString &path, int layer)
{
    if (!m_image->hasImage())
        return;
    auto *dialog = new PreviewDialog(path, m_dialogParent);
    dialog->setObjectName(QStringLiteral("previewDialog"));
    dialog->show();
    const fs::FileNode *node = layer < 0
        ? (m_image->mergedTree() ? m_image->mergedTree()->find(path) : nullptr)
        : (m_image->layerTree(layer) ? m_image->layerTree(layer)->find(path) : nullptr);
    if (node && node->isDir()) {
        dialog->setError(tr("it is a directory"));
        return;
    }
    if (node && node->size > m_previewFetchLimit) {
        dialog->setError(tr("%1 is too large to preview (%2); save it instead").arg(path, humanSize(node->size)));
        return;
    }
    auto tmp = std::make_shared<QTemporaryDir>();
    if (!tmp->isValid()) {
        dialog->setError(tr("cannot create a temporary directory"));
        return;
    }
    Job *job = nullptr;
    if (layer < 0) {
        extract::CarveOptions options;
        options.outputDir = tmp->path();
        options.follow = true;
        auto *carve = new extract::CarveJob(m_image->client(), m_image->image(), path, options, this);
        carve->setIndexStore(m_image->indexStore());
        job = carve;
    } else {
        extract::ExtractOptions options;
        options.layer = layer;
        auto *ex = new extract::ExtractJob(m_image->client(), m_image->image(), { path }, tmp->path(), options, this);
        ex->setIndexStore(m_image->indexStore());
        passTocs(*m_image, ex);
        job = ex;
    }
    job->setTitle(tr("Preview %1").arg(path));
    const QPointer<PreviewDialog> guard(dialog);
    connect(job, &Job::progress, dialog, [dialog](qint64 done, qint64 total) {
        dialog->setStatus(total > 0 ? tr("Fetching… %1 of at most %2").arg(humanSize(done), humanSize(total))
                                    : tr("Fetching… %1").arg(humanSize(done)));
    });
    connect(job, &Job::finished, this, [job, guard, tmp, path] {
        job->deleteLater();
        if (!guard)
            return;
        if (job->state() == Job::State::Cancelled) {
            guard->setError(tr("cancelled"));
            return;
        }
        if (job->state() == Job::State::Failed) {
            guard->setError(job->error().message);
            return;
        }
        QString file = destinationOf(tmp->path(), path);
        if (auto *carve = qobject_cast<extract::CarveJob *>(job)) {
            const auto &r = carve->result();
            if (r.status == extract::CarveResult::Status::Deleted) {
                guard->setError(tr("deleted by layer %1").arg(r.layerIndex));
                return;
            }
            if (r.status == extract::CarveResult::Status::NotFound) {
                guard->setError(tr("not in the image"));
                return;
            }
            if (!r.savedTo.isEmpty())
                file = r.savedTo;
        }
        const QFileInfo info(file);
        if (info.isSymLink()) {
            guard->setError(tr("a symbolic link to %1").arg(info.symLinkTarget()));
            return;
        }
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            guard->setError(tr("nothing was written (%1)").arg(f.errorString()));
            return;
        }
        const qint64 size = f.size();
        guard->setContent(f.read(PreviewDialog::maxBytes()), size);
    });
    connect(dialog, &QObject::destroyed, job, [job] {
        if (job->isRunning())
            job->cancel();
    });
    track(job, {});
    job->start();
}

QString ExtractController::stagingKey(const QStringList &paths, int layer) const
{
    return m_image->image().manifestDigest + QLatin1Char('\n') + QString::number(layer) + QLatin1Char('\n')
        + paths.join(QLatin1Char('\n'));
}

std::shared_ptr<ExtractController::Staging> ExtractController::startStaging(const QStringList &paths, int layer)
{
    if (!m_image->hasImage() || paths.isEmpty())
        return nullptr;
    const QString key = stagingKey(paths, layer);
    if (std::shared_ptr<Staging> existing = m_stagings.value(key)) {
        if (existing->job || existing->state == Job::State::Succeeded)
            return existing; // running, or done: the same files
        m_stagings.remove(key); // failed or cancelled: a new drag tries again
    }
    auto staging = std::make_shared<Staging>();
    staging->paths = paths;
    staging->dir = StagedFilesMimeData::newStagingDirectory();
    if (staging->dir.isEmpty())
        return nullptr;
    Job *job = nullptr;
    if (layer < 0 && paths.size() == 1 && m_image->mergedTree()) {
        const fs::FileNode *node = m_image->mergedTree()->find(paths.first());
        if (node && !node->isDir() && m_image->allListed()) {
            extract::CarveOptions options;
            options.outputDir = staging->dir;
            auto *carve = new extract::CarveJob(m_image->client(), m_image->image(), paths.first(), options, this);
            carve->setIndexStore(m_image->indexStore());
            job = carve;
        }
    }
    if (!job) {
        extract::ExtractOptions options;
        options.layer = layer;
        auto *ex = new extract::ExtractJob(m_image->client(), m_image->image(), paths, staging->dir, options, this);
        ex->setIndexStore(m_image->indexStore());
        passTocs(*m_image, ex);
        job = ex;
    }
    job->setTitle(tr("Prepare drag of %1").arg(itemsTitle(paths)));
    staging->job = job;
    connect(job, &Job::finished, this, [this, job, staging] {
        staging->state = job->state();
        if (job->state() == Job::State::Failed) {
            staging->error = job->error().message;
            emit failed(tr("Drag of %1 failed: %2").arg(itemsTitle(staging->paths), staging->error));
        }
        staging->job = nullptr;
        job->deleteLater();
    });
    m_stagings.insert(key, staging);
    track(job, {});
    job->start();
    return staging;
}

std::function<void()> ExtractController::prestage(const QStringList &paths, int layer)
{
    const std::weak_ptr<Staging> staging = startStaging(paths, layer);
    return [staging] {
        if (const std::shared_ptr<Staging> s = staging.lock()) {
            if (s->job && s->job->isRunning())
                s->job->cancel(); // then forgotten: a new drag starts afresh (see startStaging)
        }
    };
}

QList<QUrl> ExtractController::stage(const QStringList &paths, int layer)
{
    const std::shared_ptr<Staging> staging = startStaging(paths, layer);
    if (!staging)
        return {};
    if (QPointer<Job> job = staging->job) {
        QProgressDialog progress(
            tr("Fetching %1 for the drop…").arg(itemsTitle(paths)), tr("Cancel"), 0, 1000, m_dialogParent);
        progress.setWindowModality(Qt::WindowModal);
        progress.setMinimumDuration(400);
        progress.setAutoClose(false);
        progress.setAutoReset(false);
        progress.setValue(0);
        connect(job, &Job::progress, &progress, [&progress](qint64 done, qint64 total) {
            if (total > 0)
                progress.setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 999)));
        });
        connect(&progress, &QProgressDialog::canceled, job, &Job::cancel);
        // Waits for the job, not for an outer ask: an inner ask's loop returns first, then the outer one.
        QEventLoop loop;
        connect(job, &Job::finished, &loop, &QEventLoop::quit);
        if (job && !job->isFinished())
            loop.exec(QEventLoop::ExcludeUserInputEvents);
        progress.reset();
    }
    QList<QUrl> urls;
    if (staging->state != Job::State::Succeeded)
        return urls;
    for (const QString &path : paths) {
        const QString file = destinationOf(staging->dir, path);
        const QFileInfo info(file);
        if (info.exists() || info.isSymLink())
            urls << QUrl::fromLocalFile(file);
    }
    return urls;
}

QString ExtractController::startFolder() const
{
    if (!m_destination.isEmpty() && QFileInfo(m_destination).isDir())
        return m_destination;
    return QDir::homePath();
}

void ExtractController::keepModificationTime(const QString &file, const QString &imagePath)
{
    // The carve writes the bytes; the time is the entry's, as Export (ExtractJob) keeps it.
    const fs::FileNode *node = m_image->mergedTree() ? m_image->mergedTree()->find(imagePath) : nullptr;
    if (!node || node->mtime <= 0)
        return;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)
        || !f.setFileTime(QDateTime::fromSecsSinceEpoch(node->mtime), QFileDevice::FileModificationTime))
        qCWarning(llUi) << "cannot set the modification time of" << file << f.errorString();
}

bool ExtractController::openLastSavedFolder()
{
    if (m_lastFolder.isEmpty())
        return false;
    if (!QFileInfo(m_lastFolder).isDir()) {
        emit failed(tr("Cannot open %1: the folder no longer exists").arg(m_lastFolder));
        return false;
    }
    if (!m_openFolder(QUrl::fromLocalFile(m_lastFolder))) {
        emit failed(tr("Cannot open %1: no file manager answered (is xdg-open installed?)").arg(m_lastFolder));
        return false;
    }
    return true;
}

} // namespace ll::ui
