#include "cli/CliOptions.h"

#include "cli/Console.h"
#include "cli/ExitCode.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace ll::cli {

namespace {

QString exitCodeHelp()
{
    return QStringLiteral(
        "Exit codes: 0 ok, 1 failure, 2 usage or bad reference, 3 not found, 4 authentication,\n"
        "            5 network/rate limit, 6 digest mismatch or corrupt data, 7 unsafe path refused,\n"
        "            8 local I/O error, 130 cancelled.\n");
}

} // namespace

bool parseCliOptions(const QStringList &arguments, CliOptions *o, int *exitCode)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Look inside container images straight from the registry, without docker pull.\n\n"
                       "Without a mode flag and with a terminal on stdin, runs interactively.\n\n")
        + exitCodeHelp());
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        QStringList { QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), QStringLiteral("Show the version."));
    const QCommandLineOption target(QStringList { QStringLiteral("t"), QStringLiteral("target-image") },
        QStringLiteral("Image reference (user/repo:tag, host:port/repo@sha256:...)."), QStringLiteral("ref"));
    const QCommandLineOption platform(QStringLiteral("platform"),
        QStringLiteral("Platform of a multi-arch image, e.g. linux/arm64/v8 (default: "
                       "this machine's)."),
        QStringLiteral("os/arch[/variant]"));
    const QCommandLineOption inspect(
        QStringLiteral("inspect"), QStringLiteral("Show platforms, config, build steps and layers."));
    const QCommandLineOption listTags(QStringLiteral("list-tags"), QStringLiteral("List the tags of -t's repository."));
    const QCommandLineOption catalog(
        QStringLiteral("catalog"), QStringLiteral("List the repositories of a registry (-t host[:port])."));
    const QCommandLineOption pageSize(QStringLiteral("page-size"),
        QStringLiteral("Page size for --list-tags/--catalog (default 100)."), QStringLiteral("n"));
    const QCommandLineOption username(
        QStringLiteral("username"), QStringLiteral("Registry user name."), QStringLiteral("user"));
    const QCommandLineOption passwordStdin(
        QStringLiteral("password-stdin"), QStringLiteral("Read the password (or token) from stdin."));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
        QStringLiteral("Bearer token file (default: ./token.txt when present, "
                       "for Docker Hub)."),
        QStringLiteral("file"));
    const QCommandLineOption plainHttp(QStringLiteral("plain-http"),
        QStringLiteral("Use http:// for the registry (loopback registries use it "
                       "anyway)."));
    const QCommandLineOption insecure(
        QStringLiteral("insecure"), QStringLiteral("Accept self-signed TLS certificates from the registry."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Machine-readable output."));
    const QCommandLineOption quiet(
        QStringList { QStringLiteral("q"), QStringLiteral("quiet") }, QStringLiteral("Suppress progress and chatter."));
    const QCommandLineOption verbose(QStringList { QStringLiteral("v"), QStringLiteral("verbose") },
        QStringLiteral("Debug logging (never shows secrets)."));
    const QCommandLineOption logFile(QStringList { QStringLiteral("l"), QStringLiteral("log-file") },
        QStringLiteral("Also write all output to this file."), QStringLiteral("file"));
    const QCommandLineOption peekAll(QStringLiteral("peek-all"), QStringLiteral("List the files of every layer."));
    const QCommandLineOption bulkPeek(QStringLiteral("bulk-peek"),
        QStringLiteral("List the merged filesystem (whiteouts applied) with each "
                       "file's layer."));
    const QCommandLineOption saveAll(QStringLiteral("save-all"), QStringLiteral("Save every layer blob."));
    const QCommandLineOption saveLayers(QStringLiteral("save-layers"),
        QStringLiteral("Save chosen layers: 0,2-4 or a (all); 0-based as in the listing and --layer."),
        QStringLiteral("selection"));
    const QCommandLineOption saveLayers1(QStringLiteral("save-layers-1based"),
        QStringLiteral("--save-layers with the original tool's 1-based numbers (1,3-5)."), QStringLiteral("selection"));
    const QCommandLineOption carve(QStringList { QStringLiteral("f"), QStringLiteral("carve-file") },
        QStringLiteral("Carve one file out of the image (top layer's copy wins)."), QStringLiteral("path"));
    const QCommandLineOption extract(QStringLiteral("extract"),
        QStringLiteral("Extract files or subtrees into -o: --extract PATH [PATH...] (or the flag repeated)."),
        QStringLiteral("path"));
    const QCommandLineOption layer(QStringLiteral("layer"),
        QStringLiteral("With --extract: from this layer (0-based) instead of the merged "
                       "view."),
        QStringLiteral("n"));
    const QCommandLineOption outputDir(QStringList { QStringLiteral("o"), QStringLiteral("output-dir") },
        QStringLiteral("Output directory (default: ./carved for -f, . for --save-*, ./extracted for --extract)."),
        QStringLiteral("dir"));
    const QCommandLineOption chunkSize(QStringLiteral("chunk-size"),
        QStringLiteral("Size of the first ranged request when carving, in KB."), QStringLiteral("kb"));
    const QCommandLineOption follow(
        QStringLiteral("follow"), QStringLiteral("Carve: resolve a symlink inside the image."));
    const QCommandLineOption wholeLayer(QStringLiteral("whole-layer"),
        QStringLiteral("Carve: read the file's layer to its end (a later copy of the path there wins; the layer "
                       "digest is checked)."));
    const QCommandLineOption boundedReads(QStringLiteral("bounded-reads"),
        QStringLiteral("Carve: one bounded range request per window, so the wire never carries more than 1.25 x "
                       "what was read (for metered links; slower: a round trip per window)."));
    const QCommandLineOption partial(
        QStringLiteral("partial"), QStringLiteral("Peek only the first bytes of each layer (see --peek-bytes)."));
    const QCommandLineOption peekBytes(QStringLiteral("peek-bytes"),
        QStringLiteral("With --partial: compressed bytes to read per layer (default "
                       "262144)."),
        QStringLiteral("n"));
    const QCommandLineOption simpleOutput(
        QStringLiteral("simple-output"), QStringLiteral("The original tool's listing style."));
    const QCommandLineOption interactive(
        QStringLiteral("interactive"), QStringLiteral("Interactive mode even when stdin is not a terminal."));
    const QCommandLineOption preserve(
        QStringLiteral("preserve-permissions"), QStringLiteral("Extract: keep setuid/setgid bits."));
    const QCommandLineOption noCache(QStringLiteral("no-cache"),
        QStringLiteral("Neither use nor keep layer indexes (~/.cache/layerslayer/index; LL_INDEX_DIR=off does "
                       "the same)."));
    const QCommandLineOption hunt(QStringLiteral("hunt"),
        QStringLiteral("Find files across many images (repeatable): an exact path or a glob over the whole path "
                       "(*, **, ?, [...]), e.g. etc/shadow, **/.env. Targets: -t (repeatable), --targets-file."),
        QStringLiteral("pattern"));
    const QCommandLineOption targetsFile(QStringLiteral("targets-file"),
        QStringLiteral("Hunt: image references, one a line (# comments)."), QStringLiteral("file"));
    const QCommandLineOption allTags(
        QStringLiteral("all-tags"), QStringLiteral("Hunt: a reference without a tag means every tag of it."));
    const QCommandLineOption tags(
        QStringLiteral("tags"), QStringLiteral("Hunt: only tags matching this glob."), QStringLiteral("glob"));
    const QCommandLineOption maxTags(QStringLiteral("max-tags"),
        QStringLiteral("Hunt: at most n tags per repository, newest (highest version) first."), QStringLiteral("n"));
    const QCommandLineOption repos(QStringLiteral("repos"),
        QStringLiteral("Hunt with --catalog: only repositories matching this glob (repeatable)."),
        QStringLiteral("glob"));
    const QCommandLineOption excludeRepos(QStringLiteral("exclude-repos"),
        QStringLiteral("Hunt with --catalog: skip repositories matching this glob (repeatable)."),
        QStringLiteral("glob"));
    const QCommandLineOption huntCarve(
        QStringLiteral("carve"), QStringLiteral("Hunt: save every file found under -o/<image>/<path>."));
    const QCommandLineOption jobs(QStringLiteral("jobs"),
        QStringLiteral("Hunt: requests at a time per registry (default 4)."), QStringLiteral("n"));
    const QCommandLineOption entryType(QStringLiteral("type"),
        QStringLiteral("Hunt: only entries of this type: f (file), d (dir), l (symlink)."), QStringLiteral("f|d|l"));
    const QCommandLineOption minSize(QStringLiteral("min-size"),
        QStringLiteral("Hunt: only files of at least this many bytes."), QStringLiteral("n"));
    const QCommandLineOption search(QStringLiteral("search"),
        QStringLiteral("Search every cached layer index for a pattern, offline, with the images seen holding it."),
        QStringLiteral("pattern"));
    const QCommandLineOption visibleOnly(QStringLiteral("visible-only"),
        QStringLiteral("Hunt: stop at a whiteout as a carve does (a deleted path's copies in lower layers are not "
                       "searched; fewer layers read)."));
    const QCommandLineOption allPlatforms(QStringLiteral("all-platforms"),
        QStringLiteral("Hunt: every platform of a multi-arch image (attestations never), not only this machine's."));
    p.addOptions({ hunt, targetsFile, allTags, tags, maxTags, repos, excludeRepos, huntCarve, jobs, entryType, minSize,
        search, visibleOnly, allPlatforms });
    const QCommandLineOption analyze(QStringLiteral("analyze"),
        QStringLiteral("What each layer added, modified and deleted; wasted bytes and efficiency (as dive)."));
    const QCommandLineOption diff(QStringLiteral("diff"),
        QStringLiteral("What REF added, removed and changed relative to -t's image."), QStringLiteral("ref"));
    const QCommandLineOption maxWasted(QStringLiteral("max-wasted"),
        QStringLiteral("With --analyze: exit code 9 when more bytes are wasted."), QStringLiteral("bytes"));
    const QCommandLineOption minEfficiency(QStringLiteral("min-efficiency"),
        QStringLiteral("With --analyze: exit code 9 when the efficiency is lower (0 to 1)."), QStringLiteral("r"));
    p.addOptions({ analyze, diff, maxWasted, minEfficiency });
    p.addOptions({ help, version, target, platform, inspect, listTags, catalog, pageSize, username, passwordStdin,
        tokenFile, plainHttp, insecure, json, quiet, verbose, logFile, peekAll, bulkPeek, saveAll, saveLayers,
        saveLayers1, carve, extract, layer, outputDir, chunkSize, follow, wholeLayer, boundedReads, partial, peekBytes,
        simpleOutput, preserve, interactive, noCache });

    Console &console = Console::instance();
    if (!p.parse(arguments)) {
        console.error(QStringLiteral("layerslayer-cli: ") + p.errorText() + QStringLiteral(" (see --help)"));
        *exitCode = ExitUsage;
        return false;
    }
    if (p.isSet(help)) {
        console.out(p.helpText());
        *exitCode = ExitOk;
        return false;
    }
    if (p.isSet(version)) {
        console.outLine(QStringLiteral("layerslayer-cli ") + QCoreApplication::applicationVersion());
        *exitCode = ExitOk;
        return false;
    }
    if (!p.positionalArguments().isEmpty() && !p.isSet(extract)) {
        console.error(QStringLiteral("layerslayer-cli: unexpected argument '%1' (the image goes after -t)")
                          .arg(p.positionalArguments().constFirst()));
        *exitCode = ExitUsage;
        return false;
    }

    auto usage = [&](const QString &msg) {
        console.error(QStringLiteral("layerslayer-cli: ") + msg);
        *exitCode = ExitUsage;
        return false;
    };
    auto number = [&](const QCommandLineOption &opt, qint64 *out, qint64 min) {
        bool ok = false;
        const qint64 v = p.value(opt).toLongLong(&ok);
        if (!ok || v < min)
            return usage(QStringLiteral("--%1 needs a number >= %2").arg(opt.names().constLast()).arg(min));
        *out = v;
        return true;
    };

    o->target = p.value(target);
    o->platform = p.value(platform);
    o->username = p.value(username);
    o->passwordStdin = p.isSet(passwordStdin);
    o->tokenFile = p.value(tokenFile);
    o->plainHttp = p.isSet(plainHttp);
    o->insecure = p.isSet(insecure);
    o->json = p.isSet(json);
    o->quiet = p.isSet(quiet);
    o->verbose = p.isSet(verbose);
    o->logFile = p.value(logFile);
    o->carvePath = p.value(carve);
    o->outputDir = p.value(outputDir);
    o->outputDirGiven = p.isSet(outputDir);
    o->follow = p.isSet(follow);
    o->wholeLayer = p.isSet(wholeLayer);
    o->boundedReads = p.isSet(boundedReads);
    o->partial = p.isSet(partial);
    o->simpleOutput = p.isSet(simpleOutput);
    o->layerSelection = p.isSet(saveLayers1) ? p.value(saveLayers1) : p.value(saveLayers);
    o->layerSelectionBase = p.isSet(saveLayers1) ? 1 : 0;
    // "--extract /etc /usr/bin": the paths after the first are positional arguments.
    o->extractPaths = p.values(extract) + p.positionalArguments();
    o->preservePermissions = p.isSet(preserve);
    o->noCache = p.isSet(noCache);
    if (p.isSet(chunkSize) && !number(chunkSize, &o->chunkSizeKb, 1))
        return false;
    if (p.isSet(peekBytes) && !number(peekBytes, &o->peekBytes, 1))
        return false;
    if (p.isSet(pageSize)) {
        qint64 n = 0;
        if (!number(pageSize, &n, 1))
            return false;
        o->pageSize = int(qMin<qint64>(n, 10000));
    }
    if (p.isSet(layer)) {
        qint64 n = 0;
        if (!number(layer, &n, 0))
            return false;
        o->layer = int(n);
    }
    o->huntPatterns = p.values(hunt);
    o->targets = p.values(target);
    o->targetsFile = p.value(targetsFile);
    o->allTags = p.isSet(allTags);
    o->catalog = p.isSet(catalog);
    o->tagGlob = p.value(tags);
    o->includeRepos = p.values(repos);
    o->excludeRepos = p.values(excludeRepos);
    o->huntCarve = p.isSet(huntCarve);
    o->huntVisibleOnly = p.isSet(visibleOnly);
    o->huntAllPlatforms = p.isSet(allPlatforms);
    o->entryType = p.value(entryType);
    o->searchPattern = p.value(search);
    if (p.isSet(maxTags)) {
        qint64 n = 0;
        if (!number(maxTags, &n, 1))
            return false;
        o->maxTags = int(qMin<qint64>(n, 1000000));
    }
    if (p.isSet(jobs)) {
        qint64 n = 0;
        if (!number(jobs, &n, 1))
            return false;
        o->jobs = int(qMin<qint64>(n, 64));
    }
    if (p.isSet(minSize) && !number(minSize, &o->minSize, 0))
        return false;
    if (!o->entryType.isEmpty()
        && !QStringList { QStringLiteral("f"), QStringLiteral("d"), QStringLiteral("l") }.contains(o->entryType))
        return usage(QStringLiteral("--type takes f, d or l"));
    const bool hunting = p.isSet(hunt);
    if (!hunting
        && (p.isSet(targetsFile) || o->allTags || p.isSet(tags) || p.isSet(maxTags) || p.isSet(repos)
            || p.isSet(excludeRepos) || o->huntCarve || o->huntVisibleOnly || p.isSet(jobs) || p.isSet(entryType)
            || p.isSet(minSize) || o->huntAllPlatforms))
        return usage(QStringLiteral("--targets-file, --all-tags, --tags, --max-tags, --repos, --exclude-repos, "
                                    "--carve, --visible-only, --all-platforms, --jobs, --type and --min-size go with "
                                    "--hunt"));
    if (o->huntAllPlatforms && !o->platform.isEmpty())
        return usage(QStringLiteral("--all-platforms hunts every platform: leave out --platform"));
    if (p.isSet(search) && (p.isSet(entryType) || p.isSet(minSize)))
        return usage(QStringLiteral("--type and --min-size go with --hunt"));
    o->diffTarget = p.value(diff);
    if (p.isSet(maxWasted) && !number(maxWasted, &o->maxWasted, 0))
        return false;
    if (p.isSet(minEfficiency)) {
        bool ok = false;
        o->minEfficiency = p.value(minEfficiency).toDouble(&ok);
        if (!ok || o->minEfficiency < 0 || o->minEfficiency > 1)
            return usage(QStringLiteral("--min-efficiency needs a number from 0 to 1"));
    }
    if (o->passwordStdin && o->username.isEmpty())
        return usage(QStringLiteral("--password-stdin needs --username"));

    QList<CliOptions::Mode> modes;
    if (p.isSet(inspect))
        modes << CliOptions::Mode::Inspect;
    if (p.isSet(listTags))
        modes << CliOptions::Mode::ListTags;
    if (p.isSet(catalog) && !hunting)
        modes << CliOptions::Mode::Catalog;
    if (hunting)
        modes << CliOptions::Mode::Hunt;
    if (p.isSet(search))
        modes << CliOptions::Mode::Search;
    if (p.isSet(peekAll) || p.isSet(partial))
        modes << CliOptions::Mode::PeekAll;
    if (p.isSet(bulkPeek))
        modes << CliOptions::Mode::BulkPeek;
    if (p.isSet(saveAll))
        modes << CliOptions::Mode::SaveAll;
    if (p.isSet(saveLayers) || p.isSet(saveLayers1))
        modes << CliOptions::Mode::SaveLayers;
    if (p.isSet(carve))
        modes << CliOptions::Mode::Carve;
    if (p.isSet(extract))
        modes << CliOptions::Mode::Extract;
    if (p.isSet(analyze))
        modes << CliOptions::Mode::Analyze;
    if (p.isSet(diff))
        modes << CliOptions::Mode::Diff;
    if (modes.size() > 1)
        return usage(
            QStringLiteral("choose one of --inspect, --list-tags, --catalog, --peek-all, --bulk-peek, "
                           "--save-all, --save-layers, --carve-file, --extract, --hunt, --search, --analyze, --diff"));
    if ((p.isSet(maxWasted) || p.isSet(minEfficiency)) && !p.isSet(analyze))
        return usage(QStringLiteral("--max-wasted and --min-efficiency go with --analyze"));
    o->mode = modes.isEmpty() ? CliOptions::Mode::Interactive : modes.constFirst();
    if (modes.isEmpty() && !p.isSet(interactive) && !console.stdinIsTerminal()) {
        // No terminal to ask questions on: a reference alone means --inspect.
        if (o->target.isEmpty())
            return usage(QStringLiteral("no mode given and stdin is not a terminal: use -t REF with --inspect, "
                                        "--peek-all, ... or --interactive"));
        o->mode = CliOptions::Mode::Inspect;
    }
    if (o->mode == CliOptions::Mode::Interactive && o->passwordStdin)
        return usage(QStringLiteral("--password-stdin cannot be used in interactive mode"));
    if (p.isSet(interactive) && !modes.isEmpty())
        return usage(QStringLiteral("--interactive cannot be combined with another mode"));
    if (o->mode == CliOptions::Mode::Hunt && o->targets.isEmpty() && o->targetsFile.isEmpty())
        return usage(QStringLiteral("--hunt needs targets: -t REF (repeatable) or --targets-file FILE"));
    if (o->mode != CliOptions::Mode::Interactive && o->mode != CliOptions::Mode::Hunt
        && o->mode != CliOptions::Mode::Search && o->target.isEmpty())
        return usage(QStringLiteral("-t/--target-image is required"));
    if (o->outputDir.isEmpty()) {
        if (o->mode == CliOptions::Mode::Extract)
            o->outputDir = QStringLiteral("extracted");
        else if (o->mode == CliOptions::Mode::SaveAll || o->mode == CliOptions::Mode::SaveLayers)
            o->outputDir = QStringLiteral(".");
        else
            o->outputDir = QStringLiteral("carved");
    }
    if (o->layer >= 0 && o->mode != CliOptions::Mode::Extract)
        return usage(QStringLiteral("--layer goes with --extract"));
    return true;
}

} // namespace ll::cli
