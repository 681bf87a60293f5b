#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

namespace ll {

/**
 * Archive and file names are bytes; the API carries them as QString without losing any: valid UTF-8 is
 * decoded as is and each byte that is not part of valid UTF-8 becomes the lone surrogate U+DC00+byte
 * (U+DC80..U+DCFF, Python's "surrogateescape"). Two different byte names never decode to the same QString,
 * and encode(decode(b)) == b for every byte string b. Such strings must go to the file system through
 * encode() (never QFile::encodeName, which turns lone surrogates into '?') and to people through display().
 */
class PathBytes
{
public:
    /** Bytes → lossless QString (see above). */
    static QString decode(QByteArrayView bytes);
    /** The inverse of decode(): U+DC80..U+DCFF back to their byte, the rest as UTF-8 (another lone surrogate,
        which decode() never makes, becomes U+FFFD). */
    static QByteArray encode(QStringView name);
    /** True when the name holds escaped bytes (it was not valid UTF-8). */
    static bool hasEscapes(QStringView name);
    /**
     * A printable, unambiguous form for listings (human and JSON): escaped bytes as "\xE9", control
     * characters (below U+0020 and U+007F) as "\x0A", and a backslash as "\\"; everything else as is.
     * Names without these characters are returned unchanged.
     */
    static QString display(QStringView name);
    /** The inverse of display(): "\xHH" → that byte, "\\" → "\"; null QString when malformed. */
    static QString fromDisplay(QStringView shown);
};

} // namespace ll
