#pragma once

#include <QList>
#include <QString>

namespace ll::oci {
struct Image;
}

namespace ll::cli {

class CliSession;

/** -f/--carve-file PATH [-o DIR] [--chunk-size KB] [--follow]: one file, the top layer's copy. */
int runCarve(CliSession &session);
/** --save-all / --save-layers SEL [-o DIR]: layer blobs, digest-verified, resumable. */
int runSave(CliSession &session);
/** --extract PATH... [-o DIR] [--layer N] [--preserve-permissions]: files and subtrees, safely. */
int runExtract(CliSession &session);

/** Saves the given (0-based) layers of an already resolved image; used by the interactive mode too. */
int saveLayers(CliSession &session, const oci::Image &image, const QList<int> &layers, const QString &outputDir);

} // namespace ll::cli
