#pragma once

#include "common/Job.h"
#include "oci/Image.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace ll {
class Sha256;
}
namespace ll::registry {
class RegistryClient;
}
namespace ll::stream {
class LayerPipeline;
}

namespace ll::extract {

class AtomicFileWriter;
class OverlappedWriter;

/** One saved layer (SaveLayerJob::layerSaved()). */
struct SavedLayer {
    int index = -1; // 0-based layer index, as in the file name
    QString digest;
    qint64 size = 0;
    QString path; // absolute final path
    qint64 resumedFrom = 0; // bytes of an existing .part that were kept
    qint64 downloaded = 0; // network bytes for this layer
    bool skipped = false; // the final file was already there with the right digest
};

/**
 * Saves layer blobs to files (--save-all, --save-layers), one after the other:
 *   <outputDir>/<repository with '/' -> '_'>-<tag, or the first 12 hex of the manifest digest>-layer<N><ext>
 * N is 0-based (as in the listings, --layer, the JSON and the GUI), ext by media type (.tar.gz, .tar.zst, .tar,
 * .bin). Each blob streams (LayerPipeline, no decoding) into "<name>.part", hashed (sha256) on the worker
 * thread, and is renamed to the final name only when the digest matches. An existing .part is resumed: its
 * bytes are hashed first (on a helper thread), then only the rest is requested (Range). A final file already
 * there is re-hashed and skipped when it matches. A mismatch removes the .part and fails with
 * Error::DigestMismatch. A failed or cancelled download keeps its .part for a later resume. Files are 0644.
 * progress(): bytes on disk (kept + downloaded) / total size of the selected layers.
 */
class SaveLayerJob : public Job
{
    Q_OBJECT
public:
    SaveLayerJob(registry::RegistryClient *client, const oci::Image &image, const QList<int> &layers,
        const QString &outputDir, QObject *parent = nullptr);
    ~SaveLayerJob() override;

    /** The file name (no directory) layer index gets. */
    static QString fileName(const oci::Image &image, int index);

    const QList<SavedLayer> &saved() const { return m_saved; }
    qint64 bytesDownloaded() const;
    int requestCount() const;
    qint64 elapsedMs() const { return m_elapsedMs; }

signals:
    void layerSaved(const ll::extract::SavedLayer &layer);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void next();
    void hashExisting(const QString &path, qint64 size, bool finalFile);
    void onHashed();
    void startDownload(qint64 offset);
    void onPipelineFinished();
    void onPipelineProgress();
    void layerDone(bool skipped);
    void failWith(const Error &error);
    void stopHashThread();

    registry::RegistryClient *m_client;
    oci::Image m_image;
    QList<int> m_layers;
    QString m_outputDir;
    QList<SavedLayer> m_saved;

    int m_position = -1; // in m_layers
    SavedLayer m_current;
    std::unique_ptr<Sha256> m_sha;
    std::unique_ptr<AtomicFileWriter> m_writer;
    std::unique_ptr<OverlappedWriter> m_overlapped; // used by the pipeline's worker; reset before m_writer
    QPointer<stream::LayerPipeline> m_pipeline;
    QThread *m_hashThread = nullptr;
    bool m_hashingFinal = false;
    qint64 m_hashedBytes = 0;
    Error m_hashError;
    std::atomic<bool> m_cancelFlag { false };
    Error m_sinkError; // written on the worker, read after the pipeline ended

    qint64 m_totalSize = 0;
    qint64 m_doneBefore = 0; // bytes of the layers already finished
    qint64 m_downloadedBefore = 0;
    int m_requestsBefore = 0;
    qint64 m_elapsedMs = 0;
    QElapsedTimer m_timer;
    bool m_cancelling = false;
};

} // namespace ll::extract

Q_DECLARE_METATYPE(ll::extract::SavedLayer)
