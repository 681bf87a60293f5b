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
     * Windowed, opt-in: after an exact first window, one open-ended request whose body is read only as far as the
     * allowance above (the reply's own buffer counted in it), closed at the stop: two round trips plus the
     * transfer. What the client reads stays within the allowance, but the server keeps sending into the sockets'
     * buffers (TCP windows) until the close: measured at the proxy on loopback, up to ~2.3 MB beyond the
     * allowance (5.8 MB sent for a 3.5 MB budget). false (default): successive bounded Range requests, each ending
     * at the allowance when it is issued, so the wire never carries more than growth x consumed + firstChunk
     * (a round trip per window: ~11-13 for a file 4 MiB in; with requested <= growth x consumed no scheme can
     * grow faster than growth x per round trip).
     */
    bool overlap = false;
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
