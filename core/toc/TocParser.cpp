#include "toc/TocParser.h"

#include "toc/TocJsonReader.h"

#include <QStringList>

#include <cstring>

namespace ll::toc {

QString LayerToc::formatName(Format format)
{
    switch (format) {
    case Format::EStargz:
        return QStringLiteral("estargz");
    case Format::LegacyStargz:
        return QStringLiteral("stargz");
    case Format::ZstdChunked:
        return QStringLiteral("zstd:chunked");
    }
    return QString();
}

namespace TocParser {

const QString EStargzDigestAnnotation = QStringLiteral("containerd.io/snapshot/stargz/toc.digest");
const QString ZstdPositionAnnotation = QStringLiteral("io.github.containers.zstd-chunked.manifest-position");
const QString ZstdChecksumAnnotation = QStringLiteral("io.github.containers.zstd-chunked.manifest-checksum");
const QString ZstdPositionAnnotationOld = QStringLiteral("io.containers.zstd-chunked.manifest-position");
const QString ZstdChecksumAnnotationOld = QStringLiteral("io.containers.zstd-chunked.manifest-checksum");

namespace {

Error malformed(const QString &message, const QString &detail = QString())
{
    return Error(Error::Code::Malformed, message, detail);
}

quint64 le64(const char *p)
{
    quint64 v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | quint8(p[i]);
    return v;
}

Result<qint64> hexOffset(const QByteArray &hex16)
{
    bool ok = false;
    const qint64 v = hex16.toLongLong(&ok, 16);
    if (!ok || hex16.size() != 16 || v < 0)
        return malformed(QStringLiteral("stargz footer: bad TOC offset \"%1\"").arg(QString::fromLatin1(hex16)));
    return v;
}

} // namespace

std::optional<TocLocation> fromAnnotations(const oci::Descriptor &layer)
{
    const QString pos
        = layer.annotations.value(ZstdPositionAnnotation, layer.annotations.value(ZstdPositionAnnotationOld));
    if (!pos.isEmpty()) {
        TocLocation loc;
        loc.format = LayerToc::Format::ZstdChunked;
        loc.digest
            = layer.annotations.value(ZstdChecksumAnnotation, layer.annotations.value(ZstdChecksumAnnotationOld));
        loc.offset = -1; // parsed (and checked against the size) by the fetch
        return loc;
    }
    const QString digest = layer.annotations.value(EStargzDigestAnnotation);
    if (!digest.isEmpty()) {
        TocLocation loc;
        loc.format = LayerToc::Format::EStargz;
        loc.digest = digest;
        loc.offset = -1;
        loc.footerSize = EStargzFooterSize;
        return loc;
    }
    return std::nullopt;
}

Result<TocLocation> parseManifestPosition(const QString &value, qint64 blobSize)
{
    const QStringList parts = value.split(QLatin1Char(':'));
    if (parts.size() != 4)
        return malformed(QStringLiteral("zstd:chunked manifest-position \"%1\" is not offset:length:uncompressed:type")
                             .arg(value.left(80)));
    qint64 v[4];
    for (int i = 0; i < 4; ++i) {
        bool ok = false;
        v[i] = parts[i].toLongLong(&ok);
        if (!ok || v[i] < 0)
            return malformed(QStringLiteral("zstd:chunked manifest-position \"%1\": bad number").arg(value.left(80)));
    }
    if (v[3] != 1)
        return Error(
            Error::Code::Unsupported, QStringLiteral("zstd:chunked manifest type %1 is not supported").arg(v[3]));
    if (v[1] == 0 || v[1] > MaxTocSize || v[2] > MaxTocSize)
        return malformed(
            QStringLiteral("zstd:chunked manifest of %1 bytes (%2 uncompressed) refused").arg(v[1]).arg(v[2]));
    // The manifest sits in a skippable frame (8-byte header) before the footer.
    if (v[0] < 8 || blobSize < 0 || v[0] + v[1] > blobSize)
        return malformed(QStringLiteral("zstd:chunked manifest-position %1+%2 lies outside the %3-byte blob")
                             .arg(v[0])
                             .arg(v[1])
                             .arg(blobSize));
    TocLocation loc;
    loc.format = LayerToc::Format::ZstdChunked;
    loc.offset = v[0];
    loc.length = v[1];
    loc.uncompressedLength = v[2];
    return loc;
}

Result<TocLocation> parseGzipFooter(const QByteArray &tail, qint64 blobSize)
{
    TocLocation loc;
    const char *p = tail.constData();
    const auto gzipWithExtra = [](const char *f) {
        return quint8(f[0]) == 0x1f && quint8(f[1]) == 0x8b && quint8(f[2]) == 8 && (quint8(f[3]) & 4);
    };
    if (tail.size() >= EStargzFooterSize) {
        const char *f = p + tail.size() - EStargzFooterSize;
        const int xlen = quint8(f[10]) | (quint8(f[11]) << 8);
        if (gzipWithExtra(f) && xlen == 26 && f[12] == 'S' && f[13] == 'G' && quint8(f[14]) == 22 && f[15] == 0
            && std::memcmp(f + 32, "STARGZ", 6) == 0) {
            Result<qint64> off = hexOffset(QByteArray(f + 16, 16));
            if (!off)
                return off.error();
            loc.format = LayerToc::Format::EStargz;
            loc.offset = *off;
            loc.footerSize = EStargzFooterSize;
        }
    }
    if (loc.footerSize == 0 && tail.size() >= LegacyFooterSize) {
        const char *f = p + tail.size() - LegacyFooterSize;
        const int xlen = quint8(f[10]) | (quint8(f[11]) << 8);
        if (gzipWithExtra(f) && xlen == 22 && std::memcmp(f + 28, "STARGZ", 6) == 0) {
            Result<qint64> off = hexOffset(QByteArray(f + 12, 16));
            if (!off)
                return off.error();
            loc.format = LayerToc::Format::LegacyStargz;
            loc.offset = *off;
            loc.footerSize = LegacyFooterSize;
        }
    }
    if (loc.footerSize == 0)
        return Error(Error::Code::NotFound, QStringLiteral("no stargz footer"));
    if (loc.offset >= blobSize - loc.footerSize)
        return malformed(QStringLiteral("stargz footer points at offset %1, past the end of the TOC area (%2 bytes)")
                             .arg(loc.offset)
                             .arg(blobSize - loc.footerSize));
    if (blobSize - loc.footerSize - loc.offset > MaxTocSize)
        return malformed(QStringLiteral("stargz TOC of %1 bytes refused").arg(blobSize - loc.footerSize - loc.offset));
    loc.length = blobSize - loc.footerSize - loc.offset;
    return loc;
}

Result<TocLocation> parseZstdFooter(const QByteArray &tail, qint64 blobSize)
{
    if (tail.size() < ZstdFooterSize)
        return Error(Error::Code::NotFound, QStringLiteral("no zstd:chunked footer"));
    const char *f = tail.constData() + tail.size() - ZstdFooterSize;
    static const char skippable[] = { '\x50', '\x2a', '\x4d', '\x18', '\x28', 0, 0, 0 };
    if (std::memcmp(f, skippable, 8) != 0 || std::memcmp(f + 40, "GnUlInUx", 8) != 0)
        return Error(Error::Code::NotFound, QStringLiteral("no zstd:chunked footer"));
    const quint64 offset = le64(f + 8), length = le64(f + 16), raw = le64(f + 24), type = le64(f + 32);
    if (offset > quint64(MaxTocSize) * 1024 || length > quint64(MaxTocSize) || raw > quint64(MaxTocSize))
        return malformed(QStringLiteral("zstd:chunked footer holds impossible numbers"));
    return parseManifestPosition(
        QStringLiteral("%1:%2:%3:%4").arg(offset).arg(length).arg(raw).arg(type), blobSize - ZstdFooterSize);
}

Result<LayerToc> parseToc(const QByteArray &json, LayerToc::Format format, qint64 dataEnd)
{
    TocJsonReader reader(format, dataEnd, json.size());
    const Status fed = reader.feed(json.constData(), json.size());
    if (!fed)
        return fed.error();
    return reader.finish();
}

} // namespace TocParser

} // namespace ll::toc
