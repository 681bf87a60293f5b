#pragma once

#include <QLoggingCategory>

// Category of the registry navigator's listings (defined in BrowseLogging.cpp).
Q_DECLARE_LOGGING_CATEGORY(llBrowse) // "ll.browse"
