#pragma once

#include "oci/Platform.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace ll::oci {

/** One config history entry, matched to a layer. */
struct HistoryEntry {
    QString created;
    QString createdBy;
    QString author;
    QString comment;
    bool emptyLayer = false; // metadata-only step (ENV, CMD, ...)
    int layerIndex = -1;     // index into the manifest's layers, -1 for metadata-only steps
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
    QStringList exposedPorts;
    QStringList volumes;
    QStringList diffIds;
    QList<HistoryEntry> history;

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
