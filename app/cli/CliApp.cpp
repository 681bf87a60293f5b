#include "cli/CliApp.h"

#include "cli/AnalyzeCommand.h"
#include "cli/CliOptions.h"
#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/DiffCommand.h"
#include "cli/ExitCode.h"
#include "cli/ExtractCommands.h"
#include "cli/HuntCommand.h"
#include "cli/InspectCommand.h"
#include "cli/InteractiveCommand.h"
#include "cli/ListCommand.h"
#include "cli/PeekCommand.h"

#include <QLoggingCategory>

namespace ll::cli {

int runCli(const QStringList &arguments)
{
    CliOptions options;
    int exitCode = ExitOk;
    if (!parseCliOptions(arguments, &options, &exitCode))
        return exitCode;

    Console &console = Console::instance();
    console.setQuiet(options.quiet || options.json);
    if (!options.logFile.isEmpty()) {
        QString error;
        if (!console.openLog(options.logFile, &error)) {
            console.error(QStringLiteral("layerslayer-cli: cannot open log file %1: %2").arg(options.logFile, error));
            return ExitIo;
        }
        Console::installMessageHandler(); // -v lines and warnings go to the log file as well
    }
    if (options.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("ll.*.debug=true"));

    CliSession session(options);
    if (auto ready = session.prepare(); !ready)
        return session.fail(ready.error());

    switch (options.mode) {
    case CliOptions::Mode::Inspect:
        return runInspect(session);
    case CliOptions::Mode::ListTags:
        return runListTags(session);
    case CliOptions::Mode::Catalog:
        return runCatalog(session);
    case CliOptions::Mode::PeekAll:
        return runPeekAll(session);
    case CliOptions::Mode::BulkPeek:
        return runBulkPeek(session);
    case CliOptions::Mode::SaveAll:
    case CliOptions::Mode::SaveLayers:
        return runSave(session);
    case CliOptions::Mode::Carve:
        return runCarve(session);
    case CliOptions::Mode::Extract:
        return runExtract(session);
    case CliOptions::Mode::Hunt:
        return runHunt(session);
    case CliOptions::Mode::Search:
        return runSearch(session);
    case CliOptions::Mode::Analyze:
        return runAnalyze(session);
    case CliOptions::Mode::Diff:
        return runDiff(session);
    case CliOptions::Mode::Interactive:
        return runInteractive(session);
    }
    return ExitFailure;
}

} // namespace ll::cli
