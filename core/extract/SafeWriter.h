#pragma once

#include "common/Result.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringView>

#include <limits>
#include <memory>
#include <vector>

namespace ll::extract {

/**
 * Writes archive members below one destination directory, safe by construction: nothing is ever written
 * outside it, whatever the names, link targets or what already lies on disk.
 *
 * - Names are normalised lexically first (fs::PathSanitizer::safeRelative): a leading "/" is dropped
 *   ("/abs/path" is written as DIR/abs/path, as GNU tar does), "a/../b" becomes "b"; a ".." that climbs
 *   above the root or a NUL gives Error::UnsafePath naming the entry.
 * - Every parent directory is opened component by component from the root's fd with
 *   openat(O_NOFOLLOW | O_DIRECTORY): a symlink on the way (one written earlier, or one already on disk)
 *   is never traversed (Error::UnsafePath), missing parents are created (0755).
 * - Files are written to a temporary "<name>.part" created with O_CREAT | O_EXCL | O_NOFOLLOW and renamed
 *   over the final name by commit(); discard() or a destroyed handle removes it: a half-written file never
 *   has its final name. Each temporary carries an extended attribute (user.layerslayer.part = "<pid>
 *   <name>"); one that a killed run left (its process is gone) for the same name is replaced by the next
 *   run, never one without that mark (a user's "x.part"), a symlink, or one a live process is writing. When
 *   "<name>.part" is taken, "<name>.1.part", "<name>.2.part"… are tried the same way.
 * - The first write that fails for want of space (ENOSPC, EDQUOT, EFBIG) is remembered: diskFullErrno().
 * - Symlinks are created as symlinks; their targets are data and are not checked (later writes never
 *   traverse them). Hard links may only point to files this writer has written (linkat inside the root).
 * - Device nodes and fifos are never created (the caller skips them); ownership is never changed;
 *   setuid/setgid bits are dropped unless preservePermissions (the sticky bit is kept on directories, as tar
 *   does: a /tmp that lost it would let anyone delete others' files); mtimes are set, negative ones too.
 * - Directories are created user-writable while extracting; their final mode and mtime are applied by
 *   finish() (deepest first), so read-only directories and files written into them both work.
 * Not thread-safe: use from one thread at a time.
 */
class SafeWriter
{
public:
    struct Options {
        /** Keep setuid/setgid bits, and the sticky bit on files (never ownership). */
        bool preservePermissions = false;
    };

    /** An open temporary file; move-only. Destroying an uncommitted handle discards it. */
    class FileHandle
    {
    public:
        FileHandle() = default;
        FileHandle(FileHandle &&other) noexcept;
        FileHandle &operator=(FileHandle &&other) noexcept;
        FileHandle(const FileHandle &) = delete;
        FileHandle &operator=(const FileHandle &) = delete;
        ~FileHandle();

        bool isOpen() const { return m_fd >= 0; }
        /** Normalised path relative to the root. */
        const QString &path() const { return m_path; }
        qint64 bytesWritten() const { return m_written; }

    private:
        friend class SafeWriter;
        void close();

        int m_fd = -1;
        int m_dirFd = -1;
        QByteArray m_tempName;
        QByteArray m_name;
        QString m_path;
        quint32 m_mode = 0644;
        qint64 m_mtime = KeepMtime;
        qint64 m_written = 0;
        bool m_endsInHole = false; // the last thing written was a hole: seal() sets the size
    };

    /** Opens (creating it and its parents when missing) the destination root directory. */
    static Result<std::unique_ptr<SafeWriter>> open(const QString &rootDir, const Options &options);
    static Result<std::unique_ptr<SafeWriter>> open(const QString &rootDir) { return open(rootDir, Options()); }
    ~SafeWriter();
    SafeWriter(const SafeWriter &) = delete;
    SafeWriter &operator=(const SafeWriter &) = delete;

    const QString &rootDir() const { return m_rootDir; }
    const Options &options() const { return m_options; }

    /** The normalised relative form of an archive name, or Error::UnsafePath ("." is the root itself). */
    static Result<QString> normalize(QStringView path);

