#include "toc/TocStreamReader.h"

#include "common/Sha256.h"
#include "stream/Decompressor.h"
#include "toc/TocJsonReader.h"

#include <cstring>

namespace ll::toc {

namespace {

constexpr qint64 TarBlock = 512;

Error malformed(const QString &message, const QString &detail = QString())
{
    return Error(Error::Code::Malformed, message, detail);
}

} // namespace

struct TocStreamReader::Private {
    TocParser::TocLocation loc;
    bool zstd = false;
    std::unique_ptr<stream::Decompressor> decoder;
    TocJsonReader json;
    Sha256 sha;
    // eStargz: the tar header of stargz.index.json, then its bytes (jsonLeft of them), then padding
    QByteArray header;
    qint64 jsonLeft = -1; // -1: header not read yet
    qint64 out = 0; // decompressed bytes
    qint64 cap = 0;
    Error error; // the first error of the decompressed side (stream, tar, JSON), unless the digest mismatches
    Error stopped; // why the sink stopped everything (cancel, too big)
    bool decoding = true;
    const std::atomic_bool *cancel = nullptr;

    Private(const TocParser::TocLocation &l, qint64 dataEnd)
        : loc(l)
        , zstd(l.format == LayerToc::Format::ZstdChunked)
        // JSON compresses ~7:1 (a hint for reservations only)
        , json(l.format, dataEnd, l.format == LayerToc::Format::ZstdChunked ? l.uncompressedLength : l.length * 7)
    {
        decoder = stream::Decompressor::create(
            zstd ? stream::Decompressor::Format::Zstd : stream::Decompressor::Format::Gzip);
        // The tar around the eStargz JSON adds a header, padding and its end blocks.
        cap = zstd ? TocParser::MaxTocSize : TocParser::MaxTocSize + 1024 + 2 * TarBlock;
        decoder->setSink([this](const char *data, qint64 size) { return onOutput(data, size); });
    }

    bool checksDigest() const { return !loc.digest.isEmpty(); }
    void setError(const Error &e)
    {
        if (!error.isError())
            error = e;
    }

    bool onOutput(const char *data, qint64 size)
    {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            stopped = Error(Error::Code::Cancelled, QStringLiteral("Cancelled"));
            return false;
        }
        out += size;
        if (out > cap) {
            stopped = malformed(QStringLiteral("the TOC is larger than %1 bytes").arg(cap));
            return false;
        }
        if (zstd) {
            // The manifest's digest is of its compressed bytes (hashed by feed()): decoding may stop at an error.
            const Status s = json.feed(data, size);
            if (!s)
                setError(s.error());
            return s.ok();
        }
        // eStargz: the member holds a tar of one file, stargz.index.json, whose bytes the digest is of.
        while (size > 0) {
            if (jsonLeft < 0) {
                const qint64 take = qMin(size, TarBlock - header.size());
                header.append(data, int(take));
                data += take;
                size -= take;
                if (header.size() < TarBlock)
                    return true;
                if (!readHeader())
                    return false;
                continue;
            }
            const qint64 take = qMin(size, jsonLeft);
            if (take <= 0)
                return true; // padding and the tar's end blocks
            sha.addData(data, take);
            if (!error.isError()) {
                const Status s = json.feed(data, take);
                if (!s) {
                    setError(s.error());
                    if (!checksDigest())
                        return false;
                    // else hashed to the end: a TOC that is not the annotated one is a digest mismatch
                }
            }
            jsonLeft -= take;
            data += take;
            size -= take;
        }
        return true;
    }

    bool readHeader()
    {
        const char *t = header.constData();
        const QByteArray name(t, int(qstrnlen(t, 100)));
        if (name != "stargz.index.json") {
            error = malformed(QStringLiteral("the stargz TOC member holds \"%1\", not stargz.index.json")
                                  .arg(QString::fromUtf8(name.left(100))));
            return false;
        }
        bool ok = false;
        const QByteArray sizeField = QByteArray(t + 124, 12).trimmed();
        const qint64 size
            = QByteArray(sizeField.constData(), int(qstrnlen(sizeField.constData(), 12))).toLongLong(&ok, 8);
        if (!ok || size < 0 || size > TocParser::MaxTocSize) {
            error = malformed(QStringLiteral("the stargz TOC's tar header has a bad size"));
            return false;
        }
        jsonLeft = size;
        return true;
    }
};

TocStreamReader::TocStreamReader(const TocParser::TocLocation &loc, qint64 dataEnd)
    : d(std::make_unique<Private>(loc, dataEnd))
{ }

TocStreamReader::~TocStreamReader() = default;

qint64 TocStreamReader::jsonBytes() const
{
    return d->json.bytesFed();
}

Status TocStreamReader::feed(const char *data, qint64 size)
{
    d->cancel = m_cancel;
    m_in += size;
    if (d->stopped.isError())
        return d->stopped;
    if (d->zstd && d->checksDigest())
        d->sha.addData(data, size);
    if (d->decoding) {
        const Status s = d->decoder->feed(data, size);
        if (d->stopped.isError())
            return d->stopped;
        if (!s) {
            d->setError(Error(Error::Code::Corrupt,
                QStringLiteral("the TOC does not decompress: %1").arg(s.error().message), s.error().detail));
            d->decoding = false;
        } else if (d->decoder->isStopped()) {
            d->decoding = false;
        }
    }
    // With a digest to check, an error is reported once the digest is known (unless nothing more can be hashed).
    const bool hashing = d->checksDigest() && (d->zstd || d->decoding);
    if (d->error.isError() && !hashing)
        return d->error;
    return Status();
}

Result<LayerToc> TocStreamReader::finish()
{
    if (d->stopped.isError())
        return d->stopped;
    if (d->decoding) {
        d->decoding = false;
        const Status s = d->decoder->finish();
        if (!s)
            d->setError(Error(Error::Code::Corrupt,
                QStringLiteral("the TOC does not decompress: %1").arg(s.error().message), s.error().detail));
    }
    if (d->checksDigest() && (d->zstd || d->jsonLeft == 0)) {
        const QString got = d->sha.digestString();
        if (got != d->loc.digest)
            return Error(Error::Code::DigestMismatch,
                d->zstd ? QStringLiteral("the zstd:chunked manifest does not match its checksum annotation")
                        : QStringLiteral("the eStargz TOC does not match its toc.digest annotation"),
                QStringLiteral("expected %1, got %2").arg(d->loc.digest, got));
    }
    if (d->error.isError())
        return d->error;
    if (!d->zstd) {
        if (d->jsonLeft < 0)
            return malformed(QStringLiteral("the stargz TOC member holds no tar header"));
        if (d->jsonLeft > 0)
            return malformed(QStringLiteral("the stargz TOC's tar header has a bad size"));
    } else if (d->loc.uncompressedLength >= 0 && d->out != d->loc.uncompressedLength) {
        return malformed(QStringLiteral("the zstd:chunked manifest is %1 bytes, its position says %2")
                             .arg(d->out)
                             .arg(d->loc.uncompressedLength));
    }
    return d->json.finish();
}

} // namespace ll::toc
