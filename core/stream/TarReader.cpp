#include "stream/TarReader.h"

#include "common/Logging.h"
#include "common/PathBytes.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace ll::stream {

namespace {

// ustar header layout (POSIX.1-1988 + GNU); offsets and lengths in bytes.
constexpr int NameOff = 0, NameLen = 100;
constexpr int ModeOff = 100, ModeLen = 8;
constexpr int UidOff = 108, UidLen = 8;
constexpr int GidOff = 116, GidLen = 8;
constexpr int SizeOff = 124, SizeLen = 12;
constexpr int MtimeOff = 136, MtimeLen = 12;
constexpr int ChksumOff = 148, ChksumLen = 8;
constexpr int TypeOff = 156;
constexpr int LinkOff = 157, LinkLen = 100;
constexpr int MagicOff = 257;
constexpr int UnameOff = 265, UnameLen = 32;
constexpr int GnameOff = 297, GnameLen = 32;
constexpr int DevMajorOff = 329, DevMinorOff = 337, DevLen = 8;
constexpr int PrefixOff = 345, PrefixLen = 155;
// old GNU sparse ('S'): four map entries in the header, 21 in each extension block
constexpr int GnuSparseOff = 386, GnuIsExtendedOff = 482, GnuRealSizeOff = 483;
constexpr int SparseEntryLen = 24, SparseNumLen = 12, SparseHeaderEntries = 4, SparseBlockEntries = 21;
constexpr int SparseBlockIsExtendedOff = 504;
constexpr qint64 HoleChunk = 64 * 1024;

qint64 paddingFor(qint64 size)
{
    return (512 - (size % 512)) % 512;
}

bool isZeroBlock(const char *block)
{
    quint64 acc = 0;
    for (int i = 0; i < 512; i += 8) {
        quint64 w;
        std::memcpy(&w, block + i, 8);
        acc |= w;
    }
    return acc == 0;
}

/** A NUL-terminated (or full-width) header field; names are bytes, decoded losslessly (PathBytes). */
QString fieldString(const char *field, int len)
{
    return PathBytes::decode(QByteArrayView(field, qsizetype(strnlen(field, size_t(len)))));
}

/** Octal (leading spaces, trailing spaces/NULs) or GNU base-256 (high bit of the first byte). */
bool parseNumeric(const char *field, int len, qint64 *out)
{
    const auto *f = reinterpret_cast<const unsigned char *>(field);
    if (f[0] & 0x80) {
        const bool negative = f[0] & 0x40;
        quint64 acc = negative ? ~quint64(0) : 0;
        for (int i = 0; i < len; ++i) {
            const unsigned char b = i == 0 ? (negative ? f[0] : (f[0] & 0x7f)) : f[i];
            if ((acc >> 56) != (negative ? 0xffu : 0u))
                return false; // does not fit in 64 bits
            acc = (acc << 8) | b;
        }
        if (!negative && acc > quint64(std::numeric_limits<qint64>::max()))
            return false;
        *out = qint64(acc);
        return true;
    }
    int i = 0;
    while (i < len && f[i] == ' ')
        ++i;
    quint64 value = 0;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; ++i) {
        if (value > (quint64(1) << 60))
            return false;
        value = value * 8 + (f[i] - '0');
    }
    for (; i < len; ++i) {
        if (f[i] != ' ' && f[i] != 0)
            return false;
    }
    *out = qint64(value);
    return true;
}

