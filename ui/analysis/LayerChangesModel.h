#pragma once

#include <QAbstractTableModel>

#include <vector>

namespace ll::analysis {
struct LayerChanges;
}

namespace ll::ui {

/** One row per layer: files it added, modified and deleted, with their bytes (analysis::LayerChanges). */
class LayerChangesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        LayerColumn,
        AddedColumn,
        ModifiedColumn,
        DeletedColumn,
        AddedBytesColumn,
        DeletedBytesColumn,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit LayerChangesModel(QObject *parent = nullptr);

    /** Shows layers (nullptr: nothing); the vector must outlive the model's use of it or the next call. */
    void setLayers(const std::vector<analysis::LayerChanges> *layers);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const std::vector<analysis::LayerChanges> *m_layers = nullptr;
};

} // namespace ll::ui
