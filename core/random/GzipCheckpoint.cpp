#include "random/GzipCheckpoint.h"

#include <QString>

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

int GzipCheckpoints::pieceAt(qint64 compressedOffset) const
{
    if (pieces.isEmpty() || pieceSize <= 0)
        return 0;
    return int(qBound<qint64>(0, compressedOffset / pieceSize, pieces.size() - 1));
}

int GzipCheckpoints::pieceReaching(qint64 uncompressedOffset, int from) const
{
    const auto begin = pieces.cbegin() + qBound(0, from, int(pieces.size()));
    const auto it = std::lower_bound(
        begin, pieces.cend(), uncompressedOffset, [](const GzipPiece &p, qint64 off) { return p.outEnd < off; });
    return it == pieces.cend() ? int(pieces.size()) - 1 : int(it - pieces.cbegin());
}

qint64 GzipCheckpoints::storageSize() const
{
    qint64 total = 8 + 8 + 8 + 4 + 4; // sizes, piece size, counts
    for (const GzipCheckpoint &p : points)
        total += p.window.size() + 8 + 1 + 8 + 1 + 4; // offsets, bits, flag, window length
    total += qint64(pieces.size()) * (32 + 8);
    return total;
}

QString GzipCheckpoints::validate() const
{
    if (points.isEmpty())
        return QStringLiteral("no checkpoints");
    if (compressedSize <= 0 || uncompressedSize < 0 || pieceSize < 512 || pieceSize > (qint64(1) << 24))
        return QStringLiteral("bad sizes");
    if (qint64(pieces.size()) != (compressedSize + pieceSize - 1) / pieceSize)
        return QStringLiteral("%1 pieces for %2 bytes of %3").arg(pieces.size()).arg(compressedSize).arg(pieceSize);
    qint64 out = 0;
    for (int k = 0; k < pieces.size(); ++k) {
        const GzipPiece &p = pieces.at(k);
        if (p.sha256.size() != 32 || p.outEnd < out || p.outEnd > uncompressedSize)
            return QStringLiteral("bad piece %1").arg(k);
        out = p.outEnd;
    }
    if (out != uncompressedSize)
        return QStringLiteral("the pieces end at %1 of %2 bytes").arg(out).arg(uncompressedSize);
    for (int i = 0; i < points.size(); ++i) {
        const GzipCheckpoint &p = points.at(i);
        const GzipCheckpoint *prev = i > 0 ? &points.at(i - 1) : nullptr;
        const bool ordered = prev ? p.spanStart() > prev->spanStart() && p.uncompressedOffset > prev->uncompressedOffset
                                  : p.compressedOffset == 0 && p.uncompressedOffset == 0 && p.memberStart;
        if (!ordered || p.bits < 0 || p.bits > 7 || (p.memberStart && p.bits != 0)
            || p.compressedOffset > compressedSize || p.uncompressedOffset > uncompressedSize
            || (!p.memberStart && p.window.isEmpty()))
            return QStringLiteral("bad checkpoint %1").arg(i);
    }
    return {};
}

} // namespace ll::random
