#pragma once

#include "catalog/SeenImage.h"

#include <QAbstractTableModel>
#include <QVector>

namespace ll::ui {

/** History: the images seen before (catalog::ImageCatalog beside the layer indexes), newest first. */
class SeenImagesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ReferenceColumn, PlatformColumn, LayersColumn, SeenColumn, ColumnCount };
    explicit SeenImagesModel(QObject *parent = nullptr);

    /** Reads the catalogue again. */
    void reload();
    const catalog::SeenImage &image(int row) const { return m_images.at(row); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<catalog::SeenImage> m_images;
};

} // namespace ll::ui
