#include "extract/AtomicFileWriter.h"

#include "common/Logging.h"
#include "common/PathBytes.h"
#include "fs/PathSanitizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ll::extract {

namespace {

constexpr qint64 BufferSize = 1 << 20;
constexpr qint64 DirectWrite = 64 * 1024; // with an empty buffer, chunks this big skip the copy

QString tr(const char *text)
{
    return QCoreApplication::translate("AtomicFileWriter", text);
}

int retryOpenAt(int dirFd, const char *name, int flags, mode_t mode = 0)
{
    int fd;
    do {
        fd = ::openat(dirFd, name, flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

} // namespace

Error AtomicFileWriter::ioError(const QString &what, int err) const
{
    m_errno = err;
    return Error(Error::Code::Io, tr("%1 %2: %3").arg(what, m_finalPath, QString::fromLocal8Bit(std::strerror(err))));
}

Result<QString> AtomicFileWriter::targetPath(const QString &rootDir, const QString &relPath)
{
    Result<QString> rel = fs::PathSanitizer::safeRelative(relPath);
    if (!rel)
        return rel.error();
    if (*rel == QLatin1String("."))
        return Error(Error::Code::UnsafePath, tr("\"%1\" names the output directory itself").arg(relPath));
    return fs::PathSanitizer::resolveInside(rootDir, *rel);
}

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::create(
    const QString &rootDir, const QString &relPath, const Options &options)
{
    Result<QString> rel = fs::PathSanitizer::safeRelative(relPath);
    if (!rel)
        return rel.error();
    Result<QString> target = targetPath(rootDir, relPath);
    if (!target)
        return target.error();

    std::unique_ptr<AtomicFileWriter> w(new AtomicFileWriter);
    w->m_options = options;
    w->m_finalPath = *target;

    const QString root = QDir::cleanPath(QDir(rootDir).absolutePath());
    if (!QDir().mkpath(root))
        return Error(Error::Code::Io, tr("cannot create the output directory %1").arg(root));
    int dirFd = retryOpenAt(AT_FDCWD, PathBytes::encode(root).constData(), O_RDONLY | O_DIRECTORY);
    if (dirFd < 0)
        return w->ioError(tr("cannot open the output directory for"), errno);

    const QStringList parts = rel->split(QLatin1Char('/'));
    for (int i = 0; i + 1 < parts.size(); ++i) {
        const QByteArray name = PathBytes::encode(parts[i]);
        if (::mkdirat(dirFd, name.constData(), 0755) == 0) {
            w->m_createdDirs.append(root + QLatin1Char('/') + parts.mid(0, i + 1).join(QLatin1Char('/')));
        } else if (errno != EEXIST) {
            const int err = errno;
            ::close(dirFd);
            w->discard();
            return w->ioError(tr("cannot create a directory for"), err);
        }
        const int next = retryOpenAt(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        const int err = errno;
        ::close(dirFd);
        if (next < 0) {
            if (err == ELOOP || err == ENOTDIR)
                return Error(Error::Code::UnsafePath,
                    tr("refusing to write %1: \"%2\" is a symlink or not a directory")
                        .arg(w->m_finalPath, parts.mid(0, i + 1).join(QLatin1Char('/'))));
            return w->ioError(tr("cannot open a directory for"), err);
        }
        dirFd = next;
    }
    w->m_dirFd = dirFd;
    w->m_leaf = PathBytes::encode(parts.last());
    w->m_partLeaf = w->m_leaf + ".part";

    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW;
    flags |= options.resume ? O_APPEND : O_TRUNC;
    w->m_fd = retryOpenAt(dirFd, w->m_partLeaf.constData(), flags, options.mode & 0777);
    if (w->m_fd < 0)
        return w->ioError(errno == ELOOP ? tr("refusing to write through a symlink:") : tr("cannot create"), errno);
    struct stat st;
    if (::fstat(w->m_fd, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            ::close(w->m_fd);
            w->m_fd = -1;
            return Error(Error::Code::UnsafePath, tr("%1 is not a regular file").arg(w->partPath()));
        }
        w->m_resumedSize = options.resume ? qint64(st.st_size) : 0;
    }
    return w;
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (!m_settled) {
        if (m_options.keepPart)
            (void)close();
        else
            discard();
    }
    if (m_dirFd >= 0)
        ::close(m_dirFd);
}

Status AtomicFileWriter::writeRaw(const char *data, qint64 size)
{
    while (size > 0) {
        const ssize_t n = ::write(m_fd, data, size_t(size));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(tr("cannot write"), errno);
        }
        data += n;
        size -= n;
        m_written += n;
    }
    return {};
}

Status AtomicFileWriter::write(const char *data, qint64 size)
{
    if (m_fd < 0)
        return Error(Error::Code::Internal, tr("write to a closed file %1").arg(m_finalPath));
    if (m_buffer.isEmpty() && size >= DirectWrite)
        return writeRaw(data, size);
    if (m_buffer.capacity() < BufferSize)
        m_buffer.reserve(BufferSize);
    if (m_buffer.size() + size > BufferSize) {
        const Status s = flush();
        if (!s)
            return s;
        if (size >= DirectWrite)
            return writeRaw(data, size);
    }
    m_buffer.append(data, size);
    return {};
}

Status AtomicFileWriter::flush()
{
    if (m_buffer.isEmpty() || m_fd < 0)
        return {};
    const Status s = writeRaw(m_buffer.constData(), m_buffer.size());
    m_buffer.resize(0); // keeps the capacity
    return s;
}

Status AtomicFileWriter::close()
{
    if (m_fd < 0)
        return {};
    const Status s = flush();
    ::close(m_fd);
    m_fd = -1;
    return s;
}

Status AtomicFileWriter::commit()
{
    if (m_fd < 0 && m_settled)
        return Error(Error::Code::Internal, tr("commit of a discarded file %1").arg(m_finalPath));
    Status s = flush();
    if (s && m_fd >= 0 && ::fchmod(m_fd, m_options.mode & 0777) < 0) // the umask narrowed the mode at creation
        s = ioError(tr("cannot set the mode of"), errno);
    if (s)
        s = close();
    if (!s) {
        discard();
        return s;
    }
    if (::renameat(m_dirFd, m_partLeaf.constData(), m_dirFd, m_leaf.constData()) < 0) {
        const Error e = ioError(tr("cannot rename to"), errno);
        discard();
        return e;
    }
    m_settled = true;
    return {};
}

void AtomicFileWriter::discard()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_buffer.clear();
    if (m_dirFd >= 0 && !m_settled && !m_partLeaf.isEmpty()) {
        if (::unlinkat(m_dirFd, m_partLeaf.constData(), 0) == 0)
            qCDebug(llExtract) << "removed" << partPath();
    }
    if (!m_settled) {
        // The directories this writer made for the file, deepest first, if nothing else went into them since.
        for (auto it = m_createdDirs.crbegin(); it != m_createdDirs.crend(); ++it) {
            if (::rmdir(PathBytes::encode(*it).constData()) != 0)
                break;
        }
    }
    m_settled = true;
}

} // namespace ll::extract
