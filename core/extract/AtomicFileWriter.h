#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

namespace ll::extract {

/**
 * Writes one file below a root directory as "<final>.part" and gives it its final name only by commit():
 * a failed, cancelled or interrupted write never leaves a file under the final name.
 *
 * - relPath is normalised lexically (fs::PathSanitizer::safeRelative); a ".." climbing above the root is
 *   Error::UnsafePath. Missing parent directories are created (0755) component by component from the root
 *   with openat(O_NOFOLLOW | O_DIRECTORY): a symlink below the root is never traversed (Error::UnsafePath).
 *   The root itself is created when missing and may be a symlink (the user's choice).
 * - Writes are buffered (1 MiB); big writes go straight to the file.
 * - Options::resume appends to an existing .part (resumed downloads); Options::keepPart keeps an uncommitted
 *   .part when the writer is destroyed (so it can be resumed later); discard() always removes it.
 * Not thread-safe; may be created on one thread and used on another, one at a time.
 */
class AtomicFileWriter
{
public:
    struct Options {
        quint32 mode = 0644;
        bool resume = false;
        bool keepPart = false;
    };

    static Result<std::unique_ptr<AtomicFileWriter>> create(
        const QString &rootDir, const QString &relPath, const Options &options);
    static Result<std::unique_ptr<AtomicFileWriter>> create(const QString &rootDir, const QString &relPath)
    {
        return create(rootDir, relPath, Options());
    }
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter &) = delete;
    AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;

    /** Absolute final path and the temporary "<final>.part". */
    const QString &finalPath() const { return m_finalPath; }
    QString partPath() const { return m_finalPath + QStringLiteral(".part"); }
    /** Bytes the .part held when it was opened (resume), 0 otherwise. */
    qint64 resumedSize() const { return m_resumedSize; }
    /** Bytes in the file so far (resumed + written). */
    qint64 size() const { return m_resumedSize + m_written + m_buffer.size(); }
    bool isOpen() const { return m_fd >= 0; }
    /** errno of the last failed call (0: none); see DiskFull. */
    int lastErrno() const { return m_errno; }

    Status write(const char *data, qint64 size);
    /** Writes the buffer out. */
    Status flush();
    /** Flushes, sets the mode, closes and renames the .part over the final name (a directory there fails). */
    Status commit();
    /** Closes and removes the .part, and the directories create() made for it when they are still empty. */
    void discard();
    /** Flushes and closes, keeping the .part (resumable). */
    Status close();

    /**
     * The absolute path relPath would get below rootDir (lexical only, nothing is created), or
     * Error::UnsafePath.
     */
    static Result<QString> targetPath(const QString &rootDir, const QString &relPath);

private:
    AtomicFileWriter() = default;
    Status writeRaw(const char *data, qint64 size);
    Error ioError(const QString &what, int err) const;

    int m_dirFd = -1;
    int m_fd = -1;
    QByteArray m_leaf; // final file name in its directory
    QByteArray m_partLeaf; // leaf + ".part"
    QString m_finalPath;
    QStringList m_createdDirs; // made by create(), outermost first
    Options m_options;
    QByteArray m_buffer;
    qint64 m_resumedSize = 0;
    qint64 m_written = 0;
    bool m_settled = false; // committed or discarded
    mutable int m_errno = 0;
};

} // namespace ll::extract
