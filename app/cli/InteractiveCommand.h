#pragma once

namespace ll::cli {

class CliSession;

/**
 * The original tool's default mode: prompts for the image (unless -t), the platform of a multi-arch
 * image, shows the build steps and layers, then walks the chosen layers with peek / download prompts
 * (y/n/q) and offers to carve files. Answers come from stdin, one per line; end of input quits.
 */
int runInteractive(CliSession &session);

} // namespace ll::cli
