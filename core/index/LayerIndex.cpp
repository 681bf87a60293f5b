#include "index/LayerIndex.h"

#include "common/Sha256.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QIODevice>

namespace ll::index {

namespace {

constexpr char Magic[4] = { 'L', 'L', 'I', 'X' };
constexpr int TrailerSize = 32; // raw SHA-256 of everything before it
constexpr int MaxEntries = 50'000'000;

QString tr(const char *text)
{
    return QCoreApplication::translate("ll::index::LayerIndex", text);
}

void setVersion(QDataStream &s)
{
    s.setVersion(QDataStream::Qt_6_0);
    s.setByteOrder(QDataStream::LittleEndian);
}

} // namespace

QByteArray LayerIndex::headerBytes() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setVersion(s);
    s.writeRawData(Magic, 4);
    s << FormatVersion << digest << blobSize;
    return out;
}

QByteArray LayerIndex::endBytes(const QString &compression)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setVersion(s);
    s << quint8(2) << compression << quint8(0); // the compression record, then the end of the records
    return out;
}

QByteArray LayerIndex::entryBytes(const stream::TarEntry &e)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    setVersion(s);
    s << quint8(1) // an entry record (0 ends the list)
      << e.path.toUtf8() << quint8(e.type) << e.size << e.mode << e.uid << e.gid << e.uname.toUtf8() << e.gname.toUtf8()
      << e.mtime << e.linkTarget.toUtf8() << e.devMajor << e.devMinor << e.headerOffset << e.dataOffset
      << e.compressedEnd;
    return out;
}

QByteArray LayerIndex::toBytes() const
{
    QByteArray out = headerBytes();
    for (const stream::TarEntry &e : entries)
        out += entryBytes(e);
    out += endBytes(compression);
    Sha256 sha;
    sha.addData(out);
    out += QByteArray::fromHex(sha.hexResult());
    return out;
}

Result<LayerIndex> LayerIndex::fromBytes(const QByteArray &bytes, const QString &expectedDigest)
{
    auto bad = [](const QString &why) { return Error(Error::Code::Corrupt, tr("layer index: %1").arg(why)); };
    if (bytes.size() < 4 + TrailerSize || !bytes.startsWith(QByteArray(Magic, 4)))
        return bad(tr("not an index file"));
    const QByteArray body = bytes.left(bytes.size() - TrailerSize);
    Sha256 sha;
    sha.addData(body);
    if (QByteArray::fromHex(sha.hexResult()) != bytes.right(TrailerSize))
        return bad(tr("checksum mismatch (torn or edited file)"));

    QDataStream s(body);
    setVersion(s);
    s.skipRawData(4);
    quint32 version = 0;
    LayerIndex index;
    s >> version;
    if (version != FormatVersion)
        return bad(tr("format version %1, this build reads %2").arg(version).arg(FormatVersion));
    s >> index.digest >> index.blobSize;
    if (index.digest != expectedDigest)
        return bad(tr("describes %1, not %2").arg(index.digest, expectedDigest));
    for (;;) {
        quint8 tag = 0;
        s >> tag;
        if (s.status() != QDataStream::Ok)
            return bad(tr("truncated"));
        if (tag == 0)
            break;
        if (tag == 2) {
            s >> index.compression;
            continue;
        }
        if (tag != 1 || index.entries.size() >= MaxEntries)
            return bad(tr("unexpected record"));
        stream::TarEntry e;
        quint8 type = 0;
        QByteArray path, uname, gname, link; // UTF-8 on disk: names are mostly ASCII, half the size of UTF-16
        s >> path >> type >> e.size >> e.mode >> e.uid >> e.gid >> uname >> gname >> e.mtime >> link >> e.devMajor
            >> e.devMinor >> e.headerOffset >> e.dataOffset >> e.compressedEnd;
        if (s.status() != QDataStream::Ok || type > quint8(stream::TarEntry::Type::Other))
            return bad(tr("truncated entry"));
        e.path = QString::fromUtf8(path);
        e.uname = QString::fromUtf8(uname);
        e.gname = QString::fromUtf8(gname);
        e.linkTarget = QString::fromUtf8(link);
        e.type = stream::TarEntry::Type(type);
        index.entries.append(std::move(e));
    }
    if (!s.atEnd())
        return bad(tr("trailing data"));
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
