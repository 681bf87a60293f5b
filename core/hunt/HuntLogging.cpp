#include "hunt/HuntLogging.h"

Q_LOGGING_CATEGORY(llHunt, "ll.hunt", QtWarningMsg)
Q_LOGGING_CATEGORY(llCatalog, "ll.catalog", QtWarningMsg)
