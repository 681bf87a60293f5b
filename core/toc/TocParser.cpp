#include "toc/TocParser.h"

#include "common/Sha256.h"
#include "stream/Decompressor.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
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

Result<QByteArray> inflateAll(stream::Decompressor::Format format, const QByteArray &in, qint64 cap)
{
    std::unique_ptr<stream::Decompressor> d = stream::Decompressor::create(format, true);
    QByteArray out;
    bool tooBig = false;
    d->setSink([&](const char *data, qint64 size) {
        if (out.size() + size > cap) {
            tooBig = true;
            return false;
        }
        out.append(data, int(size));
        return true;
    });
    Status s = d->feed(in.constData(), in.size());
    if (s && !tooBig)
        s = d->finish();
    if (tooBig)
        return malformed(QStringLiteral("the TOC is larger than %1 bytes").arg(cap));
    if (!s)
        return Error(Error::Code::Corrupt, QStringLiteral("the TOC does not decompress: %1").arg(s.error().message),
            s.error().detail);
    return out;
}

stream::TarEntry::Type entryType(const QString &t)
{
    using T = stream::TarEntry::Type;
    if (t == QLatin1String("reg"))
        return T::File;
    if (t == QLatin1String("dir"))
        return T::Directory;
    if (t == QLatin1String("symlink"))
        return T::Symlink;
    if (t == QLatin1String("hardlink"))
        return T::Hardlink;
    if (t == QLatin1String("char"))
        return T::CharDevice;
    if (t == QLatin1String("block"))
        return T::BlockDevice;
    if (t == QLatin1String("fifo"))
        return T::Fifo;
    return T::Other;
}

