#pragma once

#include "catalog/SeenImage.h"
#include "hunt/CacheSearchJob.h"

#include <QAbstractTableModel>
#include <QVector>

namespace ll::ui {

/**
 * Hits of a search over everything cached (hunt::CacheSearchJob, the engine of CLI --search): one row per
 * (image, layer, path), as --search prints them; a hit in a layer no recorded image has is one row without
 * an image.
 */
class CachedHitsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ImageColumn, LayerColumn, PathColumn, SizeColumn, ColumnCount };

    explicit CachedHitsModel(QObject *parent = nullptr);

    /** Shows a finished search's hits (replacing what was shown). */
    void setResults(const QVector<hunt::CachedHit> &hits, const QVector<catalog::SeenImage> &images);
    void clear();

    /** The image reference of row (empty for a layer no recorded image has) and the path there. */
    QString reference(int row) const;
    QString path(int row) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        int hit = -1;
        int image = -1; // -1: no recorded image
    };
    QVector<hunt::CachedHit> m_hits;
    QVector<catalog::SeenImage> m_images;
    QVector<Row> m_rows;
};

} // namespace ll::ui
