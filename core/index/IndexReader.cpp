#include "index/IndexReader.h"

#include "common/PathBytes.h"
#include "common/Sha256.h"
#include "index/LayerIndex.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QIODevice>

namespace ll::index {

namespace {

constexpr int TrailerSize = LayerIndex::TrailerSize;
constexpr qint64 MaxEntries = 50'000'000;

QString tr(const char *text)
{
    return QCoreApplication::translate("ll::index::IndexReader", text);
}

Error corrupt(const QString &why)
{
    return Error(Error::Code::Corrupt, tr("layer index: %1").arg(why));
}

} // namespace

class IndexReader::Stream : public QDataStream
{
public:
    explicit Stream(QIODevice *device) : QDataStream(device) { LayerIndex::setStreamFormat(*this); }
};

IndexReader::~IndexReader() = default;

std::unique_ptr<IndexReader> IndexReader::open(
    std::unique_ptr<QIODevice> device, const QString &expectedDigest, Error *error)
{
    const qint64 size = device->size();
    if (size < 4 + TrailerSize || device->peek(4) != LayerIndex::magic()) {
        *error = corrupt(tr("not an index file"));
        return nullptr;
    }
    // The whole body against the trailer first, in bounded pieces.
    Sha256 sha;
    qint64 left = size - TrailerSize;
    QByteArray buffer;
    while (left > 0) {
        buffer = device->read(qMin<qint64>(left, 1 << 20));
        if (buffer.isEmpty()) {
            *error = corrupt(tr("unreadable"));
            return nullptr;
        }
        sha.addData(buffer);
        left -= buffer.size();
    }
    if (device->read(TrailerSize) != QByteArray::fromHex(sha.hexResult())) {
        *error = corrupt(tr("checksum mismatch (torn or edited file)"));
        return nullptr;
    }
    if (!device->seek(4)) {
        *error = corrupt(tr("unreadable"));
        return nullptr;
    }

    std::unique_ptr<IndexReader> r(new IndexReader);
    r->m_bodyEnd = size - TrailerSize;
    r->m_device = std::move(device);
    r->m_stream = std::make_unique<Stream>(r->m_device.get());
    quint32 version = 0;
    *r->m_stream >> version;
    if (version != LayerIndex::FormatVersion) {
        *error = corrupt(tr("format version %1, this build reads %2").arg(version).arg(LayerIndex::FormatVersion));
        return nullptr;
    }
    *r->m_stream >> r->m_digest >> r->m_blobSize;
    if (r->m_stream->status() != QDataStream::Ok) {
        *error = corrupt(tr("truncated header"));
        return nullptr;
    }
    if (r->m_digest != expectedDigest) {
        *error = corrupt(tr("describes %1, not %2").arg(r->m_digest, expectedDigest));
        return nullptr;
    }
    return r;
}

bool IndexReader::failWith(const QString &why)
{
    m_error = corrupt(why);
    m_done = true;
    return false;
}

bool IndexReader::readCheckpoints()
{
    QDataStream &s = *m_stream;
    random::GzipCheckpoints c;
    quint32 pieceSize = 0, count = 0, pieces = 0;
    s >> c.compressedSize >> c.uncompressedSize >> pieceSize >> count >> pieces;
    c.pieceSize = pieceSize;
    // Each point takes at least 8 + 1 + 8 + 1 + 4 bytes, each piece 8 + 32: counts the file can not hold are lies.
    if (s.status() != QDataStream::Ok || count == 0
        || qint64(count) * 22 + qint64(pieces) * 40 > m_bodyEnd - m_device->pos()
        || (m_blobSize >= 0 && c.compressedSize != m_blobSize) || c.compressedSize <= 0 || c.uncompressedSize < 0)
        return failWith(tr("bad checkpoint list"));
    c.points.resize(qsizetype(count));
    for (quint32 i = 0; i < count; ++i) {
        random::GzipCheckpoint &p = c.points[qsizetype(i)];
        quint8 bits = 0, member = 0;
        s >> p.compressedOffset >> bits >> p.uncompressedOffset >> member;
        // Bound the window by the format and by what the file has left before allocating it.
        quint32 windowSize = 0;
        s >> windowSize;
        if (s.status() != QDataStream::Ok || windowSize > quint32(LayerIndex::MaxWindowBytes)
            || qint64(windowSize) > m_bodyEnd - m_device->pos())
            return failWith(tr("bad checkpoint %1").arg(i));
        p.window.resize(int(windowSize));
        if (s.readRawData(p.window.data(), int(windowSize)) != int(windowSize))
            return failWith(tr("truncated checkpoint %1").arg(i));
        p.bits = bits;
        p.memberStart = member != 0;
    }
    c.pieces.resize(qsizetype(pieces));
    for (random::GzipPiece &piece : c.pieces) {
        s >> piece.outEnd;
        piece.sha256.resize(32);
        if (s.readRawData(piece.sha256.data(), 32) != 32)
            return failWith(tr("truncated piece list"));
    }
    if (s.status() != QDataStream::Ok || m_device->pos() > m_bodyEnd)
        return failWith(tr("truncated checkpoint list"));
    if (const QString why = c.validate(); !why.isEmpty())
        return failWith(tr("bad checkpoints: %1").arg(why));
    m_checkpoints = std::move(c);
    return true;
}

bool IndexReader::readFrames()
{
    QDataStream &s = *m_stream;
    random::ZstdFrames f;
    quint32 count = 0;
    s >> f.compressedSize >> f.uncompressedSize >> count;
    // Each point takes 8 + 8 + 32 bytes: a count the file can not hold is a lie.
    if (s.status() != QDataStream::Ok || count < 2 || qint64(count) * 48 > m_bodyEnd - m_device->pos()
        || (m_blobSize >= 0 && f.compressedSize != m_blobSize) || f.compressedSize <= 0 || f.uncompressedSize < 0
        || !m_frames.isEmpty())
        return failWith(tr("bad frame list"));
    f.points.resize(qsizetype(count));
    for (quint32 i = 0; i < count; ++i) {
        random::ZstdFrame &p = f.points[qsizetype(i)];
        p.spanSha256.resize(32);
        s >> p.compressedOffset >> p.uncompressedOffset;
        if (s.status() != QDataStream::Ok || s.readRawData(p.spanSha256.data(), 32) != 32)
            return failWith(tr("truncated frame %1").arg(i));
        const random::ZstdFrame *prev = i > 0 ? &f.points[qsizetype(i) - 1] : nullptr;
        const bool ordered = prev
            ? p.compressedOffset > prev->compressedOffset && p.uncompressedOffset > prev->uncompressedOffset
            : p.compressedOffset == 0 && p.uncompressedOffset == 0;
        // The last may start empty frames only (pzstd ends with one): uncompressedOffset == uncompressedSize.
        if (m_device->pos() > m_bodyEnd || !ordered || p.compressedOffset >= f.compressedSize
            || p.uncompressedOffset > f.uncompressedSize)
            return failWith(tr("bad frame %1").arg(i));
    }
    m_frames = std::move(f);
    return true;
}

bool IndexReader::next(stream::TarEntry *entry)
{
    if (m_done)
        return false;
    QDataStream &s = *m_stream;
    for (;;) {
        quint8 tag = 0;
        s >> tag;
        if (s.status() != QDataStream::Ok || m_device->pos() > m_bodyEnd)
            return failWith(tr("truncated"));
        if (tag == 0) {
            m_done = true;
            if (m_device->pos() != m_bodyEnd)
                return failWith(tr("trailing data"));
            return false;
        }
        if (tag == 2) {
            s >> m_compression;
            continue;
        }
        if (tag == 4) {
            if (!readCheckpoints())
                return false;
            continue;
        }
        if (tag == 5) {
            if (!readFrames())
                return false;
            continue;
        }
        if (tag != 1 || ++m_count > MaxEntries)
            return failWith(tr("unexpected record"));
        stream::TarEntry e;
        quint8 type = 0;
        // Names are their raw bytes on disk (mostly ASCII: half the size of UTF-16), decoded losslessly.
        QByteArray path, uname, gname, link;
        quint32 regions = 0;
        s >> path >> type >> e.size >> e.mode >> e.uid >> e.gid >> uname >> gname >> e.mtime >> link >> e.devMajor
            >> e.devMinor >> e.headerOffset >> e.dataOffset >> e.compressedEnd >> regions;
        if (s.status() != QDataStream::Ok || m_device->pos() > m_bodyEnd
            || type > quint8(stream::TarEntry::Type::Other))
            return failWith(tr("truncated entry"));
        if (regions > LayerIndex::MaxSparseRegions || qint64(regions) * 16 > m_bodyEnd - m_device->pos())
            return failWith(tr("bad sparse map"));
        e.sparse.resize(qsizetype(regions));
        for (stream::TarEntry::SparseRegion &r : e.sparse)
            s >> r.offset >> r.length;
        if (s.status() != QDataStream::Ok || m_device->pos() > m_bodyEnd)
            return failWith(tr("truncated entry"));
        e.path = PathBytes::decode(path);
        e.uname = PathBytes::decode(uname);
        e.gname = PathBytes::decode(gname);
        e.linkTarget = PathBytes::decode(link);
        e.type = stream::TarEntry::Type(type);
        *entry = std::move(e);
        return true;
    }
}

} // namespace ll::index
