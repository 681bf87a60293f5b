#include "random/ZstdFrames.h"

#include <algorithm>

namespace ll::random {

int ZstdFrames::indexAt(qint64 uncompressedOffset) const
{
    const auto it = std::upper_bound(points.cbegin(), points.cend(), uncompressedOffset,
        [](qint64 off, const ZstdFrame &p) { return off < p.uncompressedOffset; });
    return int(it - points.cbegin()) - 1;
}

qint64 ZstdFrames::spanEnd(int i) const
{
    return i + 1 < points.size() ? points.at(i + 1).compressedOffset : compressedSize;
}

qint64 ZstdFrames::uncompressedEnd(int i) const
{
    return i + 1 < points.size() ? points.at(i + 1).uncompressedOffset : uncompressedSize;
}

} // namespace ll::random
