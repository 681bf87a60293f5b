#pragma once

#include "common/Result.h"
#include "toc/LayerToc.h"

#include <memory>

namespace ll::toc {

/**
 * Reads a TOC's JSON ({"version":1,"entries":[...]}, eStargz and zstd:chunked alike) into a LayerToc as its
 * bytes arrive, split anywhere: each entry is read (JsonCursor, strings viewed in place) and turned into its
 * TarEntry / TocFile once the entry is whole, so a TOC is parsed while it downloads and only an unfinished
 * entry is ever buffered. What the TOC says is checked as in TocParser::parseToc (which is this reader fed at
 * once): an entry that lies about its offsets fails feed() at once, the chunks' layout is checked by finish().
 * Errors are sticky. Not thread-safe; one thread at a time.
 */
class TocJsonReader
{
public:
    /** dataEnd: where file data ends (the TOC's start); sizeHint: the JSON's size when known (-1: not). */
    TocJsonReader(LayerToc::Format format, qint64 dataEnd, qint64 sizeHint = -1);
    ~TocJsonReader();
    TocJsonReader(const TocJsonReader &) = delete;
    TocJsonReader &operator=(const TocJsonReader &) = delete;

    /** The next bytes of the JSON. Error::Malformed as soon as the TOC is known to be wrong. */
    Status feed(const char *data, qint64 size);
    /** The end of the JSON: the whole TOC, chunks resolved and checked. Once. */
    Result<LayerToc> finish();

    /** JSON bytes fed so far. */
    qint64 bytesFed() const;
    /** Entries read so far (chunk entries included). */
    qint64 entriesRead() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ll::toc
