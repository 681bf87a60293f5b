#include "extract/CarveJob.h"

#include "common/Logging.h"
#include "extract/AtomicFileWriter.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "fs/PathSanitizer.h"
#include "fs/Whiteout.h"
#include "random/CheckpointRecorder.h"
#include "random/SpanRead.h"
#include "stream/LayerPipeline.h"
#include "stream/TarReader.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"
#include "toc/TocFileJob.h"

#include <QDir>
#include <QThread>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace ll::extract {

namespace {

constexpr int MaxSymlinkHops = 40;
constexpr int MaxHardlinkPasses = 8;

QString parentOf(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : path.left(slash);
}

} // namespace

QString CarveResult::statusName(Status status)
{
    switch (status) {
    case Status::Found:
        return QStringLiteral("found");
    case Status::Deleted:
        return QStringLiteral("deleted");
    case Status::NotFound:
        break;
    }
    return QStringLiteral("not_found");
}

// ---------------------------------------------------------------- worker side

/**
 * Runs on the pipeline's worker thread. Search: adds every entry to the layer's tree and stops as soon as
 * this layer decides the path (the entry itself, or a whiteout of it or of a parent). Extract: finds the
 * entry named target (a hard link's content) and writes it. Results are read by the job after the
 * pipeline finished (the worker is joined by then).
 */
class CarveJob::Visitor : public stream::TarVisitor
{
public:
    enum class Outcome { None, File, Deleted, Symlink, Hardlink, Directory, Special, Failed };

    Visitor(PassKind kind, fs::LayerTree *tree, const QString &target, const QString &outRoot, const QString &writeName,
        bool follow)
        : m_kind(kind), m_tree(tree), m_target(target), m_outRoot(outRoot), m_writeName(writeName), m_follow(follow)
    { }

    /** Where the read stands (feedEnd) and the layer's size: whether to read on after a found copy. */
    void setReadOn(const stream::LayerPipeline *pipeline, qint64 layerSize, bool wholeLayer)
    {
        m_pipeline = pipeline;
        m_layerSize = layerSize;
        m_wholeLayer = wholeLayer;
    }
    /** The file was found and the read then stopped before the layer's end (a later copy would be missed). */
    bool stoppedAtCopy() const { return m_stoppedAtCopy; }

    /** Search passes: also write the layer's index (kept if the pass reads the layer to its verified end). */
    void setIndexWriter(std::unique_ptr<index::IndexWriter> writer, const stream::LayerPipeline *pipeline)
    {
        m_index = std::move(writer);
        m_pipeline = pipeline;
    }

    /** Extract passes from an index: the copy whose header is there (the last of a path written twice). */
    void setTargetHeader(qint64 headerOffset) { m_targetHeader = headerOffset; }

    /** Main thread, after a search pass read the whole layer (digest checked): keeps its index. */
    void commitIndex(const QString &compression)
    {
        if (!m_index)
            return;
        m_index->setCheckpoints(random::CheckpointRecorder::take(*m_pipeline));
        m_index->setFrames(random::CheckpointRecorder::takeFrames(*m_pipeline));
        const Status s = m_index->commit(compression);
        if (!s)
            qCWarning(llExtract).noquote() << s.error().toString();
        m_index.reset();
    }

    Action onEntry(const stream::TarEntry &entry) override
    {
        if (m_index)
            m_index->entrySeen(entry, m_pipeline->feedEnd());
        if (m_tree)
            (void)m_tree->addEntry(entry); // unsafe names are rejected by the tree and never match
        if (entry.path == m_target && (m_targetHeader < 0 || entry.headerOffset == m_targetHeader)) {
            if (m_outcome != Outcome::None) {
                // A later copy of the path in this layer (read on after the first): it wins, as tar -x and
                // Docker apply the layer. The earlier copy's .part goes.
                if (m_writer)
                    m_writer->discard();
                m_writer.reset();
                m_outcome = Outcome::None;
                m_size = 0;
            }
            m_entry = entry;
            switch (entry.type) {
            case stream::TarEntry::Type::File:
                return beginFile(entry);
            case stream::TarEntry::Type::Hardlink:
                m_outcome = Outcome::Hardlink;
                return Action::Stop;
            case stream::TarEntry::Type::Symlink:
                if (m_kind == PassKind::Search && m_follow)
                    return Action::Skip; // the layer is read to its end, then the job resolves it
                m_outcome = Outcome::Symlink;
                return Action::Stop;
            case stream::TarEntry::Type::Directory:
                m_outcome = Outcome::Directory;
                return Action::Stop;
            default:
                m_outcome = Outcome::Special;
                return Action::Stop;
            }
        }
        if (m_kind == PassKind::Search) {
            // `.wh.NAME` for the path or a parent: every lower copy is hidden. (An opaque parent hides lower
            // copies too, but this layer may still list the path later: that is decided at the layer's end.)
            const fs::Whiteout w = fs::Whiteout::classify(entry.path);
            if (w.kind == fs::Whiteout::Kind::Whiteout && fs::Whiteout::covers(w.target, m_target)) {
                m_entry = entry;
                m_outcome = Outcome::Deleted;
                return Action::Stop;
            }
        }
        return Action::Skip;
    }

