#include "models/BuildStepModel.h"

#include "common/HumanSize.h"
#include "oci/Image.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace ll::ui {

BuildStepModel::BuildStepModel(QObject *parent) : QAbstractTableModel(parent)
{ }

BuildStepModel::~BuildStepModel() = default;

void BuildStepModel::setImage(const oci::Image &image)
{
    QVector<qint64> sizes;
    sizes.reserve(image.manifest.layers.size());
    for (const oci::Descriptor &d : image.manifest.layers)
        sizes.append(d.size);
    load(image.config, int(image.manifest.layers.size()), sizes);
}

void BuildStepModel::setConfig(const oci::ImageConfig &config, int layerCount)
{
    load(config, layerCount, {});
}

void BuildStepModel::load(const oci::ImageConfig &source, int layerCount, const QVector<qint64> &sizes)
{
    beginResetModel();
    oci::ImageConfig config = source;
    config.mapHistoryToLayers(layerCount);
    m_steps = QVector<oci::HistoryEntry>(config.history.cbegin(), config.history.cend());
    m_layerSizes = sizes;
    m_created.clear();
    m_display.clear();
    m_created.reserve(m_steps.size());
    m_display.reserve(m_steps.size());
    for (const oci::HistoryEntry &e : std::as_const(m_steps)) {
        QDateTime created = QDateTime::fromString(e.created, Qt::ISODateWithMs);
        if (!created.isValid())
            created = QDateTime::fromString(e.created, Qt::ISODate);
        m_created.append(created);
        m_display.append(e.displayText());
    }
    endResetModel();
}

void BuildStepModel::clear()
{
    beginResetModel();
    m_steps.clear();
    m_created.clear();
    m_display.clear();
    m_layerSizes.clear();
    endResetModel();
}

int BuildStepModel::layerForStep(int row) const
{
    return row >= 0 && row < m_steps.size() ? m_steps.at(row).layerIndex : -1;
}

int BuildStepModel::stepForLayer(int layer) const
{
    if (layer < 0)
        return -1;
    for (qsizetype i = 0; i < m_steps.size(); ++i) {
        if (m_steps.at(i).layerIndex == layer)
            return int(i);
    }
    return -1;
}

int BuildStepModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

int BuildStepModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BuildStepModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const int row = index.row();
    const oci::HistoryEntry &e = m_steps.at(row);
    const qint64 size = e.layerIndex >= 0 && e.layerIndex < m_layerSizes.size() ? m_layerSizes.at(e.layerIndex) : -1;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn:
            return row;
        case InstructionColumn:
            return m_display.at(row);
        case LayerColumn:
            if (e.emptyLayer)
                return tr("metadata only");
            return e.layerIndex >= 0 ? tr("layer %1").arg(e.layerIndex) : tr("no layer");
        case SizeColumn:
            return size >= 0 ? humanSize(size) : QString();
        case CreatedColumn:
            return m_created.at(row).isValid()
                ? m_created.at(row).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                : e.created;
        }
        break;
    case Qt::ToolTipRole: {
        QString tip = e.createdBy.isEmpty() ? m_display.at(row) : e.createdBy;
        if (!e.comment.isEmpty())
            tip += QLatin1Char('\n') + tr("comment: %1").arg(e.comment);
        if (!e.author.isEmpty())
            tip += QLatin1Char('\n') + tr("author: %1").arg(e.author);
        if (e.emptyLayer)
            tip += QLatin1Char('\n') + tr("metadata only: this step made no layer");
        else if (e.layerIndex < 0)
            tip += QLatin1Char('\n') + tr("no layer matches this step (history and layers disagree)");
        return tip;
    }
    case Qt::ForegroundRole:
        if (e.emptyLayer)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        break;
    case Qt::FontRole:
        if (e.emptyLayer && index.column() == LayerColumn) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IndexColumn || index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case SortRole:
        switch (index.column()) {
        case IndexColumn:
            return row;
        case InstructionColumn:
            return m_display.at(row);
        case LayerColumn:
            return e.layerIndex;
        case SizeColumn:
            return size;
        case CreatedColumn:
            return m_created.at(row);
        }
        break;
    case LayerRole:
        return e.layerIndex;
    case EmptyLayerRole:
        return e.emptyLayer;
    case CreatedRole:
        return m_created.at(row);
    case CreatedByRole:
        return e.createdBy;
    default:
        break;
    }
    return QVariant();
}

QVariant BuildStepModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IndexColumn:
        return tr("#");
    case InstructionColumn:
        return tr("Step");
    case LayerColumn:
        return tr("Layer");
    case SizeColumn:
        return tr("Size");
    case CreatedColumn:
        return tr("Created");
    }
    return QVariant();
}

QHash<int, QByteArray> BuildStepModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(LayerRole, "layer");
    names.insert(EmptyLayerRole, "emptyLayer");
    names.insert(CreatedRole, "created");
    names.insert(CreatedByRole, "createdBy");
    names.insert(SortRole, "sort");
    return names;
}

} // namespace ll::ui
