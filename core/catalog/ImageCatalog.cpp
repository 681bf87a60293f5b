#include "catalog/ImageCatalog.h"

#include "hunt/HuntLogging.h"
#include "index/IndexStore.h"
#include "oci/Image.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <QHash>

#include <algorithm>

namespace ll::catalog {

namespace {

constexpr int FormatVersion = 1;
constexpr qint64 MaxFileSize = qint64(64) << 20; // a catalogue bigger than this is not ours

QString key(const SeenImage &s)
{
    return s.reference + QLatin1Char('\n') + s.platform;
}

QString sameImageKey(const SeenImage &s)
{
    return s.reference + QLatin1Char('\n') + s.manifestDigest;
}

} // namespace

ImageCatalog ImageCatalog::forIndexStore(const index::IndexStore &store)
{
    if (!store.isEnabled())
        return ImageCatalog();
    return ImageCatalog(QDir(store.directory()).filePath(QStringLiteral("images.catalog")));
}

SeenImage ImageCatalog::fromImage(const oci::Image &image)
{
    SeenImage s;
    s.reference = image.reference;
    s.manifestDigest = image.manifestDigest;
    s.platform = image.platform.isEmpty() ? QString() : image.platform.toString();
    for (const oci::Descriptor &l : image.manifest.layers)
        s.layers << l.digest;
    s.size = image.totalLayerSize();
    s.when = QDateTime::currentDateTimeUtc();
    return s;
}

QByteArray ImageCatalog::toBytes(const QVector<SeenImage> &images)
{
    QJsonArray list;
    for (const SeenImage &s : images) {
        list.append(QJsonObject { { QStringLiteral("reference"), s.reference },
            { QStringLiteral("digest"), s.manifestDigest }, { QStringLiteral("platform"), s.platform },
            { QStringLiteral("layers"), QJsonArray::fromStringList(s.layers) },
            { QStringLiteral("size"), double(s.size) },
            { QStringLiteral("when"), s.when.toUTC().toString(Qt::ISODateWithMs) } });
    }
    return QJsonDocument(
        QJsonObject { { QStringLiteral("version"), FormatVersion }, { QStringLiteral("images"), list } })
        .toJson(QJsonDocument::Compact);
}

Result<QVector<SeenImage>> ImageCatalog::fromBytes(const QByteArray &bytes)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error(Error::Code::Malformed, QStringLiteral("image catalogue is not a JSON object"), pe.errorString());
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("version")).toInt() != FormatVersion)
        return Error(Error::Code::Unsupported, QStringLiteral("image catalogue of another version"));
    QVector<SeenImage> out;
    for (const QJsonValue &v : root.value(QLatin1String("images")).toArray()) {
        const QJsonObject o = v.toObject();
        SeenImage s;
        s.reference = o.value(QLatin1String("reference")).toString();
        s.manifestDigest = o.value(QLatin1String("digest")).toString();
        s.platform = o.value(QLatin1String("platform")).toString();
        for (const QJsonValue &l : o.value(QLatin1String("layers")).toArray())
            s.layers << l.toString();
        s.size = qint64(o.value(QLatin1String("size")).toDouble());
        s.when = QDateTime::fromString(o.value(QLatin1String("when")).toString(), Qt::ISODateWithMs);
        s.when.setTimeSpec(Qt::UTC);
        if (s.reference.isEmpty())
            return Error(Error::Code::Malformed, QStringLiteral("image catalogue entry without a reference"));
        out.append(s);
    }
    return out;
}

QVector<SeenImage> ImageCatalog::recent(int limit) const
{
    if (!isEnabled())
        return {};
    QFile f(m_file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > MaxFileSize) {
        qCWarning(llCatalog) << "image catalogue" << m_file << "is too big; ignored";
        return {};
    }
    Result<QVector<SeenImage>> r = fromBytes(f.readAll());
    if (!r) {
        qCWarning(llCatalog).noquote() << m_file << ":" << r.error().toString() << "; ignored";
        return {};
    }
    QVector<SeenImage> out = std::move(*r);
    std::stable_sort(out.begin(), out.end(), [](const SeenImage &a, const SeenImage &b) { return a.when > b.when; });
    if (limit >= 0 && out.size() > limit)
        out.resize(limit);
    return out;
}

QHash<QString, QVector<int>> ImageCatalog::byLayer(const QVector<SeenImage> &images)
{
    QHash<QString, QVector<int>> out;
    for (int i = 0; i < images.size(); ++i) {
        for (const QString &d : images[i].layers) {
            QVector<int> &v = out[d];
            if (v.isEmpty() || v.constLast() != i)
                v.append(i);
        }
    }
    return out;
}

Status ImageCatalog::record(const QVector<SeenImage> &images) const
{
    if (!isEnabled() || images.isEmpty())
        return {};
    const QFileInfo info(m_file);
    if (!QDir().mkpath(info.absolutePath()))
        return Error(Error::Code::Io, QStringLiteral("cannot create %1").arg(info.absolutePath()));
    QFile::setPermissions(info.absolutePath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    // A record without a platform (a hunt skips the config that names it) is the same image as one of the same
    // reference and manifest digest with a platform: it takes that platform, and replaces a platform-less one.
    const QVector<SeenImage> old = recent();
    QHash<QString, QString> platformOf; // reference + manifest digest -> a platform known for it
    for (const QVector<SeenImage> *list : { &old, &images }) {
        for (const SeenImage &s : *list) {
            if (!s.platform.isEmpty() && !s.manifestDigest.isEmpty())
                platformOf.insert(sameImageKey(s), s.platform);
        }
    }
    // Newest first: the new records, then the old ones not replaced by them.
    QVector<SeenImage> merged;
    QSet<QString> seen;
    QSet<QString> recorded;
    for (auto it = images.crbegin(); it != images.crend(); ++it) {
        SeenImage n = *it;
        if (n.platform.isEmpty() && !n.manifestDigest.isEmpty())
            n.platform = platformOf.value(sameImageKey(n));
        if (!seen.contains(key(n))) {
            seen.insert(key(n));
            recorded.insert(sameImageKey(n));
            merged.append(n);
        }
    }
    for (const SeenImage &o : old) {
        if (o.platform.isEmpty() && recorded.contains(sameImageKey(o)))
            continue; // the same image, recorded now with its platform
        if (!seen.contains(key(o))) {
            seen.insert(key(o));
            merged.append(o);
        }
    }
    if (merged.size() > m_max)
        merged.resize(m_max);

    QSaveFile f(m_file);
    if (!f.open(QIODevice::WriteOnly))
        return Error(Error::Code::Io, QStringLiteral("cannot write %1").arg(m_file), f.errorString());
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    const QByteArray bytes = toBytes(merged);
    if (f.write(bytes) != bytes.size() || !f.commit())
        return Error(Error::Code::Io, QStringLiteral("cannot write %1").arg(m_file), f.errorString());
    qCDebug(llCatalog) << "catalogue:" << images.size() << "image(s) recorded," << merged.size() << "kept";
    return {};
}

} // namespace ll::catalog