    bool onData(const stream::TarEntry &, const char *data, qint64 size) override
    {
        const Status s = m_writer->write(data, size);
        if (!s) {
            fail(s.error());
            return false;
        }
        return true;
    }

    bool onEntryEnd(const stream::TarEntry &) override
    {
        // The file keeps its .part name until the pass has checked what it could (the gzip member's CRC, the
        // layer digest when the pass reaches the layer's end).
        m_size = m_writer->size();
        m_outcome = Outcome::File;
        if (readOn())
            return true; // on to the layer's end: a later copy would replace this one
        // Stop the layer now.
        m_stoppedAtCopy = m_targetHeader < 0;
        return false;
    }

    /** Main thread, after the pass succeeded: gives the written file its final name. */
    Status commitFile()
    {
        const Status s = m_writer->commit();
        if (!s) {
            fail(s.error());
            return s;
        }
        m_savedTo = m_writer->finalPath();
        m_writer.reset();
        return {};
    }

    /** Main thread, after the pipeline ended: removes a half-written file (and an unfinished index). */
    void discard()
    {
        if (m_writer)
            m_writer->discard();
        m_writer.reset();
        m_index.reset(); // not committed: nothing is kept
    }

    Outcome outcome() const { return m_outcome; }
    const stream::TarEntry &entry() const { return m_entry; }
    const Error &error() const { return m_error; }
    qint64 size() const { return m_size; }
    const QString &savedTo() const { return m_savedTo; }

private:
    /** After a found copy: read on when the layer may hold a later one and what is left is cheap enough. */
    bool readOn() const
    {
        if (m_targetHeader >= 0)
            return false; // the copy was chosen by its header (an index or a complete tree): no other one wins
        if (m_kind != PassKind::Search)
            return false; // a hard link's target: the copy before the link, the first met
        if (m_wholeLayer)
            return true;
        if (!m_pipeline || m_layerSize < 0)
            return false;
        const qint64 at = m_pipeline->feedEnd();
        return CarveOptions::readsOn(m_layerSize, at);
    }

    Action beginFile(const stream::TarEntry &entry)
    {
        AtomicFileWriter::Options o;
        o.mode = (entry.mode & 0777) | 0600; // permission bits kept, never setuid/setgid; always user-writable
        Result<std::unique_ptr<AtomicFileWriter>> w = AtomicFileWriter::create(m_outRoot, m_writeName, o);
        if (!w) {
            fail(w.error());
            return Action::Stop;
        }
        m_writer = std::move(*w);
        return Action::ReadData;
    }

    void fail(const Error &error)
    {
        m_error = error;
        m_outcome = Outcome::Failed;
        discard();
    }

    PassKind m_kind;
    fs::LayerTree *m_tree;
    QString m_target;
    QString m_outRoot;
    QString m_writeName;
    bool m_follow;
    qint64 m_targetHeader = -1;

    Outcome m_outcome = Outcome::None;
    stream::TarEntry m_entry;
    std::unique_ptr<AtomicFileWriter> m_writer;
    Error m_error;
    qint64 m_size = 0;
    QString m_savedTo;
    std::unique_ptr<index::IndexWriter> m_index;
    const stream::LayerPipeline *m_pipeline = nullptr;
    qint64 m_layerSize = -1;
    bool m_wholeLayer = false;
    bool m_stoppedAtCopy = false;
};

// ---------------------------------------------------------------- job

CarveJob::CarveJob(registry::RegistryClient *client, const oci::Image &image, const QString &path,
    const CarveOptions &options, QObject *parent)
    : Job(parent), m_client(client), m_image(image), m_options(options), m_requested(path)
{
    setCancelIsAsync(true);
    setTitle(tr("Carve %1").arg(path));
    if (m_options.firstChunk <= 0)
        m_options.firstChunk = CarveOptions().firstChunk;
    if (m_options.growth < 1.0)
        m_options.growth = 1.0;
    if (m_options.outputDir.isEmpty())
        m_options.outputDir = CarveOptions().outputDir;
}

CarveJob::~CarveJob()
{
    // The pipeline joins its worker before the visitor it uses goes away; so does a replay.
    delete m_pipeline.data();
    if (m_replay) {
        m_replayCancel = true;
        m_replay->disconnect(this);
        m_replay->wait();
        delete m_replay;
    }
    closeSpool();
    if (m_visitor)
        m_visitor->discard();
}

