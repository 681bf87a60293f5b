#pragma once

#include "oci/Image.h"

#include <QAbstractTableModel>
#include <QVector>

#include <vector>

namespace ll::analysis {
struct LayerChanges;
}

namespace ll::ui {

/**
 * The layers of one image (oci::Image::manifest.layers), bottom first: index, short digest, size (with a
 * SizeFractionRole for a size-bar delegate), media type, the build step that made the layer and the
 * per-layer listing state, which the controller sets while layers stream (setLoading/setListed/setFailed).
 */
class LayerListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        IndexColumn,
        DigestColumn,
        SizeColumn,
        MediaTypeColumn,
        StepColumn,
        StateColumn,
        ChangesColumn, // "+1,204 ~2 −3 · 12.4 MiB" once the image is analysed
        ColumnCount
    };

    enum Role {
        DigestRole = Qt::UserRole + 1, // QString, full digest
        SizeRole, // qint64, compressed size in bytes (-1 unknown)
        SizeFractionRole, // double 0..1: size / the largest layer's size
        MediaTypeRole, // QString, full media type
        StepRole, // int, history index of the step that made it, -1 none
        StateRole, // int, a LoadState
        ProgressRole, // int 0..100 while loading (-1 when the total is unknown), 100 when listed
        EntryCountRole, // int, entries listed so far (-1 unknown)
        ErrorRole, // QString, the error message in state Failed
        DroppedRole, // int, entries dropped for an unsafe path
        SortRole, // raw value of the column
        ChangeCountsRole, // QList<qint64> {added, modified, deleted, addedBytes, modifiedBytes, deletedBytes}, empty
                          // until analysed
        RandomAccessRole, // QString, "random access: 6 checkpoints", "random access: eStargz TOC" or empty
    };
    Q_ENUM(Role)

    enum class LoadState { NotLoaded, Loading, Listed, Failed };
    Q_ENUM(LoadState)

    explicit LayerListModel(QObject *parent = nullptr);
    ~LayerListModel() override;

    /** Shows image's layers, all NotLoaded. Resets. */
    void setImage(const oci::Image &image);
    void clear();

    int layerCount() const { return int(m_layers.size()); }
    const oci::Descriptor &layer(int index) const { return m_layers.at(index).descriptor; }

    /** bytesDone/bytesTotal of the blob (total <= 0: unknown), entries listed so far (-1: unknown). */
    void setLoading(int layer, qint64 bytesDone, qint64 bytesTotal, int entries = -1);
    /** dropped: entries the listing refused (unsafe paths), droppedNames the first of them (tooltip). */
    void setListed(int layer, int entries, int dropped = 0, const QStringList &droppedNames = {});
    void setFailed(int layer, const QString &message);
    void setNotLoaded(int layer);
    /** What each layer changed (analysis::ImageAnalysis::layers(), by layer); nullptr clears. Copied. */
    void setChanges(const std::vector<analysis::LayerChanges> *changes);
    /** A listed layer can be read anywhere at once: its index keeps gzip checkpoints (> 0), or it
        has a table of contents (tocFormat: "estargz", "stargz", "zstd:chunked"). Shown in the Listing column. */
    void setRandomAccess(int layer, int checkpoints, const QString &tocFormat);
    /** "random access: 6 checkpoints", "random access: eStargz TOC", or empty when the layer has none. */
    QString randomAccessText(int layer) const;
    LoadState state(int layer) const;
    /** "not loaded", "loading 42% · 1,234 entries", "listed (1,234 entries)", "error: …" */
    QString stateText(int layer) const;

    /** "3f4e5d6c7b8a" (12 hex digits of the digest, algorithm dropped). */
    static QString shortDigest(const QString &digest);
    /** "oci tar+gzip", "docker tar+gzip", … or the media type itself when unknown. */
    static QString shortMediaType(const QString &mediaType);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Row {
        oci::Descriptor descriptor;
        int step = -1;
        QString stepText;
        LoadState state = LoadState::NotLoaded;
        int progress = -1;
        int entries = -1;
        QString error;
        int dropped = 0; // entries refused for an unsafe path
        QStringList droppedNames; // the first of them
        QList<qint64> changes; // ChangeCountsRole
        int checkpoints = 0; // random access: gzip checkpoints in its index
        QString tocFormat; // random access: its table of contents
    };
    QString changesText(const Row &row) const;
    void stateChanged(int layer);

    QVector<Row> m_layers;
    qint64 m_largest = 0;
};

} // namespace ll::ui
