#pragma once

#include <QtGlobal>

namespace ll::registry {

/**
 * The retries of one logical operation (a manifest fetch, one layer's download): however many requests the
 * operation makes (Range windows, resumes after a drop, auth round trips), it retries at most maxRetries()
 * times in all, so a failing registry costs maxRetries() + 1 attempts, not a product of nested limits.
 * Shared (std::shared_ptr) by the requests of the operation; used on one thread.
 */
class RetryBudget
{
public:
    explicit RetryBudget(int maxRetries) : m_max(qMax(0, maxRetries)) { }

    /** Takes one retry; false when none is left. */
    bool take()
    {
        if (m_used >= m_max)
            return false;
        ++m_used;
        return true;
    }
    bool canRetry() const { return m_used < m_max; }
    int retriesUsed() const { return m_used; }
    int maxRetries() const { return m_max; }
    /** Attempts made so far (the first one and each retry). */
    int attempts() const { return m_used + 1; }

private:
    int m_max;
    int m_used = 0;
};

} // namespace ll::registry
