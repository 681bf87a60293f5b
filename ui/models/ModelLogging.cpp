#include "models/ModelLogging.h"

Q_LOGGING_CATEGORY(llUiModel, "ll.ui.model", QtWarningMsg)