/** Decimal digits (leading zeros are valid: "0000000000000000000012" is 12). */
bool parseDecimal(QByteArrayView s, qint64 *out)
{
    if (s.isEmpty())
        return false;
    while (s.size() > 1 && s.front() == '0')
        s = s.sliced(1);
    if (s.size() > 18)
        return false;
    qint64 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

/** PAX mtime: [-]seconds[.fraction]; fractions dropped (floor for negative times). */
bool parsePaxTime(QByteArrayView s, qint64 *out)
{
    bool negative = false;
    if (s.startsWith('-')) {
        negative = true;
        s = s.sliced(1);
    }
    const qsizetype dot = s.indexOf('.');
    QByteArrayView whole = dot < 0 ? s : s.first(dot);
    bool fraction = false;
    if (dot >= 0) {
        for (char c : s.sliced(dot + 1)) {
            if (c < '0' || c > '9')
                return false;
            fraction = fraction || c != '0';
        }
    }
    qint64 v = 0;
    if (!parseDecimal(whole, &v))
        return false;
    *out = negative ? -v - (fraction ? 1 : 0) : v;
    return true;
}

/** Types whose header size is data (Go's archive/tar: links, dirs, devices and fifos carry none). */
bool hasDataType(TarEntry::Type type)
{
    return type == TarEntry::Type::File || type == TarEntry::Type::Other;
}

} // namespace

TarReader::TarReader(TarVisitor *visitor) : m_visitor(visitor)
{ }

Status TarReader::fail(const QString &message, qint64 offset, const QString &detail)
{
    m_error = Error(Error::Code::Corrupt, QStringLiteral("%1 at offset %2").arg(message).arg(offset), detail);
    qCDebug(llStream) << "tar:" << m_error.toString();
    return m_error;
}

void TarReader::stop()
{
    m_stopped = true;
    m_done = true;
    m_state = State::End;
}

void TarReader::clearPending()
{
    m_paxPath = m_paxLink = m_gnuLongName = m_gnuLongLink = m_paxUname = m_paxGname = QString();
    m_paxSize = m_paxUid = m_paxGid = -1;
    m_havePaxMtime = false;
    m_havePendingExtension = false;
    clearPaxSparse();
}

void TarReader::clearPaxSparse()
{
    m_sparseName = QString();
    m_sparseMap.clear();
    m_sparseRealSize = m_sparseMajor = m_sparsePendingOffset = -1;
    m_havePaxSparse = false;
}

Status TarReader::feed(const char *data, qint64 size)
{
    if (m_error)
        return m_error;
    while (size > 0 && !m_done) {
        switch (m_state) {
        case State::Header:
        case State::SparseBlock: {
            const char *block;
            qint64 blockOffset;
            if (m_blockFill == 0 && size >= BlockSize) {
                block = data; // whole header in this chunk: parse in place
                blockOffset = m_offset;
                data += BlockSize;
                size -= BlockSize;
                m_offset += BlockSize;
            } else {
                const int n = int(std::min<qint64>(BlockSize - m_blockFill, size));
                std::memcpy(m_block + m_blockFill, data, size_t(n));
                m_blockFill += n;
                data += n;
                size -= n;
                m_offset += n;
                if (m_blockFill < BlockSize)
                    return {};
                m_blockFill = 0;
                block = m_block;
                blockOffset = m_offset - BlockSize;
            }
            if (Status s
                = m_state == State::Header ? parseHeader(block, blockOffset) : parseSparseBlock(block, blockOffset);
                !s)
                return s;
            break;
        }
        case State::SparseMap: {
            // PAX 1.0: the map is decimal text at the head of the data, padded to whole blocks.
            const qint64 want = BlockSize - m_extension.size() % BlockSize;
            const qint64 n = std::min({ want, m_memberRemaining, size });
            m_extension.append(data, qsizetype(n));
            m_mapLines += std::count(data, data + n, '\n');
            data += n;
            size -= n;
            m_offset += n;
            m_memberRemaining -= n;
            if (m_extension.size() % BlockSize != 0 && m_memberRemaining > 0)
                break;
            if (m_mapNeeded < 0 && m_mapLines > 0) {
                // The first line is the region count: the map is complete after 1 + 2 * count lines (parsed
                // once then, not again at every block: a hostile 1 MiB map would cost quadratic time).
                qint64 count = -1;
                const qsizetype nl = m_extension.indexOf('\n');
                if (!parseDecimal(QByteArrayView(m_extension).first(nl), &count) || count > MaxSparseRegions)
                    return fail(
                        QStringLiteral("bad GNU sparse map"), m_current.headerOffset, QStringLiteral("region count"));
                m_mapNeeded = 1 + 2 * count;
            }
            bool complete = false;
            if (m_mapNeeded >= 0 && m_mapLines >= m_mapNeeded) {
                if (Status s = parseSparseMap(&complete); !s)
                    return s;
            }
            if (complete) {
                m_extension.clear();
                if (Status s = beginEntry(m_memberRemaining); !s)
                    return s;
            } else if (m_memberRemaining == 0 || m_extension.size() >= MaxExtensionSize) {
                return fail(QStringLiteral("bad GNU sparse map"), m_current.headerOffset,
                    QStringLiteral("incomplete map of %1 bytes").arg(m_extension.size()));
            }
            break;
        }
        case State::Extension: {
            const qint64 n = std::min(m_remaining, size);
            m_extension.append(data, qsizetype(n));
            data += n;
            size -= n;
            m_offset += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = m_padding > 0 ? State::Padding : State::Header;
                if (m_extensionType == 'x') {
                    if (Status s = parsePax(m_extensionOffset); !s)
                        return s;
                } else {
                    finishExtension();
                }
            }
            break;
        }
        case State::Data: {
            qint64 n = std::min(m_remaining, size);
            const bool sparse = m_readData && m_current.isSparse();
            if (sparse) {
                if (!sparseAdvance()) {
                    stop();
                    return {};
                }
                n = std::min(n, m_regionLeft);
            }
            if (m_readData && !m_visitor->onData(m_current, data, n)) {
                m_offset += n;
                stop();
                return {};
            }
            if (sparse) {
                m_regionLeft -= n;
                m_logical += n;
            }
            data += n;
            size -= n;
            m_offset += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = m_padding > 0 ? State::Padding : State::Header;
                if (sparse && !sparseFinish()) {
                    stop();
                    return {};
                }
                if (m_readData && !m_visitor->onEntryEnd(m_current)) {
                    stop();
                    return {};
                }
            }
            break;
        }
        case State::Padding: {
            const qint64 n = std::min(m_padding, size);
            data += n;
            size -= n;
            m_offset += n;
            m_padding -= n;
            if (m_padding == 0)
                m_state = State::Header;
            break;
        }
        case State::End:
            return {};
        }
    }
    return {};
}

