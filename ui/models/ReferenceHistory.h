#pragma once

#include <QStringList>

namespace ll::ui {

/**
 * The references opened before, most recent first, kept in QSettings ("references/history"), at most
 * MaxEntries. The reference field completes from it.
 */
class ReferenceHistory
{
public:
    static constexpr int MaxEntries = 25;

    static QStringList entries();
    /** Puts reference first (once) and returns the new list. */
    static QStringList add(const QString &reference);
};

} // namespace ll::ui
