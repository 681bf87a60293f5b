#include "hunt/LayerFactsJob.h"

#include "extract/CarveJob.h"
#include "hunt/HuntLogging.h"
#include "random/CheckpointRecorder.h"
#include "stream/TarReader.h"

namespace ll::hunt {

/** Worker thread: keeps what the filter wants, writes the index, stops when the patterns are decided. */
class LayerFactsJob::Visitor : public stream::TarVisitor
{
public:
    Visitor(LayerFactsJob *job, const LayerFactsFilter &filter)
        : m_job(job)
        , m_filter(filter)
        , m_decided(size_t(filter.exactCount()), false)
        , m_tree(std::make_unique<fs::LayerTree>())
    { }

    Action onEntry(const stream::TarEntry &entry) override
    {
        if (m_writer)
            m_writer->entrySeen(entry, m_job->feedEnd());
        if (!m_filter.keeps(entry))
            return Action::Skip;
        (void)m_tree->addEntry(entry); // unsafe names are refused by the tree and never match
        if (m_filter.canStopEarly() && m_filter.decide(entry, &m_decided) && m_job->mayStop())
            return Action::Stop;
        return Action::Skip;
    }

    std::unique_ptr<index::IndexWriter> m_writer;
    LayerFactsJob *m_job;
    const LayerFactsFilter &m_filter;
    std::vector<bool> m_decided;
    std::unique_ptr<fs::LayerTree> m_tree;
};

LayerFactsJob::LayerFactsJob(registry::RegistryClient *client, const stream::LayerSource &source,
    const LayerFactsFilter &filter, const index::IndexStore &store, QObject *parent)
    : LayerPipeline(client, source, parent)
    , m_filter(filter)
    , m_store(store)
    , m_visitorImpl(std::make_unique<Visitor>(this, m_filter))
{
    setVisitor(m_visitorImpl.get());
    setTitle(tr("Hunt in %1").arg(source.label()));
    stream::FetchPolicy policy;
    // A layer a carve would read on to its end once it found the path (what is left <= ReadOnSlack) is asked
    // for whole at once: one request instead of a window per round trip, the same bytes.
    const bool small = source.layer.size >= 0 && source.layer.size <= extract::CarveOptions::ReadOnSlack;
    if (m_filter.canStopEarly() && !small)
        policy.mode = stream::FetchPolicy::Mode::Windowed; // as carve: small first request, then growing
    setPolicy(policy);
    connect(this, &Job::finished, this, &LayerFactsJob::onFinished);
}

bool LayerFactsJob::mayStop() const
{
    // As a carve: the last copy of a path in a layer wins (tar -r appends one), so the read goes on after the
    // decision when what is left of the layer is small next to what was read (CarveJob's read-on rule).
    const qint64 size = source().layer.size;
    if (size < 0)
        return true;
    const qint64 at = feedEnd();
    return !extract::CarveOptions::readsOn(size, at);
}

LayerFactsJob::~LayerFactsJob()
{
    shutdown();
}

void LayerFactsJob::doStart()
{
    // Only a pass whose digest is checked (which needs the size) may keep an index.
    if (m_store.isEnabled() && source().layer.size >= 0)
        m_visitorImpl->m_writer = m_store.writer(source().layer.digest, source().layer.size);
    if (m_visitorImpl->m_writer)
        random::CheckpointRecorder::enable(*this);
    LayerPipeline::doStart();
}

void LayerFactsJob::onFinished()
{
    std::unique_ptr<index::IndexWriter> writer = std::move(m_visitorImpl->m_writer);
    const bool whole = state() == State::Succeeded && !stoppedEarly() && !isIncomplete();
    if (writer) {
        if (whole) {
            writer->setCheckpoints(random::CheckpointRecorder::take(*this));
            writer->setFrames(random::CheckpointRecorder::takeFrames(*this));
            const Status s = writer->commit(stream::Decompressor::formatName(format()));
            if (!s)
                qCWarning(llHunt).noquote() << s.error().toString();
        } else {
            writer->discard(); // cancelled, failed or stopped: no partial index
        }
    }
    if (state() == State::Cancelled)
        return;
    m_facts = std::make_shared<LayerFacts>();
    m_facts->digest = source().layer.digest;
    if (state() == State::Failed) {
        m_facts->error = error();
        return;
    }
    m_facts->tree = std::move(m_visitorImpl->m_tree);
    m_facts->complete = whole;
}

} // namespace ll::hunt
