#include "common/HumanSize.h"

namespace ll {

QString humanSize(qint64 bytes)
{
    // Binary units under their binary names (the figures are powers of 1024).
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    if (bytes < 1024)
        return QString::number(bytes) + QStringLiteral(" B");
    double v = double(bytes);
    int unit = 0;
    while (v >= 1024.0 && unit < 5) {
        v /= 1024.0;
        ++unit;
    }
    return QString::number(v, 'f', 1) + QLatin1Char(' ') + QLatin1String(units[unit]);
}

QString groupedNumber(qint64 n)
{
    QString digits = QString::number(n < 0 ? -n : n);
    QString out;
    const int len = digits.size();
    for (int i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0)
            out += QLatin1Char(',');
        out += digits.at(i);
    }
    return n < 0 ? QLatin1Char('-') + out : out;
}

} // namespace ll
