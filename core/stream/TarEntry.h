#pragma once

#include <QString>
#include <QVector>

namespace ll::stream {

/** One tar member as the tar reader resolved it (PAX/GNU extensions applied). */
struct TarEntry {
    enum class Type { File, Directory, Symlink, Hardlink, CharDevice, BlockDevice, Fifo, Other };

    /** One data region of a sparse file (the rest of the file is holes: zeros, never stored). */
    struct SparseRegion {
        qint64 offset = 0; // in the real file
        qint64 length = 0;
        friend bool operator==(const SparseRegion &a, const SparseRegion &b)
        {
            return a.offset == b.offset && a.length == b.length;
        }
    };

    /**
     * Normalised (see normalizePath()); ".." components are kept: fs/extract must reject them. Names are bytes
     * decoded losslessly (common/PathBytes: bytes that are not UTF-8 are lone surrogates); show them with
     * PathBytes::display(), give them to the file system with PathBytes::encode().
     */
    QString path;
    Type type = Type::File;
    qint64 size = 0; // file size (0 for non-files; a sparse file's real size, holes included)
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
    qint64 dataOffset = 0; // uncompressed offset of the data (of a sparse file: of its first region's bytes)
    /**
     * A sparse file's data regions in file order, their bytes stored back to back from dataOffset (GNU 'S'
     * members and PAX GNU.sparse 0.0/0.1/1.0). Empty for a regular member. Never empty for a sparse one (a
     * file of holes only has one empty region at its end).
     */
    QVector<SparseRegion> sparse;
    /**
     * Compressed blob offset by which this member's data had come out of the decompressor: an upper bound
     * (to the decompressor's input slice) of what a carve must download to get it. -1: not known. Kept in
     * layer indexes (LayerScanJob, CarveJob write them); the tar reader does not know it.
     */
    qint64 compressedEnd = -1;

    bool isSparse() const { return !sparse.isEmpty(); }
    /** Data bytes stored in the archive from dataOffset: the regions' total for a sparse file, else size. */
    qint64 storedSize() const;

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
