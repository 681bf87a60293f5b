#include "models/LayerListModel.h"

#include "analysis/LayerChanges.h"
#include "common/HumanSize.h"

#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QPalette>

namespace ll::ui {

LayerListModel::LayerListModel(QObject *parent) : QAbstractTableModel(parent)
{ }

LayerListModel::~LayerListModel() = default;

void LayerListModel::setImage(const oci::Image &image)
{
    beginResetModel();
    m_layers.clear();
    m_largest = 0;
    oci::ImageConfig config = image.config;
    config.mapHistoryToLayers(int(image.manifest.layers.size()));
    m_layers.reserve(image.manifest.layers.size());
    for (qsizetype i = 0; i < image.manifest.layers.size(); ++i) {
        Row row;
        row.descriptor = image.manifest.layers.at(i);
        row.step = config.historyIndexForLayer(int(i));
        if (row.step >= 0)
            row.stepText = config.history.at(row.step).displayText();
        m_largest = qMax(m_largest, row.descriptor.size);
        m_layers.append(std::move(row));
    }
    endResetModel();
}

void LayerListModel::clear()
{
    beginResetModel();
    m_layers.clear();
    m_largest = 0;
    endResetModel();
}

void LayerListModel::setChanges(const std::vector<analysis::LayerChanges> *changes)
{
    for (int i = 0; i < m_layers.size(); ++i) {
        if (changes && size_t(i) < changes->size()) {
            const analysis::LayerChanges &c = (*changes)[size_t(i)];
            m_layers[i].changes = { c.added, c.modified, c.deleted, c.addedBytes, c.modifiedBytes, c.deletedBytes };
        } else {
            m_layers[i].changes.clear();
        }
    }
    if (!m_layers.isEmpty())
        emit dataChanged(index(0, ChangesColumn), index(int(m_layers.size()) - 1, ChangesColumn));
}

QString LayerListModel::changesText(const Row &r) const
{
    if (r.changes.size() < 6)
        return QString();
    QString text = QStringLiteral("+%1").arg(groupedNumber(r.changes[0]));
    if (r.changes[1] > 0)
        text += QStringLiteral(" ~%1").arg(groupedNumber(r.changes[1]));
    if (r.changes[2] > 0)
        text += QStringLiteral(" \u2212%1").arg(groupedNumber(r.changes[2]));
    return text + QStringLiteral(" · ") + humanSize(r.changes[3] + r.changes[4]);
}

void LayerListModel::stateChanged(int layer)
{
    const QModelIndex i = index(layer, StateColumn);
    emit dataChanged(i, i);
}

void LayerListModel::setLoading(int layer, qint64 bytesDone, qint64 bytesTotal, int entries)
{
    if (layer < 0 || layer >= m_layers.size())
        return;
    Row &r = m_layers[layer];
    const int progress = bytesTotal > 0 ? int(qBound(qint64(0), bytesDone * 100 / bytesTotal, qint64(100))) : -1;
    if (r.state == LoadState::Loading && r.progress == progress && r.entries == entries)
        return; // nothing visible changed: no repaint per chunk
    r.state = LoadState::Loading;
    r.progress = progress;
    r.entries = entries;
    r.error.clear();
    r.dropped = 0;
    r.droppedNames.clear();
    stateChanged(layer);
}

void LayerListModel::setListed(int layer, int entries, int dropped, const QStringList &droppedNames)
{
    if (layer < 0 || layer >= m_layers.size())
        return;
    Row &r = m_layers[layer];
    r.state = LoadState::Listed;
    r.progress = 100;
    r.entries = entries;
    r.error.clear();
    r.dropped = dropped;
    r.droppedNames = droppedNames;
    stateChanged(layer);
}

void LayerListModel::setFailed(int layer, const QString &message)
{
    if (layer < 0 || layer >= m_layers.size())
        return;
    Row &r = m_layers[layer];
    r.state = LoadState::Failed;
    r.error = message;
    stateChanged(layer);
}

void LayerListModel::setNotLoaded(int layer)
{
    if (layer < 0 || layer >= m_layers.size())
        return;
    Row &r = m_layers[layer];
    r.state = LoadState::NotLoaded;
    r.progress = -1;
    r.entries = -1;
    r.error.clear();
    r.checkpoints = 0;
    r.tocFormat.clear();
    stateChanged(layer);
}

void LayerListModel::setRandomAccess(int layer, int checkpoints, const QString &tocFormat)
{
    if (layer < 0 || layer >= m_layers.size())
        return;
    Row &r = m_layers[layer];
    r.checkpoints = qMax(0, checkpoints);
    r.tocFormat = tocFormat;
    stateChanged(layer);
}

QString LayerListModel::randomAccessText(int layer) const
{
    if (layer < 0 || layer >= m_layers.size())
        return QString();
    const Row &r = m_layers.at(layer);
    if (!r.tocFormat.isEmpty()) {
        const QString name = r.tocFormat == QLatin1String("estargz") ? QStringLiteral("eStargz") : r.tocFormat;
        return tr("random access: %1 TOC").arg(name);
    }
    if (r.checkpoints > 0)
        return r.checkpoints == 1 ? tr("random access: 1 checkpoint")
                                  : tr("random access: %1 checkpoints").arg(r.checkpoints);
    return QString();
}

LayerListModel::LoadState LayerListModel::state(int layer) const
{
    return layer >= 0 && layer < m_layers.size() ? m_layers.at(layer).state : LoadState::NotLoaded;
}

QString LayerListModel::stateText(int layer) const
{
    if (layer < 0 || layer >= m_layers.size())
        return QString();
    const Row &r = m_layers.at(layer);
    switch (r.state) {
    case LoadState::NotLoaded:
        return tr("not loaded");
    case LoadState::Loading: {
        QString s = r.progress >= 0 ? tr("loading %1%").arg(r.progress) : tr("loading");
        if (r.entries >= 0)
            s += QStringLiteral(" \u00b7 ") + tr("%1 entries").arg(groupedNumber(r.entries));
        return s;
    }
    case LoadState::Listed: {
        QString s = r.dropped > 0 ? tr("listed (%1 entries, %2 unsafe dropped)")
                                        .arg(groupedNumber(qMax(0, r.entries)), groupedNumber(r.dropped))
                                  : tr("listed (%1 entries)").arg(groupedNumber(qMax(0, r.entries)));
        if (r.checkpoints > 0 || !r.tocFormat.isEmpty())
            s += QStringLiteral(" \u00b7 ") + tr("random access");
        return s;
    }
    case LoadState::Failed:
        return tr("error: %1").arg(r.error);
    }
    return QString();
}

QString LayerListModel::shortDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(QLatin1Char(':'));
    return digest.mid(colon + 1, 12);
}

