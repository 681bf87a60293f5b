#pragma once

namespace ll::cli {

class CliSession;

/**
 * -t OLD --diff NEW: what NEW added, removed and changed relative to OLD (their merged filesystems, from the
 * layer listings; shared bottom layers listed once and skipped), as text or JSON Lines with a closing summary.
 */
int runDiff(CliSession &session);

} // namespace ll::cli