Status TarReader::finish()
{
    if (m_error)
        return m_error;
    if (m_done)
        return {};
    if (m_state == State::Header && m_blockFill == 0 && !m_havePendingExtension)
        return {};
    return fail(QStringLiteral("truncated tar"), m_offset);
}

Status TarReader::parseHeader(const char *block, qint64 blockOffset)
{
    if (isZeroBlock(block)) {
        if (++m_zeroBlocks >= 2) {
            m_done = true;
            m_state = State::End;
        }
        return {};
    }
    if (m_zeroBlocks > 0) {
        // A lone zero block ends the archive as GNU tar and bsdtar read it: what follows is not listed.
        qCDebug(llStream) << "tar: lone zero block before offset" << blockOffset << ", archive ends there";
        m_done = true;
        m_state = State::End;
        return {};
    }

    qint64 stored = 0;
    if (!parseNumeric(block + ChksumOff, ChksumLen, &stored))
        return fail(QStringLiteral("bad tar header checksum field"), blockOffset);
    qint64 unsignedSum = 0, signedSum = 0;
    for (int i = 0; i < BlockSize; ++i) {
        const bool inField = i >= ChksumOff && i < ChksumOff + ChksumLen;
        unsignedSum += inField ? ' ' : qint64(static_cast<unsigned char>(block[i]));
        signedSum += inField ? ' ' : qint64(static_cast<signed char>(block[i]));
    }
    if (stored != unsignedSum && stored != signedSum)
        return fail(QStringLiteral("bad tar header checksum"), blockOffset,
            QStringLiteral("stored %1, computed %2").arg(stored).arg(unsignedSum));

    const char typeFlag = block[TypeOff];
    qint64 size = 0;
    if (!parseNumeric(block + SizeOff, SizeLen, &size))
        return fail(QStringLiteral("bad tar size field"), blockOffset);
    if (size < 0 || size > MaxEntrySize)
        return fail(QStringLiteral("absurd tar member size"), blockOffset, QStringLiteral("size %1").arg(size));

    switch (typeFlag) {
    case 'L':
    case 'K':
    case 'x':
    case 'g':
        if (size > MaxExtensionSize)
            return fail(QStringLiteral("oversized tar extension header"), blockOffset,
                QStringLiteral("type '%1', %2 bytes").arg(QLatin1Char(typeFlag)).arg(size));
        if (!m_havePendingExtension)
            m_memberStart = blockOffset;
        m_padding = paddingFor(size);
        m_remaining = size;
        if (typeFlag == 'g')
            return skipPayload(size); // global PAX defaults: not a member, nothing we use
        if (typeFlag == 'x' && m_havePendingExtension) {
            // A second 'x' header for the same member replaces the first (GNU tar, bsdtar, Go).
            m_paxPath = m_paxLink = m_paxUname = m_paxGname = QString();
            m_paxSize = m_paxUid = m_paxGid = -1;
            m_havePaxMtime = false;
            clearPaxSparse();
        }
        m_havePendingExtension = true;
        m_extensionType = typeFlag;
        m_extensionOffset = blockOffset;
        m_extension.clear();
        m_extension.reserve(qsizetype(size));
        m_state = State::Extension;
        if (size == 0) {
            m_state = State::Header;
            if (typeFlag == 'x')
                return parsePax(blockOffset);
            finishExtension();
        }
        return {};
    case 'V': // GNU volume label: not a member
        return skipPayload(size);
    default:
        break;
    }
    return startEntry(block, blockOffset, typeFlag, size);
}