void CarveJob::doStart()
{
    m_timer.start();
    m_result = CarveResult();
    m_result.path = m_requested;

    if (m_requested.trimmed().isEmpty()) {
        failWith(Error(Error::Code::Usage, tr("no path to carve given")));
        return;
    }
    Result<QString> normal = fs::PathSanitizer::safeRelative(m_requested);
    if (!normal) {
        failWith(
            Error(Error::Code::UnsafePath, tr("unsafe path to carve: %1").arg(m_requested), normal.error().message));
        return;
    }
    // Check the output side before any request: the file must land inside outputDir.
    Result<QString> target = AtomicFileWriter::targetPath(m_options.outputDir, *normal);
    if (!target && *normal != QLatin1String(".")) {
        failWith(target.error());
        return;
    }
    m_path = *normal;
    m_result.path = m_path;
    m_result.resolvedPath = m_path;
    m_outRoot = QDir::cleanPath(QDir(m_options.outputDir).absolutePath());

    const int n = int(m_image.manifest.layers.size());
    m_trees.clear();
    m_trees.resize(size_t(n));
    m_complete.assign(size_t(n), nullptr);
    m_indexed.assign(size_t(n), false);
    m_noIndex.assign(size_t(n), false);
    m_readWhole.assign(size_t(n), false);
    m_tocs.assign(size_t(n), nullptr);
    m_tocTried.assign(size_t(n), false);
    m_totalSize = m_image.totalLayerSize();
    step();
}

void CarveJob::doCancel()
{
    if (m_tocFetch && m_tocFetch->isRunning()) {
        m_tocFetch->cancel(); // onTocFetched() ends the job as cancelled
        return;
    }
    if (m_tocFile && m_tocFile->isRunning()) {
        m_tocFile->cancel();
        return;
    }
    if (m_pipeline && m_pipeline->isRunning()) {
        m_pipeline->cancel(); // onPassFinished() ends the job as cancelled
        return;
    }
    if (m_replay) {
        m_replayCancel = true; // onReplayFinished() ends the job as cancelled
        return;
    }
    cancelled();
}

void CarveJob::step()
{
    const fs::Lookup r = fs::MergedTree::lookupTopDown(m_complete, m_path);
    switch (r.status) {
    case fs::Lookup::Status::Unknown:
        if (loadIndexed(r.layer)) {
            step();
            return;
        }
        if (fetchToc(r.layer))
            return;
        startPass(r.layer, PassKind::Search, m_path);
        return;
    case fs::Lookup::Status::NotFound:
        finishWith(CarveResult::Status::NotFound, -1);
        return;
    case fs::Lookup::Status::Deleted:
        if (!redirectThroughParent(r.layer))
            finishWith(CarveResult::Status::Deleted, r.layer);
        return;
    case fs::Lookup::Status::Found:
        break;
    }

    const fs::FileNode *node = r.node;
    if (m_path == m_result.path && !m_haveRequestedEntry) {
        m_requestedEntry = stream::TarEntry();
        m_requestedEntry.path = m_path;
        m_requestedEntry.type = node->type;
        m_requestedEntry.linkTarget = node->linkTarget;
        m_requestedEntry.size = node->size;
        m_haveRequestedEntry = true;
    }
    switch (node->type) {
    case stream::TarEntry::Type::File:
        startPass(r.layer, PassKind::Extract, m_path, node->headerOffset); // the last copy in the layer
        return;
    case stream::TarEntry::Type::Hardlink:
        startPass(r.layer, PassKind::Extract, node->linkTarget);
        return;
    case stream::TarEntry::Type::Symlink:
        if (m_options.follow) {
            if (followLink(m_path, node->linkTarget, QString()))
                step();
            return;
        }
        {
            stream::TarEntry e;
            e.path = m_path;
            e.type = node->type;
            e.linkTarget = node->linkTarget;
            finishFound(r.layer, e, 0, QString());
        }
        return;
    case stream::TarEntry::Type::Directory:
        failWith(Error(Error::Code::Usage, tr("%1 is a directory (use --extract)").arg(m_path)));
        return;
    default:
        failWith(Error(Error::Code::Unsupported,
            tr("%1 is a %2, not a file").arg(m_path, stream::TarEntry::typeName(node->type))));
        return;
    }
}

bool CarveJob::followLink(const QString &linkPath, const QString &target, const QString &rest)
{
    if (++m_hops > MaxSymlinkHops) {
        failWith(Error(Error::Code::NotFound, tr("Too many levels of symbolic links: %1").arg(m_result.path)));
        return false;
    }
    const QString dir = parentOf(linkPath);
    QString base = target.startsWith(QLatin1Char('/')) || dir.isEmpty() ? target : dir + QLatin1Char('/') + target;
    if (!rest.isEmpty())
        base += QLatin1Char('/') + rest;
    // Links already known (in layers read completely) are followed now; ones in layers not read yet are
    // found when their layer is read (a symlinked parent makes that layer answer Deleted, see redirect).
    const Result<QString> resolved = fs::PathSanitizer::resolveInImage(
        base,
        [this](const QString &p) -> std::optional<QString> {
            const fs::Lookup l = fs::MergedTree::lookupTopDown(m_complete, p);
            if (l.isFound() && l.node->type == stream::TarEntry::Type::Symlink)
                return l.node->linkTarget;
            return std::nullopt;
        },
        false, MaxSymlinkHops);
    if (!resolved) {
        failWith(resolved.error());
        return false;
    }
    qCDebug(llExtract) << "carve:" << linkPath << "->" << target << ": now looking for" << *resolved;
    m_path = *resolved;
    m_result.resolvedPath = m_path;
    return true;
}

