#include "hunt/HuntJob.h"

#include "catalog/ImageCatalog.h"
#include "fs/MergedTree.h"
#include "hunt/HuntLogging.h"
#include "hunt/LayerFactsJob.h"
#include "hunt/TargetExpandJob.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"

#include <QSet>

#include <algorithm>
#include <map>

namespace ll::hunt {

namespace {

/** The layer's own node for path, if it lists an entry there (a copy of the file). */
const fs::FileNode *copyIn(const LayerFacts *facts, const QString &path)
{
    if (!facts || !facts->tree)
        return nullptr;
    const fs::FileNode *n = facts->tree->find(path);
    return n && n->hasEntry() ? n : nullptr;
}

} // namespace

HuntJob::HuntJob(registry::RegistryClient *client, const HuntTargets &targets, const HuntQuery &query,
    const HuntOptions &options, QObject *parent)
    : Job(parent), m_client(client), m_targets(targets), m_query(query), m_options(options), m_filter(query)
{
    qRegisterMetaType<ll::hunt::HuntAnswer>();
    qRegisterMetaType<QVector<ll::hunt::HuntAnswer>>();
    setCancelIsAsync(true);
    setProgressUnit(ProgressUnit::Items);
    if (m_options.connections < 1)
        m_options.connections = 1;
    QStringList patterns;
    for (const PathGlob &p : m_query.patterns)
        patterns << p.pattern();
    setTitle(tr("Hunt %1").arg(patterns.join(QStringLiteral(", "))));
}

HuntJob::~HuntJob()
{
    for (const QPointer<Job> &j : std::as_const(m_running)) {
        if (j) {
            j->disconnect(this);
            delete j.data();
        }
    }
    delete m_expand.data();
}

HuntStats HuntJob::stats() const
{
    HuntStats s = m_stats;
    s.bytesDownloaded = m_bytesDone;
    for (const QPointer<Job> &j : m_running) {
        if (auto *read = qobject_cast<LayerFactsJob *>(j.data()))
            s.bytesDownloaded += read->bytesDownloaded();
    }
    s.requests = m_client->requestCount() - m_requestsAtStart;
    s.elapsedMs = m_timer.isValid() ? m_timer.elapsed() : 0;
    return s;
}

void HuntJob::doStart()
{
    m_timer.start();
    m_requestsAtStart = m_client->requestCount();
    if (m_query.patterns.isEmpty()) {
        fail(Error(Error::Code::Usage, tr("nothing to hunt for: give a pattern")));
        return;
    }
    setStatus(tr("Listing the images to search"));
    m_expand = new TargetExpandJob(m_client, m_targets, m_options.connections, this);
    connect(m_expand, &Job::statusChanged, this, &Job::statusChanged);
    connect(m_expand, &Job::finished, this, &HuntJob::onExpanded);
    m_expand->start();
}

void HuntJob::onExpanded()
{
    TargetExpandJob *expand = m_expand;
    m_expand = nullptr;
    expand->deleteLater();
    if (m_cancelling) {
        childEnded();
        return;
    }
    if (expand->state() != Job::State::Succeeded) {
        fail(expand->error());
        return;
    }
    QVector<HuntAnswer> errors;
    for (const ExpandedTarget &t : expand->results()) {
        if (t.error.isError()) {
            HuntAnswer a;
            a.image = t.text;
            a.status = HuntAnswer::Status::Error;
            a.error = t.error;
            errors.append(a);
            ++m_targetErrors;
            continue;
        }
        HuntImage img;
        img.text = t.text;
        img.reference = t.reference;
        const int index = int(m_images.size());
        m_images.append(img);
        const QString reg = t.reference.registry();
        if (!m_registries.contains(reg))
            m_registries << reg;
        m_resolves[reg].push_back(Task { Task::Kind::Resolve, index, -1 });
    }
    m_stats.images = int(m_images.size());
    m_stats.imagesFailed = m_targetErrors;
    qCDebug(llHunt) << "hunt:" << m_images.size() << "image(s)," << m_targetErrors << "bad target(s)";
    emit imagesListed(int(m_images.size()));
    if (!errors.isEmpty())
        emit answersReady(errors);
    if (!isRunning())
        return;
    setProgress(0, m_images.size());
    pump();
    finishIfDone();
}

void HuntJob::pump()
{
    for (const QString &reg : std::as_const(m_registries)) {
        int &active = m_active[reg];
        std::deque<Task> &reads = m_reads[reg];
        std::deque<Task> &resolves = m_resolves[reg];
        // Layers first: they finish images (and free their memory) before new ones start.
        while (active < m_options.connections && (!reads.empty() || !resolves.empty()) && isRunning()) {
            std::deque<Task> &q = reads.empty() ? resolves : reads;
            const Task t = q.front();
            q.pop_front();
            ++active;
            if (t.kind == Task::Kind::Resolve)
                startResolve(t.image);
            else
                startRead(t.image, t.layer);
        }
    }
}

void HuntJob::startResolve(int index)
{
    HuntImage &img = m_images[index];
    img.state = HuntImage::State::Resolving;
    auto *job = new registry::ImageResolveJob(
        m_client, img.reference, img.platform ? img.platform : m_options.platform, this);
    job->setFetchConfig(false); // the manifest's layers are all a hunt needs
    m_running.append(job);
    ++m_live;
    connect(job, &Job::finished, this, [this, index, job]() { onResolved(index, job); });
    emit imageChanged(index);
    job->start();
}

void HuntJob::onResolved(int index, Job *job)
{
    m_running.removeAll(job);
    job->deleteLater();
    --m_active[m_images[index].reference.registry()];
    if (m_cancelling) {
        childEnded();
        return;
    }
    --m_live;
    auto *resolve = static_cast<registry::ImageResolveJob *>(job);
    if (m_options.allPlatforms && !m_images[index].platform && expandPlatforms(index, resolve)) {
        pump(); // this image was queued again at one of the index's platforms
        emit statsChanged();
        finishIfDone();
        return;
    }
    HuntImage &img = m_images[index]; // after expandPlatforms(), which may add images
    if (resolve->state() != Job::State::Succeeded) {
        failImage(index, resolve->error());
    } else {
        img.image = resolve->image();
        img.state = HuntImage::State::Searching;
        if (m_catalog) {
            m_seen.append(catalog::ImageCatalog::fromImage(img.image));
            if (m_seen.size() >= 256)
                flushCatalog();
        }
        Work &w = m_work[index];
        w.layers.assign(size_t(img.image.manifest.layers.size()), nullptr);
        for (const oci::Descriptor &d : img.image.manifest.layers)
            m_distinct.insert(d.digest);
        m_stats.layersTotal = int(m_distinct.size());
        emit imageChanged(index);
        advance(index);
    }
    pump();
    emit statsChanged();
    finishIfDone();
}

bool HuntJob::expandPlatforms(int index, const registry::ImageResolveJob *resolve)
{
    const std::optional<oci::ImageIndex> &list = resolve->image().index;
    if (!list)
        return false; // a plain manifest, or the index could not be read: answered as it is
    const QList<oci::Platform> platforms = list->availablePlatforms(); // attestation entries left out
    const bool resolved = resolve->state() == Job::State::Succeeded;
    QList<oci::Platform> others;
    for (const oci::Platform &p : platforms) {
        if (!resolved || p.toString() != resolve->image().platform.toString())
            others << p;
    }
    if (others.isEmpty())
        return false;
    bool requeue = false;
    if (resolved) {
        m_images[index].platform = resolve->image().platform;
    } else {
        // This machine's platform is not in the index: this image becomes the first listed one.
        m_images[index].platform = others.takeFirst();
        m_images[index].state = HuntImage::State::Queued;
        requeue = true;
    }
    const QString reg = m_images[index].reference.registry();
    if (requeue)
        m_resolves[reg].push_front(Task { Task::Kind::Resolve, index, -1 });
    for (const oci::Platform &p : std::as_const(others)) {
        HuntImage img;
        img.text = m_images[index].text;
        img.reference = m_images[index].reference;
        img.platform = p;
        const int added = int(m_images.size());
        m_images.append(img);
        m_resolves[reg].push_back(Task { Task::Kind::Resolve, added, -1 });
    }
    m_stats.images = int(m_images.size());
    qCDebug(llHunt) << "hunt:" << m_images[index].reference.toString() << "has" << platforms.size() << "platform(s)";
    emit imagesListed(int(m_images.size()));
    emit imageChanged(index);
    setProgress(m_stats.imagesDone + m_stats.imagesFailed - m_targetErrors, m_images.size());
    return requeue;
}

void HuntJob::advance(int index)
{
    for (;;) {
        auto it = m_work.find(index);
        if (it == m_work.end())
            return;
        const Work &w = *it;
        std::vector<const fs::LayerTree *> trees(w.layers.size(), nullptr);
        for (size_t i = 0; i < w.layers.size(); ++i) {
            if (w.layers[i] && w.layers[i]->error.isError()) {
                const HuntImage &img = m_images[index];
                Error e = w.layers[i]->error;
                e.message = tr("layer %1 (%2): %3")
                                .arg(i)
                                .arg(img.image.manifest.layers.at(int(i)).digest.left(19), e.message);
                failImage(index, e);
                return;
            }
            trees[i] = w.layers[i] ? w.layers[i]->tree.get() : nullptr;
        }
        // Which layers are still needed to answer every pattern?
        std::vector<int> needed;
        if (m_query.hasGlob()) {
            for (size_t i = 0; i < trees.size(); ++i) {
                if (!trees[i])
                    needed.push_back(int(i));
            }
        } else {
            for (const PathGlob &p : m_query.patterns) {
                const fs::Lookup r = fs::MergedTree::lookupTopDown(trees, p.exactPath());
                if (r.status == fs::Lookup::Status::Unknown) {
                    needed.push_back(r.layer);
                } else if (r.status == fs::Lookup::Status::Deleted && m_query.hiddenCopies) {
                    // Hidden: the copies below are what a hunter wants to know about. Every lower layer is
                    // read for them, so they are asked for together (one round trip, not one per layer).
                    for (int k = r.layer - 1; k >= 0; --k) {
                        if (!trees[size_t(k)])
                            needed.push_back(k);
                    }
                }
            }
        }
        if (needed.empty()) {
            answer(index);
            return;
        }
        std::sort(needed.begin(), needed.end());
        needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
        bool attachedNow = false;
        for (int layer : needed)
            attachedNow = request(index, layer) || attachedNow;
        if (!attachedNow)
            return; // waiting for reads
    }
}

bool HuntJob::request(int index, int layer)
{
    const oci::Image &image = m_images[index].image;
    const QString digest = image.manifest.layers.at(layer).digest;
    if (const auto it = m_facts.constFind(digest); it != m_facts.constEnd()) {
        ++m_stats.layersShared;
        attach(index, digest, *it);
        return true;
    }
    if (auto it = m_waiting.find(digest); it != m_waiting.end()) {
        if (!it->contains(index)) {
            it->append(index);
            ++m_stats.layersShared;
        }
        return false;
    }
    if (std::unique_ptr<index::IndexReader> kept = m_options.store.open(digest)) {
        if (std::shared_ptr<LayerFacts> facts = LayerFacts::fromIndex(*kept, digest, m_filter)) {
            ++m_stats.layersFromIndex;
            m_facts.insert(digest, facts);
            attach(index, digest, facts);
            return true;
        }
    }
    m_waiting.insert(digest, { index });
    const QString reg = m_images[index].reference.registry();
    m_reads[reg].push_back(Task { Task::Kind::Read, index, layer });
    return false;
}

void HuntJob::attach(int index, const QString &digest, const std::shared_ptr<const LayerFacts> &facts)
{
    auto it = m_work.find(index);
    if (it == m_work.end())
        return;
    const QVector<oci::Descriptor> &layers = m_images[index].image.manifest.layers;
    for (int i = 0; i < layers.size(); ++i) {
        if (layers[i].digest == digest) // a digest can sit at several positions (empty layers)
            it->layers[size_t(i)] = facts;
    }
}

void HuntJob::startRead(int index, int layer)
{
    const stream::LayerSource source = stream::LayerSource::fromImage(m_images[index].image, layer);
    auto *job = new LayerFactsJob(m_client, source, m_filter, m_options.store, this);
    m_running.append(job);
    ++m_live;
    connect(job, &Job::finished, this, [this, job]() { onRead(job); });
    connect(job, &Job::progress, this, &HuntJob::statsChanged);
    setStatus(tr("Reading %1").arg(source.layer.digest.left(19)));
    job->start();
}

void HuntJob::onRead(LayerFactsJob *job)
{
    m_running.removeAll(job);
    job->deleteLater();
    m_bytesDone += job->bytesDownloaded();
    const QString digest = job->source().layer.digest;
    const QString reg = job->source().registry;
    --m_active[reg];
    if (m_cancelling) {
        childEnded();
        return;
    }
    --m_live;
    std::shared_ptr<LayerFacts> facts = job->takeFacts();
    if (!facts) { // cancelled on its own: treat as an error of the images waiting
        facts = std::make_shared<LayerFacts>();
        facts->digest = digest;
        facts->error = Error(Error::Code::Cancelled, tr("layer read cancelled"));
    }
    if (!facts->error.isError())
        ++m_stats.layersRead;
    qCDebug(llHunt) << "hunt: layer" << digest.left(19) << (facts->error.isError() ? "failed" : "read")
                    << (facts->complete ? "whole" : "up to the answer") << job->bytesDownloaded() << "bytes";
    m_facts.insert(digest, facts);
    const QVector<int> waiting = m_waiting.take(digest);
    for (int index : waiting)
        attach(index, digest, facts);
    for (int index : waiting)
        advance(index);
    pump();
    emit statsChanged();
    finishIfDone();
}

HuntAnswer HuntJob::baseAnswer(int index) const
{
    const HuntImage &img = m_images[index];
    HuntAnswer a;
    a.imageIndex = index;
    a.image = img.image.reference.isEmpty() ? img.reference.toString() : img.image.reference;
    a.digest = img.image.manifestDigest;
    a.platform = img.image.platform.isEmpty() ? QString() : img.image.platform.toString(); // unknown without config
    return a;
}

void HuntJob::answer(int index)
{
    const Work w = m_work.take(index);
    HuntImage &img = m_images[index];
    const QVector<oci::Descriptor> &descs = img.image.manifest.layers;
    std::vector<const fs::LayerTree *> trees(w.layers.size(), nullptr);
    for (size_t i = 0; i < w.layers.size(); ++i)
        trees[i] = w.layers[i] ? w.layers[i]->tree.get() : nullptr;

    // Were the layers below a hiding layer read? (A glob reads every layer anyway.)
    const bool copiesSearched = m_query.hiddenCopies || m_query.hasGlob();
    QVector<HuntAnswer> out;
    for (const PathGlob &pattern : std::as_const(m_query.patterns)) {
        // The paths to answer: the exact one, or every path a layer holds that the glob matches.
        std::map<QString, bool> paths; // sorted
        if (pattern.isExact()) {
            paths.emplace(pattern.exactPath(), true);
        } else {
            for (const auto &f : w.layers) {
                if (!f || !f->tree)
                    continue;
                for (const fs::FileNode *n : f->tree->entries()) {
                    const QString p = n->path();
                    if (pattern.matches(p))
                        paths.emplace(p, true);
                }
            }
        }
        for (const auto &[path, unused] : paths) {
            HuntAnswer a = baseAnswer(index);
            a.pattern = pattern.pattern();
            a.path = path;
            const fs::FileNode *newest = nullptr;
            for (size_t i = 0; i < w.layers.size(); ++i) {
                if (const fs::FileNode *n = copyIn(w.layers[i].get(), path)) {
                    a.copies.append(LayerCopy { int(i), descs.at(int(i)).digest, n->size });
                    newest = n;
                }
            }
            const fs::Lookup r = fs::MergedTree::lookupTopDown(trees, path);
            const fs::FileNode *shown = nullptr;
            if (r.status == fs::Lookup::Status::Found) {
                a.status = HuntAnswer::Status::Found;
                shown = r.node;
            } else if (r.status == fs::Lookup::Status::Deleted) {
                a.status = HuntAnswer::Status::Deleted;
                // The copies that matter are the hidden ones, below the hiding layer (none when they were not
                // searched: a layer below may be known from another image, but the answer must not depend on
                // which image was answered first).
                a.copies.erase(std::remove_if(a.copies.begin(), a.copies.end(),
                                   [&](const LayerCopy &c) { return c.layer >= r.layer || !copiesSearched; }),
                    a.copies.end());
                newest = nullptr;
                for (const LayerCopy &c : std::as_const(a.copies))
                    newest = copyIn(w.layers[size_t(c.layer)].get(), path);
                shown = newest;
                if (a.copies.isEmpty() && pattern.isExact() && copiesSearched) {
                    // A marker (or a non-directory parent) over nothing: nothing of it in this image.
                    a.status = HuntAnswer::Status::NotFound;
                }
            } else {
                a.status = HuntAnswer::Status::NotFound;
            }
            if (a.status != HuntAnswer::Status::NotFound) {
                a.layer = r.layer;
                a.layerDigest = descs.value(r.layer).digest;
            }
            if (shown) {
                a.hasEntry = shown->hasEntry() || shown->isImplicit();
                a.type = shown->type;
                a.size = shown->size;
                a.mode = shown->mode;
                a.mtime = shown->mtime;
                a.linkTarget = shown->linkTarget;
            }
            if (a.status != HuntAnswer::Status::NotFound && !m_query.accepts(a.type, a.size)) {
                if (!pattern.isExact())
                    continue;
                a = HuntAnswer(baseAnswer(index));
                a.pattern = pattern.pattern();
                a.path = path;
                a.status = HuntAnswer::Status::NotFound;
            }
            if (!pattern.isExact() && a.status == HuntAnswer::Status::Deleted && a.copies.isEmpty())
                continue;
            if (a.status == HuntAnswer::Status::Found)
                ++img.found;
            if (a.isRecoverable())
                ++img.deleted;
            out.append(a);
        }
    }
    img.state = HuntImage::State::Done;
    ++m_stats.imagesDone;
    setProgress(m_stats.imagesDone + m_stats.imagesFailed - m_targetErrors, m_images.size());
    emit imageChanged(index);
    if (!out.isEmpty())
        emit answersReady(out);
}

void HuntJob::failImage(int index, const Error &error)
{
    m_work.remove(index);
    HuntImage &img = m_images[index];
    img.state = HuntImage::State::Failed;
    img.error = error;
    ++m_stats.imagesFailed;
    qCDebug(llHunt) << "hunt:" << img.reference.toString() << "failed:" << error.toString();
    HuntAnswer a = baseAnswer(index);
    a.status = HuntAnswer::Status::Error;
    a.error = error;
    setProgress(m_stats.imagesDone + m_stats.imagesFailed - m_targetErrors, m_images.size());
    emit imageChanged(index);
    emit answersReady({ a });
}

void HuntJob::flushCatalog()
{
    if (!m_catalog || m_seen.isEmpty())
        return;
    const Status s = m_catalog->record(m_seen); // one write for many images
    if (!s)
        qCWarning(llHunt).noquote() << s.error().toString();
    m_seen.clear();
}

void HuntJob::finishIfDone()
{
    if (!isRunning() || m_cancelling || m_live > 0 || m_expand)
        return;
    for (auto it = m_reads.cbegin(); it != m_reads.cend(); ++it) {
        if (!it->empty())
            return;
    }
    for (auto it = m_resolves.cbegin(); it != m_resolves.cend(); ++it) {
        if (!it->empty())
            return;
    }
    if (!m_work.isEmpty()) {
        // Should not happen: an image waits for a read nobody runs.
        const QList<int> stuck = m_work.keys();
        for (int index : stuck)
            failImage(index, Error(Error::Code::Internal, tr("hunt: image left waiting for a layer")));
    }
    m_stats.elapsedMs = m_timer.elapsed();
    flushCatalog();
    emit statsChanged();
    const int total = int(m_images.size()) + m_targetErrors;
    if (total > 0 && m_stats.imagesFailed == total) {
        Error e = m_images.isEmpty() ? Error(Error::Code::NotFound, tr("no image to hunt in"))
                                     : m_images.constFirst().error;
        e.message = tr("every image failed (first: %1)").arg(e.message);
        fail(e);
        return;
    }
    succeed();
}

void HuntJob::doCancel()
{
    m_cancelling = true;
    m_inCancel = true;
    for (auto &q : m_reads)
        q.clear();
    for (auto &q : m_resolves)
        q.clear();
    if (m_expand) {
        ++m_live;
        m_expand->cancel(); // onExpanded -> childEnded
    }
    const QList<QPointer<Job>> running = m_running;
    for (const QPointer<Job> &j : running) {
        if (j && j->isRunning())
            j->cancel();
    }
    m_inCancel = false;
    flushCatalog(); // what was resolved was seen
    if (m_live == 0)
        cancelled();
}

void HuntJob::childEnded()
{
    --m_live;
    if (m_cancelling && m_live == 0 && !m_inCancel && isRunning())
        cancelled();
}

} // namespace ll::hunt
