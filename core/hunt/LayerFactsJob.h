#pragma once

#include "hunt/LayerFacts.h"
#include "index/IndexStore.h"
#include "stream/LayerPipeline.h"

#include <memory>

namespace ll::hunt {

/**
 * Reads one layer blob for a hunt (LayerPipeline: digest, inflate and tar on a worker thread) and keeps its
 * LayerFacts. With only exact patterns the read stops as soon as each of them is decided in the layer
 * (windowed Range requests, as a carve's search), unless what is left is small next to what was read (the carve's
 * read-on rule: the last copy of a path in a layer wins; a layer of at most CarveOptions::ReadOnSlack is asked
 * for whole in one request); with a glob the layer is read whole. A read that reaches
 * the verified end keeps the layer's index in the store (next time: no request); a stopped, failed or
 * cancelled one keeps nothing.
 */
class LayerFactsJob : public stream::LayerPipeline
{
    Q_OBJECT
public:
    LayerFactsJob(registry::RegistryClient *client, const stream::LayerSource &source, const LayerFactsFilter &filter,
        const index::IndexStore &store, QObject *parent = nullptr);
    ~LayerFactsJob() override;

    /** After finished(): the facts (error set when the read failed; nullptr when cancelled). */
    std::shared_ptr<LayerFacts> takeFacts() { return std::move(m_facts); }

protected:
    void doStart() override;

private:
    class Visitor;
    void onFinished();
    /** Patterns decided at the bytes read so far: may the read stop here (worker thread)? */
    bool mayStop() const;

    LayerFactsFilter m_filter;
    index::IndexStore m_store;
    std::unique_ptr<Visitor> m_visitorImpl;
    std::shared_ptr<LayerFacts> m_facts;
};

} // namespace ll::hunt
