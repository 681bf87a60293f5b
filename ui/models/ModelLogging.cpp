#include "models/ModelLogging.h"

Q_LOGGING_CATEGORY(llUiModel, "ll.ui.model", QtWarningMsg)
Q_LOGGING_CATEGORY(llUi, "ll.ui", QtWarningMsg)
