#pragma once

#include "oci/Descriptor.h"

#include <QByteArray>
#include <QList>

namespace ll::oci {

/** What a manifest endpoint returned, judged by Content-Type and the body's mediaType/schemaVersion. */
enum class ManifestKind { ImageManifest, Index, Schema1, Unknown };
ManifestKind detectManifestKind(const QByteArray &body, const QString &contentType);

/** A Docker schema2 or OCI image manifest. */
struct Manifest {
    QString mediaType;
    int schemaVersion = 2;
    Descriptor config;
    QList<Descriptor> layers;
    QMap<QString, QString> annotations;

    /** Malformed JSON or missing fields: Error::Malformed; schema1: Error::Unsupported. */
    static Result<Manifest> parse(const QByteArray &body, const QString &contentType = {});
};

/** A Docker manifest list or OCI image index. */
struct ImageIndex {
    QString mediaType;
    int schemaVersion = 2;
    QList<Descriptor> manifests;

    static Result<ImageIndex> parse(const QByteArray &body, const QString &contentType = {});

    /**
     * The entry for `wanted` (see Platform::satisfies). Attestation entries are never chosen.
     * Several candidates: the one whose variant equals wanted's, else the first.
     * None: Error::NotFound listing the available platforms.
     */
    Result<Descriptor> select(const Platform &wanted) const;
};

} // namespace ll::oci
