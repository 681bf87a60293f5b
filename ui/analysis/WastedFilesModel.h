#pragma once

#include <QAbstractTableModel>

#include <vector>

namespace ll::analysis {
struct WastedPath;
}

namespace ll::ui {

/**
 * The wasted paths of an image, most bytes first (analysis::Efficiency::wasted): bytes (every copy counted),
 * the layers that wrote or deleted the path, the path. Lazy: rows come PageSize at a time (fetchMore).
 */
class WastedFilesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { BytesColumn, LayersColumn, PathColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1 };
    static constexpr int PageSize = 256;

    explicit WastedFilesModel(QObject *parent = nullptr);

    /** Shows paths (nullptr: nothing); the vector must outlive the model's use of it or the next call. */
    void setPaths(const std::vector<analysis::WastedPath> *paths);
    int totalCount() const { return m_paths ? int(m_paths->size()) : 0; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    const std::vector<analysis::WastedPath> *m_paths = nullptr;
    int m_shown = 0;
    bool m_busy = false; // inside a reset or an insert: no fetchMore
};

} // namespace ll::ui
