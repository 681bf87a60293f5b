#pragma once

#include <QByteArray>

#include <memory>

struct z_stream_s;

namespace ll::random {

/**
 * Finds which bytes of a checkpoint's window the deflate data after it copies, so the others need not be kept.
 *
 * Two shadow inflaters start at the checkpoint like the real one, but with made-up windows: shadow A holds the low
 * byte of each window position, shadow B its high bits with bit 7 the inverse of A's. An output byte copied
 * (directly or through earlier copies) from window position i comes out as A[i] and B[i], which differ from each
 * other, so it differs from the real output in at least one shadow, and the pair names i; every other byte equals
 * the real one in both. Once WindowSize bytes in a row owe nothing to the window, nothing later can (a copy reaches
 * back at most that far), and the probe is done. A member's end ends it too. A probe that runs long (a run of
 * zeros copies the window forever) keeps the whole window.
 */
class WindowProbe
{
public:
    static constexpr int WindowSize = 32 * 1024;
    /** Output after which a probe that is not done keeps the whole window. */
    static constexpr qint64 MaxOutput = 256 * 1024;

    /** window: the output before the checkpoint (at most WindowSize); bits/primeByte: zlib's inflatePrime. */
    WindowProbe(const QByteArray &window, int bits, unsigned char primeByte);
    ~WindowProbe();
    WindowProbe(const WindowProbe &) = delete;
    WindowProbe &operator=(const WindowProbe &) = delete;

    /** Compressed bytes after the checkpoint, in order (at least those the next output needs). */
    void addInput(const unsigned char *data, qint64 size);
    /** The real output after the checkpoint, in order. */
    void takeOutput(const unsigned char *data, qint64 size);
    bool isDone() const { return m_done; }
    /** The member ended (all its output after the checkpoint was taken): done. */
    void memberEnded();
    /** The window with the bytes nothing copies zeroed (all of it when the probe could not tell). */
    QByteArray cutWindow() const;
    /** Window bytes kept (diagnostics). */
    int usedBytes() const;

private:
    bool shadowOutput(int s, unsigned char *out, qint64 size);
    void giveUp();

    QByteArray m_window;
    QByteArray m_used; // one byte per window position: copied or not
    std::unique_ptr<z_stream_s> m_shadow[2];
    bool m_initialized[2] = { false, false };
    QByteArray m_input; // compressed bytes not yet taken by both shadows
    qint64 m_inputBase = 0; // shadow total_in of m_input[0]
    std::unique_ptr<unsigned char[]> m_scratch[2];
    qint64 m_scratchSize = 0;
    qint64 m_compared = 0;
    qint64 m_lastDependent = -1;
    bool m_done = false;
    bool m_ended = false;
    bool m_whole = false; // keep the whole window
};

} // namespace ll::random
