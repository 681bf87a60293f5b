#pragma once

#include "oci/ImageConfig.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QVector>

namespace ll::oci {
struct Image;
}

namespace ll::ui {

/**
 * The build steps of an image (config history, oldest first): index, the instruction as `docker history`
 * shows it, the layer it made ("metadata only" for empty_layer steps, shown greyed), that layer's size and the
 * creation date. layerForStep()/stepForLayer() let the window keep the step and layer selections in sync.
 */
class BuildStepModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IndexColumn, InstructionColumn, LayerColumn, SizeColumn, CreatedColumn, ColumnCount };

    enum Role {
        LayerRole = Qt::UserRole + 1, // int, layer index, -1 for metadata-only or unmatched steps
        EmptyLayerRole, // bool, metadata-only step
        CreatedRole, // QDateTime (invalid if the config has none)
        CreatedByRole, // QString, the raw created_by
        SortRole, // raw value of the column
    };
    Q_ENUM(Role)

    explicit BuildStepModel(QObject *parent = nullptr);
    ~BuildStepModel() override;

    /** Steps of image's config, mapped to its manifest layers (sizes from the manifest). Resets. */
    void setImage(const oci::Image &image);
    /** Steps of config mapped to layerCount layers (no sizes). Resets. */
    void setConfig(const oci::ImageConfig &config, int layerCount);
    void clear();

    const oci::HistoryEntry &step(int row) const { return m_steps.at(row); }
    /** Layer made by the step at row, or -1 (metadata only, unmatched, out of range). */
    int layerForStep(int row) const;
    /** Row of the step that made layer, or -1. */
    int stepForLayer(int layer) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void load(const oci::ImageConfig &config, int layerCount, const QVector<qint64> &sizes);

    QVector<oci::HistoryEntry> m_steps;
    QVector<QDateTime> m_created;
    QVector<QString> m_display;
    QVector<qint64> m_layerSizes;
};

} // namespace ll::ui
