#pragma once

#include <QString>
#include <QStringList>

namespace ll::cli {

/** Everything the command line said, validated. The original tool's flags keep their names. */
struct CliOptions {
    enum class Mode {
        Interactive,
        Inspect,
        ListTags,
        Catalog,
        PeekAll,
        BulkPeek,
        SaveAll,
        SaveLayers,
        Carve,
        Extract,
        Hunt,
        Search,
        Analyze,
        Diff
    };

    Mode mode = Mode::Interactive;
    QString target; // -t/--target-image
    QString platform; // --platform os/arch[/variant]
    QString username; // --username
    bool passwordStdin = false;
    QString tokenFile; // --token-file
    bool plainHttp = false; // --plain-http
    bool insecure = false; // --insecure
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    QString logFile; // -l/--log-file

    // layer engine (issue 3)
    QString carvePath; // -f/--carve-file
    QString outputDir; // -o/--output-dir (a per-mode default when not given)
    bool outputDirGiven = false;
    qint64 chunkSizeKb = 0; // --chunk-size (0: engine default)
    bool follow = false;
    bool wholeLayer = false; // --whole-layer
    bool boundedReads = false; // --bounded-reads
    bool partial = false; // --partial
    qint64 peekBytes = 0; // --peek-bytes
    bool simpleOutput = false;
    QString layerSelection; // --save-layers (0-based), --save-layers-1based
    int layerSelectionBase = 0; // the number of the first layer in layerSelection
    QStringList extractPaths;
    int layer = -1; // --layer N
    bool preservePermissions = false;
    bool noCache = false; // --no-cache: no layer indexes
    int pageSize = 100; // --page-size for --list-tags / --catalog

    // hunt (issue 10)
    QStringList huntPatterns; // --hunt (repeatable)
    QStringList targets; // every -t
    QString targetsFile; // --targets-file
    bool allTags = false; // --all-tags
    bool catalog = false; // --catalog (with --hunt: every repository of -t host)
    QString tagGlob; // --tags
    int maxTags = -1; // --max-tags
    QStringList includeRepos; // --repos
    QStringList excludeRepos; // --exclude-repos
    bool huntCarve = false; // --carve
    bool huntVisibleOnly = false; // --visible-only
    bool huntAllPlatforms = false; // --all-platforms
    int jobs = 4; // --jobs
    QString entryType; // --type f|d|l
    qint64 minSize = -1; // --min-size
    QString searchPattern; // --search
    // layer changes, efficiency, comparison (issue 8)
    QString diffTarget; // --diff NEW (-t is OLD)
    qint64 maxWasted = -1; // --max-wasted BYTES (-1: no limit)
    double minEfficiency = -1; // --min-efficiency R (-1: no limit)
};

/** Parses argv. On error or --help/--version, *exitCode is set and the caller exits. */
bool parseCliOptions(const QStringList &arguments, CliOptions *options, int *exitCode);

} // namespace ll::cli