QString LayerListModel::shortMediaType(const QString &mediaType)
{
    struct Known {
        const char *prefix;
        const char *label;
    };
    static const Known known[] = {
        { "application/vnd.docker.image.rootfs.foreign.diff.", "docker foreign " },
        { "application/vnd.docker.image.rootfs.diff.", "docker " },
        { "application/vnd.oci.image.layer.nondistributable.v1.", "oci nondistributable " },
        { "application/vnd.oci.image.layer.v1.", "oci " },
    };
    for (const Known &k : known) {
        const QLatin1String prefix(k.prefix);
        if (mediaType.startsWith(prefix)) {
            QString rest = mediaType.mid(prefix.size());
            rest.replace(QLatin1String("tar.gzip"), QLatin1String("tar+gzip"));
            return QLatin1String(k.label) + rest;
        }
    }
    return mediaType;
}

int LayerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_layers.size());
}

int LayerListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const int layer = index.row();
    const Row &r = m_layers.at(layer);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn:
            return layer;
        case DigestColumn:
            return shortDigest(r.descriptor.digest);
        case SizeColumn:
            return r.descriptor.size >= 0 ? humanSize(r.descriptor.size) : QString();
        case MediaTypeColumn:
            return shortMediaType(r.descriptor.mediaType);
        case StepColumn:
            return r.stepText;
        case StateColumn:
            return stateText(layer);
        case ChangesColumn:
            return changesText(r);
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case DigestColumn:
            return r.descriptor.digest;
        case SizeColumn:
            return tr("%1 bytes (compressed)").arg(groupedNumber(r.descriptor.size));
        case MediaTypeColumn:
            return r.descriptor.mediaType;
        case StepColumn:
            return r.step >= 0 ? tr("step %1: %2").arg(r.step).arg(r.stepText) : tr("no matching step");
        case StateColumn:
            if (r.dropped > 0) {
                // A hostile archive's entries are not silently lost: name them.
                QStringList names = r.droppedNames;
                if (r.dropped > names.size())
                    names << tr("… and %n more", nullptr, r.dropped - int(names.size()));
                return tr("%1\nDropped, never shown or written (unsafe paths):\n%2")
                    .arg(stateText(layer), names.join(QLatin1Char('\n')));
            }
            if (const QString ra = randomAccessText(layer); !ra.isEmpty() && r.state == LoadState::Listed)
                return tr("%1\n%2: any file previewed, saved or extracted without downloading the layer")
                    .arg(stateText(layer), ra);
            return stateText(layer);
        case ChangesColumn:
            if (r.changes.size() < 6)
                return tr("Shown once every layer is listed");
            return tr("%1 added (%2), %3 modified (%4), %5 deleted (%6 hidden from view)")
                .arg(groupedNumber(r.changes[0]), humanSize(r.changes[3]), groupedNumber(r.changes[1]),
                    humanSize(r.changes[4]), groupedNumber(r.changes[2]), humanSize(r.changes[5]));
        }
        break;
    case Qt::DecorationRole:
        // A bolt beside the listing state: the layer reads any file at once (visible when the text is cut).
        if (index.column() == StateColumn && r.state == LoadState::Listed && !randomAccessText(layer).isEmpty())
            return QIcon(QStringLiteral(":/icons/random-access.svg"));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IndexColumn || index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && r.state == LoadState::Failed)
            return QBrush(Qt::red);
        if (index.column() == StateColumn && r.dropped > 0)
            return QBrush(QColor(0xb3, 0x5c, 0x00));
        break;
    case Qt::FontRole:
        if (index.column() == DigestColumn) {
            QFont f;
            f.setFamily(QStringLiteral("monospace"));
            f.setStyleHint(QFont::Monospace);
            return f;
        }
        break;
    case SortRole:
        switch (index.column()) {
        case IndexColumn:
            return layer;
        case DigestColumn:
            return r.descriptor.digest;
        case SizeColumn:
            return r.descriptor.size;
        case MediaTypeColumn:
            return r.descriptor.mediaType;
        case StepColumn:
            return r.step;
        case StateColumn:
            return int(r.state) * 1000 + r.progress;
        case ChangesColumn:
            return r.changes.size() < 6 ? qint64(-1) : r.changes[3] + r.changes[4];
        }
        break;
    case ChangeCountsRole:
        return QVariant::fromValue(r.changes);
    case DigestRole:
        return r.descriptor.digest;
    case SizeRole:
        return r.descriptor.size;
    case SizeFractionRole:
        return m_largest > 0 ? double(qMax<qint64>(0, r.descriptor.size)) / double(m_largest) : 0.0;
    case MediaTypeRole:
        return r.descriptor.mediaType;
    case StepRole:
        return r.step;
    case StateRole:
        return int(r.state);
    case ProgressRole:
        return r.progress;
    case EntryCountRole:
        return r.entries;
    case ErrorRole:
        return r.error;
    case DroppedRole:
        return r.dropped;
    case RandomAccessRole:
        return randomAccessText(layer);
    default:
        break;
    }
    return QVariant();
}

QVariant LayerListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IndexColumn:
        return tr("#");
    case DigestColumn:
        return tr("Digest");
    case SizeColumn:
        return tr("Size");
    case MediaTypeColumn:
        return tr("Type");
    case StepColumn:
        return tr("Build step");
    case StateColumn:
        return tr("Listing");
    case ChangesColumn:
        return tr("Changes");
    }
    return QVariant();
}

QHash<int, QByteArray> LayerListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(DigestRole, "digest");
    names.insert(SizeRole, "size");
    names.insert(SizeFractionRole, "sizeFraction");
    names.insert(MediaTypeRole, "mediaType");
    names.insert(StepRole, "step");
    names.insert(StateRole, "state");
    names.insert(ProgressRole, "progress");
    names.insert(EntryCountRole, "entryCount");
    names.insert(ErrorRole, "error");
    names.insert(DroppedRole, "dropped");
    names.insert(RandomAccessRole, "randomAccess");
    names.insert(SortRole, "sort");
    return names;
}

} // namespace ll::ui
