#pragma once

#include "stream/Decompressor.h"

namespace ll::stream {

/** Uncompressed layers: hands each input chunk straight to the sink (a view, no copy). */
class PlainDecompressor : public Decompressor
{
public:
    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Plain; }
};

} // namespace ll::stream
