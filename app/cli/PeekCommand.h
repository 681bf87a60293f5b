#pragma once

namespace ll::cli {

class CliSession;

/** --peek-all (every layer's entries; --partial/--peek-bytes: only what the first bytes reveal). */
int runPeekAll(CliSession &session);
/** --bulk-peek: the merged filesystem, whiteouts applied, each path with its origin layer. */
int runBulkPeek(CliSession &session);

} // namespace ll::cli
