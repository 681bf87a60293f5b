#include "cli/InspectCommand.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/ImageJson.h"
#include "common/HumanSize.h"

#include <QJsonDocument>

namespace ll::cli {

namespace {

QString shortDigest(const QString &digest)
{
    return digest.left(7 + 12);
}

void printConfig(const oci::Image &image)
{
    Console &c = Console::instance();
    const oci::ImageConfig &cfg = image.config;
    c.outLine(QStringLiteral("Config:    %1").arg(image.configDigest));
    if (!cfg.created.isEmpty())
        c.outLine(QStringLiteral("  Created:     %1").arg(cfg.created));
    if (!cfg.entrypoint.isEmpty())
        c.outLine(QStringLiteral("  Entrypoint:  %1").arg(cfg.entrypoint.join(QLatin1Char(' '))));
    if (!cfg.cmd.isEmpty())
        c.outLine(QStringLiteral("  Cmd:         %1").arg(cfg.cmd.join(QLatin1Char(' '))));
    if (!cfg.workingDir.isEmpty())
        c.outLine(QStringLiteral("  WorkingDir:  %1").arg(cfg.workingDir));
    if (!cfg.user.isEmpty())
        c.outLine(QStringLiteral("  User:        %1").arg(cfg.user));
    if (!cfg.exposedPorts.isEmpty())
        c.outLine(QStringLiteral("  Ports:       %1").arg(cfg.exposedPorts.join(QStringLiteral(", "))));
    if (!cfg.volumes.isEmpty())
        c.outLine(QStringLiteral("  Volumes:     %1").arg(cfg.volumes.join(QStringLiteral(", "))));
    for (const QString &e : cfg.env)
        c.outLine(QStringLiteral("  Env:         %1").arg(e));
    for (auto it = cfg.labels.cbegin(); it != cfg.labels.cend(); ++it)
        c.outLine(QStringLiteral("  Label:       %1=%2").arg(it.key(), it.value()));
}

} // namespace

void printBuildSteps(const oci::Image &image)
{
    Console &c = Console::instance();
    const auto &history = image.config.history;
    c.outLine(QStringLiteral("Build steps:"));
    if (history.isEmpty()) {
        c.outLine(QStringLiteral("  (the image config has no history)"));
        return;
    }
    for (int i = 0; i < history.size(); ++i) {
        const auto &h = history.at(i);
        QString line = QStringLiteral(" [%1] %2").arg(i).arg(h.displayText());
        if (h.layerIndex >= 0) {
            const auto &layers = image.manifest.layers;
            const qint64 size = h.layerIndex < layers.size() ? layers.at(h.layerIndex).size : -1;
            line += QStringLiteral("  -> layer %1 (%2)").arg(h.layerIndex).arg(humanSize(size));
        } else {
            line += QStringLiteral(" (metadata only)");
        }
        c.outLine(line);
    }
}

void printLayers(const oci::Image &image)
{
    Console &c = Console::instance();
    const auto &layers = image.manifest.layers;
    c.outLine(QStringLiteral("Layers (%1, %2 compressed):").arg(layers.size()).arg(humanSize(image.totalLayerSize())));
    for (int i = 0; i < layers.size(); ++i) {
        const auto &l = layers.at(i);
        c.outLine(QStringLiteral(" [%1] %2  %3  %4")
                      .arg(i)
                      .arg(shortDigest(l.digest))
                      .arg(humanSize(l.size), 9)
                      .arg(l.mediaType));
    }
}

int runInspect(CliSession &session)
{
    auto image = session.resolveTarget();
    if (!image)
        return session.fail(image.error());

    Console &c = Console::instance();
    if (session.options().json) {
        c.outBytes(QJsonDocument(imageToJson(*image)).toJson(QJsonDocument::Indented));
        return 0;
    }
    c.outLine(QStringLiteral("Image:     %1").arg(image->reference));
    c.outLine(QStringLiteral("Digest:    %1").arg(image->manifestDigest));
    c.outLine(QStringLiteral("Type:      %1").arg(image->manifestMediaType));
    c.outLine(QStringLiteral("Platform:  %1").arg(image->platform.toString()));
    if (image->index) {
        c.outLine();
        c.outLine(QStringLiteral("Available platforms (index %1):").arg(image->indexDigest));
        int i = 0;
        for (const auto &d : image->index->manifests) {
            const oci::Platform p = d.platform.value_or(oci::Platform {});
            QString note;
            if (p.isAttestation())
                note = QStringLiteral("  (attestation)");
            else if (d.digest == image->manifestDigest)
                note = QStringLiteral("  (selected)");
            c.outLine(
                QStringLiteral(" [%1] %2  %3%4").arg(i++).arg(p.toString(), -16).arg(shortDigest(d.digest), note));
        }
    }
    c.outLine();
    printConfig(*image);
    c.outLine();
    printBuildSteps(*image);
    c.outLine();
    printLayers(*image);
    return 0;
}

} // namespace ll::cli
