#pragma once

#include "analysis/LayerChanges.h"

#include <QColor>

namespace ll::ui {

/** The colours of the change marks wherever changes are shown: added green, modified amber, deleted red. */
inline QColor changeColour(analysis::Change::Kind kind)
{
    switch (kind) {
    case analysis::Change::Kind::Added:
        return QColor(0x1b, 0x7f, 0x2a);
    case analysis::Change::Kind::Modified:
        return QColor(0xa0, 0x62, 0x00);
    case analysis::Change::Kind::Deleted:
        break;
    }
    return QColor(0xb0, 0x1c, 0x1c);
}

/** Directories on the way to changes, unchanged themselves. */
inline QColor unchangedColour()
{
    return QColor(0x70, 0x70, 0x70);
}

} // namespace ll::ui
