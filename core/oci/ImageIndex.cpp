#include "oci/ImageIndex.h"

#include "common/Logging.h"
#include "oci/JsonReader.h"
#include "oci/Manifest.h"
#include "oci/MediaTypes.h"

#include <QJsonArray>

namespace ll::oci {

Result<ImageIndex> ImageIndex::parse(const QByteArray &body, const QString &contentType)
{
    const QString prefix = QStringLiteral("invalid image index: ");
    Result<QJsonObject> parsed = JsonReader::parseObject(body, QStringLiteral("the image index"));
    if (!parsed)
        return parsed.error();
    const QJsonObject &o = *parsed;

    switch (detectManifestKind(o, contentType)) {
    case ManifestKind::Index:
        break;
    case ManifestKind::Schema1:
        return Error(Error::Code::Unsupported,
            QStringLiteral("schema 1 manifests are not supported (deprecated by Docker); "
                           "ask the publisher to re-push"));
    case ManifestKind::ImageManifest:
        return Error(Error::Code::Malformed, prefix + QStringLiteral("expected an image index, got an image manifest"));
    case ManifestKind::Unknown:
        if (o.value(QLatin1String("mediaType")).isString()) {
            return Error(Error::Code::Unsupported,
                QStringLiteral("unsupported index media type \"%1\"")
                    .arg(o.value(QLatin1String("mediaType")).toString()));
        }
        break;
    }

    JsonReader r(o);
    ImageIndex index;
    const qint64 schemaVersion = r.integer(QLatin1String("schemaVersion"), JsonReader::Required);
    index.mediaType = r.string(QLatin1String("mediaType"));
    const QJsonArray manifests = r.array(QLatin1String("manifests"), JsonReader::Required);
    index.annotations = r.stringMap(QLatin1String("annotations"));
    if (r.failed())
        return r.error(prefix);
    if (schemaVersion != 2) {
        return Error(
            Error::Code::Unsupported, QStringLiteral("index schemaVersion %1 is not supported").arg(schemaVersion));
    }
    index.schemaVersion = int(schemaVersion);
    if (index.mediaType.isEmpty()) {
        const QString header = MediaType::essence(contentType);
        index.mediaType = MediaType::isIndex(header) ? header : QString::fromLatin1(MediaType::OciIndex);
    }

    index.manifests.reserve(manifests.size());
    for (qsizetype i = 0; i < manifests.size(); ++i) {
        const QString path = QStringLiteral("manifests[%1]").arg(i);
        if (!manifests.at(i).isObject())
            return Error(Error::Code::Malformed, prefix + path + QStringLiteral(" must be an object"));
        Result<Descriptor> entry = Descriptor::fromJson(manifests.at(i).toObject(), path);
        if (!entry)
            return Error(Error::Code::Malformed, prefix + entry.error().message);
        index.manifests.append(std::move(*entry));
    }
    qCDebug(llOci) << "parsed" << index.mediaType << "with" << index.manifests.size() << "entries";
    return index;
}

QList<Platform> ImageIndex::availablePlatforms() const
{
    QList<Platform> out;
    for (const Descriptor &d : manifests) {
        if (!d.platform || d.isAttestation() || out.contains(*d.platform))
            continue;
        out.append(*d.platform);
    }
    return out;
}

Result<Descriptor> ImageIndex::select(const Platform &wanted) const
{
    const Descriptor *first = nullptr;
    const QString wantedVariant = wanted.normalizedVariant();
    for (const Descriptor &d : manifests) {
        if (!d.platform || d.isAttestation() || !d.platform->satisfies(wanted))
            continue;
        if (d.platform->normalizedVariant() == wantedVariant)
            return d;
        if (!first)
            first = &d;
    }
    if (first)
        return *first;

    QStringList available;
    const QList<Platform> platforms = availablePlatforms();
    for (const Platform &p : platforms)
        available.append(p.toString());
    return Error(Error::Code::NotFound,
        QStringLiteral("no %1 image in the index; available: %2")
            .arg(
                wanted.toString(), available.isEmpty() ? QStringLiteral("none") : available.join(QLatin1String(", "))));
}

} // namespace ll::oci