bool CarveJob::redirectThroughParent(int layer)
{
    const fs::LayerTree *tree = layer >= 0 && layer < int(m_complete.size()) ? m_complete[size_t(layer)] : nullptr;
    if (!tree)
        return false;
    const QStringList parts = m_path.split(QLatin1Char('/'));
    for (int i = 0; i + 1 < parts.size(); ++i) {
        const QString prefix = parts.mid(0, i + 1).join(QLatin1Char('/'));
        const fs::FileNode *node = tree->find(prefix);
        if (!node)
            return false;
        if (node->hasEntry() && !node->isDir()) {
            if (node->type != stream::TarEntry::Type::Symlink)
                return false; // a file where a directory should be: the path is gone
            if (followLink(prefix, node->linkTarget, parts.mid(i + 1).join(QLatin1Char('/'))))
                step();
            return true;
        }
    }
    return false;
}

bool CarveJob::loadIndexed(int layer)
{
    if (!m_store.isEnabled() || m_trees[size_t(layer)] || m_noIndex[size_t(layer)])
        return false;
    std::unique_ptr<index::IndexReader> kept = m_store.open(m_image.manifest.layers.at(layer).digest);
    if (!kept)
        return false;
    auto tree = std::make_unique<fs::LayerTree>(layer);
    stream::TarEntry e;
    while (kept->next(&e)) {
        if (!tree->addEntry(e))
            qCWarning(llExtract) << "layer" << layer << "index: skipping unsafe entry" << e.path;
    }
    if (kept->error().isError()) {
        qCWarning(llExtract).noquote() << kept->error().message << "; reading layer" << layer << "instead";
        return false;
    }
    m_indexed[size_t(layer)] = true;
    m_complete[size_t(layer)] = tree.get();
    m_trees[size_t(layer)] = std::move(tree);
    ++m_result.layersFromIndex;
    qCDebug(llExtract) << "carve: layer" << layer << "searched in its index";
    return true;
}

