#include "models/ReferenceHistory.h"

#include <QSettings>

namespace ll::ui {

namespace {
QString key()
{
    return QStringLiteral("references/history");
}
} // namespace

QStringList ReferenceHistory::entries()
{
    return QSettings().value(key()).toStringList();
}

QStringList ReferenceHistory::add(const QString &reference)
{
    QStringList list = entries();
    list.removeAll(reference);
    list.prepend(reference);
    while (list.size() > MaxEntries)
        list.removeLast();
    QSettings().setValue(key(), list);
    return list;
}

} // namespace ll::ui
