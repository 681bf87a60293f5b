#pragma once

#include "common/Result.h"
#include "oci/Platform.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace ll::oci {

/** One config history entry (a build step), matched to a layer. */
struct HistoryEntry {
    QString created;
    QString createdBy;
    QString author;
    QString comment;
    bool emptyLayer = false; // metadata-only step (ENV, CMD, ...)
    int layerIndex = -1; // index into the manifest's layers, -1 for metadata-only or unmatched steps

    /**
     * createdBy as `docker history` shows it: the legacy builder's "/bin/sh -c #(nop) " prefix stripped
     * ("CMD [\"bash\"]"), tabs as spaces, trimmed. Nothing else is changed or added.
     */
    QString displayText() const;
};

/** The image config blob (Docker and OCI share the format). */
struct ImageConfig {
    Platform platform;
    QString created;
    QString author;
    QStringList env;
    QStringList entrypoint;
    QStringList cmd;
    QString workingDir;
    QString user;
    QString stopSignal;
    QMap<QString, QString> labels;
    QStringList exposedPorts; // "80/tcp", sorted by port number then protocol
    QStringList volumes; // sorted
    QStringList diffIds; // rootfs.diff_ids: digests of the uncompressed layers
    QList<HistoryEntry> history;

    /**
     * Malformed JSON or ill-typed fields: Error::Malformed (message names the field, detail has the JSON error
     * and offset). Missing or null fields (config, Env, Labels, history, ...) read as empty.
     */
    static Result<ImageConfig> parse(const QByteArray &body);

    /**
     * Sets HistoryEntry::layerIndex: entries without empty_layer map, in order, to layers 0..layerCount-1.
     * Returns false when counts disagree (more non-empty entries than layers, or fewer); the mapping then
     * still covers what it can and the remaining layers have no step.
     */
    bool mapHistoryToLayers(int layerCount);
    /** Index into history of the step that made layer `layer`, or -1. */
    int historyIndexForLayer(int layer) const;
};

} // namespace ll::oci
