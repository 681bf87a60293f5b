#pragma once

#include "common/Result.h"
#include "random/GzipCheckpoint.h"
#include "random/ZstdFrames.h"
#include "stream/TarEntry.h"

#include <QByteArray>
#include <QString>
#include <QVector>

class QDataStream;

namespace ll::index {

class IndexReader;

/**
 * What a complete, digest-verified pass over one layer blob learnt: every tar member in archive order, each
 * with the compressed offset by which its data had come out (TarEntry::compressedEnd). A layer digest names
 * immutable content, so this stays true forever: a second look at the layer needs no download to list it,
 * and a carve from it needs one Range request up to the member's compressedEnd instead of a growing series.
 *
 * A gzip layer's index also holds the inflate checkpoints its pass recorded (random::GzipCheckpoints: one about
 * every MiB of compressed bytes within budget and at least every 4 MiB of output, each with the window bytes later
 * data copies; the SHA-256 of every 64 KiB piece of the compressed blob): a file anywhere in the layer is then one
 * Range request away (random::SpanRead).
 *
 * A multi-frame zstd layer's index holds its frame checkpoints the same way (random::ZstdFrames).
 *
 * On disk (IndexStore): "LLIX", a format version, the digest, the blob size, the entries, the checkpoints (gzip
 * or zstd frames),
 * the compression format, an end mark, then the SHA-256 of everything before it (a torn or edited file is
 * refused, never half-read).
 */
struct LayerIndex {
    /** 2: names in UTF-8; 3: names as their raw bytes (PathBytes), sparse maps; 4: gzip checkpoints; 5: gzip
        checkpoints with cut windows and hashed pieces, zstd frame checkpoints. Other versions are refused
        (IndexStore then replaces the file). */
    static constexpr quint32 FormatVersion = 5;
    /** Checkpoint windows above this (compressed) are refused as corrupt. */
    static constexpr int MaxWindowBytes = 64 * 1024;
    /** Regions of one sparse entry above this are refused as corrupt. */
    static constexpr quint32 MaxSparseRegions = 1u << 20;
    static constexpr int TrailerSize = 32; // raw SHA-256 of everything before it
    /** The file's first four bytes. */
    static QByteArray magic() { return QByteArrayLiteral("LLIX"); }
    /** Byte order and version of the QDataStream the file is written with (writer and reader alike). */
    static void setStreamFormat(QDataStream &stream);

    QString digest; // "sha256:..."
    qint64 blobSize = -1;
    QString compression; // "gzip", "zstd", "tar"
    QVector<stream::TarEntry> entries;
    /** gzip layers: where inflate can start again (empty: none recorded). */
    random::GzipCheckpoints checkpoints;
    /** Multi-frame zstd layers: frame starts where decoding can start again (empty: none recorded). */
    random::ZstdFrames frames;

    /** Serialised header (everything before the entries). */
    QByteArray headerBytes() const;
    /** One serialised entry (the file is the header, the entries, the end records, then the trailer). */
    static QByteArray entryBytes(const stream::TarEntry &entry);
    /** The records after the entries: the checkpoints (if any), the compression format, then the end mark. */
    static QByteArray endBytes(const QString &compression, const random::GzipCheckpoints &checkpoints = {},
        const random::ZstdFrames &frames = {});

    /** The whole file: header, entries, SHA-256 trailer. */
    QByteArray toBytes() const;
    /** Parses and checks a whole file (magic, version, trailer, that it describes expectedDigest). */
    static Result<LayerIndex> fromBytes(const QByteArray &bytes, const QString &expectedDigest);
    /** Everything the reader has left, in memory. */
    static Result<LayerIndex> fromReader(IndexReader &reader);

    /** The last member at path (a later copy in the same archive wins), or nullptr. */
    const stream::TarEntry *find(const QString &path) const;
};

} // namespace ll::index
