#pragma once

// A hand-made oci::Image for the layer/step model tests.

#include "oci/Image.h"
#include "oci/MediaTypes.h"

namespace ll::test {

inline oci::Descriptor layerDescriptor(char hex, qint64 size, const char *mediaType = oci::MediaType::OciLayerGzip)
{
    oci::Descriptor d;
    d.mediaType = QLatin1String(mediaType);
    d.digest = QStringLiteral("sha256:") + QString(64, QLatin1Char(hex));
    d.size = size;
    return d;
}

inline oci::HistoryEntry step(const char *createdBy, bool empty, const char *created = "2024-03-01T10:20:30Z")
{
    oci::HistoryEntry e;
    e.createdBy = QString::fromUtf8(createdBy);
    e.emptyLayer = empty;
    e.created = QString::fromUtf8(created);
    return e;
}

/** 3 layers, 5 steps (2 metadata-only). */
inline oci::Image sampleImage()
{
    oci::Image image;
    image.reference = QStringLiteral("127.0.0.1:5000/lab/app:1.0");
    image.manifest.layers
        = { layerDescriptor('a', 30000000), layerDescriptor('b', 1024, oci::MediaType::DockerLayerGzip),
              layerDescriptor('c', 7500000, oci::MediaType::OciLayerZstd) };
    image.config.history = { step("/bin/sh -c #(nop) ADD file:123 in / ", false),
        step("/bin/sh -c #(nop)  CMD [\"bash\"]", true), step("RUN /bin/sh -c apt-get update # buildkit", false),
        step("ENV PATH=/usr/bin", true, "not a date"), step("COPY app /app # buildkit", false) };
    return image;
}

} // namespace ll::test
