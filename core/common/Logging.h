#pragma once

#include <QLoggingCategory>

// One category per core concern. Never log a token, a password or an Authorization header.
Q_DECLARE_LOGGING_CATEGORY(llRegistry) // "ll.registry"
Q_DECLARE_LOGGING_CATEGORY(llAuth) // "ll.auth"
Q_DECLARE_LOGGING_CATEGORY(llOci) // "ll.oci"
Q_DECLARE_LOGGING_CATEGORY(llStream) // "ll.stream"
Q_DECLARE_LOGGING_CATEGORY(llFs) // "ll.fs"
Q_DECLARE_LOGGING_CATEGORY(llExtract) // "ll.extract"
Q_DECLARE_LOGGING_CATEGORY(llIndex) // "ll.index"
Q_DECLARE_LOGGING_CATEGORY(llAnalysis) // "ll.analysis"
Q_DECLARE_LOGGING_CATEGORY(llToc) // "ll.toc"
Q_DECLARE_LOGGING_CATEGORY(llRandom) // "ll.random"
