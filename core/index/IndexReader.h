#pragma once

#include "common/Result.h"
#include "random/GzipCheckpoint.h"
#include "random/ZstdFrames.h"
#include "stream/TarEntry.h"

#include <QString>

#include <memory>

class QIODevice;

namespace ll::index {

/**
 * Reads a layer index (the LayerIndex format) entry by entry, so memory stays small whatever the layer's
 * entry count (a 200,000-entry index is ~20 MB on disk and ~140 MB as TarEntry values).
 *
 * open() checks the whole file first (magic, the SHA-256 trailer over everything before it, the format
 * version, that it describes the expected digest): next() then only parses bytes already known intact.
 */
class IndexReader
{
public:
    /** Takes the (open, readable, seekable) device; nullptr and *error when the file is not a good index. */
    static std::unique_ptr<IndexReader> open(
        std::unique_ptr<QIODevice> device, const QString &expectedDigest, Error *error);
    ~IndexReader();
    IndexReader(const IndexReader &) = delete;
    IndexReader &operator=(const IndexReader &) = delete;

    const QString &digest() const { return m_digest; }
    qint64 blobSize() const { return m_blobSize; }
    /** "gzip", "zstd" or "tar"; known once next() returned false without an error. */
    const QString &compression() const { return m_compression; }

    /** A gzip layer's checkpoints (empty when none were kept); known once next() returned false without an
        error. Checked when read: in order, inside the blob, whole windows and hashes. */
    const random::GzipCheckpoints &checkpoints() const { return m_checkpoints; }
    random::GzipCheckpoints takeCheckpoints() { return std::move(m_checkpoints); }
    /** A multi-frame zstd layer's frame checkpoints (empty when none were kept); known, and checked, likewise. */
    const random::ZstdFrames &frames() const { return m_frames; }
    random::ZstdFrames takeFrames() { return std::move(m_frames); }

    /** The next entry in archive order; false at the end or on an error (then error() is set). */
    bool next(stream::TarEntry *entry);
    const Error &error() const { return m_error; }

private:
    IndexReader() = default;
    bool failWith(const QString &why);
    bool readCheckpoints();
    bool readFrames();

    class Stream;
    std::unique_ptr<QIODevice> m_device;
    std::unique_ptr<Stream> m_stream;
    qint64 m_bodyEnd = 0; // where the trailer begins
    QString m_digest;
    qint64 m_blobSize = -1;
    QString m_compression;
    random::GzipCheckpoints m_checkpoints;
    random::ZstdFrames m_frames;
    qint64 m_count = 0;
    bool m_done = false;
    Error m_error;
};

} // namespace ll::index
