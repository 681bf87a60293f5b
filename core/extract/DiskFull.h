#pragma once

#include "common/Error.h"

#include <QString>

namespace ll::extract {

/**
 * A write that cannot go on whatever comes next: the file system is full (ENOSPC), the user's quota is used
 * up (EDQUOT) or the process's file size limit is reached (EFBIG, RLIMIT_FSIZE with SIGXFSZ ignored).
 * Extraction and saving stop at the first one instead of failing every later file the same way.
 */
class DiskFull
{
public:
    DiskFull() = delete;

    /** True for ENOSPC, EDQUOT and EFBIG. */
    static bool isDiskFull(int err);

    /**
     * Error::Io "no space left on DIR: N bytes needed for WHAT" (or "disk quota exceeded on …",
     * "file size limit reached on …"), the errno text as detail. needed < 0: not known, not said.
     */
    static Error error(int err, const QString &dir, qint64 needed, const QString &what);
};

} // namespace ll::extract
