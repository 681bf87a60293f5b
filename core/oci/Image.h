#pragma once

#include "oci/ImageConfig.h"
#include "oci/Manifest.h"

#include <QString>

#include <optional>

namespace ll::oci {

/** A resolved image: what --inspect shows and what every later view starts from. */
struct Image {
    QString reference; // canonical reference string as resolved
    QString registry;
    QString repository;
    QString tag;
    QString indexDigest; // digest of the index/manifest list, when the reference named one
    QString indexMediaType;
    std::optional<ImageIndex> index;
    QString manifestDigest; // digest of the chosen image manifest
    QString manifestMediaType;
    Manifest manifest;
    Platform platform; // the chosen platform
    QString configDigest;
    ImageConfig config;

    qint64 totalLayerSize() const
    {
        qint64 sum = 0;
        for (const auto &l : manifest.layers)
            sum += qMax<qint64>(0, l.size);
        return sum;
    }
};

} // namespace ll::oci
