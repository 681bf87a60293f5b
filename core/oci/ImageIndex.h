#pragma once

#include "oci/Descriptor.h"

#include <QByteArray>
#include <QList>

namespace ll::oci {

/** A Docker manifest list or OCI image index. */
struct ImageIndex {
    QString mediaType; // from the body, else the Content-Type, else OCI index
    int schemaVersion = 2;
    QList<Descriptor> manifests;
    QMap<QString, QString> annotations;

    /**
     * Malformed JSON, missing "manifests" or bad entries: Error::Malformed (message names the entry, e.g.
     * "manifests[1].digest is missing"); schema1: Error::Unsupported; an image manifest given here: Malformed.
     */
    static Result<ImageIndex> parse(const QByteArray &body, const QString &contentType = {});

    /**
     * The entry for `wanted` (see Platform::satisfies). Attestation entries are never chosen.
     * Several candidates: the one whose (normalised) variant equals wanted's, else the first.
     * None: Error::NotFound listing the available platforms, e.g.
     * "no linux/s390x image in the index; available: linux/amd64, linux/arm64/v8".
     */
    Result<Descriptor> select(const Platform &wanted) const;

    /** Distinct platforms of the non-attestation entries, in index order. */
    QList<Platform> availablePlatforms() const;
};

} // namespace ll::oci
