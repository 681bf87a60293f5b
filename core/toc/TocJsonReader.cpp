#include "toc/TocJsonReader.h"

#include "common/JsonCursor.h"
#include "toc/TocParser.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <cstring>
#include <vector>

namespace ll::toc {

namespace {

Error malformed(const QString &message, const QString &detail = QString())
{
    return Error(Error::Code::Malformed, message, detail);
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

/** One element of "entries" as the JSON has it (a missing or mistyped field reads as empty / 0). Strings view
    the reader's buffer: valid until the next read. */
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

enum class Field {
    Name,
    Type,
    Offset,
    Size,
    Mode,
    Modtime,
    Digest,
    ChunkDigest,
    ChunkOffset,
    ChunkSize,
    InnerOffset,
    EndOffset,
    Uid,
    Gid,
    UserName,
    GroupName,
    LinkName,
    DevMajor,
    DevMinor,
    Other
};

/** A key by its length, then its bytes (a chain of comparisons was a tenth of a 76,000-entry parse). */
Field fieldOf(const QByteArray &key)
{
    const char *k = key.constData();
    switch (key.size()) {
    case 3:
        if (std::memcmp(k, "uid", 3) == 0)
            return Field::Uid;
        if (std::memcmp(k, "gid", 3) == 0)
            return Field::Gid;
        break;
    case 4:
        if (std::memcmp(k, "name", 4) == 0)
            return Field::Name;
        if (std::memcmp(k, "type", 4) == 0)
            return Field::Type;
        if (std::memcmp(k, "size", 4) == 0)
            return Field::Size;
        if (std::memcmp(k, "mode", 4) == 0)
            return Field::Mode;
        break;
    case 6:
        if (std::memcmp(k, "offset", 6) == 0)
            return Field::Offset;
        if (std::memcmp(k, "digest", 6) == 0)
            return Field::Digest;
        break;
    case 7:
        if (std::memcmp(k, "modtime", 7) == 0)
            return Field::Modtime;
        break;
    case 8:
        if (std::memcmp(k, "userName", 8) == 0)
            return Field::UserName;
        if (std::memcmp(k, "linkName", 8) == 0)
            return Field::LinkName;
        if (std::memcmp(k, "devMajor", 8) == 0)
            return Field::DevMajor;
        if (std::memcmp(k, "devMinor", 8) == 0)
            return Field::DevMinor;
        break;
    case 9:
        if (std::memcmp(k, "chunkSize", 9) == 0)
            return Field::ChunkSize;
        if (std::memcmp(k, "endOffset", 9) == 0)
            return Field::EndOffset;
        if (std::memcmp(k, "groupName", 9) == 0)
            return Field::GroupName;
        break;
    case 11:
        if (std::memcmp(k, "chunkDigest", 11) == 0)
            return Field::ChunkDigest;
        if (std::memcmp(k, "chunkOffset", 11) == 0)
            return Field::ChunkOffset;
        if (std::memcmp(k, "innerOffset", 11) == 0)
            return Field::InnerOffset;
        break;
    default:
        break;
    }
    return Field::Other;
}

/** Reads the object at the cursor into e; false when it is not an object, on a syntax error, or starved. */
bool readEntry(JsonCursor &c, RawEntry *e)
{
    if (!c.enterObject())
        return false;
    *e = RawEntry();
    QByteArray key;
    while (c.nextKey(&key)) {
        switch (fieldOf(key)) {
        case Field::Name:
            readField(c, &e->name);
            break;
        case Field::Type:
            readField(c, &e->type);
            break;
        case Field::Offset:
            readField(c, &e->offset);
            break;
        case Field::Size:
            readField(c, &e->size);
            break;
        case Field::Mode:
            readField(c, &e->mode);
            break;
        case Field::Modtime:
            readField(c, &e->modtime);
            break;
        case Field::Digest:
            readField(c, &e->digest);
            break;
        case Field::ChunkDigest:
            readField(c, &e->chunkDigest);
            break;
        case Field::ChunkOffset:
            readField(c, &e->chunkOffset);
            break;
        case Field::ChunkSize:
            readField(c, &e->chunkSize);
            break;
        case Field::InnerOffset:
            readField(c, &e->innerOffset);
            break;
        case Field::EndOffset:
            readField(c, &e->endOffset);
            break;
        case Field::Uid:
            readField(c, &e->uid);
            break;
        case Field::Gid:
            readField(c, &e->gid);
            break;
        case Field::UserName:
            readField(c, &e->userName);
            break;
        case Field::GroupName:
            readField(c, &e->groupName);
            break;
        case Field::LinkName:
            readField(c, &e->linkName);
            break;
        case Field::DevMajor:
            readField(c, &e->devMajor);
            break;
        case Field::DevMinor:
            readField(c, &e->devMinor);
            break;
        case Field::Other:
            c.skip(); // xattrs, accessTime, numLink, ...
            break;
        }
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

/** Does TarEntry::normalizePath change this name ("./", "/" at either end, "//", "." components)? Writers
    emit names that are already normal; skipping the rewrite saves a string per entry. */
bool needsNormalizing(const QByteArray &name)
{
    const char *p = name.constData();
    const qsizetype n = name.size();
    if (n == 0 || p[0] == '/' || p[n - 1] == '/' || (p[0] == '.' && (n == 1 || p[1] == '/')))
        return true;
    for (const char *s = p; (s = static_cast<const char *>(std::memchr(s, '/', size_t(p + n - s)))); ++s) {
        const qsizetype rest = p + n - s; // >= 2: the name does not end with '/'
        if (s[1] == '/' || (s[1] == '.' && (rest == 2 || s[2] == '/')))
            return true;
    }
    return false;
}

/** A string made once and reused while the bytes it comes from repeat (user names, digests of 1-chunk files). */
struct Memo {
    QByteArray bytes; // owned copy
    QString text;
    const QString &get(const QByteArray &b, bool utf8)
    {
        if (b != bytes) {
            bytes = QByteArray(b.constData(), b.size());
            text = utf8 ? QString::fromUtf8(b) : QString::fromLatin1(b);
        }
        return text;
    }
};

} // namespace

struct TocJsonReader::Private {
    enum class Stage { Start, Keys, Entries, Done };

    LayerToc toc;
    qint64 dataEnd = 0;
    // per chunk: the file's endOffset (zstd:chunked) when it is the file's last chunk
    std::vector<qint64> offsets;
    int current = -1; // files[] index of the last regular file (chunk entries continue it)
    QHash<qint64, QString> unames, gnames; // eStargz writes user/group names only when they change
    Memo uname, gname;
    QByteArray lastModtime;
    qint64 lastMtime = 0;

    JsonCursor cursor { nullptr, 0 };
    JsonCursor::Mark mark; // where parsing resumes: before the unfinished entry (or key)
    Stage stage = Stage::Start;
    bool sawEntries = false;
    int index = 0; // entries read
    QByteArray pending; // document bytes from pendingBase on that are not parsed yet
    qint64 pendingBase = 0;
    qint64 waitFor = 0; // parse the pending bytes again once there are this many (a long value: not every feed)
    qint64 fed = 0;
    Error error;
    bool finished = false;
    RawEntry raw;
    QByteArray key;

    void run(const char *data, qint64 size, qint64 base, bool partial);
    void keepRest(const char *data, qint64 size, qint64 base);
    bool addEntry();
    Result<LayerToc> resolveChunks();
    void setError(const Error &e)
    {
        if (!error.isError())
            error = e;
    }
    void jsonError() { setError(malformed(QStringLiteral("the TOC is not valid JSON"), cursor.error())); }
};

TocJsonReader::TocJsonReader(LayerToc::Format format, qint64 dataEnd, qint64 sizeHint) : d(std::make_unique<Private>())
{
    d->toc.format = format;
    d->toc.dataEnd = dataEnd;
    d->dataEnd = dataEnd;
    if (sizeHint > 0) {
        // Writers spend 200-400 bytes of JSON per entry: growing 76,000 entries by doubling cost a fifth of the
        // parse.
        const qsizetype guess = qMin<qsizetype>(sizeHint / 320, 1 << 18); // beyond: grown
        d->toc.entries.reserve(guess);
        d->toc.files.reserve(size_t(guess));
        d->toc.fileIndex.reserve(guess);
        d->offsets.reserve(size_t(guess));
    }
}

TocJsonReader::~TocJsonReader() = default;

qint64 TocJsonReader::bytesFed() const
{
    return d->fed;
}

qint64 TocJsonReader::entriesRead() const
{
    return d->index;
}

Status TocJsonReader::feed(const char *data, qint64 size)
{
    if (d->error.isError())
        return d->error;
    if (d->finished || size <= 0)
        return Status();
    const qint64 base = d->fed;
    d->fed += size;
    if (d->pending.isEmpty()) {
        // Read in place; only an unfinished entry at the end is copied.
        d->run(data, size, base, true);
        d->keepRest(data, size, base);
    } else {
        d->pending.append(data, int(size));
        if (d->pending.size() >= d->waitFor) {
            const QByteArray view = d->pending; // shared: keepRest() replaces pending
            d->run(view.constData(), view.size(), d->pendingBase, true);
            d->keepRest(view.constData(), view.size(), d->pendingBase);
        }
    }
    if (d->error.isError())
        return d->error;
    return Status();
}

void TocJsonReader::Private::keepRest(const char *data, qint64 size, qint64 base)
{
    if (error.isError()) {
        pending.clear();
        return;
    }
    const qint64 from = qBound<qint64>(base, mark.offset, base + size);
    const qint64 rest = base + size - from;
    if (stage == Stage::Done || rest == 0) {
        pending.clear();
        pendingBase = base + size;
        waitFor = 0;
        return;
    }
    if (from != pendingBase || pending.constData() != data)
        pending = QByteArray(data + (from - base), int(rest));
    pendingBase = from;
    // An entry is a few hundred bytes: the next feed completes it. A long value is retried only once the
    // bytes after its start have doubled, so reading it costs O(its size), whatever the feeds' sizes.
    waitFor = rest * 2;
}

void TocJsonReader::Private::run(const char *data, qint64 size, qint64 base, bool partial)
{
    if (error.isError())
        return;
    JsonCursor &c = cursor;
    c.setPartial(partial);
    c.resume(data, size, base, mark);
    for (;;) {
        switch (stage) {
        case Stage::Start:
            if (!c.enterObject()) {
                if (!c.isStarved())
                    setError(malformed(QStringLiteral("the TOC is not a JSON object"), c.error()));
                return;
            }
            stage = Stage::Keys;
            mark = c.mark();
            continue;
        case Stage::Keys:
            if (!c.nextKey(&key)) {
                if (c.isStarved())
                    return;
                if (c.failed()) {
                    jsonError();
                    return;
                }
                stage = Stage::Done;
                mark = c.mark();
                continue;
            }
            if (key != "entries") {
                if (!c.skip()) {
                    if (!c.isStarved())
                        jsonError();
                    return;
                }
                mark = c.mark();
                continue;
            }
            if (sawEntries) {
                setError(malformed(QStringLiteral("the TOC has two \"entries\" arrays")));
                return;
            }
            if (!c.enterArray()) {
                if (c.isStarved())
                    return;
                if (c.failed())
                    jsonError();
                else
                    setError(malformed(QStringLiteral("the TOC has no \"entries\" array")));
                return;
            }
            sawEntries = true;
            stage = Stage::Entries;
            mark = c.mark();
            continue;
        case Stage::Entries:
            if (!c.nextElement()) {
                if (c.isStarved())
                    return;
                if (c.failed()) {
                    jsonError();
                    return;
                }
                stage = Stage::Keys;
                mark = c.mark();
                continue;
            }
            if (!readEntry(c, &raw)) {
                if (c.isStarved())
                    return;
                if (c.failed())
                    jsonError();
                else
                    setError(malformed(QStringLiteral("TOC entry %1 is not a JSON object").arg(index)));
                return;
            }
            if (!addEntry())
                return;
            ++index;
            mark = c.mark();
            continue;
        case Stage::Done:
            // Only whitespace may follow the document.
            if (!c.finish())
                jsonError();
            mark = c.mark();
            return;
        }
    }
}

bool TocJsonReader::Private::addEntry()
{
    const RawEntry &r = raw;
    const int i = index;
    if (r.name.isEmpty()) {
        setError(malformed(QStringLiteral("TOC entry %1 has no name").arg(i)));
        return false;
    }
    const QString path = needsNormalizing(r.name) ? stream::TarEntry::normalizePath(QString::fromUtf8(r.name))
                                                  : QString::fromUtf8(r.name);
    const qint64 offset = r.offset;
    if (offset < 0 || offset >= dataEnd) {
        setError(malformed(QStringLiteral("TOC entry %1 (%2): offset %3 outside the data (%4 bytes)")
                               .arg(i)
                               .arg(path)
                               .arg(offset)
                               .arg(dataEnd)));
        return false;
    }
    if (r.type == "chunk") {
        if (current < 0 || toc.files[size_t(current)].path != path) {
            setError(malformed(QStringLiteral("TOC entry %1: a chunk of %2 follows no such file").arg(i).arg(path)));
            return false;
        }
        TocFile &f = toc.files[size_t(current)];
        f.chunks.append(chunkFrom(r, offset));
        if (offset > 0)
            offsets.push_back(offset);
        return true;
    }
    stream::TarEntry e;
    e.path = path;
    e.type = entryType(r.type);
    e.mode = quint32(r.mode) & 07777;
    e.uid = r.uid;
    e.gid = r.gid;
    if (r.userName.isEmpty()) {
        e.uname = unames.value(e.uid);
    } else {
        e.uname = uname.get(r.userName, true);
        auto it = unames.find(e.uid);
        if (it == unames.end())
            unames.insert(e.uid, e.uname);
        else if (*it != e.uname)
            *it = e.uname;
    }
    if (r.groupName.isEmpty()) {
        e.gname = gnames.value(e.gid);
    } else {
        e.gname = gname.get(r.groupName, true);
        auto it = gnames.find(e.gid);
        if (it == gnames.end())
            gnames.insert(e.gid, e.gname);
        else if (*it != e.gname)
            *it = e.gname;
    }
    if (!r.modtime.isEmpty()) {
        if (r.modtime != lastModtime) { // writers give most entries the same time
            lastModtime = QByteArray(r.modtime.constData(), r.modtime.size());
            lastMtime = parseModtime(r.modtime);
        }
        e.mtime = lastMtime;
    }
    if (e.type == stream::TarEntry::Type::Hardlink)
        e.linkTarget = stream::TarEntry::normalizePath(QString::fromUtf8(r.linkName));
    else if (!r.linkName.isEmpty())
        e.linkTarget = QString::fromUtf8(r.linkName);
    e.devMajor = quint32(r.devMajor);
    e.devMinor = quint32(r.devMinor);
    e.dataOffset = e.headerOffset = 0;
    current = -1;
    if (e.type == stream::TarEntry::Type::File) {
        e.size = r.size;
        if (e.size < 0) {
            setError(malformed(QStringLiteral("TOC entry %1 (%2): negative size").arg(i).arg(path)));
            return false;
        }
        TocFile f;
        f.path = path;
        f.size = e.size;
        f.digest = QString::fromLatin1(r.digest);
        if (e.size > 0) {
            if (offset <= 0) {
                setError(malformed(
                    QStringLiteral("TOC entry %1 (%2): %3 bytes but no offset").arg(i).arg(path).arg(e.size)));
                return false;
            }
            TocChunk ch;
            ch.offset = offset;
            ch.innerOffset = r.innerOffset;
            ch.chunkOffset = r.chunkOffset;
            ch.chunkSize = r.chunkSize;
            // A file of one chunk: its chunk's digest is the file's (one string for both).
            ch.digest = r.chunkDigest == r.digest ? f.digest : QString::fromLatin1(r.chunkDigest);
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
    return true;
}

Result<LayerToc> TocJsonReader::finish()
{
    if (d->finished)
        return Error(Error::Code::Internal, QStringLiteral("TocJsonReader::finish() called twice"));
    d->finished = true;
    if (d->error.isError())
        return d->error;
    const QByteArray rest = d->pending;
    d->run(rest.constData(), rest.size(), d->pendingBase, false);
    d->pending.clear();
    if (d->error.isError())
        return d->error;
    if (d->stage != Private::Stage::Done)
        return malformed(QStringLiteral("the TOC is not valid JSON"), d->cursor.error());
    if (!d->sawEntries)
        return malformed(QStringLiteral("the TOC has no \"entries\" array"));
    return d->resolveChunks();
}

Result<LayerToc> TocJsonReader::Private::resolveChunks()
{
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
    return std::move(toc);
}

} // namespace ll::toc