qint64 number(const QJsonObject &o, QLatin1String key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? qint64(v.toDouble()) : 0;
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

Result<QByteArray> estargzTocJson(const QByteArray &member)
{
    Result<QByteArray> tar = inflateAll(stream::Decompressor::Format::Gzip, member, MaxTocSize + 1024);
    if (!tar)
        return tar.error();
    const QByteArray &t = *tar;
    if (t.size() < 512)
        return malformed(QStringLiteral("the stargz TOC member holds no tar header"));
    const QByteArray name(t.constData(), int(qstrnlen(t.constData(), 100)));
    if (name != "stargz.index.json")
        return malformed(QStringLiteral("the stargz TOC member holds \"%1\", not stargz.index.json")
                             .arg(QString::fromUtf8(name.left(100))));
    bool ok = false;
    const QByteArray sizeField = QByteArray(t.constData() + 124, 12).trimmed();
    const qint64 size = QByteArray(sizeField.constData(), int(qstrnlen(sizeField.constData(), 12))).toLongLong(&ok, 8);
    if (!ok || size < 0 || 512 + size > t.size())
        return malformed(QStringLiteral("the stargz TOC's tar header has a bad size"));
    return t.mid(512, int(size));
}

Result<QByteArray> zstdTocJson(const QByteArray &frame, qint64 uncompressedLength)
{
    Result<QByteArray> json = inflateAll(stream::Decompressor::Format::Zstd, frame, MaxTocSize);
    if (!json)
        return json.error();
    if (uncompressedLength >= 0 && json->size() != uncompressedLength)
        return malformed(QStringLiteral("the zstd:chunked manifest is %1 bytes, its position says %2")
                             .arg(json->size())
                             .arg(uncompressedLength));
    return json;
}

Result<LayerToc> parseToc(const QByteArray &json, LayerToc::Format format, qint64 dataEnd)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (!doc.isObject())
        return malformed(QStringLiteral("the TOC is not a JSON object"), perr.errorString());
    const QJsonValue entries = doc.object().value(QLatin1String("entries"));
    if (!entries.isArray())
        return malformed(QStringLiteral("the TOC has no \"entries\" array"));

    LayerToc toc;
    toc.format = format;
    toc.dataEnd = dataEnd;
    const QJsonArray arr = entries.toArray();
    toc.entries.reserve(arr.size());
    // per chunk: the file's endOffset (zstd:chunked) when it is the file's last chunk
    std::vector<qint64> offsets;
    int current = -1; // files[] index of the last regular file (chunk entries continue it)
    QHash<QString, QString> unames, gnames; // eStargz writes user/group names only when they change
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const QJsonObject o = arr.at(i).toObject();
        const QString typeName = o.value(QLatin1String("type")).toString();
        const QString rawName = o.value(QLatin1String("name")).toString();
        const QString path = stream::TarEntry::normalizePath(rawName);
        if (rawName.isEmpty())
            return malformed(QStringLiteral("TOC entry %1 has no name").arg(i));
        const qint64 offset = number(o, QLatin1String("offset"));
        if (offset < 0 || offset >= dataEnd)
            return malformed(QStringLiteral("TOC entry %1 (%2): offset %3 outside the data (%4 bytes)")
                                 .arg(i)
                                 .arg(path)
                                 .arg(offset)
                                 .arg(dataEnd));
        if (typeName == QLatin1String("chunk")) {
            if (current < 0 || toc.files[size_t(current)].path != path)
                return malformed(QStringLiteral("TOC entry %1: a chunk of %2 follows no such file").arg(i).arg(path));
            TocFile &f = toc.files[size_t(current)];
            TocChunk c;
            c.offset = offset;
            c.innerOffset = number(o, QLatin1String("innerOffset"));
            c.chunkOffset = number(o, QLatin1String("chunkOffset"));
            c.chunkSize = number(o, QLatin1String("chunkSize"));
            c.digest = o.value(QLatin1String("chunkDigest")).toString();
            f.chunks.append(c);
            if (offset > 0)
                offsets.push_back(offset);
            continue;
        }
        stream::TarEntry e;
        e.path = path;
        e.type = entryType(typeName);
        e.mode = quint32(number(o, QLatin1String("mode"))) & 07777;
        e.uid = number(o, QLatin1String("uid"));
        e.gid = number(o, QLatin1String("gid"));
        const QString uidKey = QString::number(e.uid), gidKey = QString::number(e.gid);
        e.uname = o.value(QLatin1String("userName")).toString();
        e.gname = o.value(QLatin1String("groupName")).toString();
        if (e.uname.isEmpty())
            e.uname = unames.value(uidKey);
        else
            unames.insert(uidKey, e.uname);
        if (e.gname.isEmpty())
            e.gname = gnames.value(gidKey);
        else
            gnames.insert(gidKey, e.gname);
        const QString mtime = o.value(QLatin1String("modtime")).toString();
        if (!mtime.isEmpty())
            e.mtime = QDateTime::fromString(mtime, Qt::ISODate).toSecsSinceEpoch();
        const QString link = o.value(QLatin1String("linkName")).toString();
        e.linkTarget = e.type == stream::TarEntry::Type::Hardlink ? stream::TarEntry::normalizePath(link) : link;
        e.devMajor = quint32(number(o, QLatin1String("devMajor")));
        e.devMinor = quint32(number(o, QLatin1String("devMinor")));
        e.dataOffset = e.headerOffset = 0;
        current = -1;
        if (e.type == stream::TarEntry::Type::File) {
            e.size = number(o, QLatin1String("size"));
            if (e.size < 0)
                return malformed(QStringLiteral("TOC entry %1 (%2): negative size").arg(i).arg(path));
            TocFile f;
            f.path = path;
            f.size = e.size;
            f.digest = o.value(QLatin1String("digest")).toString();
            if (e.size > 0) {
                if (offset <= 0)
                    return malformed(
                        QStringLiteral("TOC entry %1 (%2): %3 bytes but no offset").arg(i).arg(path).arg(e.size));
                TocChunk c;
                c.offset = offset;
                c.innerOffset = number(o, QLatin1String("innerOffset"));
                c.chunkOffset = number(o, QLatin1String("chunkOffset"));
                c.chunkSize = number(o, QLatin1String("chunkSize"));
                c.digest = o.value(QLatin1String("chunkDigest")).toString();
                // zstd:chunked: the file's data ends at endOffset (kept on its first chunk until resolved)
                c.end = number(o, QLatin1String("endOffset"));
                f.chunks.append(c);
                offsets.push_back(offset);
            }
            current = int(toc.files.size());
            toc.fileIndex.insert(path, current);
            toc.files.push_back(std::move(f));
        }
        toc.entries.append(std::move(e));
    }

    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    const auto nextOffset = [&](qint64 off) {
        const auto it = std::upper_bound(offsets.begin(), offsets.end(), off);
        return it == offsets.end() ? dataEnd : *it;
    };
    for (TocFile &f : toc.files) {
        if (f.chunks.isEmpty())
            continue;
        const qint64 fileEnd = f.chunks.first().end;
        qint64 expect = 0;
        for (int k = 0; k < f.chunks.size(); ++k) {
            TocChunk &c = f.chunks[k];
            const bool last = k + 1 == f.chunks.size();
            if (c.chunkOffset != expect)
                return malformed(QStringLiteral("TOC: %1 chunk %2 starts at %3, expected %4")
                                     .arg(f.path)
                                     .arg(k)
                                     .arg(c.chunkOffset)
                                     .arg(expect));
            if (c.chunkSize == 0)
                c.chunkSize = last ? f.size - c.chunkOffset : f.chunks[k + 1].chunkOffset - c.chunkOffset;
            if (c.chunkSize <= 0 || c.innerOffset < 0)
                return malformed(QStringLiteral("TOC: %1 chunk %2 has size %3").arg(f.path).arg(k).arg(c.chunkSize));
            if (!last) {
                c.end = f.chunks[k + 1].offset == c.offset ? nextOffset(c.offset) : f.chunks[k + 1].offset;
                if (f.chunks[k + 1].offset < c.offset)
                    return malformed(QStringLiteral("TOC: %1 chunks are out of order").arg(f.path));
            } else {
                c.end = fileEnd > 0 ? fileEnd : nextOffset(c.offset);
            }
            if (c.end <= c.offset || c.end > dataEnd)
                return malformed(QStringLiteral("TOC: %1 chunk %2 ends at %3, outside %4..%5")
                                     .arg(f.path)
                                     .arg(k)
                                     .arg(c.end)
                                     .arg(c.offset)
                                     .arg(dataEnd));
            expect += c.chunkSize;
        }
        if (expect != f.size)
            return malformed(
                QStringLiteral("TOC: the chunks of %1 add up to %2 bytes, not %3").arg(f.path).arg(expect).arg(f.size));
    }
    return toc;
}

} // namespace TocParser

} // namespace ll::toc
