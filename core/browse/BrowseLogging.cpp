#include "browse/BrowseLogging.h"

Q_LOGGING_CATEGORY(llBrowse, "ll.browse", QtWarningMsg)
