#include "stream/Decompressor.h"

#include "common/Logging.h"
#include "stream/GzipIsalDecompressor.h"
#include "stream/GzipZlibDecompressor.h"
#include "stream/PlainDecompressor.h"
#include "stream/ZstdDecompressor.h"

namespace ll::stream {

void Decompressor::noteTrailingData(qint64 offset)
{
    m_trailingOffset = offset;
    qCWarning(llStream).noquote()
        << QStringLiteral("trailing data after the gzip stream at compressed offset %1 ignored (as gzip does)")
               .arg(offset);
}

Decompressor::Format Decompressor::detect(const char *data, qint64 size)
{
    const auto *b = reinterpret_cast<const unsigned char *>(data);
    if (size >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return Format::Gzip;
    if (size >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return Format::Zstd;
    // A skippable frame (magic 0x184D2A50..5F, little endian) first: pzstd writes one before its frames.
    if (size >= 4 && (b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18)
        return Format::Zstd;
    return Format::Plain;
}

std::unique_ptr<Decompressor> Decompressor::create(Format format, bool preferZlib)
{
    switch (format) {
    case Format::Gzip:
        if (preferZlib)
            return std::make_unique<GzipZlibDecompressor>();
        return std::make_unique<GzipIsalDecompressor>();
    case Format::Zstd:
        return std::make_unique<ZstdDecompressor>();
    case Format::Plain:
        break;
    }
    return std::make_unique<PlainDecompressor>();
}

QString Decompressor::formatName(Format format)
{
    switch (format) {
    case Format::Plain:
        return QStringLiteral("plain");
    case Format::Gzip:
        return QStringLiteral("gzip");
    case Format::Zstd:
        return QStringLiteral("zstd");
    }
    return QStringLiteral("unknown");
}

} // namespace ll::stream
