#include "hunt/SeenImagesModel.h"

#include "catalog/ImageCatalog.h"
#include "index/IndexStore.h"

#include <QLocale>

namespace ll::ui {

SeenImagesModel::SeenImagesModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void SeenImagesModel::reload()
{
    beginResetModel();
    m_images = catalog::ImageCatalog::forIndexStore(index::IndexStore::fromEnvironment()).recent();
    endResetModel();
}

int SeenImagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_images.size());
}

int SeenImagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SeenImagesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_images.size() || role != Qt::DisplayRole)
        return {};
    const catalog::SeenImage &s = m_images.at(index.row());
    switch (index.column()) {
    case ReferenceColumn:
        return s.reference;
    case PlatformColumn:
        return s.platform;
    case LayersColumn:
        return int(s.layers.size());
    case SeenColumn:
        return QLocale().toString(s.when.toLocalTime(), QLocale::ShortFormat);
    default:
        return {};
    }
}

QVariant SeenImagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ReferenceColumn:
        return tr("Image");
    case PlatformColumn:
        return tr("Platform");
    case LayersColumn:
        return tr("Layers");
    case SeenColumn:
        return tr("Seen");
    default:
        return {};
    }
}

} // namespace ll::ui
