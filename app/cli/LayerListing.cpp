#include "cli/LayerListing.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "common/HumanSize.h"
#include "oci/Image.h"
#include "stream/LayerScanJob.h"

namespace ll::cli {

Result<LayerListing> LayerListing::list(
    CliSession &session, const oci::Image &image, const LayerListing *shared, int first)
{
    LayerListing out;
    const int count = image.manifest.layers.size();
    for (int i = 0; i < first && shared && size_t(i) < shared->m_trees.size(); ++i)
        out.m_trees.push_back(shared->m_trees[size_t(i)]);
    Console &console = Console::instance();
    for (int i = int(out.m_trees.size()); i < count; ++i) {
        fs::LayerTree &tree = out.m_owned.emplace_back(i);
        const auto source = stream::LayerSource::fromImage(image, i);
        stream::LayerScanJob job(session.client(), source);
        job.setIndexStore(session.indexStore());
        QObject::connect(
            &job, &stream::LayerScanJob::entriesReady, &job, [&tree](const QVector<stream::TarEntry> &entries) {
                for (const auto &e : entries)
                    (void)tree.addEntry(e); // unsafe names are counted by the tree, never listed
            });
        QObject::connect(&job, &Job::progress, &job, [&console, i, count, &image](qint64 done, qint64 total) {
            console.progress(QStringLiteral("%1: layer %2/%3: %4 of %5")
                                 .arg(image.reference)
                                 .arg(i + 1)
                                 .arg(count)
                                 .arg(humanSize(done), humanSize(total)));
        });
        session.run(&job);
        console.endProgress();
        if (job.state() != Job::State::Succeeded)
            return job.error();
        out.m_bytesDownloaded += job.bytesDownloaded();
        if (job.isFromIndex())
            ++out.m_fromIndex;
        if (tree.rejectedCount() > 0)
            console.error(QStringLiteral("warning: %1 layer %2 has %3 entries with unsafe paths (ignored)")
                              .arg(image.reference)
                              .arg(i)
                              .arg(tree.rejectedCount()));
        out.m_trees.push_back(&tree);
    }
    return out;
}

} // namespace ll::cli