Status TarReader::skipPayload(qint64 size)
{
    m_readData = false;
    m_dataIsEntry = false;
    m_remaining = size;
    m_padding = paddingFor(size);
    m_state = size > 0 ? State::Data : State::Header;
    return {};
}

Status TarReader::startEntry(const char *block, qint64 blockOffset, char typeFlag, qint64 size)
{
    const bool ustar = std::memcmp(block + MagicOff, "ustar", 5) == 0;
    const bool gnu = std::memcmp(block + MagicOff, "ustar  \0", 8) == 0;

    TarEntry &e = m_current;
    e = TarEntry();
    e.headerOffset = m_havePendingExtension ? m_memberStart : blockOffset;
    e.dataOffset = blockOffset + BlockSize;

    QString rawPath;
    if (!m_sparseName.isNull()) {
        rawPath = m_sparseName; // PAX sparse: the header's name is "GNUSparseFile.N/name"
    } else if (!m_paxPath.isNull()) {
        rawPath = m_paxPath;
    } else if (!m_gnuLongName.isNull()) {
        rawPath = m_gnuLongName;
    } else {
        rawPath = fieldString(block + NameOff, NameLen);
        if (ustar && !gnu && block[PrefixOff] != 0)
            rawPath = fieldString(block + PrefixOff, PrefixLen) + QLatin1Char('/') + rawPath;
    }
    QString rawLink;
    if (!m_paxLink.isNull())
        rawLink = m_paxLink;
    else if (!m_gnuLongLink.isNull())
        rawLink = m_gnuLongLink;
    else
        rawLink = fieldString(block + LinkOff, LinkLen);

    qint64 mode = 0, uid = 0, gid = 0, mtime = 0;
    if (!parseNumeric(block + ModeOff, ModeLen, &mode) || !parseNumeric(block + UidOff, UidLen, &uid)
        || !parseNumeric(block + GidOff, GidLen, &gid) || !parseNumeric(block + MtimeOff, MtimeLen, &mtime))
        return fail(QStringLiteral("bad tar numeric field"), blockOffset);
    if (uid < 0 || gid < 0)
        return fail(QStringLiteral("negative tar uid/gid"), blockOffset);

    switch (typeFlag) {
    case '0':
    case '\0':
    case '7':
        // Old archives mark directories with a trailing slash only.
        e.type
            = rawPath.endsWith(QLatin1Char('/')) && typeFlag != '7' ? TarEntry::Type::Directory : TarEntry::Type::File;
        break;
    case '1':
        e.type = TarEntry::Type::Hardlink;
        break;
    case '2':
        e.type = TarEntry::Type::Symlink;
        break;
    case '3':
        e.type = TarEntry::Type::CharDevice;
        break;
    case '4':
        e.type = TarEntry::Type::BlockDevice;
        break;
    case '5':
    case 'D': // GNU dumpdir (--listed-incremental): a directory whose data lists its contents
        e.type = TarEntry::Type::Directory;
        break;
    case 'S': // old GNU sparse file
        e.type = TarEntry::Type::File;
        break;
    case '6':
        e.type = TarEntry::Type::Fifo;
        break;
    default:
        e.type = TarEntry::Type::Other;
        break; // data skipped as is
    }

    e.path = TarEntry::normalizePath(rawPath);
    if (e.type == TarEntry::Type::Hardlink)
        e.linkTarget = TarEntry::normalizePath(rawLink);
    else if (e.type == TarEntry::Type::Symlink)
        e.linkTarget = rawLink;
    e.mode = quint32(mode) & 07777;
    e.uid = m_paxUid >= 0 ? m_paxUid : uid;
    e.gid = m_paxGid >= 0 ? m_paxGid : gid;
    e.mtime = m_havePaxMtime ? m_paxMtime : mtime;
    if (ustar) {
        e.uname = m_paxUname.isNull() ? fieldString(block + UnameOff, UnameLen) : m_paxUname;
        e.gname = m_paxGname.isNull() ? fieldString(block + GnameOff, GnameLen) : m_paxGname;
    } else {
        e.uname = m_paxUname;
        e.gname = m_paxGname;
    }
    if (e.type == TarEntry::Type::CharDevice || e.type == TarEntry::Type::BlockDevice) {
        qint64 major = 0, minor = 0;
        if (!parseNumeric(block + DevMajorOff, DevLen, &major) || !parseNumeric(block + DevMinorOff, DevLen, &minor)
            || major < 0 || minor < 0 || major > 0xffffffffLL || minor > 0xffffffffLL)
            return fail(QStringLiteral("bad tar device numbers"), blockOffset);
        e.devMajor = quint32(major);
        e.devMinor = quint32(minor);
    }
    if (m_paxSize >= 0)
        size = m_paxSize;
    m_memberRemaining = size;

    if (typeFlag == 'D') {
        // A dumpdir's data is its listing, not file content: reported as a directory, the data skipped.
        clearPending();
        e.size = 0;
        ++m_entryCount;
        const TarVisitor::Action action = m_visitor->onEntry(e);
        if (action == TarVisitor::Action::Stop) {
            stop();
            return {};
        }
        if (action == TarVisitor::Action::ReadData && !m_visitor->onEntryEnd(e)) {
            stop();
            return {};
        }
        return skipPayload(size);
    }

    if (typeFlag == 'S') {
        qint64 realSize = 0;
        if (!parseNumeric(block + GnuRealSizeOff, SizeLen, &realSize) || realSize < 0 || realSize > MaxEntrySize)
            return fail(QStringLiteral("bad GNU sparse size"), blockOffset);
        clearPending();
        e.size = realSize;
        e.sparse.clear();
        if (Status s = parseSparseBlock(block, blockOffset); !s) // the header's own four entries
            return s;
        if (m_state == State::SparseBlock)
            return {}; // extension blocks follow; beginEntry() after the last
        return beginEntry(size);
    }
    if (m_havePaxSparse && hasDataType(e.type)) {
        e.size = m_sparseRealSize >= 0 ? m_sparseRealSize : size;
        if (e.size > MaxEntrySize)
            return fail(QStringLiteral("bad GNU sparse size"), blockOffset);
        const bool mapInData = m_sparseMajor == 1;
        e.sparse = m_sparseMap;
        clearPending();
        if (mapInData) {
            e.sparse.clear();
            m_extension.clear();
            m_mapLines = 0;
            m_mapNeeded = -1;
            m_state = size > 0 ? State::SparseMap : State::Header;
            if (size == 0)
                return fail(QStringLiteral("bad GNU sparse map"), blockOffset, QStringLiteral("no data"));
            return {};
        }
        return beginEntry(size);
    }
    // Like Go's archive/tar (which wrote and reads these layers): links, dirs, devices and fifos carry no data.
    e.size = hasDataType(e.type) ? size : 0;
    clearPending();
    return beginEntry(e.size);
}

