#include "index/IndexStore.h"

#include "common/Logging.h"
#include "common/Sha256.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ll::index {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ll::index::IndexStore", text);
}

constexpr qint64 MaxIndexFile = qint64(1) << 30;

} // namespace

IndexStore IndexStore::fromEnvironment()
{
    const QByteArray env = qgetenv("LL_INDEX_DIR");
    if (env == "off")
        return IndexStore();
    if (!env.isEmpty())
        return IndexStore(QString::fromLocal8Bit(env));
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        return IndexStore();
    return IndexStore(cache + QStringLiteral("/layerslayer/index"));
}

bool IndexStore::isSafeDigest(const QString &digest)
{
    // Only well-formed sha256 digests name files: nothing else ever reaches the file system.
    return Sha256::isValidDigest(digest);
}

QString IndexStore::pathFor(const QString &digest) const
{
    if (!isEnabled() || !isSafeDigest(digest))
        return {};
    return m_dir + QLatin1Char('/') + QString(digest).replace(QLatin1Char(':'), QLatin1Char('-'))
        + QStringLiteral(".idx");
}

QStringList IndexStore::digests() const
{
    QStringList out;
    if (!isEnabled())
        return out;
    const QStringList names = QDir(m_dir).entryList({ QStringLiteral("sha256-*.idx") }, QDir::Files);
    for (const QString &n : names) {
        QString digest = n.chopped(4); // ".idx"
        digest[6] = QLatin1Char(':');
        if (isSafeDigest(digest))
            out << digest;
    }
    return out;
}

std::unique_ptr<IndexReader> IndexStore::open(const QString &digest) const
{
    const QString path = pathFor(digest);
    if (path.isEmpty())
        return nullptr;
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return nullptr; // not kept (the usual case)
    if (file->size() > MaxIndexFile) {
        qCWarning(llIndex) << "ignoring oversized index" << path;
        return nullptr;
    }
    Error error;
    std::unique_ptr<IndexReader> reader = IndexReader::open(std::move(file), digest, &error);
    if (!reader) {
        qCWarning(llIndex).noquote() << path << ":" << error.message << "; removed";
        QFile::remove(path);
        return nullptr;
    }
    ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), nullptr, 0); // recently used: pruned last
    qCDebug(llIndex) << "index hit" << digest;
    return reader;
}

std::optional<LayerIndex> IndexStore::load(const QString &digest) const
{
    std::unique_ptr<IndexReader> reader = open(digest);
    if (!reader)
        return std::nullopt;
    Result<LayerIndex> index = LayerIndex::fromReader(*reader);
    if (!index) {
        qCWarning(llIndex).noquote() << index.error().message;
        return std::nullopt;
    }
    return std::move(*index);
}

std::optional<stream::TarEntry> IndexStore::find(
    const QString &digest, const QString &path, random::GzipCheckpoints *checkpoints, random::ZstdFrames *frames) const
{
    std::unique_ptr<IndexReader> reader = open(digest);
    if (!reader)
        return std::nullopt;
    std::optional<stream::TarEntry> found;
    stream::TarEntry e;
    while (reader->next(&e)) {
        if (e.path == path)
            found = e; // a later copy in the same archive wins
    }
    if (reader->error().isError())
        return std::nullopt;
    if (checkpoints)
        *checkpoints = reader->takeCheckpoints();
    if (frames)
        *frames = reader->takeFrames();
    return found;
}

void IndexStore::remove(const QString &digest) const
{
    const QString path = pathFor(digest);
    if (!path.isEmpty() && QFile::remove(path))
        qCWarning(llIndex).noquote() << "removed the layer index of" << digest;
}

Status IndexStore::save(const LayerIndex &index) const
{
    std::unique_ptr<IndexWriter> w = writer(index.digest, index.blobSize);
    if (!w)
        return Error(Error::Code::Io, tr("no index directory"));
    for (const stream::TarEntry &e : index.entries)
        w->add(e);
    w->setCheckpoints(index.checkpoints);
    w->setFrames(index.frames);
    return w->commit(index.compression);
}

std::unique_ptr<IndexWriter> IndexStore::writer(const QString &digest, qint64 blobSize) const
{
    const QString path = pathFor(digest);
    if (path.isEmpty())
        return nullptr;
    if (!QDir().mkpath(m_dir)) {
        qCWarning(llIndex) << "cannot create" << m_dir;
        return nullptr;
    }
    ::chmod(QFile::encodeName(m_dir).constData(), 0700);
    LayerIndex header;
    header.digest = digest;
    header.blobSize = blobSize;
    auto w = std::make_unique<IndexWriter>(path, header, this);
    if (!w->isOpen())
        return nullptr;
    return w;
}

