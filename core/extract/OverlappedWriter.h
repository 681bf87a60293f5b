#pragma once

#include "common/Result.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ll::extract {

/**
 * Writes a chunk to a file on its own thread while the caller does something else with the same bytes
 * (save: SHA-256), so the two costs overlap instead of adding up. No copy: the caller keeps the bytes
 * alive until write() returns, and write() returns only when both are done. One chunk at a time; the
 * writer must not be used by anyone else meanwhile.
 *
 * On one busy core this changes nothing; with two it takes the save's worker from hash + write to about
 * max(hash, write) per chunk (bench_save shows the figures).
 */
class OverlappedWriter
{
public:
    /** Called on the writer thread, one chunk at a time (e.g. AtomicFileWriter::write). */
    using WriteFunction = std::function<Status(const char *data, qint64 size)>;

    explicit OverlappedWriter(WriteFunction write);
    ~OverlappedWriter();
    OverlappedWriter(const OverlappedWriter &) = delete;
    OverlappedWriter &operator=(const OverlappedWriter &) = delete;

    /** Writes data to the file on the writer thread and runs meanwhile() here; returns the write's status. */
    Status write(const char *data, qint64 size, const std::function<void()> &meanwhile);

private:
    void run();

    WriteFunction m_write;
    std::mutex m_mutex;
    std::condition_variable m_cond;
    const char *m_data = nullptr;
    qint64 m_size = 0;
    bool m_pending = false;
    bool m_quit = false;
    Status m_status;
    std::thread m_thread;
};

} // namespace ll::extract