Status TarReader::parseSparseBlock(const char *block, qint64 blockOffset)
{
    // The header (four entries at GnuSparseOff) or an extension block (21 at 0); an empty offset ends the list.
    const bool header = m_state != State::SparseBlock;
    const int first = header ? GnuSparseOff : 0;
    const int count = header ? SparseHeaderEntries : SparseBlockEntries;
    for (int i = 0; i < count; ++i) {
        const char *entry = block + first + i * SparseEntryLen;
        if (entry[0] == 0)
            break;
        TarEntry::SparseRegion r;
        if (!parseNumeric(entry, SparseNumLen, &r.offset)
            || !parseNumeric(entry + SparseNumLen, SparseNumLen, &r.length) || r.offset < 0 || r.length < 0)
            return fail(QStringLiteral("bad GNU sparse map"), blockOffset);
        if (m_current.sparse.size() >= MaxSparseRegions)
            return fail(QStringLiteral("bad GNU sparse map"), blockOffset, QStringLiteral("too many regions"));
        m_current.sparse.append(r);
    }
    const bool extended = block[header ? GnuIsExtendedOff : SparseBlockIsExtendedOff] != 0;
    if (extended) {
        m_state = State::SparseBlock;
        return {};
    }
    if (!header)
        return beginEntry(m_memberRemaining);
    m_state = State::Header; // beginEntry() follows in startEntry()
    return {};
}

