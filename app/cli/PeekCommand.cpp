#include "cli/PeekCommand.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/EntryPrinter.h"
#include "common/HumanSize.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "stream/LayerScanJob.h"
#include "toc/LayerToc.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>


namespace ll::cli {

namespace {

constexpr qint64 DefaultPeekBytes = 256 * 1024;

EntryPrinter::Style styleFor(const CliOptions &o)
{
    if (o.json)
        return EntryPrinter::Style::JsonLines;
    return o.simpleOutput ? EntryPrinter::Style::Simple : EntryPrinter::Style::Long;
}

/** Shows "layer 2/5: 12.3 MB of 40.1 MB (31%), 45.2 MB/s" on stderr while a layer streams. */
void connectProgress(stream::LayerPipeline *job, int count)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    QObject::connect(job, &Job::progress, job, [job, count, timer](qint64 done, qint64 total) {
        const double secs = qMax<qint64>(1, timer->elapsed()) / 1000.0;
        QString text = QStringLiteral("layer %1/%2: %3").arg(job->source().index + 1).arg(count).arg(humanSize(done));
        if (total > 0)
            text += QStringLiteral(" of %1 (%2%)").arg(humanSize(total)).arg(done * 100 / total);
        text += QStringLiteral(", %1/s").arg(humanSize(qint64(done / secs)));
        Console::instance().progress(text);
    });
}

} // namespace

int runPeekAll(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget();
    if (!image)
        return session.fail(image.error());

    Console &c = Console::instance();
    EntryPrinter printer(styleFor(o), false);
    const int count = image->manifest.layers.size();
    c.info(
        QStringLiteral("%1: %2 layer(s), %3").arg(image->reference).arg(count).arg(humanSize(image->totalLayerSize())));
    for (int i = 0; i < count; ++i) {
        const auto source = stream::LayerSource::fromImage(*image, i);
        if (printer.style() != EntryPrinter::Style::JsonLines) {
            c.outLine();
            c.outLine(QStringLiteral("Layer %1/%2: %3 (%4)")
                          .arg(i + 1)
                          .arg(count)
                          .arg(source.layer.digest, humanSize(source.layer.size)));
            const int step = image->config.historyIndexForLayer(i);
            if (step >= 0)
                c.outLine(QStringLiteral("  step [%1] %2")
                              .arg(step)
                              .arg(image->config.history.at(step).displayText().left(160)));
        }
        stream::LayerScanJob job(session.client(), source);
        job.setIndexStore(session.indexStore());
        stream::FetchPolicy policy;
        if (o.partial || o.peekBytes > 0)
            policy.byteLimit = o.peekBytes > 0 ? o.peekBytes : DefaultPeekBytes;
        job.setPolicy(policy);
        QObject::connect(
            &job, &stream::LayerScanJob::entriesReady, &job, [&printer, i](const QVector<stream::TarEntry> &entries) {
                for (const auto &e : entries)
                    printer.print(ListingRow::fromEntry(i, e));
            });
        connectProgress(&job, count);
        session.run(&job);
        c.endProgress();
        if (job.state() != Job::State::Succeeded)
            return session.fail(job.error());
        if (job.isFromToc() && printer.style() != EntryPrinter::Style::JsonLines)
            c.outLine(QStringLiteral("  (listed from its %1 table of contents: %2 request(s), %3)")
                          .arg(job.layerToc()->formatName())
                          .arg(job.tocRequestCount())
                          .arg(humanSize(job.tocBytesDownloaded())));
        if (job.isIncomplete()) {
            if (printer.style() == EntryPrinter::Style::JsonLines) {
                QJsonObject marker { { QStringLiteral("layer"), i }, { QStringLiteral("digest"), source.layer.digest },
                    { QStringLiteral("incomplete"), true }, { QStringLiteral("entries"), job.entryCount() },
                    { QStringLiteral("bytes_read"), job.compressedConsumed() },
                    { QStringLiteral("layer_size"), source.layer.size } };
                c.outBytes(QJsonDocument(marker).toJson(QJsonDocument::Compact) + '\n');
            } else {
                c.outLine(QStringLiteral("  ... incomplete: %1 entries from the first %2 of %3")
                              .arg(job.entryCount())
                              .arg(humanSize(job.compressedConsumed()), humanSize(source.layer.size)));
            }
        }
    }
    return 0;
}

int runBulkPeek(CliSession &session)
{
    const CliOptions &o = session.options();
    auto image = session.resolveTarget();
    if (!image)
        return session.fail(image.error());

    const int count = image->manifest.layers.size();
    fs::MergedTree merged;
    for (int i = 0; i < count; ++i) {
        fs::LayerTree tree(i); // merged, then dropped: only the merged tree is kept (the bottom layer adopted)
        stream::LayerScanJob job(session.client(), stream::LayerSource::fromImage(*image, i));
        job.setIndexStore(session.indexStore());
        QObject::connect(
            &job, &stream::LayerScanJob::entriesReady, &job, [&tree](const QVector<stream::TarEntry> &entries) {
                for (const auto &e : entries)
                    (void)tree.addEntry(e); // unsafe names are counted by the tree, never listed
            });
        connectProgress(&job, count);
        session.run(&job);
        Console::instance().endProgress();
        if (job.state() != Job::State::Succeeded)
            return session.fail(job.error());
        if (tree.rejectedCount() > 0)
            Console::instance().error(QStringLiteral("warning: layer %1 has %2 entries with unsafe paths (ignored)")
                                          .arg(i)
                                          .arg(tree.rejectedCount()));
        merged.addLayer(std::move(tree));
    }

    EntryPrinter printer(styleFor(o), true);
    for (const fs::FileNode *node : merged.entries())
        printer.print(ListingRow::fromNode(*node));
    Console::instance().info(
        QStringLiteral("%1 paths in the merged filesystem of %2 layer(s)").arg(merged.entryCount()).arg(count));
    return 0;
}

} // namespace ll::cli
