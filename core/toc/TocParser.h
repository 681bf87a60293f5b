#pragma once

#include "common/Result.h"
#include "oci/Descriptor.h"
#include "toc/LayerToc.h"

#include <QByteArray>

#include <optional>

namespace ll::toc {

/**
 * Parsers for the table-of-contents formats (pure functions, unit-tested with tables):
 * - eStargz: a 51-byte footer (an empty gzip member whose extra subfield "SG" holds "%016xSTARGZ", the TOC's
 *   offset), the TOC a gzip member holding a tar with one file `stargz.index.json`; its sha256 is the layer
 *   annotation `containerd.io/snapshot/stargz/toc.digest`. Legacy stargz: a 47-byte footer (extra field
 *   "%016xSTARGZ" without a subfield header), no annotation.
 * - zstd:chunked: the annotation `io.github.containers.zstd-chunked.manifest-position` (or the older
 *   `io.containers.zstd-chunked.manifest-position`) "offset:length:uncompressedLength:type", the manifest a zstd
 *   frame inside a skippable frame, its compressed bytes' sha256 in `...manifest-checksum`; the blob ends with
 *   a skippable frame holding a 40-byte footer (offset, length, uncompressed length, type, "GnUlInUx").
 * Everything a TOC says is checked against the blob's size before use: offsets past the data, overlapping or
 * unordered chunks, chunk sizes that do not add up to the file's size are Error::Malformed.
 */
namespace TocParser {

constexpr int EStargzFooterSize = 51;
constexpr int LegacyFooterSize = 47;
constexpr int ZstdFooterSize = 48; // skippable frame header (8) + footer (40)
/** Largest TOC accepted (compressed and uncompressed): 256 MiB. */
constexpr qint64 MaxTocSize = qint64(256) << 20;

extern const QString EStargzDigestAnnotation; // containerd.io/snapshot/stargz/toc.digest
extern const QString ZstdPositionAnnotation; // io.github.containers.zstd-chunked.manifest-position
extern const QString ZstdChecksumAnnotation;
extern const QString ZstdPositionAnnotationOld; // io.containers.zstd-chunked.manifest-position
extern const QString ZstdChecksumAnnotationOld;

/** Where a TOC is, as a layer descriptor or a footer says. */
struct TocLocation {
    LayerToc::Format format = LayerToc::Format::EStargz;
    qint64 offset = 0; // blob offset of the TOC bytes to fetch
    qint64 length = -1; // compressed length; -1: up to the footer
    qint64 uncompressedLength = -1;
    qint64 footerSize = 0;
    QString digest; // expected digest (eStargz: of the JSON; zstd:chunked: of the compressed bytes)
};

/** From the layer annotations: eStargz (offset unknown until the footer is read) or zstd:chunked; nullopt: none. */
std::optional<TocLocation> fromAnnotations(const oci::Descriptor &layer);
/** "offset:length:uncompressedLength:type" checked against the blob size (the manifest must lie inside). */
Result<TocLocation> parseManifestPosition(const QString &value, qint64 blobSize);
/** The last 51 (eStargz) or 47 (legacy) bytes of a gzip blob: the TOC offset, checked against blobSize. */
Result<TocLocation> parseGzipFooter(const QByteArray &tail, qint64 blobSize);
/** The last 48 bytes of a zstd blob. */
Result<TocLocation> parseZstdFooter(const QByteArray &tail, qint64 blobSize);

/**
 * JSON ({"version":1,"entries":[...]}, both formats) -> LayerToc. dataEnd: where file data ends (the TOC's
 * start); chunks' ends come from endOffset (zstd:chunked) or the next chunk's offset. TocJsonReader fed at
 * once (it reads a TOC as it downloads: TocStreamReader).
 */
Result<LayerToc> parseToc(const QByteArray &json, LayerToc::Format format, qint64 dataEnd);

} // namespace TocParser

} // namespace ll::toc
