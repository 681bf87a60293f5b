#include "hunt/HuntImagesModel.h"

#include "hunt/HuntJob.h"

namespace ll::ui {

HuntImagesModel::HuntImagesModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void HuntImagesModel::setJob(hunt::HuntJob *job)
{
    beginResetModel();
    if (m_job)
        m_job->disconnect(this);
    m_job = job;
    m_rows = job ? int(job->images().size()) : 0;
    endResetModel();
    if (!job)
        return;
    connect(job, &hunt::HuntJob::imagesListed, this, [this](int count) {
        if (count <= m_rows)
            return;
        beginInsertRows(QModelIndex(), m_rows, count - 1);
        m_rows = count;
        endInsertRows();
    });
    connect(job, &hunt::HuntJob::imageChanged, this, [this](int row) {
        if (row >= 0 && row < m_rows)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
}

int HuntImagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int HuntImagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HuntImagesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_job || index.row() >= m_rows || index.row() >= m_job->images().size()
        || role != Qt::DisplayRole)
        return {};
    const hunt::HuntImage &img = m_job->images().at(index.row());
    if (index.column() == ImageColumn)
        return img.reference.toString();
    switch (img.state) {
    case hunt::HuntImage::State::Queued:
        return tr("queued");
    case hunt::HuntImage::State::Resolving:
        return tr("fetching manifest");
    case hunt::HuntImage::State::Searching:
        return tr("searching layers");
    case hunt::HuntImage::State::Done:
        return img.deleted > 0 ? tr("done: %1 found, %2 deleted but recoverable").arg(img.found).arg(img.deleted)
                               : tr("done: %1 found").arg(img.found);
    case hunt::HuntImage::State::Failed:
        return img.error.code == Error::Code::Unauthorized ? tr("needs sign-in: %1").arg(img.error.message)
                                                           : tr("failed: %1").arg(img.error.message);
    }
    return {};
}

QVariant HuntImagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == ImageColumn ? tr("Image") : tr("State");
}

} // namespace ll::ui
