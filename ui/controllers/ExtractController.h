#pragma once

#include "common/Error.h"
#include "common/Job.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

class QWidget;

namespace ll {
class Job;
}
namespace ll::extract {
class CarveJob;
class ExtractJob;
} // namespace ll::extract

namespace ll::ui {

class ImageController;

/**
 * The window's file actions over the open image: save (carve one file of the merged view with CarveJob's
 * early stop; several files, directories or a layer's own copies with ExtractJob), save layer blobs
 * (SaveLayerJob), preview (a carve into a temporary directory, shown in a PreviewDialog) and drag-to-save
 * staging. Every job goes to the tracker (jobs panel) with a retry factory. The destination is asked through
 * an injectable function (a QFileDialog by default) so tests never see a modal dialog.
 */
class ExtractController : public QObject
{
    Q_OBJECT
public:
    using Factory = std::function<Job *()>;
    using Tracker = std::function<void(Job *job, Factory retry)>;
    /** Returns a directory, or an empty string when the user cancelled. */
    using DirectoryAsker = std::function<QString(const QString &title)>;

    ExtractController(ImageController *image, QWidget *dialogParent, QObject *parent = nullptr);
    ~ExtractController() override;

    void setTracker(Tracker tracker) { m_tracker = std::move(tracker); }
    void setDirectoryAsker(DirectoryAsker asker) { m_askDirectory = std::move(asker); }
    /** Preview shows at most this many bytes; files above carveLimit are not fetched for a preview. */
    void setPreviewFetchLimit(qint64 bytes) { m_previewFetchLimit = bytes; }

    /**
     * Saves image paths into a directory asked for (layer -1: the merged view; else that layer's copies).
     * One regular path in the merged view: CarveJob; else ExtractJob. Returns the started job, or nullptr
     * when cancelled/nothing to do. The files land at DIR/<path>.
     */
    Job *save(const QStringList &paths, int layer);
    /** Same into dir without asking. */
    Job *saveTo(const QStringList &paths, int layer, const QString &dir, bool preservePermissions = false);
    /** Like saveTo() but always an ExtractJob (per-item results for the batch export). */
    Job *exportTo(const QStringList &paths, int layer, const QString &dir, bool preservePermissions);
    /** Saves the blobs of layers into a directory asked for (one SaveLayerJob each). */
    QList<Job *> saveLayers(const QList<int> &layers);
    QList<Job *> saveLayersTo(const QList<int> &layers, const QString &dir);

    /** Opens a PreviewDialog for path (fetched by a carve into a temporary directory). */
    void preview(const QString &path, int layer);

    /**
     * Drag-to-save, when the drag begins: starts writing the paths (files or dirs) into a fresh staging
     * directory in the background (once per image, layer and paths; a later ask reuses it). Returns what
     * stops that download if the drag ends with no drop target having asked.
     */
    std::function<void()> prestage(const QStringList &paths, int layer);
    /**
     * Drag-to-save, when a drop target asks: waits for the staging of the paths (starting it if prestage()
     * did not), with a cancellable progress dialog; returns one file URL per path that was written (nothing
     * when cancelled or failed). Re-entrant: an ask from inside the wait waits for the same download.
     */
    QList<QUrl> stage(const QStringList &paths, int layer);

    /** Folder of the last saved file (empty before). */
    QString lastSavedFolder() const { return m_lastFolder; }
    /** Opens lastSavedFolder() in the desktop's file manager; failed() says why it could not. */
    bool openLastSavedFolder();
    /** Tests: how a folder is shown (QDesktopServices::openUrl by default). */
    void setFolderOpener(std::function<bool(const QUrl &)> opener) { m_openFolder = std::move(opener); }
    /** Where the next destination dialog starts: the last folder chosen (not a subfolder a file landed in). */
    QString startFolder() const;

    /** The file (or dir) a path lands at below dir. */
    static QString destinationOf(const QString &dir, const QString &imagePath);

signals:
    /** A save finished; folder is where to look, message a one-line summary. */
    void saved(const QString &folder, const QString &message);
    void failed(const QString &message);

private:
    Job *makeSaveJob(
        const QStringList &paths, int layer, const QString &dir, bool preservePermissions, bool allowCarve);
    Job *startSave(const QStringList &paths, int layer, const QString &dir, bool preservePermissions, bool allowCarve);
    void onSaveFinished(Job *job, const QStringList &paths, const QString &dir);
    void track(Job *job, Factory retry);

    /** One drag's download into its staging directory. */
    struct Staging {
        QString dir;
        QStringList paths;
        QPointer<Job> job; // null once finished
        Job::State state = Job::State::Running;
        QString error;
    };
    std::shared_ptr<Staging> startStaging(const QStringList &paths, int layer);
    QString stagingKey(const QStringList &paths, int layer) const;

    ImageController *m_image;
    QPointer<QWidget> m_dialogParent;
    Tracker m_tracker;
    DirectoryAsker m_askDirectory;
    void keepModificationTime(const QString &file, const QString &imagePath);

    QString m_lastFolder;
    QString m_destination; // the folder last chosen in the dialog
    std::function<bool(const QUrl &)> m_openFolder;
    qint64 m_previewFetchLimit = 256LL * 1024 * 1024;
    QHash<QString, std::shared_ptr<Staging>> m_stagings; // by stagingKey()
};

} // namespace ll::ui