void CarveJob::startPass(int layer, PassKind kind, const QString &entryPath, qint64 headerOffset)
{
    if (kind == PassKind::Extract && ++m_passes > MaxHardlinkPasses) {
        failWith(
            Error(Error::Code::Corrupt, tr("hard link chain too long at %1 in layer %2").arg(entryPath).arg(layer)));
        return;
    }
    if (kind == PassKind::Extract && m_tocs[size_t(layer)]) {
        if (const toc::TocFile *file = m_tocs[size_t(layer)]->file(entryPath)) {
            carveFromToc(layer, *file);
            return;
        }
    }
    const stream::LayerSource source = stream::LayerSource::fromImage(m_image, layer);
    fs::LayerTree *tree = nullptr;
    if (kind == PassKind::Search) {
        m_trees[size_t(layer)] = std::make_unique<fs::LayerTree>(layer);
        tree = m_trees[size_t(layer)].get();
    }
    m_visitor = std::make_unique<Visitor>(kind, tree, entryPath, m_outRoot, m_result.path, m_options.follow);
    m_passLayer = layer;
    m_passKind = kind;

    stream::FetchPolicy policy;
    policy.mode = stream::FetchPolicy::Mode::Windowed;
    policy.firstChunk = m_options.firstChunk;
    policy.growth = m_options.growth;
    policy.overlap = m_options.overlap;
    policy.consumedBefore = m_consumedBefore;
    policy.requestedBefore = m_requestedBefore;
    m_randomPass = false;
    random::SpanRead spans;
    if (kind == PassKind::Extract && m_indexed[size_t(layer)]) {
        // The index knows where the member's data is out: one request up to there (its own budget); with
        // checkpoints, one request for the spans holding the member only.
        auto points = std::make_shared<random::GzipCheckpoints>();
        auto frames = std::make_shared<random::ZstdFrames>();
        const std::optional<stream::TarEntry> e
            = m_store.find(source.layer.digest, entryPath, points.get(), frames.get());
        const qint64 end = e ? qMax(e->dataOffset + e->storedSize(), e->headerOffset + 512) : 0;
        if (e && !points->isEmpty() && points->compressedSize == source.layer.size)
            spans = random::SpanRead::plan(points, e->headerOffset, end);
        else if (e && !frames->isEmpty() && frames->compressedSize == source.layer.size)
            spans = random::SpanRead::plan(frames, e->headerOffset, end);
        if (e && e->compressedEnd > 0) {
            policy.firstChunk = e->compressedEnd;
            policy.endHint = e->compressedEnd;
            policy.consumedBefore = 0;
            policy.requestedBefore = 0;
        }
        if (e) // the last copy of a path in the layer wins (as Docker applies it), not the first met
            headerOffset = e->headerOffset;
    }
    if (kind == PassKind::Extract && headerOffset >= 0)
        m_visitor->setTargetHeader(headerOffset);

    auto *pipeline = new stream::LayerPipeline(m_client, source, this);
    pipeline->setPolicy(policy);
    if (spans.isValid()) {
        spans.setUp(*pipeline);
        m_randomPass = true;
        qCDebug(llExtract) << "carve:" << entryPath << "from checkpoint" << spans.checkpoint() << "pieces"
                           << spans.firstPiece() << "-" << spans.lastPiece() << "bytes" << spans.compressedStart()
                           << "-" << spans.compressedEnd();
    }
    pipeline->setCheckAfterStop(true); // the answer is checked as far as what was asked for allows
    pipeline->setVisitor(m_visitor.get());
    m_visitor->setReadOn(pipeline, source.layer.size, m_options.wholeLayer || m_readWhole[size_t(layer)]);
    closeSpool();
    if (kind == PassKind::Search) {
        // Keep what this search receives: a hard link found here is carved from these bytes, not a second
        // download. Unlinked from the start (O_TMPFILE): nothing is left behind, whatever happens.
        m_spoolFd = ::open(QFile::encodeName(QDir::tempPath()).constData(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        m_spoolFailed = m_spoolFd < 0;
        if (m_spoolFd >= 0) {
            pipeline->setRawSink(
                [fd = m_spoolFd, failed = &m_spoolFailed](qint64 offset, const char *data, qint64 size) {
                    if (offset + size > MaxSpoolBytes)
                        failed->store(true); // a deep search: a hard link there is read again rather than kept on disk
                    while (size > 0 && !failed->load()) {
                        const ssize_t n = ::write(fd, data, size_t(size));
                        if (n < 0 && errno == EINTR)
                            continue;
                        if (n <= 0)
                            failed->store(true); // the carve goes on; a hard link is then read again
                        else {
                            data += n;
                            size -= n;
                        }
                    }
                    return Status();
                });
        }
    }
    if (kind == PassKind::Search && m_store.isEnabled() && source.layer.size >= 0) { // size: the digest is checked
        m_visitor->setIndexWriter(m_store.writer(source.layer.digest, source.layer.size), pipeline);
        random::CheckpointRecorder::enable(*pipeline);
    }
    m_pipeline = pipeline;
    connect(pipeline, &Job::finished, this, &CarveJob::onPassFinished);
    connect(pipeline, &Job::progress, this, &CarveJob::onPassProgress);
    connect(pipeline, &Job::statusChanged, this, &Job::statusChanged);
    ++m_result.layersRead;
    const int count = int(m_image.manifest.layers.size());
    if (kind == PassKind::Search)
        setStatus(tr("Searching layer %1/%2 for %3").arg(layer + 1).arg(count).arg(entryPath));
    else
        setStatus(tr("Reading %1 from layer %2/%3").arg(entryPath).arg(layer + 1).arg(count));
    qCDebug(llExtract) << "carve:" << (kind == PassKind::Search ? "search" : "extract") << entryPath << "in"
                       << source.label() << "budget consumed" << m_consumedBefore << "requested" << m_requestedBefore;
    pipeline->start();
}

void CarveJob::onPassProgress()
{
    if (!m_pipeline)
        return;
    m_result.bytesDownloaded = m_downloadedBefore + m_pipeline->bytesDownloaded();
    m_result.physicalBound = m_consumedBefore + m_pipeline->compressedConsumed();
    setProgress(m_result.physicalBound, m_totalSize);
}

void CarveJob::account()
{
    const stream::LayerPipeline *p = m_pipeline.data();
    if (!p)
        return;
    if (!m_randomPass) { // a read from checkpoints has its own exact range, outside the windows' budget
        m_consumedBefore += p->compressedConsumed();
        m_requestedBefore += p->bytesRequested();
    } else {
        m_randomConsumed += p->compressedConsumed();
        m_randomRequested += p->bytesRequested();
    }
    m_downloadedBefore += p->bytesDownloaded();
    m_requestsBefore += p->requestCount();
    m_result.bytesDownloaded = m_downloadedBefore;
    m_result.bytesRequested = m_requestedBefore + m_randomRequested;
    m_result.physicalBound = m_consumedBefore + m_randomConsumed;
    m_result.requests = m_requestsBefore;
    m_result.elapsedMs = m_timer.elapsed();
}

void CarveJob::onPassFinished()
{
    stream::LayerPipeline *p = m_pipeline;
    if (!p)
        return;
    account();
    const Job::State state = p->state();
    const Error error = p->error();
    p->disconnect(this);
    p->deleteLater();
    m_pipeline = nullptr;

    const int layer = m_passLayer;
    const QString compression = stream::Decompressor::formatName(p->format());
    if (state == Job::State::Cancelled || (isRunning() && error.code == Error::Code::Cancelled)) {
        m_visitor->discard();
        cancelled();
        return;
    }
    if (state == Job::State::Failed || (m_randomPass && m_visitor->outcome() == Visitor::Outcome::None)) {
        m_visitor->discard();
        if (m_randomPass && state == Job::State::Failed) {
            // The index's checkpoints do not match what the registry sends: never trusted. Drop the index and
            // stream the layer instead; its own checks decide. A network failure beyond the retries (resets,
            // 5xx): the index stays, the layer is streamed this time.
            fallBackToStreaming(
                layer, error, error.code == Error::Code::DigestMismatch || error.code == Error::Code::Corrupt);
            return;
        }
        if (m_randomPass && state != Job::State::Failed) {
            fallBackToStreaming(layer,
                Error(Error::Code::Corrupt, tr("%1 is not where the layer index says").arg(m_visitor->entry().path)),
                true);
            return;
        }
        failWith(error);
        return;
    }

    const Visitor::Outcome outcome = m_visitor->outcome();
    const stream::TarEntry entry = m_visitor->entry();
    if (m_passKind == PassKind::Search && (entry.path == m_result.path) && !m_haveRequestedEntry
        && outcome != Visitor::Outcome::None && outcome != Visitor::Outcome::Deleted) {
        m_requestedEntry = entry;
        m_haveRequestedEntry = true;
    }
    switch (outcome) {
    case Visitor::Outcome::None:
        if (m_passKind == PassKind::Search) {
            m_complete[size_t(layer)] = m_trees[size_t(layer)].get(); // read to its end: the tree is complete
            // ...and its digest matched: keep the layer's index for the next look.
            m_visitor->commitIndex(compression);
            step();
        } else {
            failWith(Error(Error::Code::Corrupt,
                tr("%1 (the content of %2) is not in layer %3")
                    .arg(m_visitor->entry().path.isEmpty() ? m_path : entry.path, m_result.path)
                    .arg(layer)));
        }
        return;
    case Visitor::Outcome::File: {
        // From checkpoints: every span the file came out of matched the index, made by a digest-checked pass.
        m_result.verified = p->digestVerified() || m_randomPass;
        if (m_randomPass) {
            m_result.randomAccess = true;
            m_result.piecesVerified = random::SpanRead::piecesVerified(*p);
        }
        m_result.stoppedEarly = m_visitor->stoppedAtCopy();
        if (m_passKind == PassKind::Search && p->digestVerified())
            m_visitor->commitIndex(compression); // read on to the verified end: the index is complete
        if (const Status s = m_visitor->commitFile(); !s) {
            failWith(s.error());
            return;
        }
        if (!m_result.verified)
            qCDebug(llExtract) << "carve:" << entry.path << "saved from a partial read of" << p->source().label()
                               << "(not checked against the layer digest)";
        finishFound(layer, entry, m_visitor->size(), m_visitor->savedTo());
        return;
    }
    case Visitor::Outcome::Deleted:
        finishWith(CarveResult::Status::Deleted, layer);
        return;
    case Visitor::Outcome::Symlink:
        finishFound(layer, entry, 0, QString());
        return;
    case Visitor::Outcome::Hardlink:
        if (m_passKind == PassKind::Search && replayForHardlink(layer, entry.linkTarget))
            return;
        startPass(layer, PassKind::Extract, entry.linkTarget);
        return;
    case Visitor::Outcome::Directory:
        failWith(Error(Error::Code::Usage, tr("%1 is a directory (use --extract)").arg(entry.path)));
        return;
    case Visitor::Outcome::Special:
        failWith(Error(Error::Code::Unsupported, tr("%1 is a %2, not a file").arg(entry.path, entry.typeName())));
        return;
    case Visitor::Outcome::Failed:
        failWith(m_visitor->error());
        return;
    }
}

void CarveJob::fallBackToStreaming(int layer, const Error &why, bool indexWrong)
{
    m_result.indexFallback = why.toString();
    qCWarning(llExtract).noquote() << "layer" << layer
                                   << (indexWrong ? "index discarded:" : "read from checkpoints failed:")
                                   << m_result.indexFallback << "- streaming the layer";
    if (indexWrong) {
        m_store.remove(m_image.manifest.layers.at(layer).digest);
        // What the registry sends differs from what a digest-checked pass saw: a read that stops early could save
        // a wrong file no check would catch (a changed byte in a stored block inflates without complaint). The
        // layer is read to its end and its digest decides.
        m_readWhole[size_t(layer)] = true;
    }
    m_noIndex[size_t(layer)] = true; // this carve streams it (a kept index is not loaded again)
    m_indexed[size_t(layer)] = false;
    m_complete[size_t(layer)] = nullptr;
    m_trees[size_t(layer)].reset();
    --m_passes;
    m_randomPass = false;
    setStatus((indexWrong ? tr("Layer index discarded (%1); streaming layer %2")
                          : tr("Read from checkpoints failed (%1); streaming layer %2"))
                  .arg(why.message)
                  .arg(layer));
    step();
}

void CarveJob::closeSpool()
{
    if (m_spoolFd >= 0)
        ::close(m_spoolFd);
    m_spoolFd = -1;
}

bool CarveJob::replayForHardlink(int layer, const QString &target)
{
    if (m_spoolFd < 0 || m_spoolFailed.load())
        return false;
    if (++m_passes > MaxHardlinkPasses) {
        failWith(Error(Error::Code::Corrupt, tr("hard link chain too long at %1 in layer %2").arg(target).arg(layer)));
        return true;
    }
    // The target is an earlier member of this layer: its bytes are among those the search received.
    m_visitor = std::make_unique<Visitor>(PassKind::Extract, nullptr, target, m_outRoot, m_result.path, false);
    m_passLayer = layer;
    m_passKind = PassKind::Extract;
    m_replayTarget = target;
    m_replayError = Error();
    m_replayCancel = false;
    const int fd = m_spoolFd;
    Visitor *visitor = m_visitor.get();
    setStatus(tr("Reading %1 from what was received of layer %2").arg(target).arg(layer));
    qCDebug(llExtract) << "carve: hard link to" << target << "read from the spooled bytes of layer" << layer;
    m_replay = QThread::create([this, fd, visitor] {
        stream::TarReader tar(visitor);
        std::unique_ptr<stream::Decompressor> decompressor;
        Error error;
        QByteArray buffer(1 << 20, Qt::Uninitialized);
        for (off_t at = 0; !m_replayCancel.load() && !tar.isStopped() && !error.isError();) {
            const ssize_t n = ::pread(fd, buffer.data(), size_t(buffer.size()), at);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break; // all that was received: the visitor did not find the target in it
            if (!decompressor) {
                decompressor = stream::Decompressor::create(stream::Decompressor::detect(buffer.constData(), n));
                decompressor->setSink([&tar, &error](const char *d, qint64 size) {
                    const Status s = tar.feed(d, size);
                    if (!s)
                        error = s.error();
                    return s && !tar.isStopped();
                });
            }
            if (const Status s = decompressor->feed(buffer.constData(), n); !s && !error.isError())
                error = s.error();
            at += n;
        }
        m_replayError = error;
    });
    connect(m_replay, &QThread::finished, this, &CarveJob::onReplayFinished);
    m_replay->start();
    return true;
}

void CarveJob::onReplayFinished()
{
    m_replay->wait();
    delete m_replay;
    m_replay = nullptr;
    const int layer = m_passLayer;
    if (m_replayCancel.load() || !isRunning()) {
        m_visitor->discard();
        cancelled();
        return;
    }
    const Visitor::Outcome outcome = m_visitor->outcome();
    if (outcome == Visitor::Outcome::File && !m_replayError.isError()) {
        closeSpool();
        m_result.verified = false; // the search stopped at the link: the layer digest was not reached
        if (const Status s = m_visitor->commitFile(); !s) {
            failWith(s.error());
            return;
        }
        finishFound(layer, m_visitor->entry(), m_visitor->size(), m_visitor->savedTo());
        return;
    }
    m_visitor->discard();
    if (m_replayError.isError() || outcome == Visitor::Outcome::Failed) {
        failWith(m_replayError.isError() ? m_replayError : m_visitor->error());
        return;
    }
    // Not among the bytes received (or itself a link): read the layer again up to it, as before.
    qCDebug(llExtract) << "carve: hard link target" << m_replayTarget << "not in the spooled bytes; reading again";
    --m_passes;
    startPass(layer, PassKind::Extract, m_replayTarget);
}

void CarveJob::finishFound(int layer, const stream::TarEntry &entry, qint64 size, const QString &savedTo)
{
    const stream::TarEntry &shown = m_haveRequestedEntry ? m_requestedEntry : entry;
    m_result.type = shown.type;
    m_result.linkTarget = shown.linkTarget;
    m_result.size = size;
    m_result.savedTo = savedTo;
    finishWith(CarveResult::Status::Found, layer);
}

void CarveJob::finishWith(CarveResult::Status status, int layer)
{
    closeSpool();
    m_result.status = status;
    m_result.layerIndex = layer;
    if (layer >= 0 && layer < m_image.manifest.layers.size()) {
        m_result.layerDigest = m_image.manifest.layers.at(layer).digest;
        m_result.layerSize = m_image.manifest.layers.at(layer).size;
    }
    m_result.elapsedMs = m_timer.elapsed();
    qCDebug(llExtract) << "carve" << m_result.path << CarveResult::statusName(status) << "layer" << layer
                       << "downloaded" << m_result.bytesDownloaded << "bound" << m_result.physicalBound;
    succeed();
}

void CarveJob::failWith(const Error &error)
{
    closeSpool();
    m_result.elapsedMs = m_timer.isValid() ? m_timer.elapsed() : 0;
    fail(error);
}

} // namespace ll::extract

namespace ll::extract {

bool CarveJob::fetchToc(int layer)
{
    const oci::Descriptor &d = m_image.manifest.layers.at(layer);
    if (!m_tocEnabled || m_tocTried[size_t(layer)] || m_trees[size_t(layer)] || !toc::TocFetchJob::hasTocAnnotation(d))
        return false;
    m_tocTried[size_t(layer)] = true;
    auto *job = new toc::TocFetchJob(m_client, stream::LayerSource::fromImage(m_image, layer), this);
    m_tocFetch = job;
    connect(job, &Job::finished, this, [this, layer]() { onTocFetched(layer); });
    setStatus(tr("Reading the table of contents of layer %1/%2").arg(layer + 1).arg(m_image.manifest.layers.size()));
    job->start();
    return true;
}

void CarveJob::accountToc(int requests, qint64 downloaded, qint64 requested)
{
    m_requestsBefore += requests;
    m_downloadedBefore += downloaded;
    m_requestedBefore += requested;
    m_consumedBefore += requested;
    m_result.bytesDownloaded = m_downloadedBefore;
    m_result.bytesRequested = m_requestedBefore + m_randomRequested;
    m_result.physicalBound = m_consumedBefore + m_randomConsumed;
    m_result.requests = m_requestsBefore;
    m_result.elapsedMs = m_timer.elapsed();
}

void CarveJob::onTocFetched(int layer)
{
    toc::TocFetchJob *job = m_tocFetch;
    if (!job)
        return;
    m_tocFetch = nullptr;
    job->deleteLater();
    accountToc(job->requestCount(), job->bytesDownloaded(), job->bytesDownloaded());
    if (!isRunning())
        return;
    if (job->state() == State::Cancelled) {
        cancelled();
        return;
    }
    if (job->state() == State::Succeeded) {
        auto tree = std::make_unique<fs::LayerTree>(layer);
        for (const stream::TarEntry &e : job->toc()->entries) {
            if (!tree->addEntry(e))
                qCWarning(llExtract) << "layer" << layer << "TOC: skipping unsafe entry" << e.path;
        }
        m_tocs[size_t(layer)] = job->toc();
        m_complete[size_t(layer)] = tree.get();
        m_trees[size_t(layer)] = std::move(tree);
        ++m_result.layersFromToc;
        qCDebug(llExtract) << "carve: layer" << layer << "searched in its table of contents";
    } else {
        qCWarning(llExtract).noquote() << "layer" << layer << "table of contents refused:" << job->error().toString()
                                       << "- streaming the layer";
    }
    step();
}

void CarveJob::carveFromToc(int layer, const toc::TocFile &file)
{
    AtomicFileWriter::Options o;
    const quint32 mode = m_haveRequestedEntry ? m_requestedEntry.mode : 0644;
    o.mode = (mode & 0777) | 0600; // as a streamed carve: permission bits, never setuid/setgid
    for (const stream::TarEntry &e : m_tocs[size_t(layer)]->entries) {
        if (e.path == file.path) {
            o.mode = (e.mode & 0777) | 0600;
            break;
        }
    }
    Result<std::unique_ptr<AtomicFileWriter>> w = AtomicFileWriter::create(m_outRoot, m_result.path, o);
    if (!w) {
        failWith(w.error());
        return;
    }
    m_tocWriter = std::move(*w);
    auto *job = new toc::TocFileJob(
        m_client, stream::LayerSource::fromImage(m_image, layer), m_tocs[size_t(layer)], file, this);
    job->setSink([writer = m_tocWriter.get()](const char *data, qint64 size) { return writer->write(data, size); });
    m_tocFile = job;
    connect(job, &Job::finished, this, [this, layer]() { onTocFileFinished(layer); });
    connect(
        job, &Job::progress, this, [this](qint64 done, qint64) { setProgress(m_consumedBefore + done, m_totalSize); });
    setStatus(tr("Reading %1 from layer %2/%3 by its table of contents")
                  .arg(file.path)
                  .arg(layer + 1)
                  .arg(m_image.manifest.layers.size()));
    job->start();
}

void CarveJob::onTocFileFinished(int layer)
{
    toc::TocFileJob *job = m_tocFile;
    if (!job)
        return;
    m_tocFile = nullptr;
    job->deleteLater();
    accountToc(job->requestCount(), job->bytesDownloaded(), job->bytesRequested());
    std::unique_ptr<AtomicFileWriter> writer = std::move(m_tocWriter);
    if (job->state() != State::Succeeded) {
        if (writer)
            writer->discard();
        if (!isRunning())
            return;
        if (job->state() == State::Cancelled) {
            cancelled();
            return;
        }
        // The TOC or the bytes it points at are wrong: read the layer itself (its digest decides).
        qCWarning(llExtract).noquote() << "layer" << layer << "TOC carve failed:" << job->error().toString()
                                       << "- streaming the layer";
        setStatus(tr("%1; streaming the layer").arg(job->error().message));
        m_tocs[size_t(layer)].reset();
        m_complete[size_t(layer)] = nullptr;
        m_trees[size_t(layer)].reset();
        --m_result.layersFromToc;
        step();
        return;
    }
    const Status s = writer->commit();
    if (!s) {
        failWith(s.error());
        return;
    }
    stream::TarEntry e;
    e.path = job->file().path;
    e.type = stream::TarEntry::Type::File;
    e.size = job->file().size;
    m_result.fromToc = true;
    // Verified when the TOC matched the layer's annotation and the file matched the TOC's digest.
    m_result.verified = m_tocs[size_t(layer)]->verified && !job->file().digest.isEmpty();
    finishFound(layer, e, job->file().size, writer->finalPath());
}

} // namespace ll::extract
