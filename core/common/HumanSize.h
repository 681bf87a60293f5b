#pragma once

#include <QString>

namespace ll {

/** "0 B", "512 B", "3.0 KB", "29.7 MB", "1.2 GB" (1024-based, like the original tool). */
QString humanSize(qint64 bytes);

/** "29,724,688" */
QString groupedNumber(qint64 n);

} // namespace ll
