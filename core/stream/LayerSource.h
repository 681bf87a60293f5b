#pragma once

#include "oci/Image.h"

#include <QString>

namespace ll::stream {

/** Where one layer blob lives. */
struct LayerSource {
    QString registry;
    QString repository;
    oci::Descriptor layer; // digest, size, mediaType
    int index = -1; // position in the manifest, for messages ("layer 2")

    static LayerSource fromImage(const oci::Image &image, int index)
    {
        return LayerSource { image.registry, image.repository, image.manifest.layers.value(index), index };
    }

    QString label() const { return QStringLiteral("layer %1 (%2)").arg(index).arg(layer.digest.left(19)); }
};

/** How the blob's bytes are requested. */
struct FetchPolicy {
    enum class Mode {
        /** One open-ended GET (peek, save): fastest for whole blobs; resumes with Range after a drop. */
        Stream,
        /**
         * Successive Range requests that never ask for more than
         *   growth × (compressed bytes consumed so far) + firstChunk
         * in total, so an early stop (carve) wastes at most (growth − 1) of what was needed plus one
         * first chunk, in a handful of round trips (the allowance grows geometrically).
         */
        Windowed,
    };
    Mode mode = Mode::Stream;
    qint64 firstChunk = 64 * 1024;
    double growth = 1.25;
    /**
     * Windowed: after an exact first window, one request for the rest of the blob whose body is read only as
     * far as the allowance above (the reply's own buffer counted in it); the connection closes at the stop. The
     * server's flow then follows the consumer: two round trips plus the transfer, where successive windows cost
     * a round trip each (~11 for a file 4 MiB in, since each may grow only by the growth factor). What the
     * sockets buffered beyond the reads at the close (TCP windows) is not counted in bytesDownloaded().
     * false: successive exact Range requests, each issued once the previous one was consumed.
     */
    bool overlap = true;
    /** Windowed: the blob offset the read is known to end by (an index's compressedEnd), or -1. */
    qint64 endHint = -1;
    /** Windowed: bytes consumed / requested by earlier layers of the same search (one shared budget). */
    qint64 consumedBefore = 0;
    qint64 requestedBefore = 0;
    /** Stream: read at most this many compressed bytes (--partial); the listing is then incomplete. */
    qint64 byteLimit = -1;
    /** Stream: start at this blob offset (resuming a .part file). */
    qint64 startOffset = 0;
    /** Connection drops survived per layer (each resumes with Range). */
    int maxResumes = 5;
};

} // namespace ll::stream