Status TarReader::parseSparseMap(bool *complete)
{
    // "<count>\n" then count pairs "<offset>\n<length>\n", padded with anything to the block end.
    *complete = false;
    const QByteArrayView text(m_extension);
    qsizetype pos = 0;
    auto next = [&](qint64 *value) {
        const qsizetype nl = text.indexOf('\n', pos);
        if (nl < 0)
            return false;
        if (!parseDecimal(text.sliced(pos, nl - pos), value))
            *value = -1;
        pos = nl + 1;
        return true;
    };
    qint64 count = 0;
    if (!next(&count))
        return {};
    if (count < 0 || count > MaxSparseRegions)
        return fail(QStringLiteral("bad GNU sparse map"), m_current.headerOffset, QStringLiteral("region count"));
    QVector<TarEntry::SparseRegion> map;
    map.reserve(qsizetype(std::min<qint64>(count, 1024)));
    for (qint64 i = 0; i < count; ++i) {
        TarEntry::SparseRegion r;
        if (!next(&r.offset) || !next(&r.length))
            return {};
        if (r.offset < 0 || r.length < 0)
            return fail(QStringLiteral("bad GNU sparse map"), m_current.headerOffset);
        map.append(r);
    }
    m_current.sparse = std::move(map);
    *complete = true;
    return {};
}

