#pragma once

#include "common/Result.h"
#include "toc/LayerToc.h"
#include "toc/TocParser.h"

#include <atomic>
#include <memory>

namespace ll::toc {

/**
 * A TOC's compressed bytes, as they download, to a LayerToc: the eStargz member (gzip, ISA-L) of a tar holding
 * stargz.index.json, or the zstd:chunked manifest frame, decompressed, hashed and parsed (TocJsonReader) chunk
 * by chunk, so the work is done when the last byte is in; nothing is buffered but an unfinished entry.
 * The digest is checked by finish(), before the TOC is handed out: eStargz's toc.digest is the sha256 of the
 * JSON, zstd:chunked's manifest-checksum that of the compressed bytes. With a digest to check, a TOC that is
 * wrong in any other way is still hashed to its end, so a mismatch is what is reported (the TOC is not the
 * annotated one: Error::DigestMismatch); without one, feed() fails at the first error.
 * Messages name no layer (the caller prefixes it). One thread at a time (the TOC fetch's worker).
 */
class TocStreamReader
{
public:
    /** loc: format, compressed length, uncompressed length (zstd:chunked), digest (empty: none to check). */
    TocStreamReader(const TocParser::TocLocation &loc, qint64 dataEnd);
    ~TocStreamReader();
    TocStreamReader(const TocStreamReader &) = delete;
    TocStreamReader &operator=(const TocStreamReader &) = delete;

    /** Polled while decompressing: a set flag stops the work (feed() fails with Error::Cancelled). */
    void setCancelFlag(const std::atomic_bool *cancel) { m_cancel = cancel; }

    /** The next compressed bytes of the TOC. */
    Status feed(const char *data, qint64 size);
    /** All bytes were fed: the TOC (its digest checked when there is one). Once. */
    Result<LayerToc> finish();

    qint64 compressedBytes() const { return m_in; }
    /** JSON bytes read so far. */
    qint64 jsonBytes() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
    const std::atomic_bool *m_cancel = nullptr;
    qint64 m_in = 0;
};

} // namespace ll::toc
