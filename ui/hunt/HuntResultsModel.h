#pragma once

#include "hunt/HuntAnswer.h"

#include <QAbstractTableModel>
#include <QList>
#include <QUrl>
#include <QVector>

#include <functional>

namespace ll::ui {

/**
 * A hunt's answers as a flat table (one row per image, pattern and path), appended in batches as images are
 * answered (one beginInsertRows per batch). Sorting and filtering go through a QSortFilterProxyModel
 * (SortRole gives numbers for Layer and Size). Deleted answers still held by a lower layer are marked
 * (RecoverableRole, a warning colour and "deleted, recoverable from layer N"). A symlink's path is shown with its
 * target ("path → target"). Rows with a file to fetch (found, or deleted but recoverable) can be dragged: the
 * drag's StagedFilesMimeData asks the row stager for the files when a drop target wants them (drag-to-save,
 * as the main file tree does).
 */
class HuntResultsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ImageColumn, StatusColumn, LayerColumn, PathColumn, SizeColumn, ModifiedColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, RecoverableRole, StatusRole };

    /** Writes the rows' files below a staging directory, returns their URLs (see StagedFilesMimeData::Stager). */
    using RowStager = std::function<QList<QUrl>(const QVector<hunt::HuntAnswer> &rows)>;
    /** Starts that download when the drag begins; returns what stops it (see StagedFilesMimeData::Prestager). */
    using RowPrestager = std::function<std::function<void()>(const QVector<hunt::HuntAnswer> &rows)>;

    explicit HuntResultsModel(QObject *parent = nullptr);

    void setStager(RowStager stager, RowPrestager prestager = {});

    void clear();
    void append(const QVector<hunt::HuntAnswer> &answers);
    /** The rows of image imageIndex (HuntAnswer::imageIndex) removed, answers appended (an image searched again). */
    void replaceImage(int imageIndex, const QVector<hunt::HuntAnswer> &answers);
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
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;

    /** The answer has a file to fetch: found, or deleted but still held by a lower layer. */
    static bool hasFile(const hunt::HuntAnswer &a);

private:
    QVector<hunt::HuntAnswer> m_rows;
    RowStager m_stager;
    RowPrestager m_prestager;
};

} // namespace ll::ui
