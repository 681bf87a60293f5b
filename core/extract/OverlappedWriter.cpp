#include "extract/OverlappedWriter.h"

namespace ll::extract {

OverlappedWriter::OverlappedWriter(WriteFunction write) : m_write(std::move(write))
{
    m_thread = std::thread([this] { run(); });
}

OverlappedWriter::~OverlappedWriter()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_quit = true;
    }
    m_cond.notify_all();
    m_thread.join();
}

Status OverlappedWriter::write(const char *data, qint64 size, const std::function<void()> &meanwhile)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_data = data;
        m_size = size;
        m_pending = true;
    }
    m_cond.notify_all();
    meanwhile();
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cond.wait(lock, [this] { return !m_pending; });
    return m_status;
}

void OverlappedWriter::run()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_cond.wait(lock, [this] { return m_pending || m_quit; });
        if (m_quit)
            return;
        const char *data = m_data;
        const qint64 size = m_size;
        lock.unlock();
        const Status s = m_write(data, size);
        lock.lock();
        m_status = s;
        m_pending = false;
        m_cond.notify_all();
    }
}

} // namespace ll::extract
