#include "cli/ExtractCommands.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/ExitCode.h"
#include "common/HumanSize.h"
#include "common/PathBytes.h"
#include "extract/CarveJob.h"
#include "extract/ExtractJob.h"
#include "extract/LayerSelection.h"
#include "extract/SaveLayerJob.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

namespace {

void showProgress(Job *job, const QString &what)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    QObject::connect(job, &Job::progress, job, [what, timer](qint64 done, qint64 total) {
        const double secs = qMax<qint64>(1, timer->elapsed()) / 1000.0;
        QString text = QStringLiteral("%1: %2").arg(what, humanSize(done));
        if (total > 0)
            text += QStringLiteral(" of %1 (%2%)").arg(humanSize(total)).arg(done * 100 / total);
        text += QStringLiteral(", %1/s").arg(humanSize(qint64(done / secs)));
        Console::instance().progress(text);
    });
}

void printJson(const QJsonObject &o)
{
    Console::instance().outBytes(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

} // namespace

int runCarve(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget(CliSession::Resolve::ManifestOnly);
    if (!image)
        return session.fail(image.error());
    Console &c = Console::instance();
    c.info(QStringLiteral("Carving %1 from %2 (%3 layer(s), searching from the top)")
               .arg(PathBytes::display(o.carvePath), image->reference)
               .arg(image->manifest.layers.size()));

    extract::CarveOptions options;
    options.outputDir = o.outputDir;
    options.follow = o.follow;
    options.wholeLayer = o.wholeLayer;
    options.overlap = !o.boundedReads;
    if (o.chunkSizeKb > 0)
        options.firstChunk = o.chunkSizeKb * 1024;
    extract::CarveJob job(session.client(), *image, o.carvePath, options);
    job.setIndexStore(session.indexStore());
    showProgress(&job, QStringLiteral("carving"));
    session.run(&job);
    c.endProgress();
    const extract::CarveResult &r = job.result();
    if (job.state() != Job::State::Succeeded)
        return session.fail(job.error());

    if (o.json) {
        QJsonObject out { { QStringLiteral("status"), extract::CarveResult::statusName(r.status) },
            { QStringLiteral("found"), r.status == extract::CarveResult::Status::Found },
            { QStringLiteral("path"), PathBytes::display(r.path) },
            { QStringLiteral("layer_index"), r.layerIndex >= 0 ? QJsonValue(r.layerIndex) : QJsonValue() },
            { QStringLiteral("layer_digest"), r.layerDigest.isEmpty() ? QJsonValue() : QJsonValue(r.layerDigest) },
            { QStringLiteral("size"), r.size },
            { QStringLiteral("saved_to"),
                r.savedTo.isEmpty() ? QJsonValue() : QJsonValue(PathBytes::display(r.savedTo)) },
            { QStringLiteral("bytes_downloaded"), r.bytesDownloaded }, { QStringLiteral("layer_size"), r.layerSize },
            { QStringLiteral("requests"), r.requests }, { QStringLiteral("elapsed_s"), double(r.elapsedMs) / 1000.0 } };
        stream::TarEntry e;
        e.type = r.type;
        out.insert(QStringLiteral("type"), e.typeName());
        if (!r.linkTarget.isEmpty())
            out.insert(QStringLiteral("link"), PathBytes::display(r.linkTarget));
        if (r.resolvedPath != r.path)
            out.insert(QStringLiteral("resolved_path"), PathBytes::display(r.resolvedPath));
        if (!r.savedTo.isEmpty()) {
            out.insert(QStringLiteral("verified"), r.verified);
            out.insert(QStringLiteral("last_copy_checked"), !r.stoppedEarly);
        }
        out.insert(QStringLiteral("physical_bound"), r.physicalBound);
        out.insert(QStringLiteral("layers_from_index"), r.layersFromIndex);
        out.insert(QStringLiteral("layers_from_toc"), r.layersFromToc);
        out.insert(QStringLiteral("from_toc"), r.fromToc);
        out.insert(QStringLiteral("random_access"), r.randomAccess);
        if (r.randomAccess)
            out.insert(QStringLiteral("pieces_verified"), r.piecesVerified);
        if (!r.indexFallback.isEmpty())
            out.insert(QStringLiteral("index_fallback"), r.indexFallback);
        printJson(out);
    } else {
        if (!r.indexFallback.isEmpty())
            c.info(QStringLiteral("Warning: a layer index no longer matched the registry (%1); it was discarded and "
                                  "the layer streamed instead")
                       .arg(r.indexFallback));
        switch (r.status) {
        case extract::CarveResult::Status::Found:
            if (r.savedTo.isEmpty()) {
                c.outLine(QStringLiteral("FOUND: %1 is a symlink to %2 in layer %3 (use --follow to carve its target)")
                              .arg(PathBytes::display(r.path), PathBytes::display(r.linkTarget))
                              .arg(r.layerIndex));
            } else {
                c.outLine(QStringLiteral("FOUND: %1 (%2 bytes) in layer %3 (%4)")
                              .arg(PathBytes::display(r.resolvedPath))
                              .arg(groupedNumber(r.size))
                              .arg(r.layerIndex)
                              .arg(r.layerDigest.left(19)));
                c.outLine(
                    QStringLiteral("Done! File saved to: %1").arg(PathBytes::display(Console::displayPath(r.savedTo))));
                if (r.randomAccess)
                    c.info(QStringLiteral("Verified: read from the layer index's checkpoints; %1 piece(s) of layer %2 "
                                          "matched their SHA-256 before use")
                               .arg(r.piecesVerified)
                               .arg(r.layerIndex));
                else if (r.verified)
                    c.info(
                        QStringLiteral("Verified: layer %1 was read whole and matches its digest").arg(r.layerIndex));
                else
                    c.info(QStringLiteral("Note: the read stopped before the end of layer %1, so the content could "
                                          "not be checked against the layer digest%2")
                               .arg(r.layerIndex)
                               .arg(r.stoppedEarly ? QStringLiteral(", nor a later copy of the path in that layer "
                                                                    "ruled out (tar -r appends one; --whole-layer "
                                                                    "reads the layer to its end)")
                                                   : QString()));
            }
            break;
        case extract::CarveResult::Status::Deleted:
            c.outLine(
                QStringLiteral("DELETED: %1 was removed by layer %2 (%3); lower copies are not what a container sees")
                    .arg(PathBytes::display(r.path))
                    .arg(r.layerIndex)
                    .arg(r.layerDigest.left(19)));
            break;
        case extract::CarveResult::Status::NotFound:
            c.outLine(QStringLiteral("NOT FOUND: %1 is in none of the %2 layer(s)")
                          .arg(PathBytes::display(r.path))
                          .arg(image->manifest.layers.size()));
            break;
        }
        const double pct = r.layerSize > 0 ? 100.0 * double(r.bytesDownloaded) / double(image->totalLayerSize()) : 0;
        c.info(QStringLiteral("Stats: downloaded %1 bytes of %2 bytes of layers (%3%) in %4 request(s), %5 s")
                   .arg(groupedNumber(r.bytesDownloaded), groupedNumber(image->totalLayerSize()))
                   .arg(pct, 0, 'f', 1)
                   .arg(r.requests)
                   .arg(double(r.elapsedMs) / 1000.0, 0, 'f', 2)
            + (r.layersFromIndex > 0
                    ? QStringLiteral("; %1 layer(s) searched in their kept index").arg(r.layersFromIndex)
                    : QString())
            + (r.layersFromToc > 0
                    ? QStringLiteral("; %1 layer(s) searched in their table of contents").arg(r.layersFromToc)
                    : QString())
            + (r.fromToc ? QStringLiteral("; fetched by its chunk offsets, each chunk verified") : QString()));
    }
    return r.status == extract::CarveResult::Status::Found ? ExitOk : ExitNotFound;
}

int saveLayers(CliSession &session, const oci::Image &image, const QList<int> &layers, const QString &outputDir)
{
    const CliOptions &o = session.options();
    Console &c = Console::instance();
    extract::SaveLayerJob job(session.client(), image, layers, outputDir);
    showProgress(&job, QStringLiteral("saving"));
    QObject::connect(&job, &extract::SaveLayerJob::layerSaved, &job, [&o, &c](const extract::SavedLayer &l) {
        if (o.json) {
            printJson({ { QStringLiteral("layer"), l.index }, { QStringLiteral("digest"), l.digest },
                { QStringLiteral("size"), l.size }, { QStringLiteral("saved_to"), l.path },
                { QStringLiteral("resumed_from"), l.resumedFrom }, { QStringLiteral("bytes_downloaded"), l.downloaded },
                { QStringLiteral("skipped"), l.skipped } });
            return;
        }
        QString note;
        if (l.skipped)
            note = QStringLiteral(" (already there, digest verified)");
        else if (l.resumedFrom > 0)
            note = QStringLiteral(" (resumed from %1)").arg(humanSize(l.resumedFrom));
        c.outLine(QStringLiteral("Saved layer %1: %2 (%3, sha256 verified)%4")
                      .arg(l.index)
                      .arg(Console::displayPath(l.path), humanSize(l.size), note));
    });
    session.run(&job);
    c.endProgress();
    if (job.state() != Job::State::Succeeded)
        return session.fail(job.error());
    c.info(QStringLiteral("%1 layer(s) saved to %2, %3 downloaded in %4 s")
               .arg(job.saved().size())
               .arg(outputDir, humanSize(job.bytesDownloaded()))
               .arg(double(job.elapsedMs()) / 1000.0, 0, 'f', 2));
    return ExitOk;
}

int runSave(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget(CliSession::Resolve::ManifestOnly);
    if (!image)
        return session.fail(image.error());
    const int count = image->manifest.layers.size();
    QList<int> layers;
    if (o.mode == CliOptions::Mode::SaveAll) {
        for (int i = 0; i < count; ++i)
            layers << i;
    } else {
        auto selection = extract::LayerSelection::parse(o.layerSelection, count, o.layerSelectionBase);
        if (!selection)
            return session.fail(selection.error());
        layers = *selection;
    }
    return saveLayers(session, *image, layers, o.outputDir);
}

int runExtract(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget(CliSession::Resolve::ManifestOnly);
    if (!image)
        return session.fail(image.error());
    if (o.layer >= image->manifest.layers.size())
        return session.fail(Error(Error::Code::Usage,
            QStringLiteral("--layer %1: the image has %2 layers (0-based)")
                .arg(o.layer)
                .arg(image->manifest.layers.size())));
    extract::ExtractOptions options;
    options.layer = o.layer;
    options.preservePermissions = o.preservePermissions;
    extract::ExtractJob job(session.client(), *image, o.extractPaths, o.outputDir, options);
    job.setIndexStore(session.indexStore());
    Console &c = Console::instance();
    if (!o.json) {
        int indexed = 0;
        const qint64 expected
            = extract::ExtractJob::expectedDownload(*image, o.extractPaths, o.layer, session.indexStore(), &indexed);
        c.info(QStringLiteral("Downloading at most %1 (%2 of %3 layer(s) indexed)")
                   .arg(humanSize(expected))
                   .arg(indexed)
                   .arg(o.layer >= 0 ? 1 : image->manifest.layers.size()));
    }
    showProgress(&job, QStringLiteral("extracting"));
    QObject::connect(
        &job, &extract::ExtractJob::itemsReady, &job, [&o, &c, &job](const QVector<extract::ExtractItem> &items) {
            for (const auto &item : items) {
                if (o.json) {
                    stream::TarEntry e;
                    e.type = item.type;
                    QJsonObject obj { { QStringLiteral("path"), PathBytes::display(item.path) },
                        { QStringLiteral("type"), e.typeName() }, { QStringLiteral("layer"), item.layer },
                        { QStringLiteral("size"), item.size },
                        { QStringLiteral("outcome"), extract::ExtractItem::outcomeName(item.outcome) } };
                    if (item.outcome == extract::ExtractItem::Outcome::Written) {
                        obj.insert(QStringLiteral("verified"), !job.unverifiedLayers().contains(item.layer));
                        if (job.randomAccessLayers().contains(item.layer))
                            obj.insert(QStringLiteral("random_access"), true);
                        if (job.tocLayers().contains(item.layer))
                            obj.insert(QStringLiteral("from_toc"), true);
                    }
                    if (item.error.isError())
                        obj.insert(QStringLiteral("reason"), item.error.message);
                    printJson(obj);
                } else if (item.outcome == extract::ExtractItem::Outcome::Written) {
                    if (!c.isQuiet())
                        c.outLine(QStringLiteral("  %1 [L%2]").arg(PathBytes::display(item.path)).arg(item.layer));
                } else {
                    c.error(QStringLiteral("  %1 %2: %3")
                                .arg(extract::ExtractItem::outcomeName(item.outcome), PathBytes::display(item.path),
                                    item.error.message));
                }
            }
        });
    session.run(&job);
    c.endProgress();
    if (job.state() != Job::State::Succeeded)
        return session.fail(job.error());
    const int written = job.count(extract::ExtractItem::Outcome::Written);
    const int skipped = job.count(extract::ExtractItem::Outcome::Skipped);
    const int failed = job.count(extract::ExtractItem::Outcome::Failed);
    c.info(QStringLiteral("Extracted %1 item(s) into %2 (%3 skipped, %4 failed), %5 downloaded from %6 layer(s)")
               .arg(written)
               .arg(job.outputDir())
               .arg(skipped)
               .arg(failed)
               .arg(humanSize(job.bytesDownloaded()))
               .arg(job.layersRead().size()));
    if (!job.randomAccessLayers().isEmpty()) {
        QStringList layers;
        for (int l : job.randomAccessLayers())
            layers << QString::number(l);
        c.info(QStringLiteral("Layer(s) %1 read from their index's checkpoints: %2 request(s), %3 piece(s) verified")
                   .arg(layers.join(QStringLiteral(", ")))
                   .arg(job.requestCount())
                   .arg(job.piecesVerified()));
    }
    if (!job.indexFallback().isEmpty())
        c.error(QStringLiteral("Read from checkpoints failed (%1): the layer was streamed instead")
                    .arg(job.indexFallback()));
    if (!job.tocLayers().isEmpty()) {
        QStringList layers;
        for (int l : job.tocLayers())
            layers << QString::number(l);
        c.info(
            QStringLiteral("Layer(s) %1 read by their table of contents' chunks: %2 chunk(s) verified (%3 request(s) "
                           "in all)")
                .arg(layers.join(QStringLiteral(", ")))
                .arg(job.chunksVerified())
                .arg(job.requestCount()));
    }
    if (!job.tocFallback().isEmpty())
        c.error(QStringLiteral("Read by the table of contents failed (%1): the layer was read without it")
                    .arg(job.tocFallback()));
    if (!job.unverifiedLayers().isEmpty()) {
        QStringList layers;
        for (int l : job.unverifiedLayers())
            layers << QString::number(l);
        c.info(QStringLiteral("Layer(s) %1 were read only as far as needed: their content is not checked against "
                              "the layer digest")
                   .arg(layers.join(QStringLiteral(", "))));
    }
    if (failed > 0) {
        for (const auto &item : job.items())
            if (item.outcome == extract::ExtractItem::Outcome::Failed)
                return exitCodeFor(item.error);
    }
    return ExitOk;
}

} // namespace ll::cli
