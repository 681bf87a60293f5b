#include "extract/SafeWriter.h"

#include "common/Logging.h"
#include "common/PathBytes.h"
#include "extract/DiskFull.h"
#include "fs/PathSanitizer.h"

#include <QDir>
#include <QFile>

#include <QCryptographicHash>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace ll::extract {

namespace {

constexpr int MaxNameLength = 255; // NAME_MAX on Linux file systems

Error unsafe(QStringView path, const QString &why)
{
    return Error(Error::Code::UnsafePath, QStringLiteral("Unsafe path: %1").arg(path.toString()), why);
}

Error ioError(const QString &what, QStringView path, int err)
{
    return Error(Error::Code::Io,
        QStringLiteral("%1 %2: %3").arg(what, path.toString(), QString::fromLocal8Bit(std::strerror(err))));
}

void closeFd(int &fd)
{
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

/** Sets mtime (atime: now) on dirFd/name without following a symlink, or on fd when name is null. */
int setMtime(int fd, const char *name, qint64 mtime)
{
    if (mtime == SafeWriter::KeepMtime)
        return 0;
    struct timespec ts[2];
    ts[0].tv_sec = 0;
    ts[0].tv_nsec = UTIME_NOW;
    ts[1].tv_sec = time_t(mtime);
    ts[1].tv_nsec = 0;
    if (!name)
        return ::futimens(fd, ts);
    return ::utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW);
}

} // namespace

// ---------------------------------------------------------------- FileHandle

SafeWriter::FileHandle::FileHandle(FileHandle &&other) noexcept
{
    *this = std::move(other);
}

SafeWriter::FileHandle &SafeWriter::FileHandle::operator=(FileHandle &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_dirFd = std::exchange(other.m_dirFd, -1);
        m_tempName = std::move(other.m_tempName);
        m_name = std::move(other.m_name);
        m_path = std::move(other.m_path);
        m_mode = other.m_mode;
        m_mtime = other.m_mtime;
        m_written = other.m_written;
        m_endsInHole = other.m_endsInHole;
    }
    return *this;
}

SafeWriter::FileHandle::~FileHandle()
{
    close();
}

void SafeWriter::FileHandle::close()
{
    // An uncommitted file: drop the temporary, never leave it (or anything) under the final name.
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
        if (m_dirFd >= 0)
            ::unlinkat(m_dirFd, m_tempName.constData(), 0);
    }
    closeFd(m_dirFd);
}

// ---------------------------------------------------------------- SafeWriter

SafeWriter::SafeWriter(int rootFd, const QString &rootDir, const Options &options)
    : m_rootFd(rootFd), m_rootDir(rootDir), m_options(options)
{ }

SafeWriter::~SafeWriter()
{
    closeFd(m_rootFd);
}

