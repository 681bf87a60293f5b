#pragma once

#include "oci/Descriptor.h"
#include "oci/ImageIndex.h"

#include <QByteArray>
#include <QList>

namespace ll::oci {

/** What a manifest endpoint returned, judged by Content-Type and the body's mediaType/schemaVersion. */
enum class ManifestKind { ImageManifest, Index, Schema1, Unknown };

/**
 * Judges a manifest response. Content-Type parameters ("; charset=utf-8") are ignored. Order: a body with
 * schemaVersion 1 (or signatures/fsLayers) is Schema1; else a known body mediaType; else a known Content-Type;
 * else the body's shape ("manifests" -> Index, "layers"/"config" -> ImageManifest). OCI manifests may lack
 * mediaType. Unknown when nothing tells (e.g. an empty body with application/json).
 */
ManifestKind detectManifestKind(const QByteArray &body, const QString &contentType);
/** Same, for a body already parsed. */
ManifestKind detectManifestKind(const QJsonObject &body, const QString &contentType);
/** "image manifest", "image index", "schema 1 manifest", "unknown manifest" (messages, logs). */
QString manifestKindName(ManifestKind kind);

/** A Docker schema2 or OCI image manifest. */
struct Manifest {
    QString mediaType; // from the body, else the Content-Type, else OCI manifest
    int schemaVersion = 2;
    Descriptor config;
    QList<Descriptor> layers;
    QMap<QString, QString> annotations;
    std::optional<Descriptor> subject; // OCI 1.1 referrers

    /**
     * Malformed JSON or missing/ill-typed fields (config, layers, digests, sizes): Error::Malformed with the
     * field path in the message and the JSON parse error + offset in detail; schema1: Error::Unsupported;
     * an index given here: Error::Malformed.
     */
    static Result<Manifest> parse(const QByteArray &body, const QString &contentType = {});

    /** The config is a Docker/OCI image config (not an artifact such as a Helm chart or a signature). */
    bool isContainerImage() const;
};

} // namespace ll::oci
