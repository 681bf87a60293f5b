#pragma once

#include "common/Error.h"
#include "stream/TarEntry.h"

#include <QString>
#include <QVector>

namespace ll::hunt {

/** One layer that holds a copy of a path (visible, overwritten or hidden by a later layer). */
struct LayerCopy {
    int layer = -1;
    QString layerDigest;
    qint64 size = 0;
};

/**
 * One line of a hunt's results: per (image, pattern, path). Status Found: a container sees the path (layer
 * holds the visible copy). Deleted: a whiteout or an opaque dir in `layer` hides it; `copies` lists the lower
 * layers that still hold it ("deleted, still recoverable from layer N"). NotFound: only for exact patterns.
 * Error: the image (or a target) could not be searched; `error` says why, path is empty.
 */
struct HuntAnswer {
    enum class Status { Found, Deleted, NotFound, Error };

    int imageIndex = -1; // HuntJob::images(); -1 for a target that named no image
    QString image; // canonical reference (or the target as given, for a bad one)
    QString digest; // manifest digest
    QString platform; // "linux/amd64"
    QString pattern;
    QString path;
    Status status = Status::NotFound;
    bool hasEntry = false; // type/size/mode/mtime describe a copy (Found: the visible one; Deleted: the newest)
    stream::TarEntry::Type type = stream::TarEntry::Type::File;
    qint64 size = 0;
    quint32 mode = 0;
    qint64 mtime = 0;
    QString linkTarget;
    int layer = -1; // Found: holding layer; Deleted: the hiding layer
    QString layerDigest;
    QVector<LayerCopy> copies; // every layer read that holds a copy, bottom-up
    Error error;

    /** Deleted but a lower layer still holds its bytes. */
    bool isRecoverable() const { return status == Status::Deleted && !copies.isEmpty(); }
    static QString statusName(Status status); // "found", "deleted", "not_found", "error"
    QString statusName() const { return statusName(status); }
};

} // namespace ll::hunt
