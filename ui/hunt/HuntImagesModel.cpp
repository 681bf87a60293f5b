#include "hunt/HuntImagesModel.h"

#include "hunt/HuntController.h"
#include "hunt/HuntJob.h"

namespace ll::ui {

HuntImagesModel::HuntImagesModel(HuntController *controller, QObject *parent)
    : QAbstractTableModel(parent), m_controller(controller)
{
    connect(controller, &HuntController::started, this, [this]() {
        beginResetModel();
        m_rows = m_controller->imageCount();
        endResetModel();
    });
    connect(controller, &HuntController::imagesListed, this, [this](int count) {
        if (count <= m_rows)
            return;
        beginInsertRows(QModelIndex(), m_rows, count - 1);
        m_rows = count;
        endInsertRows();
    });
    connect(controller, &HuntController::imageChanged, this, [this](int row) {
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
    if (!index.isValid() || index.row() >= m_rows || role != Qt::DisplayRole)
        return {};
    const hunt::HuntImage *found = m_controller->image(index.row());
    if (!found)
        return {};
    const hunt::HuntImage &img = *found;
    if (index.column() == ImageColumn)
        return img.platform ? QStringLiteral("%1 (%2)").arg(img.reference.toString(), img.platform->toString())
                            : img.reference.toString();
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
        // The core's message names the CLI's flags: the GUI says what to do here.
        return m_controller->needsSignIn(index.row()) ? tr("needs sign-in (double-click or Sign In…)")
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
