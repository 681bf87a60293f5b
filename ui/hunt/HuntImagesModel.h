#pragma once

#include <QAbstractTableModel>

namespace ll::ui {

class HuntController;

/**
 * The images of the controller's hunt and how far each got (queued, resolving, searching, done, failed + why;
 * "needs sign-in" when the registry refused access).
 */
class HuntImagesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ImageColumn, StateColumn, ColumnCount };
    explicit HuntImagesModel(HuntController *controller, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    HuntController *m_controller;
    int m_rows = 0;
};

} // namespace ll::ui
