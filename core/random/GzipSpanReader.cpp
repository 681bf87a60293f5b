#include "random/GzipSpanReader.h"

#include "common/Logging.h"
#include "common/Sha256.h"

#include <zlib.h>

namespace ll::random {

namespace {
constexpr qint64 OutputSize = 256 * 1024;
}

GzipSpanReader::GzipSpanReader(const GzipCheckpoints &checkpoints, int first)
    : m_points(checkpoints)
    , m_first(first)
    , m_piece(checkpoints.pieceAt(checkpoints.points.at(first).spanStart()))
    , m_zs(std::make_unique<z_stream_s>())
    , m_out(std::make_unique<unsigned char[]>(OutputSize))
{
    m_outPos = checkpoints.points.at(first).uncompressedOffset;
}

GzipSpanReader::~GzipSpanReader()
{
    if (m_initialized)
        inflateEnd(m_zs.get());
}

bool GzipSpanReader::deliver(const char *data, qint64 size)
{
    const qint64 skip = qBound<qint64>(0, m_outputStart - m_outPos, size);
    m_outPos += size;
    if (skip == size)
        return true;
    return emitOutput(data + skip, size - skip);
}

qint64 GzipSpanReader::compressedStart() const
{
    return m_points.pieceStart(m_points.pieceAt(m_points.points.at(m_first).spanStart()));
}

qint64 GzipSpanReader::uncompressedStart() const
{
    return m_points.points.at(m_first).uncompressedOffset;
}

Status GzipSpanReader::feed(const char *data, qint64 size)
{
    if (m_error)
        return m_error;
    m_totalIn += qMax<qint64>(0, size);
    while (size > 0 && !m_stopped) {
        if (m_piece >= m_points.pieces.size()) {
            m_error = Error(Error::Code::Corrupt, QStringLiteral("more bytes than the indexed blob holds"));
            return m_error;
        }
        const qint64 need = m_points.pieceEnd(m_piece) - m_points.pieceStart(m_piece) - m_buffer.size();
        const qint64 n = qMin(need, size);
        m_buffer.append(data, int(n));
        data += n;
        size -= n;
        if (n == need) {
            if (const Status s = takePiece(); !s)
                return s;
        }
    }
    return {};
}

Status GzipSpanReader::finish()
{
    if (m_error)
        return m_error;
    if (!m_buffer.isEmpty() && !m_stopped) {
        m_error = Error(Error::Code::Corrupt,
            QStringLiteral("the read ended inside piece %1 (%2 of %3 bytes)")
                .arg(m_piece)
                .arg(m_buffer.size())
                .arg(m_points.pieceEnd(m_piece) - m_points.pieceStart(m_piece)));
        return m_error;
    }
    return {};
}

Status GzipSpanReader::takePiece()
{
    const GzipPiece &piece = m_points.pieces.at(m_piece);
    Sha256 sha;
    sha.addData(m_buffer);
    const QByteArray actual = QByteArray::fromHex(sha.hexResult());
    if (actual != piece.sha256) {
        m_error = Error(Error::Code::DigestMismatch,
            QStringLiteral("compressed bytes %1-%2 do not match the layer index (piece %3)")
                .arg(m_points.pieceStart(m_piece))
                .arg(m_points.pieceEnd(m_piece))
                .arg(m_piece),
            QStringLiteral("expected sha256 %1, got %2")
                .arg(QString::fromLatin1(piece.sha256.toHex()), QString::fromLatin1(actual.toHex())));
        qCWarning(llRandom).noquote() << m_error.toString();
        return m_error;
    }
    ++m_verified;
    const QByteArray bytes = std::move(m_buffer);
    m_buffer = QByteArray();
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    qint64 size = bytes.size();
    if (!m_initialized) {
        // The first piece: inflate starts at the checkpoint, somewhere inside it.
        const GzipCheckpoint &p = m_points.points.at(m_first);
        const qint64 skip = p.spanStart() - m_points.pieceStart(m_piece);
        if (skip < 0 || skip >= size) {
            m_error = Error(
                Error::Code::Corrupt, QStringLiteral("checkpoint %1 is not in piece %2").arg(m_first).arg(m_piece));
            return m_error;
        }
        data += skip;
        size -= skip;
        if (const Status s = start(data); !s)
            return s;
        if (p.bits) { // the boundary's byte was primed: inflate goes on after it
            ++data;
            --size;
        }
    }
    ++m_piece;
    return inflateBytes(data, size);
}

Status GzipSpanReader::start(const unsigned char *data)
{
    const GzipCheckpoint &p = m_points.points.at(m_first);
    z_stream *zs = m_zs.get();
    *zs = z_stream {};
    m_rawMode = !p.memberStart;
    if (inflateInit2(zs, m_rawMode ? -15 : 15 + 16) != Z_OK) {
        m_error = Error(Error::Code::Internal, QStringLiteral("zlib inflateInit2 failed"));
        return m_error;
    }
    m_initialized = true;
    if (!m_rawMode)
        return {};
    // zran: the boundary's leftover bits first, then the window back-references may reach into (the bytes nothing
    // copies were zeroed when the index was made: they never reach the output).
    if (p.bits && inflatePrime(zs, p.bits, data[0] >> (8 - p.bits)) != Z_OK) {
        m_error = Error(Error::Code::Corrupt, QStringLiteral("cannot prime inflate at checkpoint %1").arg(m_first));
        return m_error;
    }
    QByteArray window(32 * 1024, Qt::Uninitialized);
    uLongf length = uLongf(window.size());
    if (!p.window.isEmpty()
        && (uncompress(reinterpret_cast<Bytef *>(window.data()), &length,
                reinterpret_cast<const Bytef *>(p.window.constData()), uLong(p.window.size()))
                != Z_OK
            || inflateSetDictionary(zs, reinterpret_cast<const Bytef *>(window.constData()), uInt(length)) != Z_OK)) {
        m_error = Error(
            Error::Code::Corrupt, QStringLiteral("bad window in checkpoint %1 of the layer index").arg(m_first));
        return m_error;
    }
    return {};
}

Status GzipSpanReader::inflateBytes(const unsigned char *data, qint64 size)
{
    z_stream *zs = m_zs.get();
    // Blob offset of data[0]: the bytes end where the piece just verified ends.
    qint64 at = m_points.pieceEnd(m_piece - 1) - size;
    while (size > 0 && !m_stopped) {
        if (m_trailing)
            return {}; // padding or other data after the stream: ignored, as the streaming decoder does
        if (m_trailerLeft > 0) {
            const qint64 n = qMin<qint64>(m_trailerLeft, size);
            m_trailerLeft -= int(n);
            data += n;
            size -= n;
            at += n;
            continue;
        }
        if (m_betweenMembers) {
            // As stream::GzipZlibDecompressor: zeros are padding, "\x1f\x8b" a new member, anything else trailing.
            if (m_heldMagic) {
                m_heldMagic = false;
                if (*data != 0x8b) {
                    m_trailing = true;
                    noteTrailingData(at - 1);
                    continue;
                }
                static const unsigned char magic = 0x1f;
                inflateReset2(zs, 15 + 16);
                zs->next_in = const_cast<unsigned char *>(&magic);
                zs->avail_in = 1;
                zs->next_out = m_out.get();
                zs->avail_out = uInt(OutputSize);
                inflate(zs, Z_NO_FLUSH); // the header's first byte: no output, no error yet
            } else if (*data == 0) {
                m_trailing = true; // zero padding (data after it is ignored as well)
                continue;
            } else if (*data != 0x1f || (size > 1 && data[1] != 0x8b)) {
                m_trailing = true;
                noteTrailingData(at);
                continue;
            } else if (size == 1) {
                m_heldMagic = true; // the next piece's first byte tells
                return {};
            } else {
                inflateReset2(zs, 15 + 16); // a new member: its header is parsed, its trailer checked by zlib
            }
            m_rawMode = false;
            m_betweenMembers = false;
        }
        zs->next_in = const_cast<unsigned char *>(data);
        zs->avail_in = uInt(size);
        zs->next_out = m_out.get();
        zs->avail_out = uInt(OutputSize);
        const int ret = inflate(zs, Z_NO_FLUSH);
        const qint64 produced = OutputSize - zs->avail_out;
        const qint64 used = size - zs->avail_in;
        data += used;
        size -= used;
        at += used;
        if (produced > 0)
            deliver(reinterpret_cast<const char *>(m_out.get()), produced);
        if (ret == Z_STREAM_END) {
            m_betweenMembers = true;
            m_trailerLeft = m_rawMode ? 8 : 0;
            continue;
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            m_error = Error(Error::Code::Corrupt, QStringLiteral("corrupt gzip data after a checkpoint"),
                zs->msg ? QString::fromLatin1(zs->msg) : QStringLiteral("zlib error %1").arg(ret));
            return m_error;
        }
        if (used == 0 && produced == 0)
            break; // needs the next piece's bytes
    }
    return {};
}

} // namespace ll::random