    /** "No mtime to apply: keep the time of writing" (any other value is applied, negative ones included). */
    static constexpr qint64 KeepMtime = std::numeric_limits<qint64>::min();

    /** Starts a regular file (mode: permission bits as in the archive; mtime: seconds since the epoch). */
    Result<FileHandle> beginFile(QStringView relPath, quint32 mode, qint64 mtime = KeepMtime);
    Status write(FileHandle &file, const char *data, qint64 size);
    /** A hole of size zero bytes (a sparse file's): seeks over it, so the file is sparse on disk as well. */
    Status writeHole(FileHandle &file, qint64 size);
    /** Applies mode and mtime, then renames the temporary file over the final name (a non-directory there is
        replaced; a directory there is an error). The handle is closed afterwards, whatever the outcome. */
    Status commit(FileHandle &file);
    /** Removes the temporary file. */
    void discard(FileHandle &file);

    /** A complete temporary file not yet under its final name (commit deferred until its source is verified). */
    struct PendingFile {
        QString path; // normalised final path
        QByteArray tempName; // in the same directory
    };
    /** Applies mode and mtime and closes the file, leaving it under its temporary name (no fd kept open). */
    Result<PendingFile> seal(FileHandle &file);
    /** Renames a sealed file over its final name (the parent is walked again, safely). */
    Status commit(const PendingFile &file);
    /** Removes a sealed file's temporary. */
    void discard(const PendingFile &file);

    /** Creates a directory (or keeps an existing one; a non-directory in the way is replaced). The first
        mode/mtime given for a path wins (top-down merged extraction gives the visible layer's first). */
    Status makeDir(QStringView relPath, quint32 mode = 0755, qint64 mtime = KeepMtime);
    /** Creates a symlink named relPath pointing to target (not checked; replaces a non-directory). */
    Status makeSymlink(QStringView relPath, const QString &target, qint64 mtime = KeepMtime);
    /** Hard link relPath -> targetRelPath; the target must be a file this writer wrote (else UnsafePath). */
    Status makeHardlink(QStringView relPath, QStringView targetRelPath);

    /** True when this writer committed a file (or link) at the normalised path. */
    bool hasWritten(const QString &relPath) const { return m_written.contains(relPath); }

    /** ENOSPC, EDQUOT or EFBIG when a write failed for want of space (see DiskFull), else 0. */
    int diskFullErrno() const { return m_diskFullErrno; }

    /** The extended attribute that marks a temporary file as this program's. */
    static constexpr const char *PartMark = "user.layerslayer.part";

    /** Applies the recorded directory modes and mtimes, deepest first. Idempotent. */
    Status finish();

private:
    SafeWriter(int rootFd, const QString &rootDir, const Options &options);

    /** Opens the parent directory of relPath (normal form, not ".") safely, creating missing parents. */
    Result<int> openParent(const QString &relPath, bool create, QByteArray *leaf);
    Status removeNonDir(int dirFd, const QByteArray &name, const QString &relPath);
    quint32 effectiveMode(quint32 mode, bool directory) const;
    /** An I/O error; remembers a disk-full errno. */
    Error ioFailure(const QString &what, QStringView path, int err);
    /** Creates dirFd/temp (O_EXCL semantics) carrying the mark; -1 and *err on failure. */
    static int createMarked(int dirFd, const QByteArray &temp, const QByteArray &mark, int *err);
    /** True when dirFd/temp was a temporary of a dead run of this program for leaf, and is now removed. */
    static bool reclaimStale(int dirFd, const QByteArray &temp, const QByteArray &leaf);

    struct DirRecord {
        QString path;
        quint32 mode;
        qint64 mtime;
    };

    int m_rootFd = -1;
    QString m_rootDir;
    Options m_options;
    QSet<QString> m_written;
    QHash<QString, int> m_dirIndex; // path -> m_dirs index
    std::vector<DirRecord> m_dirs;
    int m_diskFullErrno = 0;
};

} // namespace ll::extract
