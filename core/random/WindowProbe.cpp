#include "random/WindowProbe.h"

#include <zlib.h>

#include <cstring>

namespace ll::random {

namespace {
unsigned char fillA(int i)
{
    return static_cast<unsigned char>(i & 0xff);
}
unsigned char fillB(int i)
{
    return static_cast<unsigned char>(((i >> 8) & 0x7f) | ((i & 0x80) ^ 0x80));
}
} // namespace

WindowProbe::WindowProbe(const QByteArray &window, int bits, unsigned char primeByte)
    : m_window(window.right(WindowSize)), m_used(m_window.size(), '\0')
{
    const int n = int(m_window.size());
    for (int s = 0; s < 2; ++s) {
        m_shadow[s] = std::make_unique<z_stream_s>();
        z_stream *zs = m_shadow[s].get();
        *zs = z_stream {};
        if (inflateInit2(zs, -15) != Z_OK) {
            giveUp();
            return;
        }
        m_initialized[s] = true;
        QByteArray fill(n, Qt::Uninitialized);
        for (int i = 0; i < n; ++i)
            fill[i] = char(s == 0 ? fillA(i) : fillB(i));
        if ((bits && inflatePrime(zs, bits, primeByte >> (8 - bits)) != Z_OK)
            || (n > 0
                && inflateSetDictionary(zs, reinterpret_cast<const Bytef *>(fill.constData()), uInt(n)) != Z_OK)) {
            giveUp();
            return;
        }
    }
}

WindowProbe::~WindowProbe()
{
    for (int s = 0; s < 2; ++s) {
        if (m_initialized[s])
            inflateEnd(m_shadow[s].get());
    }
}

void WindowProbe::giveUp()
{
    m_whole = true;
    m_done = true;
}

void WindowProbe::memberEnded()
{
    m_done = true;
}

void WindowProbe::addInput(const unsigned char *data, qint64 size)
{
    if (m_done || size <= 0)
        return;
    // Drop what both shadows took (they take the same bytes: one decoding, two windows).
    const qint64 taken = qint64(m_shadow[0]->total_in) - m_inputBase;
    if (taken > 0 && taken >= m_input.size() / 2) {
        m_input.remove(0, int(taken));
        m_inputBase += taken;
    }
    m_input.append(reinterpret_cast<const char *>(data), int(size));
}

bool WindowProbe::shadowOutput(int s, unsigned char *out, qint64 size)
{
    z_stream *zs = m_shadow[s].get();
    qint64 got = 0;
    while (got < size) {
        const qint64 at = qint64(zs->total_in) - m_inputBase;
        zs->next_in = reinterpret_cast<Bytef *>(m_input.data() + at);
        zs->avail_in = uInt(m_input.size() - at);
        zs->next_out = out + got;
        zs->avail_out = uInt(size - got);
        const uLong before = zs->total_out;
        const int ret = inflate(zs, Z_NO_FLUSH);
        got += qint64(zs->total_out - before);
        if (ret == Z_STREAM_END) {
            m_ended = true; // the member ends with this output: nothing after it copies this window
            return got == size;
        }
        if ((ret != Z_OK && ret != Z_BUF_ERROR) || zs->total_out == before)
            return false; // cannot follow the real inflate: keep the whole window
    }
    return true;
}

void WindowProbe::takeOutput(const unsigned char *data, qint64 size)
{
    while (size > 0 && !m_done) {
        const qint64 n = qMin<qint64>(size, 256 * 1024);
        if (m_scratchSize < n) {
            for (auto &buf : m_scratch)
                buf = std::make_unique<unsigned char[]>(size_t(n));
            m_scratchSize = n;
        }
        if (!shadowOutput(0, m_scratch[0].get(), n) || !shadowOutput(1, m_scratch[1].get(), n)) {
            giveUp();
            return;
        }
        const unsigned char *a = m_scratch[0].get();
        const unsigned char *b = m_scratch[1].get();
        if (std::memcmp(a, data, size_t(n)) != 0 || std::memcmp(b, data, size_t(n)) != 0) {
            for (qint64 j = 0; j < n; ++j) {
                if (a[j] == data[j] && b[j] == data[j])
                    continue;
                const int i = ((b[j] & 0x7f) << 8) | a[j];
                if (i >= m_used.size()) { // cannot be: the shadows disagree with the model
                    giveUp();
                    return;
                }
                m_used[i] = 1;
                m_lastDependent = m_compared + j;
            }
        }
        m_compared += n;
        data += n;
        size -= n;
        if (m_ended || m_compared - (m_lastDependent + 1) >= WindowSize)
            m_done = true;
        else if (m_compared >= MaxOutput)
            giveUp();
    }
}

QByteArray WindowProbe::cutWindow() const
{
    if (m_whole || !m_done)
        return m_window;
    QByteArray out = m_window;
    for (int i = 0; i < out.size(); ++i) {
        if (!m_used.at(i))
            out[i] = 0;
    }
    return out;
}

int WindowProbe::usedBytes() const
{
    if (m_whole || !m_done)
        return int(m_window.size());
    return int(m_used.count('\1'));
}

} // namespace ll::random
