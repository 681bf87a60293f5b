#include "random/GzipCheckpoint.h"

#include <algorithm>

namespace ll::random {

int GzipCheckpoints::indexAt(qint64 uncompressedOffset) const
{
    const auto it = std::upper_bound(points.cbegin(), points.cend(), uncompressedOffset,
        [](qint64 off, const GzipCheckpoint &p) { return off < p.uncompressedOffset; });
    return int(it - points.cbegin()) - 1;
}

qint64 GzipCheckpoints::spanEnd(int i) const
{
    return i + 1 < points.size() ? points.at(i + 1).spanStart() : compressedSize;
}

qint64 GzipCheckpoints::uncompressedEnd(int i) const
{
    return i + 1 < points.size() ? points.at(i + 1).uncompressedOffset : uncompressedSize;
}

qint64 GzipCheckpoints::storageSize() const
{
    qint64 total = 0;
    for (const GzipCheckpoint &p : points)
        total += p.window.size() + p.spanSha256.size() + 8 + 1 + 8 + 1 + 4; // offsets, bits, flag, window length
    return total;
}

} // namespace ll::random
