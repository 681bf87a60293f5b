#include "stream/PlainDecompressor.h"

namespace ll::stream {

Status PlainDecompressor::feed(const char *data, qint64 size)
{
    if (m_stopped || size <= 0)
        return {};
    m_totalIn += size;
    emitOutput(data, size);
    return {};
}

Status PlainDecompressor::finish()
{
    return {};
}

} // namespace ll::stream
