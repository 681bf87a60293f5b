#include "cli/AnalyzeCommand.h"

#include "analysis/ImageAnalysis.h"
#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/ExitCode.h"
#include "cli/LayerListing.h"
#include "common/HumanSize.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

namespace {

constexpr int TopWastedJson = 20;
constexpr int TopWastedText = 10;

QJsonArray layerArray(const std::vector<int> &layers)
{
    QJsonArray out;
    for (int l : layers)
        out.append(l);
    return out;
}

void printJson(const oci::Image &image, const analysis::ImageAnalysis &a)
{
    const analysis::Efficiency &e = a.efficiency();
    QJsonArray layers;
    for (const analysis::LayerChanges &l : a.layers()) {
        layers.append(QJsonObject { { QStringLiteral("index"), l.layer },
            { QStringLiteral("digest"), image.manifest.layers.value(l.layer).digest },
            { QStringLiteral("added"), l.added }, { QStringLiteral("modified"), l.modified },
            { QStringLiteral("deleted"), l.deleted }, { QStringLiteral("added_bytes"), l.addedBytes } });
    }
    QJsonArray top;
    for (size_t i = 0; i < e.wasted.size() && i < size_t(TopWastedJson); ++i) {
        const analysis::WastedPath &w = e.wasted[i];
        top.append(QJsonObject { { QStringLiteral("path"), w.path }, { QStringLiteral("bytes"), w.bytes },
            { QStringLiteral("layers"), layerArray(w.layers) } });
    }
    const QJsonObject o { { QStringLiteral("image"), image.reference },
        { QStringLiteral("digest"), image.manifestDigest }, { QStringLiteral("total_bytes"), e.totalBytes },
        { QStringLiteral("wasted_bytes"), e.wastedBytes }, { QStringLiteral("efficiency"), e.score },
        { QStringLiteral("layers"), layers }, { QStringLiteral("top_wasted"), top } };
    Console::instance().outBytes(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

void printText(const oci::Image &image, const analysis::ImageAnalysis &a)
{
    Console &c = Console::instance();
    const analysis::Efficiency &e = a.efficiency();
    c.outLine(QStringLiteral("%1 (%2)").arg(image.reference, image.manifestDigest));
    c.outLine();
    c.outLine(QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
                  .arg(QStringLiteral("layer"), 5)
                  .arg(QStringLiteral("added"), 7)
                  .arg(QStringLiteral("add bytes"), 9)
                  .arg(QStringLiteral("modified"), 8)
                  .arg(QStringLiteral("deleted"), 7)
                  .arg(QStringLiteral("del bytes"), 9)
                  .arg(QStringLiteral("digest")));
    for (const analysis::LayerChanges &l : a.layers()) {
        c.outLine(QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
                      .arg(l.layer, 5)
                      .arg(l.added, 7)
                      .arg(humanSize(l.addedBytes), 9)
                      .arg(l.modified, 8)
                      .arg(l.deleted, 7)
                      .arg(humanSize(l.deletedBytes), 9)
                      .arg(image.manifest.layers.value(l.layer).digest.left(19)));
    }
    c.outLine();
    c.outLine(QStringLiteral("Total bytes in all layers: %1").arg(humanSize(e.totalBytes)));
    c.outLine(QStringLiteral("Wasted bytes:              %1").arg(humanSize(e.wastedBytes)));
    c.outLine(QStringLiteral("Efficiency:                %1 %").arg(e.score * 100.0, 0, 'f', 2));
    if (e.wasted.empty())
        return;
    c.outLine();
    c.outLine(QStringLiteral("Top wasted files (every copy counted):"));
    c.outLine(QStringLiteral("%1  %2  %3")
                  .arg(QStringLiteral("bytes"), 9)
                  .arg(QStringLiteral("layers"), -12)
                  .arg(QStringLiteral("path")));
    for (size_t i = 0; i < e.wasted.size() && i < size_t(TopWastedText); ++i) {
        const analysis::WastedPath &w = e.wasted[i];
        QStringList layers;
        for (int l : w.layers)
            layers << QString::number(l);
        c.outLine(QStringLiteral("%1  %2  %3")
                      .arg(humanSize(w.bytes), 9)
                      .arg(layers.join(QLatin1Char(',')), -12)
                      .arg(w.path));
    }
    if (e.wasted.size() > size_t(TopWastedText))
        c.outLine(QStringLiteral("... and %1 more").arg(e.wasted.size() - size_t(TopWastedText)));
}

} // namespace

int runAnalyze(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget(CliSession::Resolve::ManifestOnly);
    if (!image)
        return session.fail(image.error());
    auto listing = LayerListing::list(session, *image);
    if (!listing)
        return session.fail(listing.error());
    const analysis::ImageAnalysis a = analysis::ImageAnalysis::analyze(listing->trees());
    if (o.json)
        printJson(*image, a);
    else
        printText(*image, a);

    const analysis::Efficiency &e = a.efficiency();
    Console &c = Console::instance();
    int code = ExitOk;
    if (o.maxWasted >= 0 && e.wastedBytes > o.maxWasted) {
        c.error(QStringLiteral("layerslayer-cli: %1 wasted bytes, more than --max-wasted %2")
                    .arg(e.wastedBytes)
                    .arg(o.maxWasted));
        code = ExitThreshold;
    }
    if (o.minEfficiency >= 0 && e.score < o.minEfficiency) {
        c.error(QStringLiteral("layerslayer-cli: efficiency %1, less than --min-efficiency %2")
                    .arg(e.score, 0, 'f', 4)
                    .arg(o.minEfficiency));
        code = ExitThreshold;
    }
    return code;
}

} // namespace ll::cli
