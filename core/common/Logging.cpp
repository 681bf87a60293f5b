#include "common/Logging.h"

Q_LOGGING_CATEGORY(llRegistry, "ll.registry", QtWarningMsg)
Q_LOGGING_CATEGORY(llAuth, "ll.auth", QtWarningMsg)
Q_LOGGING_CATEGORY(llOci, "ll.oci", QtWarningMsg)
Q_LOGGING_CATEGORY(llStream, "ll.stream", QtWarningMsg)
Q_LOGGING_CATEGORY(llFs, "ll.fs", QtWarningMsg)
Q_LOGGING_CATEGORY(llExtract, "ll.extract", QtWarningMsg)
Q_LOGGING_CATEGORY(llIndex, "ll.index", QtWarningMsg)
Q_LOGGING_CATEGORY(llAnalysis, "ll.analysis", QtWarningMsg)
Q_LOGGING_CATEGORY(llToc, "ll.toc", QtWarningMsg)
Q_LOGGING_CATEGORY(llRandom, "ll.random", QtWarningMsg)
