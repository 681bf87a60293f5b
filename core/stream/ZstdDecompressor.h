#pragma once

#include "stream/Decompressor.h"

#include <memory>

struct ZSTD_DCtx_s;

namespace ll::stream {

/**
 * Zstandard layers through libzstd's ZSTD_decompressStream: several frames one after the other,
 * skippable frames ignored; a stream that ends inside a frame is Error::Corrupt.
 */
class ZstdDecompressor : public Decompressor
{
public:
    ZstdDecompressor();
    ~ZstdDecompressor() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Zstd; }

protected:
    /** A frame (or a skippable frame) ended at this compressed offset, its output all handed out: the next frame
        starts there. Called from feed(); totalOut() is the uncompressed offset of the next frame. */
    virtual void frameEnded(qint64 /*compressedOffset*/) { }

private:
    Status fail(const QString &what, const QString &detail, qint64 offset);

    ZSTD_DCtx_s *m_ctx = nullptr;
    std::unique_ptr<char[]> m_out;
    bool m_atFrameEnd = true; // no partial frame pending
    qint64 m_consumed = 0;
    Error m_error;
};

} // namespace ll::stream
