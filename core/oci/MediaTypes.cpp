#include "oci/MediaTypes.h"

#include <QString>

namespace ll::oci::MediaType {

QByteArray manifestAcceptHeader()
{
    // No schema1: a registry that only has schema1 then answers with it anyway and we say why it is unsupported.
    return QByteArray(OciIndex) + ", " + OciManifest + ", " + DockerManifestList + ", " + DockerManifest;
}

QString essence(const QString &contentType)
{
    const qsizetype semicolon = contentType.indexOf(QLatin1Char(';'));
    const QStringView type = semicolon < 0 ? QStringView(contentType) : QStringView(contentType).left(semicolon);
    return type.trimmed().toString().toLower();
}

Compression layerCompression(const QString &mediaType)
{
    const QString t = essence(mediaType);
    if (t.isEmpty())
        return Compression::Unknown;
    // Docker: ".tar.gzip"; OCI: "+gzip" (also the nondistributable and foreign variants).
    if (t.endsWith(QLatin1String("+gzip")) || t.endsWith(QLatin1String(".tar.gzip")))
        return Compression::Gzip;
    if (t.endsWith(QLatin1String("+zstd")) || t.endsWith(QLatin1String(".tar.zstd")))
        return Compression::Zstd;
    if (t.endsWith(QLatin1String(".tar")) || t.endsWith(QLatin1String(".diff.tar")))
        return Compression::None;
    return Compression::Unknown;
}

QString layerFileExtension(const QString &mediaType)
{
    switch (layerCompression(mediaType)) {
    case Compression::Gzip:
        return QStringLiteral(".tar.gz");
    case Compression::Zstd:
        return QStringLiteral(".tar.zst");
    case Compression::None:
        return QStringLiteral(".tar");
    case Compression::Unknown:
        break;
    }
    return QStringLiteral(".bin");
}

bool isIndex(const QString &mediaType)
{
    const QString t = essence(mediaType);
    return t == QLatin1String(OciIndex) || t == QLatin1String(DockerManifestList);
}

bool isImageManifest(const QString &mediaType)
{
    const QString t = essence(mediaType);
    return t == QLatin1String(OciManifest) || t == QLatin1String(DockerManifest);
}

bool isSchema1(const QString &mediaType)
{
    const QString t = essence(mediaType);
    return t == QLatin1String(DockerSchema1) || t == QLatin1String(DockerSchema1Signed);
}

bool isImageConfig(const QString &mediaType)
{
    const QString t = essence(mediaType);
    return t == QLatin1String(OciConfig) || t == QLatin1String(DockerConfig);
}

} // namespace ll::oci::MediaType
