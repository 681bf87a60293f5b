#pragma once

namespace ll::cli {

class CliSession;

/**
 * --analyze: what each layer added, modified and deleted, the wasted bytes and dive's efficiency score, the
 * top wasted files; as text or one JSON object. With --max-wasted / --min-efficiency, exit code 9 when the
 * image is over the limit (after the report).
 */
int runAnalyze(CliSession &session);

} // namespace ll::cli
