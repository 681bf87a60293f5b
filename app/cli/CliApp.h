#pragma once

#include <QStringList>

namespace ll::cli {

/** Parses the arguments and runs the chosen command; returns the process exit code. */
int runCli(const QStringList &arguments);

} // namespace ll::cli
