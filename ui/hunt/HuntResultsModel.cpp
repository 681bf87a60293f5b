#include "hunt/HuntResultsModel.h"

#include "common/HumanSize.h"
#include "common/PathBytes.h"

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
        return a.image;
    case StatusColumn:
        return statusText(a);
    case LayerColumn:
        if (role == SortRole)
            return a.layer;
        return a.layer >= 0 ? QVariant(a.layer) : QVariant(QStringLiteral("-"));
    case PathColumn:
        return a.status == hunt::HuntAnswer::Status::Error ? QString() : PathBytes::display(a.path);
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

QByteArray HuntResultsModel::toCsv() const
{
    QByteArray out = "image,digest,pattern,path,status,layer,layer_digest,type,size,mtime,recoverable_from,error\n";
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
            a.isRecoverable() ? csvField(layers.join(QLatin1Char(' '))) : QByteArray(), csvField(a.error.message) };
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
            { QStringLiteral("pattern"), a.pattern }, { QStringLiteral("path"), PathBytes::display(a.path) },
            { QStringLiteral("status"), a.statusName() },
            { QStringLiteral("layer"), a.layer >= 0 ? QJsonValue(a.layer) : QJsonValue() },
            { QStringLiteral("layer_digest"), a.layerDigest.isEmpty() ? QJsonValue() : QJsonValue(a.layerDigest) },
            { QStringLiteral("type"), a.hasEntry ? QJsonValue(e.typeName()) : QJsonValue() },
            { QStringLiteral("size"), a.hasEntry ? QJsonValue(a.size) : QJsonValue() },
            { QStringLiteral("mode"), a.hasEntry ? QJsonValue(e.modeOctal()) : QJsonValue() },
            { QStringLiteral("mtime"), a.hasEntry ? QJsonValue(a.mtime) : QJsonValue() },
            { QStringLiteral("copies"), copies } };
        if (a.status == hunt::HuntAnswer::Status::Error)
            o.insert(QStringLiteral("error"), a.error.message);
        out += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }
    return out;
}

} // namespace ll::ui
