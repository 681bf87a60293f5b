#pragma once

namespace ll::cli {

class CliSession;

/**
 * --hunt PATTERN... with -t REF... / --targets-file F [--all-tags] [--catalog] [--carve] [--jobs N]:
 * finds files across many images (core/hunt). A table, or with --json one line per answer and a summary.
 * Exit 0 when something was found, 3 when nothing was, 1 when every image failed.
 */
int runHunt(CliSession &session);

/** --search PATTERN: every cached layer index, offline, with the images seen that hold each hit. */
int runSearch(CliSession &session);

} // namespace ll::cli
