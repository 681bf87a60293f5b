#pragma once

#include "random/ZstdFrames.h"
#include "stream/ZstdDecompressor.h"

#include <memory>

namespace ll {
class Sha256;
}

namespace ll::random {

/**
 * A zstd decompressor (stream::ZstdDecompressor) that also records frame starts as checkpoints for random
 * access (ZstdFrames: a frame start at least minSpan compressed bytes after the previous checkpoint) and the
 * SHA-256 of each span's compressed bytes. A frame's header is read to tell a skippable frame (no checkpoint)
 * and a frame that needs a dictionary (no checkpoints at all for the blob: its frames are not independent).
 *
 * Used by the passes that keep a layer index; the frames are complete only after finish() succeeded on the
 * whole blob, and a blob of one frame (plain `zstd` output) keeps none.
 */
class ZstdFrameRecorder : public stream::ZstdDecompressor
{
public:
    explicit ZstdFrameRecorder(qint64 minSpan = ZstdFrames::MinSpan);
    ~ZstdFrameRecorder() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;

    /** After a successful finish(): the checkpoints, each span hashed (empty otherwise, or with fewer than two). */
    ZstdFrames takeFrames();
    /** Why none are kept (a dictionary, an unknown frame), or empty. */
    const QString &refusal() const { return m_refusal; }

protected:
    void frameEnded(qint64 compressedOffset) override;

private:
    void take(const char *data, qint64 size);
    void decideFrame(bool force = false);
    void hash(const char *data, qint64 size);

    qint64 m_minSpan;
    ZstdFrames m_frames;
    std::unique_ptr<Sha256> m_spanHash; // of the current span, up to the frame start being decided
    QVector<QPair<qint64, qint64>> m_ends; // frame ends met in the current feed: compressed, uncompressed offset
    qint64 m_taken = 0; // compressed bytes handled by take()
    qint64 m_frameStart = 0; // offset of the frame whose header is being read (-1: decided)
    qint64 m_frameOut = 0; // its uncompressed offset
    QByteArray m_header; // its first bytes (hashing waits until it is decided)
    QString m_refusal;
    bool m_finished = false;
};

} // namespace ll::random
