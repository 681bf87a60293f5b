#include "toc/TocParser.h"

#include "common/JsonCursor.h"
#include "common/Sha256.h"
#include "stream/Decompressor.h"

#include <QDateTime>
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

Result<QByteArray> inflateAll(stream::Decompressor::Format format, const QByteArray &in, qint64 cap, qint64 expected)
{
    std::unique_ptr<stream::Decompressor> d = stream::Decompressor::create(format);
    QByteArray out;
    if (expected > 0)
        out.reserve(int(qMin(expected, cap))); // 25 MB grown by doubling cost 3 copies and their page faults
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

stream::TarEntry::Type entryType(const QByteArray &t)
{
    using T = stream::TarEntry::Type;
    if (t == "reg")
        return T::File;
    if (t == "dir")
        return T::Directory;
    if (t == "symlink")
        return T::Symlink;
    if (t == "hardlink")
        return T::Hardlink;
    if (t == "char")
        return T::CharDevice;
    if (t == "block")
        return T::BlockDevice;
    if (t == "fifo")
        return T::Fifo;
    return T::Other;
}

/** One element of "entries" as the JSON has it (a missing or mistyped field reads as empty / 0). */
struct RawEntry {
    QByteArray type, name, linkName, userName, groupName, modtime, digest, chunkDigest;
    qint64 size = 0, mode = 0, uid = 0, gid = 0, offset = 0, innerOffset = 0, chunkOffset = 0, chunkSize = 0,
           endOffset = 0, devMajor = 0, devMinor = 0;
};

/** The chunk an entry of type "chunk" (or a "reg" entry's first chunk) describes, at offset in the blob. */
TocChunk chunkFrom(const RawEntry &r, qint64 offset)
{
    TocChunk ch;
    ch.offset = offset;
    ch.innerOffset = r.innerOffset;
    ch.chunkOffset = r.chunkOffset;
    ch.chunkSize = r.chunkSize;
    ch.digest = QString::fromLatin1(r.chunkDigest);
    return ch;
}

void readField(JsonCursor &c, QByteArray *out)
{
    out->clear();
    if (!c.readString(out))
        c.skip();
}

void readField(JsonCursor &c, qint64 *out)
{
    *out = 0;
    if (!c.readInt(out))
        c.skip();
}

/** Reads the object at the cursor into e; false when it is not an object (or on a syntax error). */
bool readEntry(JsonCursor &c, RawEntry *e)
{
    if (!c.enterObject())
        return false;
    *e = RawEntry();
    QByteArray key;
    while (c.nextKey(&key)) {
        // Ordered by how often writers emit them.
        if (key == "name")
            readField(c, &e->name);
        else if (key == "type")
            readField(c, &e->type);
        else if (key == "offset")
            readField(c, &e->offset);
        else if (key == "size")
            readField(c, &e->size);
        else if (key == "mode")
            readField(c, &e->mode);
        else if (key == "modtime")
            readField(c, &e->modtime);
        else if (key == "digest")
            readField(c, &e->digest);
        else if (key == "chunkDigest")
            readField(c, &e->chunkDigest);
        else if (key == "chunkOffset")
            readField(c, &e->chunkOffset);
        else if (key == "chunkSize")
            readField(c, &e->chunkSize);
        else if (key == "innerOffset")
            readField(c, &e->innerOffset);
        else if (key == "endOffset")
            readField(c, &e->endOffset);
        else if (key == "uid")
            readField(c, &e->uid);
        else if (key == "gid")
            readField(c, &e->gid);
        else if (key == "userName")
            readField(c, &e->userName);
        else if (key == "groupName")
            readField(c, &e->groupName);
        else if (key == "linkName")
            readField(c, &e->linkName);
        else if (key == "devMajor")
            readField(c, &e->devMajor);
        else if (key == "devMinor")
            readField(c, &e->devMinor);
        else
            c.skip(); // xattrs, accessTime, numLink, ...
    }
    return !c.failed();
}

/** RFC 3339 as the writers emit it ("2006-01-02T15:04:05Z", fractions, numeric offsets) without QDateTime's
    general parser (2-3 us each: a third of a 76,000-entry listing); anything else goes to QDateTime. */
qint64 parseModtime(const QByteArray &t)
{
    const char *p = t.constData();
    const int n = int(t.size());
    const auto digits = [p](int at, int count) {
        int v = 0;
        for (int i = at; i < at + count; ++i) {
            if (p[i] < '0' || p[i] > '9')
                return -1;
            v = v * 10 + (p[i] - '0');
        }
        return v;
    };
    if (n >= 20 && p[4] == '-' && p[7] == '-' && (p[10] == 'T' || p[10] == 't') && p[13] == ':' && p[16] == ':') {
        const int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
                  se = digits(17, 2);
        int i = 19;
        if (i < n && p[i] == '.') {
            ++i;
            while (i < n && p[i] >= '0' && p[i] <= '9')
                ++i;
        }
        qint64 zone = -1;
        if (i + 1 == n && (p[i] == 'Z' || p[i] == 'z')) {
            zone = 0;
        } else if (i + 6 == n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
            const int zh = digits(i + 1, 2), zm = digits(i + 4, 2);
            if (zh >= 0 && zm >= 0)
                zone = (p[i] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
        }
        if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0
            && se <= 60 && zone != -1) {
            // days from civil (Howard Hinnant's algorithm)
            const int yy = y - (mo <= 2);
            const int era = (yy >= 0 ? yy : yy - 399) / 400;
            const int yoe = yy - era * 400;
            const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            const qint64 days = qint64(era) * 146097 + doe - 719468;
            return days * 86400 + h * 3600 + mi * 60 + se - zone;
        }
    }
    const QDateTime dt = QDateTime::fromString(QString::fromLatin1(t), Qt::ISODate);
    return dt.isValid() ? dt.toSecsSinceEpoch() : 0;
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
    // The member's ISIZE (its last 4 bytes) says how much to expect (mod 2^32: a hint, never trusted).
    qint64 isize = -1;
    if (member.size() >= 18) {
        const char *e = member.constData() + member.size() - 4;
        isize = qint64(quint8(e[0])) | qint64(quint8(e[1])) << 8 | qint64(quint8(e[2])) << 16
            | qint64(quint8(e[3])) << 24;
    }
    Result<QByteArray> tar = inflateAll(stream::Decompressor::Format::Gzip, member, MaxTocSize + 1024, isize);
    if (!tar)
        return tar.error();
    QByteArray &t = *tar;
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
    t.truncate(int(512 + size));
    t.remove(0, 512); // in place: no second 25 MB buffer
    return std::move(t);
}

Result<QByteArray> zstdTocJson(const QByteArray &frame, qint64 uncompressedLength)
{
    Result<QByteArray> json = inflateAll(stream::Decompressor::Format::Zstd, frame, MaxTocSize, uncompressedLength);
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
    LayerToc toc;
    toc.format = format;
    toc.dataEnd = dataEnd;
    // per chunk: the file's endOffset (zstd:chunked) when it is the file's last chunk
    std::vector<qint64> offsets;
    int current = -1; // files[] index of the last regular file (chunk entries continue it)
    QHash<qint64, QString> unames, gnames; // eStargz writes user/group names only when they change
    // Read as it streams by (QJsonDocument cost 150 MB and half the CPU of a 76,000-entry listing).
    JsonCursor c(json);
    // Writers spend 200-400 bytes of JSON per entry: growing 76,000 entries by doubling cost a fifth of the parse.
    const qsizetype guess = qMin<qsizetype>(json.size() / 320, 4 << 20);
    toc.entries.reserve(guess);
    toc.files.reserve(size_t(guess));
    toc.fileIndex.reserve(guess);
    if (!c.enterObject())
        return malformed(QStringLiteral("the TOC is not a JSON object"), c.error());
    bool sawEntries = false;
    QByteArray key;
    RawEntry r;
    while (c.nextKey(&key)) {
        if (key != "entries") {
            c.skip();
            continue;
        }
        if (sawEntries)
            return malformed(QStringLiteral("the TOC has two \"entries\" arrays"));
        sawEntries = true;
        if (!c.enterArray()) {
            if (c.failed())
                break;
            return malformed(QStringLiteral("the TOC has no \"entries\" array"));
        }
        for (int i = 0; c.nextElement(); ++i) {
            if (!readEntry(c, &r)) {
                if (c.failed())
                    break;
                return malformed(QStringLiteral("TOC entry %1 is not a JSON object").arg(i));
            }
            const QString rawName = QString::fromUtf8(r.name);
            const QString path = stream::TarEntry::normalizePath(rawName);
            if (rawName.isEmpty())
                return malformed(QStringLiteral("TOC entry %1 has no name").arg(i));
            const qint64 offset = r.offset;
            if (offset < 0 || offset >= dataEnd)
                return malformed(QStringLiteral("TOC entry %1 (%2): offset %3 outside the data (%4 bytes)")
                                     .arg(i)
                                     .arg(path)
                                     .arg(offset)
                                     .arg(dataEnd));
            if (r.type == "chunk") {
                if (current < 0 || toc.files[size_t(current)].path != path)
                    return malformed(
                        QStringLiteral("TOC entry %1: a chunk of %2 follows no such file").arg(i).arg(path));
                TocFile &f = toc.files[size_t(current)];
                f.chunks.append(chunkFrom(r, offset));
                if (offset > 0)
                    offsets.push_back(offset);
                continue;
            }
            stream::TarEntry e;
            e.path = path;
            e.type = entryType(r.type);
            e.mode = quint32(r.mode) & 07777;
            e.uid = r.uid;
            e.gid = r.gid;
            e.uname = QString::fromUtf8(r.userName);
            e.gname = QString::fromUtf8(r.groupName);
            if (e.uname.isEmpty())
                e.uname = unames.value(e.uid);
            else
                unames.insert(e.uid, e.uname);
            if (e.gname.isEmpty())
                e.gname = gnames.value(e.gid);
            else
                gnames.insert(e.gid, e.gname);
            if (!r.modtime.isEmpty())
                e.mtime = parseModtime(r.modtime);
            const QString link = QString::fromUtf8(r.linkName);
            e.linkTarget = e.type == stream::TarEntry::Type::Hardlink ? stream::TarEntry::normalizePath(link) : link;
            e.devMajor = quint32(r.devMajor);
            e.devMinor = quint32(r.devMinor);
            e.dataOffset = e.headerOffset = 0;
            current = -1;
            if (e.type == stream::TarEntry::Type::File) {
                e.size = r.size;
                if (e.size < 0)
                    return malformed(QStringLiteral("TOC entry %1 (%2): negative size").arg(i).arg(path));
                TocFile f;
                f.path = path;
                f.size = e.size;
                f.digest = QString::fromLatin1(r.digest);
                if (e.size > 0) {
                    if (offset <= 0)
                        return malformed(
                            QStringLiteral("TOC entry %1 (%2): %3 bytes but no offset").arg(i).arg(path).arg(e.size));
                    TocChunk ch = chunkFrom(r, offset);
                    // zstd:chunked: the file's data ends at endOffset (kept on its first chunk until resolved)
                    ch.end = r.endOffset;
                    f.chunks.append(ch);
                    offsets.push_back(offset);
                }
                current = int(toc.files.size());
                toc.fileIndex.insert(path, current);
                toc.files.push_back(std::move(f));
            }
            toc.entries.append(std::move(e));
        }
    }
    if (!c.finish())
        return malformed(QStringLiteral("the TOC is not valid JSON"), c.error());
    if (!sawEntries)
        return malformed(QStringLiteral("the TOC has no \"entries\" array"));

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
