#include "hunt/HuntResultsModel.h"

#include "common/HumanSize.h"
#include "common/PathBytes.h"
#include "models/StagedFilesMimeData.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::ui {

namespace {

QByteArray csvField(const QString &s)
{
    QByteArray b = s.toUtf8();
    if (b.contains(',') || b.contains('"') || b.contains('\n') || b.contains('\r'))
        b = '"' + b.replace("\"", "\"\"") + '"';
    return b;
}

} // namespace

HuntResultsModel::HuntResultsModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void HuntResultsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void HuntResultsModel::append(const QVector<hunt::HuntAnswer> &answers)
{
    if (answers.isEmpty())
        return;
    beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + answers.size()) - 1);
    m_rows += answers;
    endInsertRows();
}

void HuntResultsModel::replaceImage(int imageIndex, const QVector<hunt::HuntAnswer> &answers)
{
    for (int r = int(m_rows.size()) - 1; r >= 0; --r) {
        if (m_rows.at(r).imageIndex != imageIndex)
            continue;
        int first = r;
        while (first > 0 && m_rows.at(first - 1).imageIndex == imageIndex)
            --first;
        beginRemoveRows(QModelIndex(), first, r);
        m_rows.remove(first, r - first + 1);
        endRemoveRows();
        r = first;
    }
    append(answers);
}

QString HuntResultsModel::statusText(const hunt::HuntAnswer &a)
{
    switch (a.status) {
    case hunt::HuntAnswer::Status::Found:
        return tr("found");
    case hunt::HuntAnswer::Status::Deleted: {
        if (a.copies.isEmpty())
            return tr("deleted");
        QStringList layers;
        for (const hunt::LayerCopy &c : a.copies)
            layers << QString::number(c.layer);
        return tr("deleted, recoverable from layer %1").arg(layers.join(QStringLiteral(", ")));
    }
    case hunt::HuntAnswer::Status::NotFound:
        return tr("not found");
    case hunt::HuntAnswer::Status::Error:
        break;
    }
    if (a.error.code == Error::Code::Unauthorized || a.error.code == Error::Code::Forbidden)
        return a.error.code == Error::Code::Forbidden ? tr("needs sign-in: this account may not read it")
                                                      : tr("needs sign-in (double-click or Sign In…)");
    return tr("error: %1").arg(a.error.message);
}

int HuntResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HuntResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HuntResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const hunt::HuntAnswer &a = m_rows.at(index.row());
    if (role == RecoverableRole)
        return a.isRecoverable();
    if (role == StatusRole)
        return a.statusName();
    if (role == Qt::ForegroundRole) {
        if (a.isRecoverable())
            return QBrush(QColor(0xb0, 0x50, 0x00));
        if (a.status == hunt::HuntAnswer::Status::Error)
            return QBrush(QColor(0xc0, 0x20, 0x20));
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == StatusColumn)
        return statusText(a);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case ImageColumn:
        return a.platform.isEmpty() || role == SortRole ? a.image : QStringLiteral("%1 (%2)").arg(a.image, a.platform);
    case StatusColumn:
        return statusText(a);
    case LayerColumn:
        if (role == SortRole)
            return a.layer;
        return a.layer >= 0 ? QVariant(a.layer) : QVariant(QStringLiteral("-"));
    case PathColumn:
        if (a.status == hunt::HuntAnswer::Status::Error)
            return QString();
        if (!a.linkTarget.isEmpty() && role == Qt::DisplayRole)
            return QString(PathBytes::display(a.path) + QStringLiteral(" → ") + PathBytes::display(a.linkTarget));
        return PathBytes::display(a.path);
    case SizeColumn:
        if (role == SortRole)
            return a.hasEntry ? a.size : qint64(-1);
        return a.hasEntry ? humanSize(a.size) : QString();
    case ModifiedColumn:
        if (role == SortRole)
            return a.hasEntry ? a.mtime : qint64(-1);
        return a.hasEntry ? QDateTime::fromSecsSinceEpoch(a.mtime, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                          : QString();
    default:
        return {};
    }
}

QVariant HuntResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ImageColumn:
        return tr("Image");
    case StatusColumn:
        return tr("Status");
    case LayerColumn:
        return tr("Layer");
    case PathColumn:
        return tr("Path");
    case SizeColumn:
        return tr("Size");
    case ModifiedColumn:
        return tr("Modified");
    default:
        return {};
    }
}

void HuntResultsModel::setStager(RowStager stager, RowPrestager prestager)
{
    m_stager = std::move(stager);
    m_prestager = std::move(prestager);
}

bool HuntResultsModel::hasFile(const hunt::HuntAnswer &a)
{
    return a.status == hunt::HuntAnswer::Status::Found || a.isRecoverable();
}

Qt::ItemFlags HuntResultsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.row() < m_rows.size() && hasFile(m_rows.at(index.row())) && m_stager)
        f |= Qt::ItemIsDragEnabled;
    return f;
}

