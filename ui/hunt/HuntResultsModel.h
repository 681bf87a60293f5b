#pragma once

#include "hunt/HuntAnswer.h"

#include <QAbstractTableModel>
#include <QVector>

namespace ll::ui {

/**
 * A hunt's answers as a flat table (one row per image, pattern and path), appended in batches as images are
 * answered (one beginInsertRows per batch). Sorting and filtering go through a QSortFilterProxyModel
 * (SortRole gives numbers for Layer and Size). Deleted answers still held by a lower layer are marked
 * (RecoverableRole, a warning colour and "deleted, recoverable from layer N").
 */
class HuntResultsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ImageColumn, StatusColumn, LayerColumn, PathColumn, SizeColumn, ModifiedColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, RecoverableRole, StatusRole };

    explicit HuntResultsModel(QObject *parent = nullptr);

    void clear();
    void append(const QVector<hunt::HuntAnswer> &answers);
    const hunt::HuntAnswer &answer(int row) const { return m_rows.at(row); }
    const QVector<hunt::HuntAnswer> &answers() const { return m_rows; }

    /** The table as CSV (header + rows, RFC 4180 quoting) and as JSON lines (the CLI's --json shape). */
    QByteArray toCsv() const;
    QByteArray toJsonLines() const;
    static QString statusText(const hunt::HuntAnswer &a);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<hunt::HuntAnswer> m_rows;
};

} // namespace ll::ui
