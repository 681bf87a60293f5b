#pragma once

#include <QAbstractTableModel>
#include <QPointer>

namespace ll::hunt {
class HuntJob;
}

namespace ll::ui {

/** The images of the running hunt and how far each got (queued, resolving, searching, done, failed + why). */
class HuntImagesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ImageColumn, StateColumn, ColumnCount };
    explicit HuntImagesModel(QObject *parent = nullptr);

    /** Follows job (nullptr: empty). */
    void setJob(hunt::HuntJob *job);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QPointer<hunt::HuntJob> m_job;
    int m_rows = 0;
};

} // namespace ll::ui