Status TarReader::beginEntry(qint64 storedSize)
{
    TarEntry &e = m_current;
    e.dataOffset = m_offset;
    if (e.isSparse() || m_state == State::SparseMap || m_state == State::SparseBlock) {
        // Regions in order, inside the file, not overlapping, their bytes exactly what the archive stores.
        qint64 end = 0, total = 0;
        for (const TarEntry::SparseRegion &r : std::as_const(e.sparse)) {
            if (r.offset < end || r.length > e.size || r.offset > e.size - r.length)
                return fail(QStringLiteral("bad GNU sparse map"), e.headerOffset,
                    QStringLiteral("region %1+%2 in a file of %3 bytes").arg(r.offset).arg(r.length).arg(e.size));
            end = r.offset + r.length;
            total += r.length;
        }
        if (total != storedSize)
            return fail(QStringLiteral("bad GNU sparse map"), e.headerOffset,
                QStringLiteral("regions hold %1 bytes, the archive %2").arg(total).arg(storedSize));
        if (e.sparse.isEmpty())
            e.sparse.append({ e.size, 0 }); // holes only
        m_region = 0;
        m_regionLeft = 0;
        m_logical = 0;
    }

    ++m_entryCount;
    const TarVisitor::Action action = m_visitor->onEntry(e);
    if (action == TarVisitor::Action::Stop) {
        stop();
        return {};
    }
    m_readData = action == TarVisitor::Action::ReadData;
    m_dataIsEntry = true;
    m_remaining = storedSize;
    m_padding = paddingFor(e.dataOffset - e.headerOffset + storedSize);
    if (storedSize > 0) {
        m_state = State::Data;
        return {};
    }
    m_state = State::Header;
    if (m_readData && e.isSparse() && !sparseFinish()) {
        stop();
        return {};
    }
    if (m_readData && !m_visitor->onEntryEnd(e))
        stop();
    return {};
}

bool TarReader::sparseAdvance()
{
    // Enter the next region with bytes, handing out the hole before each region entered on the way.
    const QVector<TarEntry::SparseRegion> &map = m_current.sparse;
    while (m_regionLeft == 0 && m_region < map.size()) {
        const TarEntry::SparseRegion &r = map.at(m_region++);
        if (r.offset > m_logical) {
            if (!m_visitor->onHole(m_current, r.offset - m_logical))
                return false;
            m_logical = r.offset;
        }
        m_regionLeft = r.length;
    }
    return true;
}

bool TarReader::sparseFinish()
{
    if (!sparseAdvance())
        return false;
    if (m_current.size > m_logical) {
        if (!m_visitor->onHole(m_current, m_current.size - m_logical))
            return false;
        m_logical = m_current.size;
    }
    return true;
}

bool TarVisitor::onHole(const TarEntry &entry, qint64 size)
{
    static const QByteArray zeros(HoleChunk, '\0');
    while (size > 0) {
        const qint64 n = std::min<qint64>(size, HoleChunk);
        if (!onData(entry, zeros.constData(), n))
            return false;
        size -= n;
    }
    return true;
}

void TarReader::finishExtension()
{
    const qsizetype len = m_extension.indexOf('\0');
    const QString value
        = PathBytes::decode(QByteArrayView(m_extension.constData(), len < 0 ? m_extension.size() : len));
    if (m_extensionType == 'L')
        m_gnuLongName = value;
    else
        m_gnuLongLink = value;
    m_extension.clear();
}

Status TarReader::parsePaxSparse(QByteArrayView key, QByteArrayView value, qint64 blockOffset)
{
    auto bad = [&] {
        return fail(QStringLiteral("bad GNU sparse map"), blockOffset,
            QStringLiteral("GNU.sparse.%1=%2")
                .arg(
                    QString::fromLatin1(key), QString::fromLatin1(value.first(std::min<qsizetype>(value.size(), 64)))));
    };
    auto number = [&](QByteArrayView text, qint64 *out) { return parseDecimal(text, out) && *out <= MaxEntrySize; };
    auto add = [&](qint64 offset, qint64 length) {
        if (m_sparseMap.size() >= MaxSparseRegions)
            return false;
        m_sparseMap.append({ offset, length });
        return true;
    };
    if (key == "name") {
        m_sparseName = PathBytes::decode(value);
        return {};
    }
    m_havePaxSparse = true;
    qint64 v = 0;
    if (key == "major" || key == "realsize" || key == "size" || key == "numblocks" || key == "offset"
        || key == "numbytes") {
        if (!number(value, &v))
            return bad();
        if (key == "major")
            m_sparseMajor = v;
        else if (key == "realsize" || key == "size")
            m_sparseRealSize = v;
        else if (key == "numblocks" && v > MaxSparseRegions)
            return bad();
        else if (key == "offset")
            m_sparsePendingOffset = v; // 0.0: each offset record is followed by its numbytes record
        else if (key == "numbytes") {
            if (m_sparsePendingOffset < 0 || !add(m_sparsePendingOffset, v))
                return bad();
            m_sparsePendingOffset = -1;
        }
        return {};
    }
    if (key == "map") { // 0.1: "offset,length,offset,length,..."
        m_sparseMap.clear();
        if (value.isEmpty())
            return {};
        qsizetype pos = 0;
        QVector<qint64> numbers;
        while (pos <= value.size()) {
            qsizetype comma = value.indexOf(',', pos);
            if (comma < 0)
                comma = value.size();
            if (!number(value.sliced(pos, comma - pos), &v))
                return bad();
            numbers.append(v);
            if (numbers.size() == 2) {
                if (!add(numbers[0], numbers[1]))
                    return bad();
                numbers.clear();
            }
            pos = comma + 1;
        }
        if (!numbers.isEmpty())
            return bad();
        return {};
    }
    return {}; // minor and unknown keys: nothing to keep
}

