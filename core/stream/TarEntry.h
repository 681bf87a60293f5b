#pragma once

#include <QString>

namespace ll::stream {

/** One tar member as the tar reader resolved it (PAX/GNU extensions applied). */
struct TarEntry {
    enum class Type { File, Directory, Symlink, Hardlink, CharDevice, BlockDevice, Fifo, Other };

    /** Normalised (see normalizePath()); ".." components are kept: fs/extract must reject them. */
    QString path;
    Type type = Type::File;
    qint64 size = 0; // data bytes (0 for non-files)
    quint32 mode = 0; // permission bits incl. setuid/setgid/sticky (07777)
    qint64 uid = 0;
    qint64 gid = 0;
    QString uname;
    QString gname;
    qint64 mtime = 0; // seconds since epoch
    QString linkTarget; // symlink target or hard link target path (normalised like path for hardlinks)
    quint32 devMajor = 0;
    quint32 devMinor = 0;
    qint64 headerOffset = 0; // uncompressed offset of this member's first header block (incl. extension headers)
    qint64 dataOffset = 0; // uncompressed offset of the data
    /**
     * Compressed blob offset by which this member's data had come out of the decompressor: an upper bound
     * (to the decompressor's input slice) of what a carve must download to get it. -1: not known. Kept in
     * layer indexes (LayerScanJob, CarveJob write them); the tar reader does not know it.
     */
    qint64 compressedEnd = -1;

    static QString typeName(Type type); // "file", "dir", "symlink", "hardlink", "char", "block", "fifo", "other"
    QString typeName() const { return typeName(type); }
    /**
     * "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx" ... like ls -l (s/S, t/T for setuid/setgid/sticky); the type
     * letter follows tar -tv: 'h' hard link, 'c', 'b', 'p', '?' for other.
     */
    QString modeString() const;
    /**
     * Archive name → canonical relative path: leading "./" and "/" stripped, "//" collapsed, "." components
     * dropped, trailing "/" stripped, "." for the root. ".." components are kept as they are on purpose:
     * the listing shows what the archive holds and the fs/extract layers reject them as unsafe.
     */
    static QString normalizePath(QStringView raw);
    /** Octal, e.g. "0644". */
    QString modeOctal() const { return QStringLiteral("%1").arg(mode & 07777, 4, 8, QLatin1Char('0')); }
};

} // namespace ll::stream
