#include "hunt/CachedHitsModel.h"

#include "common/HumanSize.h"
#include "common/PathBytes.h"

namespace ll::ui {

CachedHitsModel::CachedHitsModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void CachedHitsModel::setResults(const QVector<hunt::CachedHit> &hits, const QVector<catalog::SeenImage> &images)
{
    beginResetModel();
    m_hits = hits;
    m_images = images;
    m_rows.clear();
    for (int h = 0; h < m_hits.size(); ++h) {
        if (m_hits.at(h).images.isEmpty())
            m_rows.append(Row { h, -1 });
        for (int i : m_hits.at(h).images)
            m_rows.append(Row { h, i });
    }
    endResetModel();
}

void CachedHitsModel::clear()
{
    setResults({}, {});
}

QString CachedHitsModel::reference(int row) const
{
    if (row < 0 || row >= m_rows.size() || m_rows.at(row).image < 0)
        return {};
    return m_images.at(m_rows.at(row).image).reference;
}

QString CachedHitsModel::path(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_hits.at(m_rows.at(row).hit).entry.path;
}

int CachedHitsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CachedHitsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CachedHitsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows.at(index.row());
    const hunt::CachedHit &hit = m_hits.at(r.hit);
    const catalog::SeenImage *img = r.image >= 0 ? &m_images.at(r.image) : nullptr;
    if (role == Qt::ToolTipRole && index.column() == LayerColumn)
        return hit.layerDigest;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ImageColumn:
        return img ? img->reference : tr("(layer %1, no image recorded)").arg(hit.layerDigest.left(19));
    case LayerColumn: {
        const int layer = img ? int(img->layers.indexOf(hit.layerDigest)) : -1;
        return layer >= 0 ? QVariant(layer) : QVariant(QStringLiteral("-"));
    }
    case PathColumn: {
        QString p = PathBytes::display(hit.entry.path);
        if (!hit.entry.linkTarget.isEmpty())
            p += QStringLiteral(" → ") + PathBytes::display(hit.entry.linkTarget);
        return p;
    }
    case SizeColumn:
        return humanSize(hit.entry.size);
    default:
        return {};
    }
}

QVariant CachedHitsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ImageColumn:
        return tr("Image");
    case LayerColumn:
        return tr("Layer");
    case PathColumn:
        return tr("Path");
    case SizeColumn:
        return tr("Size");
    default:
        return {};
    }
}

} // namespace ll::ui
