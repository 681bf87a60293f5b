#pragma once

namespace ll::cli {

class CliSession;

/** --list-tags (of -t's repository) and --catalog (of -t's registry), paginated. */
int runListTags(CliSession &session);
int runCatalog(CliSession &session);

} // namespace ll::cli
