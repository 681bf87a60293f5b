#pragma once

#include <QLoggingCategory>

// Categories of the hunt and the images-seen catalogue (defined in HuntLogging.cpp).
Q_DECLARE_LOGGING_CATEGORY(llHunt) // "ll.hunt"
Q_DECLARE_LOGGING_CATEGORY(llCatalog) // "ll.catalog"