Result<std::unique_ptr<SafeWriter>> SafeWriter::open(const QString &rootDir, const Options &options)
{
    if (rootDir.isEmpty())
        return Error(Error::Code::Usage, QStringLiteral("No output directory given"));
    const QString abs = QDir::cleanPath(QDir(rootDir).absolutePath());
    if (!QDir().mkpath(abs))
        return Error(Error::Code::Io, QStringLiteral("Cannot create the output directory %1").arg(abs));
    const int fd = ::open(PathBytes::encode(abs).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ioError(QStringLiteral("Cannot open the output directory"), abs, errno);
    return std::unique_ptr<SafeWriter>(new SafeWriter(fd, abs, options));
}

Result<QString> SafeWriter::normalize(QStringView path)
{
    return fs::PathSanitizer::safeRelative(path);
}

Error SafeWriter::ioFailure(const QString &what, QStringView path, int err)
{
    if (DiskFull::isDiskFull(err) && m_diskFullErrno == 0)
        m_diskFullErrno = err;
    return ioError(what, path, err);
}

int SafeWriter::createMarked(int dirFd, const QByteArray &temp, const QByteArray &mark, int *err)
{
    // An unnamed file gets its mark first and its name after (linkat fails on an existing name, as O_EXCL
    // does): a run killed at any point leaves no temporary without the mark.
    int fd = ::openat(dirFd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (::fsetxattr(fd, PartMark, mark.constData(), size_t(mark.size()), 0) == 0) {
            const QByteArray proc = "/proc/self/fd/" + QByteArray::number(fd);
            if (::linkat(AT_FDCWD, proc.constData(), dirFd, temp.constData(), AT_SYMLINK_FOLLOW) == 0)
                return fd;
        }
        *err = errno;
        ::close(fd);
        if (*err == EEXIST || DiskFull::isDiskFull(*err))
            return -1;
        // No user xattrs or no /proc here: a plain file below.
    }
    fd = ::openat(dirFd, temp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    // Best effort: without the mark (no user xattrs there) a killed run's file is not recognised later.
    (void)::fsetxattr(fd, PartMark, mark.constData(), size_t(mark.size()), 0);
    return fd;
}

bool SafeWriter::reclaimStale(int dirFd, const QByteArray &temp, const QByteArray &leaf)
{
    // O_NOFOLLOW: a symlink is never ours and never followed; O_NONBLOCK: a fifo does not hang the open.
    const int fd = ::openat(dirFd, temp.constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    char value[300];
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
    const ssize_t n = regular ? ::fgetxattr(fd, PartMark, value, sizeof value) : -1;
    ::close(fd);
    if (n <= 0)
        return false; // not marked (a user's file, or a file system without user xattrs): left alone
    const QByteArray mark(value, int(n));
    const qsizetype space = mark.indexOf(' ');
    bool ok = false;
    const qint64 pid = mark.left(space).toLongLong(&ok);
    if (space < 0 || !ok || pid <= 0 || mark.mid(space + 1) != leaf)
        return false; // another target's temporary
    // Only a dead writer's: a live one (another run into the same directory, or this process) keeps its file.
    if (pid == ::getpid() || pid > std::numeric_limits<pid_t>::max() || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH)
        return false;
    if (::unlinkat(dirFd, temp.constData(), 0) != 0)
        return false;
    qCDebug(llExtract) << "replacing" << PathBytes::decode(temp) << "left by process" << pid;
    return true;
}

quint32 SafeWriter::effectiveMode(quint32 mode, bool directory) const
{
    if (m_options.preservePermissions)
        return mode & 07777;
    return mode & (directory ? 01777 : 0777);
}

Result<int> SafeWriter::openParent(const QString &relPath, bool create, QByteArray *leaf)
{
    const QStringList parts = relPath.split(QLatin1Char('/'));
    *leaf = PathBytes::encode(parts.last());
    if (leaf->size() > MaxNameLength)
        return ioFailure(QStringLiteral("Name too long:"), relPath, ENAMETOOLONG);
    int cur = ::fcntl(m_rootFd, F_DUPFD_CLOEXEC, 0);
    if (cur < 0)
        return ioFailure(QStringLiteral("Cannot open"), m_rootDir, errno);
    QString walked;
    for (int i = 0; i + 1 < parts.size(); ++i) {
        const QByteArray name = PathBytes::encode(parts.at(i));
        walked += (walked.isEmpty() ? QString() : QStringLiteral("/")) + parts.at(i);
        int fd = ::openat(cur, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
            if (::mkdirat(cur, name.constData(), 0755) < 0 && errno != EEXIST) {
                const int err = errno;
                ::close(cur);
                return ioFailure(QStringLiteral("Cannot create directory"), walked, err);
            }
            fd = ::openat(cur, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
            const int err = errno;
            struct stat st;
            const bool isLink = ::fstatat(cur, name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
            ::close(cur);
            if (isLink || err == ELOOP)
                return unsafe(relPath,
                    QStringLiteral("'%1' is a symlink; writing through it could leave the output "
                                   "directory")
                        .arg(walked));
            if (err == ENOTDIR)
                return Error(
                    Error::Code::Io, QStringLiteral("Cannot write %1: '%2' is not a directory").arg(relPath, walked));
            return ioFailure(QStringLiteral("Cannot open directory"), walked, err);
        }
        ::close(cur);
        cur = fd;
    }
    return cur;
}

Status SafeWriter::removeNonDir(int dirFd, const QByteArray &name, const QString &relPath)
{
    if (::unlinkat(dirFd, name.constData(), 0) == 0 || errno == ENOENT)
        return {};
    if (errno == EISDIR)
        return Error(Error::Code::Io, QStringLiteral("Cannot write %1: a directory is in the way").arg(relPath));
    return ioFailure(QStringLiteral("Cannot replace"), relPath, errno);
}

Result<SafeWriter::FileHandle> SafeWriter::beginFile(QStringView relPath, quint32 mode, qint64 mtime)
{
    Result<QString> path = normalize(relPath);
    if (!path)
        return path.error();
    if (*path == QLatin1String("."))
        return unsafe(relPath, QStringLiteral("the output directory itself is not a file"));
    FileHandle h;
    Result<int> dir = openParent(*path, true, &h.m_name);
    if (!dir)
        return dir.error();
    h.m_dirFd = *dir;
    h.m_path = *path;
    h.m_mode = mode;
    h.m_mtime = mtime;
    const QByteArray mark = QByteArray::number(::getpid()) + ' ' + h.m_name;
    // Names too long for a suffix get one made from a hash of the name (the same in every run, so that a
    // later run finds what a killed one left).
    const QByteArray stem = h.m_name.size() + 16 <= MaxNameLength
        ? h.m_name
        : ".ll-part-" + QCryptographicHash::hash(h.m_name, QCryptographicHash::Sha256).toHex().left(32);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const QByteArray temp
            = stem + (attempt == 0 ? QByteArrayLiteral(".part") : '.' + QByteArray::number(attempt) + ".part");
        int fd = -1;
        int err = 0;
        for (int tries = 0; tries < 2 && fd < 0; ++tries) {
            fd = createMarked(h.m_dirFd, temp, mark, &err);
            if (fd < 0 && (err != EEXIST || !reclaimStale(h.m_dirFd, temp, h.m_name)))
                break;
        }
        if (fd >= 0) {
            h.m_fd = fd;
            h.m_tempName = temp;
            return h;
        }
        if (err != EEXIST)
            return ioFailure(QStringLiteral("Cannot create"), *path, err);
        // Something (an archive member called "x.part", this run's earlier copy, a live run's) holds the name.
    }
    return Error(Error::Code::Io, QStringLiteral("Cannot create a temporary file for %1").arg(*path));
}

Status SafeWriter::write(FileHandle &file, const char *data, qint64 size)
{
    if (file.m_fd < 0)
        return Error(Error::Code::Internal, QStringLiteral("write to a closed file"));
    while (size > 0) {
        const ssize_t n = ::write(file.m_fd, data, size_t(qMin<qint64>(size, qint64(1) << 30)));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioFailure(QStringLiteral("Cannot write"), file.m_path, errno);
        }
        data += n;
        size -= n;
        file.m_written += n;
        file.m_endsInHole = false;
    }
    return {};
}

Status SafeWriter::writeHole(FileHandle &file, qint64 size)
{
    if (file.m_fd < 0)
        return Error(Error::Code::Internal, QStringLiteral("write to a closed file"));
    if (size <= 0)
        return {};
    if (::lseek(file.m_fd, off_t(size), SEEK_CUR) < 0)
        return ioFailure(QStringLiteral("Cannot write"), file.m_path, errno);
    file.m_written += size;
    file.m_endsInHole = true;
    return {};
}

Status SafeWriter::commit(FileHandle &file)
{
    Result<PendingFile> sealed = seal(file);
    if (!sealed)
        return sealed.error();
    return commit(*sealed);
}

Result<SafeWriter::PendingFile> SafeWriter::seal(FileHandle &file)
{
    if (file.m_fd < 0)
        return Error(Error::Code::Internal, QStringLiteral("commit of a closed file"));
    Status result;
    if (file.m_endsInHole && ::ftruncate(file.m_fd, off_t(file.m_written)) < 0)
        result = ioFailure(QStringLiteral("Cannot write"), file.m_path, errno);
    else if (::fchmod(file.m_fd, effectiveMode(file.m_mode, false)) < 0
        || setMtime(file.m_fd, nullptr, file.m_mtime) < 0)
        result = ioFailure(QStringLiteral("Cannot set the mode or time of"), file.m_path, errno);
    const int fd = std::exchange(file.m_fd, -1);
    if (::close(fd) < 0 && result)
        result = ioFailure(QStringLiteral("Cannot write"), file.m_path, errno);
    if (!result) {
        ::unlinkat(file.m_dirFd, file.m_tempName.constData(), 0);
        closeFd(file.m_dirFd);
        return result.error();
    }
    closeFd(file.m_dirFd);
    return PendingFile { file.m_path, file.m_tempName };
}

Status SafeWriter::commit(const PendingFile &file)
{
    QByteArray leaf;
    Result<int> dir = openParent(file.path, false, &leaf);
    if (!dir)
        return dir.error();
    int dirFd = *dir;
    Status result;
    // The mark has done its work: the final file does not carry it.
    const int fd = ::openat(dirFd, file.tempName.constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fremovexattr(fd, PartMark);
        ::close(fd);
    }
    if (::renameat(dirFd, file.tempName.constData(), dirFd, leaf.constData()) < 0) {
        if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
            result
                = Error(Error::Code::Io, QStringLiteral("Cannot write %1: a directory is in the way").arg(file.path));
        else
            result = ioFailure(QStringLiteral("Cannot rename into place"), file.path, errno);
        ::unlinkat(dirFd, file.tempName.constData(), 0);
    } else {
        m_written.insert(file.path);
    }
    closeFd(dirFd);
    return result;
}

void SafeWriter::discard(const PendingFile &file)
{
    QByteArray leaf;
    Result<int> dir = openParent(file.path, false, &leaf);
    if (!dir)
        return;
    int dirFd = *dir;
    ::unlinkat(dirFd, file.tempName.constData(), 0);
    closeFd(dirFd);
}

void SafeWriter::discard(FileHandle &file)
{
    file.close();
}

Status SafeWriter::makeDir(QStringView relPath, quint32 mode, qint64 mtime)
{
    Result<QString> path = normalize(relPath);
    if (!path)
        return path.error();
    if (*path == QLatin1String("."))
        return {}; // the output directory itself: never re-moded
    QByteArray leaf;
    Result<int> dir = openParent(*path, true, &leaf);
    if (!dir)
        return dir.error();
    int dirFd = *dir;
    Status result;
    // User-writable while extracting; finish() applies the real mode.
    const mode_t initial = mode_t((effectiveMode(mode, true) | 0700) & 0777);
    if (::mkdirat(dirFd, leaf.constData(), initial) < 0) {
        struct stat st;
        if (errno != EEXIST) {
            result = ioFailure(QStringLiteral("Cannot create directory"), *path, errno);
        } else if (::fstatat(dirFd, leaf.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
            // A file or symlink in the way is replaced (as tar does); a symlink is removed, never followed.
            result = removeNonDir(dirFd, leaf, *path);
            if (result && ::mkdirat(dirFd, leaf.constData(), initial) < 0)
                result = ioFailure(QStringLiteral("Cannot create directory"), *path, errno);
        }
    }
    closeFd(dirFd);
    if (result && !m_dirIndex.contains(*path)) {
        m_dirIndex.insert(*path, int(m_dirs.size()));
        m_dirs.push_back({ *path, mode, mtime });
    }
    if (result)
        m_written.remove(*path);
    return result;
}

Status SafeWriter::makeSymlink(QStringView relPath, const QString &target, qint64 mtime)
{
    Result<QString> path = normalize(relPath);
    if (!path)
        return path.error();
    if (*path == QLatin1String("."))
        return unsafe(relPath, QStringLiteral("the output directory itself cannot be a symlink"));
    if (target.isEmpty() || target.contains(QChar(0)))
        return unsafe(relPath, QStringLiteral("empty or NUL symlink target"));
    QByteArray leaf;
    Result<int> dir = openParent(*path, true, &leaf);
    if (!dir)
        return dir.error();
    int dirFd = *dir;
    const QByteArray linkTarget = PathBytes::encode(target);
    Status result;
    if (::symlinkat(linkTarget.constData(), dirFd, leaf.constData()) < 0) {
        if (errno != EEXIST) {
            result = ioFailure(QStringLiteral("Cannot create symlink"), *path, errno);
        } else {
            result = removeNonDir(dirFd, leaf, *path);
            if (result && ::symlinkat(linkTarget.constData(), dirFd, leaf.constData()) < 0)
                result = ioFailure(QStringLiteral("Cannot create symlink"), *path, errno);
        }
    }
    if (result) {
        setMtime(dirFd, leaf.constData(), mtime); // best effort (some file systems refuse symlink times)
        m_written.insert(*path);
    }
    closeFd(dirFd);
    return result;
}

Status SafeWriter::makeHardlink(QStringView relPath, QStringView targetRelPath)
{
    Result<QString> path = normalize(relPath);
    if (!path)
        return path.error();
    if (*path == QLatin1String("."))
        return unsafe(relPath, QStringLiteral("the output directory itself cannot be a link"));
    Result<QString> target = normalize(targetRelPath);
    if (!target)
        return unsafe(relPath,
            QStringLiteral("hard link target '%1' is outside the output directory").arg(targetRelPath.toString()));
    if (*target == *path || !m_written.contains(*target))
        return unsafe(relPath, QStringLiteral("hard link target '%1' was not extracted").arg(*target));

    QByteArray targetLeaf;
    Result<int> targetDir = openParent(*target, false, &targetLeaf);
    if (!targetDir)
        return targetDir.error();
    int targetFd = *targetDir;
    struct stat st;
    if (::fstatat(targetFd, targetLeaf.constData(), &st, AT_SYMLINK_NOFOLLOW) < 0
        || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
        closeFd(targetFd);
        return unsafe(relPath, QStringLiteral("hard link target '%1' is not an extracted file").arg(*target));
    }
    QByteArray leaf;
    Result<int> dir = openParent(*path, true, &leaf);
    if (!dir) {
        closeFd(targetFd);
        return dir.error();
    }
    int dirFd = *dir;
    Status result;
    // flags 0: a symlink target is linked itself, never followed.
    if (::linkat(targetFd, targetLeaf.constData(), dirFd, leaf.constData(), 0) < 0) {
        if (errno != EEXIST) {
            result = ioFailure(QStringLiteral("Cannot create hard link"), *path, errno);
        } else {
            result = removeNonDir(dirFd, leaf, *path);
            if (result && ::linkat(targetFd, targetLeaf.constData(), dirFd, leaf.constData(), 0) < 0)
                result = ioFailure(QStringLiteral("Cannot create hard link"), *path, errno);
        }
    }
    if (result)
        m_written.insert(*path);
    closeFd(dirFd);
    closeFd(targetFd);
    return result;
}

Status SafeWriter::finish()
{
    std::vector<DirRecord> dirs;
    dirs.swap(m_dirs);
    m_dirIndex.clear();
    // Deepest first: setting a parent read-only or its mtime must come after its children are done.
    std::stable_sort(dirs.begin(), dirs.end(), [](const DirRecord &a, const DirRecord &b) {
        return a.path.count(QLatin1Char('/')) > b.path.count(QLatin1Char('/'));
    });
    Status first;
    for (const DirRecord &d : dirs) {
        QByteArray leaf;
        Result<int> parent = openParent(d.path, false, &leaf);
        if (!parent) {
            if (first)
                first = parent.error();
            continue;
        }
        int parentFd = *parent;
        int fd = ::openat(parentFd, leaf.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        closeFd(parentFd);
        if (fd < 0) {
            if (first)
                first = ioFailure(QStringLiteral("Cannot open directory"), d.path, errno);
            continue;
        }
        if ((::fchmod(fd, effectiveMode(d.mode, true)) < 0 || setMtime(fd, nullptr, d.mtime) < 0) && first)
            first = ioFailure(QStringLiteral("Cannot set the mode or time of"), d.path, errno);
        closeFd(fd);
    }
    return first;
}

} // namespace ll::extract
