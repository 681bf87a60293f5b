#include "oci/Manifest.h"

#include "common/Logging.h"
#include "oci/JsonReader.h"
#include "oci/MediaTypes.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace ll::oci {

namespace {

ManifestKind kindOfMediaType(const QString &mediaType)
{
    if (MediaType::isImageManifest(mediaType))
        return ManifestKind::ImageManifest;
    if (MediaType::isIndex(mediaType))
        return ManifestKind::Index;
    if (MediaType::isSchema1(mediaType))
        return ManifestKind::Schema1;
    return ManifestKind::Unknown;
}

} // namespace

QString manifestKindName(ManifestKind kind)
{
    switch (kind) {
    case ManifestKind::ImageManifest:
        return QStringLiteral("image manifest");
    case ManifestKind::Index:
        return QStringLiteral("image index");
    case ManifestKind::Schema1:
        return QStringLiteral("schema 1 manifest");
    case ManifestKind::Unknown:
        break;
    }
    return QStringLiteral("unknown manifest");
}

ManifestKind detectManifestKind(const QJsonObject &body, const QString &contentType)
{
    const QJsonValue schemaVersion = body.value(QLatin1String("schemaVersion"));
    if ((schemaVersion.isDouble() && schemaVersion.toDouble() == 1.0) || body.contains(QLatin1String("fsLayers")))
        return ManifestKind::Schema1;
    const ManifestKind byBody = kindOfMediaType(body.value(QLatin1String("mediaType")).toString());
    if (byBody != ManifestKind::Unknown)
        return byBody;
    const ManifestKind byHeader = kindOfMediaType(contentType);
    if (byHeader != ManifestKind::Unknown)
        return byHeader;
    // An OCI manifest or index may omit mediaType, and a server may label it application/json.
    if (body.value(QLatin1String("manifests")).isArray())
        return ManifestKind::Index;
    if (body.value(QLatin1String("layers")).isArray() || body.value(QLatin1String("config")).isObject())
        return ManifestKind::ImageManifest;
    return ManifestKind::Unknown;
}

ManifestKind detectManifestKind(const QByteArray &body, const QString &contentType)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return kindOfMediaType(contentType);
    return detectManifestKind(doc.object(), contentType);
}

Result<Manifest> Manifest::parse(const QByteArray &body, const QString &contentType)
{
    const QString prefix = QStringLiteral("invalid image manifest: ");
    Result<QJsonObject> parsed = JsonReader::parseObject(body, QStringLiteral("the image manifest"));
    if (!parsed)
        return parsed.error();
    const QJsonObject &o = *parsed;

    const ManifestKind kind = detectManifestKind(o, contentType);
    switch (kind) {
    case ManifestKind::ImageManifest:
        break;
    case ManifestKind::Schema1:
        return Error(Error::Code::Unsupported,
            QStringLiteral("schema 1 manifests are not supported (deprecated by Docker); "
                           "ask the publisher to re-push"));
    case ManifestKind::Index:
        return Error(Error::Code::Malformed, prefix + QStringLiteral("expected an image manifest, got an image index"));
    case ManifestKind::Unknown:
        // A named but unknown type (an artifact manifest, ...) is unsupported; a nameless body with the wrong
        // shape falls through to the field checks below, which say what is missing.
        if (o.value(QLatin1String("mediaType")).isString()) {
            return Error(Error::Code::Unsupported,
                QStringLiteral("unsupported manifest media type \"%1\"")
                    .arg(o.value(QLatin1String("mediaType")).toString()));
        }
        break;
    }

    JsonReader r(o);
    Manifest m;
    const qint64 schemaVersion = r.integer(QLatin1String("schemaVersion"), JsonReader::Required);
    m.mediaType = r.string(QLatin1String("mediaType"));
    const QJsonObject config = r.object(QLatin1String("config"), JsonReader::Required);
    const QJsonArray layers = r.array(QLatin1String("layers"), JsonReader::Required);
    m.annotations = r.stringMap(QLatin1String("annotations"));
    const QJsonObject subject = r.object(QLatin1String("subject"));
    if (r.failed())
        return r.error(prefix);
    if (schemaVersion != 2) {
        return Error(
            Error::Code::Unsupported, QStringLiteral("manifest schemaVersion %1 is not supported").arg(schemaVersion));
    }
    m.schemaVersion = int(schemaVersion);
    if (m.mediaType.isEmpty()) {
        const QString header = MediaType::essence(contentType);
        m.mediaType = MediaType::isImageManifest(header) ? header : QString::fromLatin1(MediaType::OciManifest);
    }

    Result<Descriptor> configDescriptor = Descriptor::fromJson(config, QStringLiteral("config"));
    if (!configDescriptor)
        return Error(Error::Code::Malformed, prefix + configDescriptor.error().message);
    m.config = std::move(*configDescriptor);

    m.layers.reserve(layers.size());
    for (qsizetype i = 0; i < layers.size(); ++i) {
        const QString path = QStringLiteral("layers[%1]").arg(i);
        if (!layers.at(i).isObject())
            return Error(Error::Code::Malformed, prefix + path + QStringLiteral(" must be an object"));
        Result<Descriptor> layer = Descriptor::fromJson(layers.at(i).toObject(), path);
        if (!layer)
            return Error(Error::Code::Malformed, prefix + layer.error().message);
        m.layers.append(std::move(*layer));
    }

    if (!subject.isEmpty()) {
        Result<Descriptor> s = Descriptor::fromJson(subject, QStringLiteral("subject"));
        if (!s)
            return Error(Error::Code::Malformed, prefix + s.error().message);
        m.subject = std::move(*s);
    }
    qCDebug(llOci) << "parsed" << m.mediaType << "with" << m.layers.size() << "layers";
    return m;
}

bool Manifest::isContainerImage() const
{
    return MediaType::isImageConfig(config.mediaType);
}

} // namespace ll::oci
