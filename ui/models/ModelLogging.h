#pragma once

#include <QLoggingCategory>

// The item models' category ("ll.ui.model"): timings of filter passes and resets at debug level.
Q_DECLARE_LOGGING_CATEGORY(llUiModel)
// The window's controllers ("ll.ui"): what could not be done beside what the user is told.
Q_DECLARE_LOGGING_CATEGORY(llUi)
