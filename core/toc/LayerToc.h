#pragma once

#include "oci/Descriptor.h"
#include "stream/Decompressor.h"
#include "stream/TarEntry.h"

#include <QHash>
#include <QString>
#include <QVector>

#include <vector>

namespace ll::toc {

/** One piece of a file's content: a compressed range of the blob that inflates to chunkSize bytes. */
struct TocChunk {
    qint64 offset = 0; // blob offset where its gzip member / zstd frame starts
    qint64 end = 0; // exclusive blob offset where it has certainly ended (next chunk's start, or the TOC)
    qint64 innerOffset = 0; // decompressed bytes to skip before the chunk's data (eStargz innerOffset)
    qint64 chunkOffset = 0; // offset of the chunk in the file
    qint64 chunkSize = 0;
    QString digest; // "sha256:..." of the chunk's bytes; empty when the TOC has none
};

/** A regular file's content location. */
struct TocFile {
    QString path; // normal form (TarEntry::normalizePath)
    qint64 size = 0;
    QString digest; // "sha256:..." of the whole content; empty when the TOC has none
    QVector<TocChunk> chunks; // in file order, contiguous, sizes summing to size
};

/**
 * A layer's table of contents (eStargz / legacy stargz `stargz.index.json`, zstd:chunked manifest): the listing
 * and where each file's bytes are, so a file is fetched with one Range request and verified chunk by chunk.
 */
struct LayerToc {
    enum class Format { EStargz, LegacyStargz, ZstdChunked };

    Format format = Format::EStargz;
    QVector<stream::TarEntry> entries; // as the TOC lists them (chunk entries folded into their file)
    std::vector<TocFile> files;
    QHash<QString, int> fileIndex; // path -> files[]
    qint64 dataEnd = 0; // blob offset where file data ends (the TOC's own frame/member starts)
    qint64 tocBytes = 0; // compressed TOC bytes fetched (footer excluded)
    /** The TOC's digest was checked against the layer annotation (an unannotated TOC found by the probe: false). */
    bool verified = false;

    const TocFile *file(const QString &path) const
    {
        const auto it = fileIndex.constFind(path);
        return it == fileIndex.constEnd() ? nullptr : &files[size_t(*it)];
    }
    stream::Decompressor::Format compression() const
    {
        return format == Format::ZstdChunked ? stream::Decompressor::Format::Zstd : stream::Decompressor::Format::Gzip;
    }
    static QString formatName(Format format); // "estargz", "stargz", "zstd:chunked"
    QString formatName() const { return formatName(format); }
};

} // namespace ll::toc