QStringList HuntResultsModel::mimeTypes() const
{
    return { QStringLiteral("text/uri-list"), QStringLiteral("text/plain") };
}

QMimeData *HuntResultsModel::mimeData(const QModelIndexList &indexes) const
{
    QVector<hunt::HuntAnswer> rows;
    QList<int> seen;
    for (const QModelIndex &index : indexes) {
        if (!index.isValid() || index.row() >= m_rows.size() || seen.contains(index.row()))
            continue;
        seen << index.row();
        if (hasFile(m_rows.at(index.row())))
            rows.append(m_rows.at(index.row()));
    }
    if (rows.isEmpty() || !m_stager)
        return nullptr;
    // No file tree behind a hunt's rows: the nodes are placeholders, the stagers know the rows.
    QStringList paths;
    for (const hunt::HuntAnswer &a : std::as_const(rows))
        paths << PathBytes::display(a.path);
    const QList<const fs::FileNode *> nodes(rows.size(), nullptr);
    const RowStager stager = m_stager;
    StagedFilesMimeData::Prestager prestager;
    if (m_prestager) {
        const RowPrestager rowPrestager = m_prestager;
        prestager = [rowPrestager, rows](const QList<const fs::FileNode *> &) { return rowPrestager(rows); };
    }
    return new StagedFilesMimeData(
        nodes, paths, [stager, rows](const QList<const fs::FileNode *> &) { return stager(rows); }, prestager);
}

Qt::DropActions HuntResultsModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

QByteArray HuntResultsModel::toCsv() const
{
    QByteArray out
        = "image,digest,pattern,path,status,layer,layer_digest,type,size,mtime,recoverable_from,error,platform,link\n";
    for (const hunt::HuntAnswer &a : m_rows) {
        QStringList layers;
        for (const hunt::LayerCopy &c : a.copies)
            layers << QString::number(c.layer);
        stream::TarEntry e;
        e.type = a.type;
        const QList<QByteArray> fields { csvField(a.image), csvField(a.digest), csvField(a.pattern),
            csvField(PathBytes::display(a.path)), a.statusName().toUtf8(),
            a.layer >= 0 ? QByteArray::number(a.layer) : QByteArray(), a.layerDigest.toUtf8(),
            a.hasEntry ? e.typeName().toUtf8() : QByteArray(), a.hasEntry ? QByteArray::number(a.size) : QByteArray(),
            a.hasEntry ? QByteArray::number(a.mtime) : QByteArray(),
            a.isRecoverable() ? csvField(layers.join(QLatin1Char(' '))) : QByteArray(), csvField(a.error.message),
            csvField(a.platform), csvField(PathBytes::display(a.linkTarget)) };
        out += fields.join(',') + '\n';
    }
    return out;
}

QByteArray HuntResultsModel::toJsonLines() const
{
    QByteArray out;
    for (const hunt::HuntAnswer &a : m_rows) {
        QJsonArray copies;
        for (const hunt::LayerCopy &c : a.copies)
            copies.append(QJsonObject { { QStringLiteral("layer"), c.layer },
                { QStringLiteral("layer_digest"), c.layerDigest }, { QStringLiteral("size"), c.size } });
        stream::TarEntry e;
        e.type = a.type;
        e.mode = a.mode;
        QJsonObject o { { QStringLiteral("image"), a.image }, { QStringLiteral("digest"), a.digest },
            { QStringLiteral("platform"), a.platform.isEmpty() ? QJsonValue() : QJsonValue(a.platform) },
            { QStringLiteral("pattern"), a.pattern }, { QStringLiteral("path"), PathBytes::display(a.path) },
            { QStringLiteral("status"), a.statusName() },
            { QStringLiteral("layer"), a.layer >= 0 ? QJsonValue(a.layer) : QJsonValue() },
            { QStringLiteral("layer_digest"), a.layerDigest.isEmpty() ? QJsonValue() : QJsonValue(a.layerDigest) },
            { QStringLiteral("type"), a.hasEntry ? QJsonValue(e.typeName()) : QJsonValue() },
            { QStringLiteral("size"), a.hasEntry ? QJsonValue(a.size) : QJsonValue() },
            { QStringLiteral("mode"), a.hasEntry ? QJsonValue(e.modeOctal()) : QJsonValue() },
            { QStringLiteral("mtime"), a.hasEntry ? QJsonValue(a.mtime) : QJsonValue() },
            { QStringLiteral("copies"), copies } };
        if (!a.linkTarget.isEmpty())
            o.insert(QStringLiteral("link"), PathBytes::display(a.linkTarget));
        if (a.status == hunt::HuntAnswer::Status::Error)
            o.insert(QStringLiteral("error"), a.error.message);
        out += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }
    return out;
}

} // namespace ll::ui
