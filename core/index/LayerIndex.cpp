#include "index/LayerIndex.h"

#include "common/PathBytes.h"
#include "common/Sha256.h"
#include "index/IndexReader.h"

#include <QBuffer>
#include <QDataStream>
#include <QIODevice>

namespace ll::index {

void LayerIndex::setStreamFormat(QDataStream &stream)
{
    stream.setVersion(QDataStream::Qt_6_0);
    stream.setByteOrder(QDataStream::LittleEndian);
}

QByteArray LayerIndex::headerBytes() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setStreamFormat(s);
    s.writeRawData(magic().constData(), 4);
    s << FormatVersion << digest << blobSize;
    return out;
}

QByteArray LayerIndex::endBytes(
    const QString &compression, const random::GzipCheckpoints &checkpoints, const random::ZstdFrames &frames)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setStreamFormat(s);
    if (!checkpoints.isEmpty()) {
        s << quint8(4) << checkpoints.compressedSize << checkpoints.uncompressedSize << quint32(checkpoints.pieceSize)
          << quint32(checkpoints.points.size()) << quint32(checkpoints.pieces.size());
        for (const random::GzipCheckpoint &p : checkpoints.points) {
            s << p.compressedOffset << quint8(p.bits) << p.uncompressedOffset << quint8(p.memberStart ? 1 : 0)
              << quint32(p.window.size());
            s.writeRawData(p.window.constData(), int(p.window.size()));
        }
        for (const random::GzipPiece &piece : checkpoints.pieces) {
            s << piece.outEnd;
            s.writeRawData(piece.sha256.leftJustified(32, '\0', true).constData(), 32);
        }
    }
    if (!frames.isEmpty()) {
        s << quint8(5) << frames.compressedSize << frames.uncompressedSize << quint32(frames.points.size());
        for (const random::ZstdFrame &f : frames.points) {
            s << f.compressedOffset << f.uncompressedOffset;
            s.writeRawData(f.spanSha256.leftJustified(32, '\0', true).constData(), 32);
        }
    }
    s << quint8(2) << compression << quint8(0); // the compression record, then the end of the records
    return out;
}

QByteArray LayerIndex::entryBytes(const stream::TarEntry &e)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setStreamFormat(s);
    s << quint8(1) // an entry record (0 ends the list)
      << PathBytes::encode(e.path) << quint8(e.type) << e.size << e.mode << e.uid << e.gid << PathBytes::encode(e.uname)
      << PathBytes::encode(e.gname) << e.mtime << PathBytes::encode(e.linkTarget) << e.devMajor << e.devMinor
      << e.headerOffset << e.dataOffset << e.compressedEnd << quint32(e.sparse.size());
    for (const stream::TarEntry::SparseRegion &r : e.sparse)
        s << r.offset << r.length;
    return out;
}

QByteArray LayerIndex::toBytes() const
{
    QByteArray out = headerBytes();
    for (const stream::TarEntry &e : entries)
        out += entryBytes(e);
    out += endBytes(compression, checkpoints, frames);
    Sha256 sha;
    sha.addData(out);
    out += QByteArray::fromHex(sha.hexResult());
    return out;
}

Result<LayerIndex> LayerIndex::fromBytes(const QByteArray &bytes, const QString &expectedDigest)
{
    auto buffer = std::make_unique<QBuffer>();
    buffer->setData(bytes);
    buffer->open(QIODevice::ReadOnly);
    Error error;
    std::unique_ptr<IndexReader> reader = IndexReader::open(std::move(buffer), expectedDigest, &error);
    if (!reader)
        return error;
    return fromReader(*reader);
}

Result<LayerIndex> LayerIndex::fromReader(IndexReader &reader)
{
    LayerIndex index;
    index.digest = reader.digest();
    index.blobSize = reader.blobSize();
    stream::TarEntry e;
    while (reader.next(&e))
        index.entries.append(std::move(e));
    if (reader.error().isError())
        return reader.error();
    index.compression = reader.compression();
    index.checkpoints = reader.takeCheckpoints();
    index.frames = reader.takeFrames();
    return index;
}

const stream::TarEntry *LayerIndex::find(const QString &path) const
{
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (it->path == path)
            return &*it;
    }
    return nullptr;
}

} // namespace ll::index
