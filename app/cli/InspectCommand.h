#pragma once

namespace ll::oci {
struct Image;
}

namespace ll::cli {

class CliSession;

/** --inspect: platforms, config, build steps and layers, as text or one JSON object. */
int runInspect(CliSession &session);

/** The human-readable build-step list (also used by the interactive mode). */
void printBuildSteps(const oci::Image &image);
/** The human-readable layer list. */
void printLayers(const oci::Image &image);

} // namespace ll::cli