Status TarReader::parsePax(qint64 blockOffset)
{
    // Records: "<len> <key>=<value>\n", len counting the whole record.
    const QByteArrayView all(m_extension);
    qsizetype pos = 0;
    while (pos < all.size()) {
        if (all[pos] == '\0') {
            // Some writers pad the payload with NULs.
            break;
        }
        const qsizetype space = all.indexOf(' ', pos);
        qint64 recordLen = 0;
        if (space < 0 || !parseDecimal(all.sliced(pos, space - pos), &recordLen) || recordLen <= space - pos + 1
            || pos + recordLen > all.size() || all[pos + recordLen - 1] != '\n')
            return fail(QStringLiteral("malformed PAX record"), blockOffset,
                QStringLiteral("record at payload offset %1").arg(pos));
        const QByteArrayView kv = all.sliced(space + 1, pos + recordLen - 1 - (space + 1));
        pos += recordLen;
        const qsizetype eq = kv.indexOf('=');
        if (eq <= 0)
            return fail(QStringLiteral("malformed PAX record"), blockOffset, QStringLiteral("no key"));
        const QByteArrayView key = kv.first(eq);
        const QByteArrayView value = kv.sliced(eq + 1);
        const bool unset = value.isEmpty();
        auto number = [&](qint64 *target, const char *name) -> Status {
            if (unset) {
                *target = -1;
                return {};
            }
            qint64 v = 0;
            if (!parseDecimal(value, &v) || v > MaxEntrySize)
                return fail(QStringLiteral("bad PAX %1").arg(QLatin1String(name)), blockOffset,
                    QString::fromUtf8(value.data(), std::min<qsizetype>(value.size(), 64)));
            *target = v;
            return {};
        };
        auto text = [&](QString *target) { *target = unset ? QString() : PathBytes::decode(value); };
        if ((key == "path" || key == "linkpath") && value.contains('\0'))
            return fail(QStringLiteral("NUL byte in PAX %1").arg(QString::fromLatin1(key)), blockOffset);
        if (key == "path") {
            text(&m_paxPath);
        } else if (key == "linkpath") {
            text(&m_paxLink);
        } else if (key == "uname") {
            text(&m_paxUname);
        } else if (key == "gname") {
            text(&m_paxGname);
        } else if (key == "size") {
            if (Status s = number(&m_paxSize, "size"); !s)
                return s;
        } else if (key == "uid") {
            if (Status s = number(&m_paxUid, "uid"); !s)
                return s;
        } else if (key == "gid") {
            if (Status s = number(&m_paxGid, "gid"); !s)
                return s;
        } else if (key.startsWith("GNU.sparse.")) {
            if (Status st = parsePaxSparse(key.sliced(11), value, blockOffset); !st)
                return st;
        } else if (key == "mtime") {
            m_havePaxMtime = !unset;
            if (!unset && !parsePaxTime(value, &m_paxMtime))
                return fail(QStringLiteral("bad PAX mtime"), blockOffset);
        }
    }
    m_extension.clear();
    return {};
}

} // namespace ll::stream
