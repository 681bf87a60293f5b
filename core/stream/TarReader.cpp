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

bool parseDecimal(QByteArrayView s, qint64 *out)
{
    if (s.isEmpty() || s.size() > 18)
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
}

Status TarReader::feed(const char *data, qint64 size)
{
    if (m_error)
        return m_error;
    while (size > 0 && !m_done) {
        switch (m_state) {
        case State::Header: {
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
            if (Status s = parseHeader(block, blockOffset); !s)
                return s;
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
            const qint64 n = std::min(m_remaining, size);
            if (m_readData && !m_visitor->onData(m_current, data, n)) {
                m_offset += n;
                stop();
                return {};
            }
            data += n;
            size -= n;
            m_offset += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = m_padding > 0 ? State::Padding : State::Header;
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
    m_zeroBlocks = 0;

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
        if (typeFlag == 'g') {
            // Global PAX defaults: not a member, nothing we use; skip the payload.
            m_readData = false;
            m_dataIsEntry = false;
            m_state = size > 0 ? State::Data : State::Header;
            return {};
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
        m_readData = false;
        m_dataIsEntry = false;
        m_remaining = size;
        m_padding = paddingFor(size);
        m_state = size > 0 ? State::Data : State::Header;
        return {};
    default:
        break;
    }
    return startEntry(block, blockOffset, typeFlag, size);
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
    if (!m_paxPath.isNull()) {
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
        e.type = TarEntry::Type::Directory;
        break;
    case '6':
        e.type = TarEntry::Type::Fifo;
        break;
    default:
        e.type = TarEntry::Type::Other;
        break; // e.g. GNU sparse 'S', dumpdir 'D': data skipped as is
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
    // Like Go's archive/tar (which wrote and reads these layers): links, dirs, devices and fifos carry no data.
    const bool hasData = e.type == TarEntry::Type::File || e.type == TarEntry::Type::Other;
    const qint64 dataSize = hasData ? size : 0;
    e.size = dataSize;
    clearPending();

    ++m_entryCount;
    const TarVisitor::Action action = m_visitor->onEntry(e);
    if (action == TarVisitor::Action::Stop) {
        stop();
        return {};
    }
    m_readData = action == TarVisitor::Action::ReadData;
    m_dataIsEntry = true;
    m_remaining = dataSize;
    m_padding = paddingFor(dataSize);
    if (dataSize > 0) {
        m_state = State::Data;
        return {};
    }
    m_state = State::Header;
    if (m_readData && !m_visitor->onEntryEnd(e))
        stop();
    return {};
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