void IndexStore::prune(const QString &keep) const
{
    if (!isEnabled())
        return;
    const QFileInfoList files = QDir(m_dir).entryInfoList(
        { QStringLiteral("*.idx"), QStringLiteral("*.idx.tmp-*") }, QDir::Files | QDir::Hidden);
    const QDateTime staleBefore = QDateTime::currentDateTimeUtc().addDays(-1);
    std::vector<QFileInfo> indexes;
    qint64 total = 0;
    for (const QFileInfo &f : files) {
        if (f.fileName().contains(QLatin1String(".tmp-"))) {
            if (f.lastModified() < staleBefore)
                QFile::remove(f.filePath()); // a writer that died
            continue;
        }
        indexes.push_back(f);
        total += f.size();
    }
    if (total <= m_limit)
        return;
    std::sort(indexes.begin(), indexes.end(),
        [](const QFileInfo &a, const QFileInfo &b) { return a.lastModified() < b.lastModified(); });
    const qint64 target = m_limit / 10 * 8;
    for (const QFileInfo &f : indexes) {
        if (total <= target)
            break;
        if (f.filePath() == keep)
            continue;
        if (QFile::remove(f.filePath())) {
            total -= f.size();
            qCDebug(llIndex) << "pruned" << f.fileName();
        }
    }
}

class IndexWriter::Private
{
public:
    std::optional<IndexStore> store; // a copy: the writer may outlive the caller's store
    QString finalPath;
    QString tempPath;
    int fd = -1;
    Sha256 sha;
    QByteArray buffer;
    bool failed = false;
    int error = 0; // errno of the first failure (creating, writing, closing, renaming)
    qint64 blobSize = -1;
    stream::TarEntry pending; // entrySeen(): waiting for the next header
    bool hasPending = false;
    random::GzipCheckpoints checkpoints;
    random::ZstdFrames frames;

    void append(const QByteArray &bytes)
    {
        sha.addData(bytes);
        buffer += bytes;
        if (buffer.size() >= (1 << 20))
            flush();
    }

    void flush()
    {
        const char *p = buffer.constData();
        qint64 left = buffer.size();
        while (left > 0 && !failed) {
            const ssize_t n = ::write(fd, p, size_t(left));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                failed = true;
                error = n < 0 ? errno : ENOSPC; // write() returning 0 for a non-empty buffer: nothing fits
                break;
            }
            p += n;
            left -= n;
        }
        buffer.resize(0);
    }

    void closeAndRemove()
    {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
            ::unlink(QFile::encodeName(tempPath).constData());
        }
    }
};

IndexWriter::IndexWriter(const QString &finalPath, const LayerIndex &header, const IndexStore *store)
    : d(std::make_unique<Private>())
{
    if (store)
        d->store = *store;
    d->finalPath = finalPath;
    QByteArray templ = QFile::encodeName(finalPath) + ".tmp-XXXXXX";
    d->fd = ::mkstemp(templ.data()); // 0600
    if (d->fd < 0) {
        d->error = errno;
        qCWarning(llIndex) << "cannot write an index next to" << finalPath << ":" << std::strerror(d->error);
        return;
    }
    d->tempPath = QFile::decodeName(templ);
    d->blobSize = header.blobSize;
    d->append(header.headerBytes());
}

IndexWriter::~IndexWriter()
{
    discard();
}

bool IndexWriter::isOpen() const
{
    return d->fd >= 0;
}

void IndexWriter::add(const stream::TarEntry &entry)
{
    if (d->fd >= 0)
        d->append(LayerIndex::entryBytes(entry));
}

void IndexWriter::entrySeen(const stream::TarEntry &entry, qint64 feedEnd)
{
    if (d->hasPending) {
        d->pending.compressedEnd = feedEnd;
        add(d->pending);
    }
    d->pending = entry;
    d->hasPending = true;
}

Status IndexWriter::commit(const QString &compression)
{
    if (d->fd < 0)
        return Error(Error::Code::Io,
            tr("cannot write the layer index %1: %2")
                .arg(d->finalPath,
                    d->error ? QString::fromLocal8Bit(std::strerror(d->error)) : tr("it was not opened")));
    if (d->hasPending) {
        d->pending.compressedEnd = d->blobSize; // the last entry ends with the input
        add(d->pending);
        d->hasPending = false;
    }
    d->append(LayerIndex::endBytes(compression, d->checkpoints, d->frames));
    const QByteArray trailer = QByteArray::fromHex(d->sha.hexResult());
    d->buffer += trailer;
    d->flush();
    if (::close(d->fd) != 0 && !d->failed) {
        d->failed = true;
        d->error = errno;
    }
    d->fd = -1;
    const QByteArray temp = QFile::encodeName(d->tempPath);
    if (!d->failed && ::rename(temp.constData(), QFile::encodeName(d->finalPath).constData()) != 0) {
        d->failed = true;
        d->error = errno;
    }
    if (d->failed) {
        // The errno of the first failure (a full disk shows as such, not as whatever a later call left).
        ::unlink(temp.constData());
        return Error(Error::Code::Io,
            tr("cannot write the layer index %1: %2")
                .arg(d->finalPath, QString::fromLocal8Bit(std::strerror(d->error ? d->error : EIO))));
    }
    qCDebug(llIndex) << "index kept" << d->finalPath;
    if (d->store)
        d->store->prune(d->finalPath);
    return {};
}

void IndexWriter::setCheckpoints(random::GzipCheckpoints checkpoints)
{
    d->checkpoints = std::move(checkpoints);
}

void IndexWriter::setFrames(random::ZstdFrames frames)
{
    d->frames = std::move(frames);
}

void IndexWriter::discard()
{
    d->closeAndRemove();
}

} // namespace ll::index
