#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace ll::browse {

/** One image of a tag: the tag's own manifest, or one platform's entry of its index. */
struct TagPlatform {
    QString platform; // "linux/arm64/v8"; empty for a single manifest without a config read
    QString digest; // the image manifest's digest
    int layers = -1; // -1: not known (its manifest was not read)
    qint64 size = -1; // compressed bytes of the layers; -1: not known
    Error error; // its manifest could not be read
};

/** What a tag names, as the navigator shows it on expand. */
struct TagDetails {
    QString tag;
    QString digest; // of what the tag names (index or manifest)
    QString mediaType;
    bool isIndex = false;
    QVector<TagPlatform> platforms; // attestation manifests left out
    int attestations = 0; // how many were left out
    QByteArray document; // the manifest or index as served (for the raw view)

    /** Sum of the platforms' known sizes; -1 when none is known. */
    qint64 totalSize() const
    {
        qint64 sum = -1;
        for (const TagPlatform &p : platforms) {
            if (p.size >= 0)
                sum = qMax<qint64>(sum, 0) + p.size;
        }
        return sum;
    }
};

} // namespace ll::browse
