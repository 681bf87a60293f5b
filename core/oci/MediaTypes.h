#pragma once

#include <QByteArray>
#include <QLatin1String>
#include <QString>

namespace ll::oci::MediaType {

inline constexpr char DockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char DockerManifestList[] = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char DockerSchema1[] = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr char DockerSchema1Signed[] = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr char DockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char DockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr char DockerLayerTar[] = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr char DockerForeignLayerGzip[] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

inline constexpr char OciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char OciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char OciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char OciLayerTar[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char OciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char OciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char OciLayerNondistGzip[] = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr char OciEmpty[] = "application/vnd.oci.empty.v1+json";

/** The Accept header for manifest requests: all four manifest/index types (OCI first), comma-separated. */
QByteArray manifestAcceptHeader();

/** "application/vnd.oci.image.index.v1+json; charset=utf-8" -> the lower-cased type without parameters. */
QString essence(const QString &contentType);

enum class Compression { None, Gzip, Zstd, Unknown };
/** Compression implied by a layer media type (the stream also sniffs magic bytes). */
Compression layerCompression(const QString &mediaType);
/** ".tar.gz", ".tar.zst", ".tar"; ".bin" when the media type says nothing (the content may still be a layer). */
QString layerFileExtension(const QString &mediaType);

// These accept a bare media type or a Content-Type header value (parameters are ignored).
/** Docker manifest list or OCI index. */
bool isIndex(const QString &mediaType);
/** Docker schema2 or OCI image manifest. */
bool isImageManifest(const QString &mediaType);
/** Docker schema1, signed or not. */
bool isSchema1(const QString &mediaType);
/** Docker or OCI image config (an artifact manifest carries some other config type). */
bool isImageConfig(const QString &mediaType);

} // namespace ll::oci::MediaType
