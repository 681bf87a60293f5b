#include "hunt/HuntTargets.h"

namespace ll::hunt {

QStringList HuntTargets::parseTargetsText(const QString &text)
{
    QStringList out;
    for (QString line : text.split(QLatin1Char('\n'))) {
        const qsizetype hash = line.indexOf(QLatin1Char('#'));
        if (hash >= 0)
            line.truncate(hash);
        line = line.trimmed();
        if (!line.isEmpty())
            out << line;
    }
    return out;
}

} // namespace ll::hunt
