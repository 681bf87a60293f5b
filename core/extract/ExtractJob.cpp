#include "extract/ExtractJob.h"

#include "common/Logging.h"
#include "extract/DiskFull.h"
#include "extract/SafeWriter.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "fs/PathSanitizer.h"
#include "fs/Whiteout.h"
#include "index/IndexReader.h"
#include "random/SpanRead.h"
#include "stream/LayerPipeline.h"
#include "stream/TarReader.h"
#include "toc/LayerToc.h"
#include "toc/TocFetchJob.h"
#include "toc/TocRunsJob.h"

#include <QSet>

namespace ll::extract {

using stream::TarEntry;

QString ExtractItem::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Written:
        return QStringLiteral("written");
    case Outcome::Skipped:
        return QStringLiteral("skipped");
    case Outcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

namespace {

bool isUnder(const QString &path, const QString &prefix)
{
    if (prefix == QLatin1String("."))
        return true;
    return path == prefix
        || (path.size() > prefix.size() && path.startsWith(prefix) && path.at(prefix.size()) == QLatin1Char('/'));
}

bool matchesAny(const QString &path, const QStringList &paths)
{
    return std::any_of(paths.cbegin(), paths.cend(), [&path](const QString &p) { return isUnder(path, p); });
}

/** Is layer's copy of path what a container sees, given the layers above it (all read; null below)? */
bool visibleFrom(const std::vector<const fs::LayerTree *> &upper, int layer, const TarEntry &entry, const QString &path)
{
    const fs::Lookup top = fs::MergedTree::lookupTopDown(upper, path);
    if (top.status == fs::Lookup::Status::Unknown && top.layer == layer)
        return true; // no layer above says anything about it
    // A directory over a directory merges: create it (SafeWriter keeps the first, upper, metadata).
    return entry.type == TarEntry::Type::Directory && top.isFound() && top.node && top.node->isDir();
}

/** Is path decided by the layers read so far (a non-directory or an opaque directory found, or deleted)? */
bool decidedAbove(const std::vector<const fs::LayerTree *> &trees, const QString &path)
{
    for (int i = int(trees.size()) - 1; i >= 0; --i) {
        const fs::LayerTree *t = trees[size_t(i)];
        if (!t)
            return false; // a layer not read yet lies above the lower ones: nothing more is known
        const fs::Lookup r = t->probe(path);
        if (r.isDeleted())
            return true;
        if (r.isFound() && r.node && (!r.node->isDir() || r.node->isOpaque()))
            return true;
    }
    return false;
}

/**
 * The compressed offset the entries of an indexed layer needed for paths are out by (0: none is needed). In
 * merged mode only the copies visible through the upper layers count. ranges (if given) gets each needed
 * member's uncompressed [header, end of data).
 */
qint64 neededEnd(index::IndexReader &reader, const QStringList &paths, int layer,
    const std::vector<const fs::LayerTree *> *upper, fs::LayerTree *tree, bool *ok,
    QVector<QPair<qint64, qint64>> *ranges = nullptr)
{
    qint64 end = 0;
    TarEntry e;
    while (reader.next(&e)) {
        if (tree)
            (void)tree->addEntry(e);
        const Result<QString> safe = fs::PathSanitizer::safeRelative(e.path);
        const QString &path = safe ? *safe : e.path;
        if (!matchesAny(path, paths) || fs::Whiteout::classify(path).kind != fs::Whiteout::Kind::None)
            continue;
        if (upper && safe && !visibleFrom(*upper, layer, e, path))
            continue;
        end = qMax(end, e.compressedEnd < 0 ? reader.blobSize() : e.compressedEnd);
        if (ranges)
            ranges->append({ e.headerOffset, qMax(e.dataOffset + e.storedSize(), e.headerOffset + 512) });
    }
    *ok = !reader.error().isError();
    return end;
}

/**
 * The reads from an indexed gzip layer's checkpoints that fetch ranges (each piece verified; reads whose
 * pieces touch merged into one request). Empty when the index keeps no checkpoints for this blob or they do not
 * cover the ranges. After neededEnd() read the reader to its end.
 */
QVector<random::SpanRead> runsFor(
    index::IndexReader &reader, qint64 layerSize, const QVector<QPair<qint64, qint64>> &ranges)
{
    if (!ranges.isEmpty() && !reader.frames().isEmpty() && reader.frames().compressedSize == layerSize)
        return random::SpanRead::planRuns(std::make_shared<const random::ZstdFrames>(reader.takeFrames()), ranges);
    if (ranges.isEmpty() || reader.checkpoints().isEmpty() || reader.checkpoints().compressedSize != layerSize)
        return {};
    const auto points = std::make_shared<const random::GzipCheckpoints>(reader.takeCheckpoints());
    return random::SpanRead::planRuns(points, ranges);
}

qint64 bytesOf(const QVector<random::SpanRead> &runs)
{
    qint64 total = 0;
    for (const random::SpanRead &r : runs)
        total += r.compressedEnd() - r.compressedStart();
    return total;
}

} // namespace

/**
 * Worker-thread side of one layer: builds the layer's tree (merged mode), decides visibility against the
 * layers above, and writes through the SafeWriter. Everything it touches besides its own members (writer,
 * upper trees, the written-from map) is left alone by the job's thread while the layer streams.
 */
class ExtractJob::Visitor : public stream::TarVisitor
{
public:
    Visitor(int layer, bool merged, const QStringList &paths, SafeWriter *writer, fs::LayerTree *tree,
        std::vector<const fs::LayerTree *> upper, QHash<QString, int> *writtenFrom)
        : m_layer(layer)
        , m_merged(merged)
        , m_paths(paths)
        , m_writer(writer)
        , m_tree(tree)
        , m_upper(std::move(upper))
        , m_writtenFrom(writtenFrom)
    { }

    ~Visitor() override
    {
        m_writer->discard(m_file);
        discardPending();
    }

    QVector<ExtractItem> takeItems() { return std::move(m_items); }
    /** Reads from checkpoints: the members (by header offset) the index says the reads hold. */
    void expectHeaders(const QSet<qint64> &headers) { m_expected = headers; }
    /** After the reads: how many of them never came (the index is wrong about this layer). */
    int missingExpected() const { return int(m_expected.size()); }
    /** A full disk (see DiskFull): the layer stopped there and the job fails with it. */
    const Error &fatalError() const { return m_fatal; }

    /**
     * Stop the layer once each of paths (those the layers above leave open) is decided by an entry of this
     * layer: a non-directory at the path (after its data), or a whiteout of it or of a parent.
     */
    void stopWhenDecided(const QStringList &paths)
    {
        m_open = paths;
        m_stopWhenDecided = !paths.isEmpty();
    }

    /**
     * Job thread, after the layer was read and verified (digest, gzip CRC): moves the sealed files to their
     * final names and makes the hard links to them, in archive order.
     */
    void commitPending()
    {
        size_t done = 0;
        for (; done < m_pending.size() && !m_fatal.isError(); ++done) {
            Pending &p = m_pending[done];
            Status s;
            if (p.isLink)
                s = m_writer->makeHardlink(p.item.path, p.linkTarget);
            else
                s = m_writer->commit(p.file);
            if (!s && diskFull(p.item.path, -1))
                break; // this one and the rest are discarded with the visitor
            p.item.outcome = s ? ExtractItem::Outcome::Written : ExtractItem::Outcome::Failed;
            if (!s)
                p.item.error = s.error();
            else
                m_writtenFrom->insert(p.item.path, m_layer);
            m_items.append(std::move(p.item));
        }
        m_pending.erase(m_pending.begin(), m_pending.begin() + qsizetype(done));
        m_pendingPaths.clear();
    }

    /** A layer that failed or was cancelled: none of its files get a final name. */
    void discardPending()
    {
        for (const Pending &p : m_pending) {
            if (!p.isLink)
                m_writer->discard(p.file);
        }
        m_pending.clear();
        m_pendingPaths.clear();
    }

    Action onEntry(const TarEntry &entry) override
    {
        if (m_fatal.isError())
            return Action::Stop;
        m_expected.remove(entry.headerOffset);
        const Action a = handleEntry(entry);
        if (a == Action::ReadData || !m_stopWhenDecided)
            return a;
        const Result<QString> safe = fs::PathSanitizer::safeRelative(entry.path);
        if (safe)
            decide(*safe, entry.type, true);
        return m_open.isEmpty() ? Action::Stop : a;
    }

    Action handleEntry(const TarEntry &entry)
    {
        if (m_tree)
            (void)m_tree->addEntry(entry); // unsafe names are rejected there and reported below when requested
        Result<QString> safe = fs::PathSanitizer::safeRelative(entry.path);
        const QString &path = safe ? *safe : entry.path;
        if (!matches(path))
            return Action::Skip;
        if (!safe) {
            add(entry, entry.path, ExtractItem::Outcome::Skipped, safe.error());
            return Action::Skip;
        }
        if (fs::Whiteout::classify(path).kind != fs::Whiteout::Kind::None) {
            // Markers are not files. In the merged view they are already applied; a single layer reports them.
            if (!m_merged)
                add(entry, path, ExtractItem::Outcome::Skipped,
                    Error(Error::Code::Unsupported, QStringLiteral("whiteout marker (deletes a lower layer's copy)")));
            return Action::Skip;
        }
        if (m_merged && !isVisible(entry, path))
            return Action::Skip;

        switch (entry.type) {
        case TarEntry::Type::File: {
            Result<SafeWriter::FileHandle> file = m_writer->beginFile(path, entry.mode, entry.mtime);
            if (!file) {
                if (diskFull(path, entry.size))
                    return Action::Stop;
                addError(entry, path, file.error());
                return Action::Skip;
            }
            m_file = std::move(*file);
            m_fileError = Error();
            if (entry.size == 0) {
                sealFile(entry);
                return m_fatal.isError() ? Action::Stop : Action::Skip;
            }
            return Action::ReadData;
        }
        case TarEntry::Type::Directory:
            record(entry, path, m_writer->makeDir(path, entry.mode, entry.mtime));
            break;
        case TarEntry::Type::Symlink:
            record(entry, path, m_writer->makeSymlink(path, entry.linkTarget, entry.mtime));
            if (m_writer->hasWritten(path))
                m_writtenFrom->insert(path, m_layer);
            break;
        case TarEntry::Type::Hardlink:
            hardlink(entry, path);
            break;
        case TarEntry::Type::CharDevice:
        case TarEntry::Type::BlockDevice:
        case TarEntry::Type::Fifo:
        case TarEntry::Type::Other:
            add(entry, path, ExtractItem::Outcome::Skipped,
                Error(Error::Code::Unsupported,
                    QStringLiteral("%1 not extracted (%2)")
                        .arg(entry.type == TarEntry::Type::Fifo       ? QStringLiteral("fifo")
                                : entry.type == TarEntry::Type::Other ? QStringLiteral("special file")
                                                                      : QStringLiteral("device node"),
                            path)));
            return Action::Skip;
        }
        return m_fatal.isError() ? Action::Stop : Action::Skip;
    }

    bool onData(const TarEntry &entry, const char *data, qint64 size) override
    {
        if (m_file.isOpen() && !m_fileError.isError()) {
            const qint64 needed = entry.size - m_file.bytesWritten();
            const Status s = m_writer->write(m_file, data, size);
            if (!s) {
                m_fileError = s.error();
                const QString path = m_file.path();
                m_writer->discard(m_file);
                if (diskFull(path, needed))
                    return false; // a full disk stops the layer: every later file would fail the same way
            }
        }
        return true; // another write error fails this item only; the layer goes on
    }

    bool onHole(const TarEntry &entry, qint64 size) override
    {
        // A sparse file's hole: seeked over, never written (nor downloaded: the archive does not hold it).
        if (m_file.isOpen() && !m_fileError.isError()) {
            const qint64 needed = entry.size - m_file.bytesWritten();
            const Status s = m_writer->writeHole(m_file, size);
            if (!s) {
                m_fileError = s.error();
                const QString path = m_file.path();
                m_writer->discard(m_file);
                if (diskFull(path, needed))
                    return false;
            }
        }
        return true;
    }

    bool onEntryEnd(const TarEntry &entry) override
    {
        if (m_fatal.isError())
            return false;
        const Result<QString> safe = fs::PathSanitizer::safeRelative(entry.path);
        if (m_fileError.isError()) {
            add(entry, safe ? *safe : entry.path, ExtractItem::Outcome::Failed, m_fileError);
            m_fileError = Error();
            return true;
        }
        sealFile(entry);
        if (m_fatal.isError())
            return false;
        if (m_stopWhenDecided) {
            const Result<QString> safe = fs::PathSanitizer::safeRelative(entry.path);
            if (safe)
                decide(*safe, entry.type, false);
            return !m_open.isEmpty(); // false: every path is decided, stop the layer here
        }
        return true;
    }

private:
    /** After a failed write: true (and the fatal error set) when the disk is full. */
    bool diskFull(const QString &path, qint64 needed)
    {
        const int err = m_writer->diskFullErrno();
        if (err == 0)
            return false;
        if (!m_fatal.isError())
            m_fatal = DiskFull::error(err, m_writer->rootDir(), needed, path);
        return true;
    }

    /** An entry at path (its data read when a file) closes the open paths it decides. */
    void decide(const QString &path, TarEntry::Type type, bool atHeader)
    {
        const fs::Whiteout w = fs::Whiteout::classify(path);
        m_open.erase(std::remove_if(m_open.begin(), m_open.end(),
                         [&](const QString &p) {
                             if (w.kind == fs::Whiteout::Kind::Whiteout)
                                 return isUnder(p, w.target) && p != QLatin1String(".");
                             if (path != p || type == TarEntry::Type::Directory)
                                 return false;
                             // A file's data comes after its header: decided at its end.
                             return !(atHeader && type == TarEntry::Type::File && m_file.isOpen());
                         }),
            m_open.end());
    }

    bool matches(const QString &path) const
    {
        for (const QString &p : m_paths) {
            if (isUnder(path, p))
                return true;
        }
        return false;
    }

    /** Is this layer's copy of path what a container sees, given the layers above (all read)? */
    bool isVisible(const TarEntry &entry, const QString &path) const
    {
        return visibleFrom(m_upper, m_layer, entry, path);
    }

    /** The file's data is complete: keep it under its temporary name until the layer is verified. */
    void sealFile(const TarEntry &entry)
    {
        const QString path = m_file.path();
        Result<SafeWriter::PendingFile> sealed = m_writer->seal(m_file);
        if (!sealed) {
            if (diskFull(path, -1))
                return;
            addError(entry, path, sealed.error());
            return;
        }
        Pending p;
        p.item = makeItem(entry, path, ExtractItem::Outcome::Written, Error());
        p.file = std::move(*sealed);
        m_pendingPaths.insert(path);
        m_pending.push_back(std::move(p));
    }

    void hardlink(const TarEntry &entry, const QString &path)
    {
        const Result<QString> target = fs::PathSanitizer::safeRelative(entry.linkTarget);
        if (!target) {
            add(entry, path, ExtractItem::Outcome::Skipped,
                Error(Error::Code::UnsafePath, QStringLiteral("Unsafe path: %1").arg(path),
                    QStringLiteral("hard link target '%1' is outside the image").arg(entry.linkTarget)));
            return;
        }
        // Tar hard links name an earlier member of the same layer: link only to that copy, once it is final.
        if (m_pendingPaths.contains(*target)) {
            Pending p;
            p.item = makeItem(entry, path, ExtractItem::Outcome::Written, Error());
            p.isLink = true;
            p.linkTarget = *target;
            m_pending.push_back(std::move(p));
            return;
        }
        if (m_writtenFrom->value(*target, -1) != m_layer) {
            add(entry, path, ExtractItem::Outcome::Skipped,
                Error(Error::Code::UnsafePath, QStringLiteral("Unsafe path: %1").arg(path),
                    QStringLiteral("hard link target '%1' was not extracted from this layer").arg(*target)));
            return;
        }
        const Status s = m_writer->makeHardlink(path, *target);
        record(entry, path, s);
        if (s)
            m_writtenFrom->insert(path, m_layer);
    }

    void record(const TarEntry &entry, const QString &path, const Status &s)
    {
        if (s)
            add(entry, path, ExtractItem::Outcome::Written, Error());
        else if (!diskFull(path, 0))
            addError(entry, path, s.error());
    }

    void addError(const TarEntry &entry, const QString &path, const Error &e)
    {
        // Refusing a hostile name is deliberate (skipped); anything else is a failure.
        add(entry, path,
            e.code == Error::Code::UnsafePath ? ExtractItem::Outcome::Skipped : ExtractItem::Outcome::Failed, e);
    }

    ExtractItem makeItem(
        const TarEntry &entry, const QString &path, ExtractItem::Outcome outcome, const Error &error) const
    {
        ExtractItem item;
        item.path = path;
        item.type = entry.type;
        item.layer = m_layer;
        item.size = entry.size;
        item.outcome = outcome;
        item.error = error;
        return item;
    }

    void add(const TarEntry &entry, const QString &path, ExtractItem::Outcome outcome, const Error &error)
    {
        if (outcome != ExtractItem::Outcome::Written)
            qCDebug(llExtract) << "layer" << m_layer << ExtractItem::outcomeName(outcome) << path << error.toString();
        m_items.append(makeItem(entry, path, outcome, error));
    }

    struct Pending {
        ExtractItem item;
        SafeWriter::PendingFile file; // !isLink
        bool isLink = false;
        QString linkTarget; // isLink: normalised target, a pending file of this layer
    };

    int m_layer;
    bool m_merged;
    QStringList m_paths;
    SafeWriter *m_writer;
    fs::LayerTree *m_tree;
    std::vector<const fs::LayerTree *> m_upper;
    QHash<QString, int> *m_writtenFrom;
    SafeWriter::FileHandle m_file;
    Error m_fileError;
    Error m_fatal; // a full disk
    QVector<ExtractItem> m_items;
    std::vector<Pending> m_pending;
    QSet<QString> m_pendingPaths;
    QStringList m_open; // stopWhenDecided: paths this layer has not decided yet
    bool m_stopWhenDecided = false;
    QSet<qint64> m_expected; // expectHeaders() not seen yet
};

// ---------------------------------------------------------------- job

ExtractJob::ExtractJob(registry::RegistryClient *client, const oci::Image &image, const QStringList &paths,
    const QString &outputDir, const ExtractOptions &options, QObject *parent)
    : Job(parent), m_client(client), m_image(image), m_rawPaths(paths), m_outputDir(outputDir), m_options(options)
{
    qRegisterMetaType<ll::extract::ExtractItem>();
    setCancelIsAsync(true);
    setTitle(tr("Extract %1").arg(paths.join(QStringLiteral(", "))));
}

ExtractJob::~ExtractJob()
{
    delete m_pipeline; // stops the network and joins its worker before the visitor goes
    m_pipeline = nullptr;
    delete m_tocRuns.data(); // its handler drives the visitor
    delete m_tocFetch.data();
    m_visitor.reset();
}

int ExtractJob::count(ExtractItem::Outcome outcome) const
{
    return int(std::count_if(
        m_items.cbegin(), m_items.cend(), [outcome](const ExtractItem &i) { return i.outcome == outcome; }));
}

void ExtractJob::doStart()
{
    const int layerCount = int(m_image.manifest.layers.size());
    if (m_rawPaths.isEmpty()) {
        fail(Error(Error::Code::Usage, tr("No path to extract")));
        return;
    }
    for (const QString &raw : std::as_const(m_rawPaths)) {
        Result<QString> p = fs::PathSanitizer::safeRelative(raw);
        if (!p) {
            fail(p.error());
            return;
        }
        if (!m_paths.contains(*p))
            m_paths.append(*p);
    }
    if (m_options.layer >= layerCount || m_options.layer < -1) {
        fail(Error(
            Error::Code::Usage, tr("The image has no layer %1 (it has %2)").arg(m_options.layer).arg(layerCount)));
        return;
    }
    SafeWriter::Options wo;
    wo.preservePermissions = m_options.preservePermissions;
    auto writer = SafeWriter::open(m_outputDir, wo);
    if (!writer) {
        fail(writer.error());
        return;
    }
    m_writer = std::move(*writer);
    m_trees.resize(size_t(layerCount));
    m_treePtrs.assign(size_t(layerCount), nullptr);
    m_tocTried.assign(size_t(layerCount), false);
    m_bytesTotal = 0;
    if (m_options.layer >= 0) {
        m_order = { m_options.layer };
        m_bytesTotal = qMax<qint64>(0, m_image.manifest.layers.at(m_options.layer).size);
    } else {
        for (int i = layerCount - 1; i >= 0; --i)
            m_order.append(i);
        m_bytesTotal = m_image.totalLayerSize();
    }
    if (m_store.isEnabled())
        m_bytesTotal = expectedDownload(m_image, m_paths, m_options.layer, m_store);
    setProgress(0, m_bytesTotal);
    startNextLayer();
}

void ExtractJob::doCancel()
{
    if (m_tocFetch && m_tocFetch->isRunning()) {
        m_tocFetch->cancel(); // onTocFetched() ends the job as cancelled
        return;
    }
    if (m_tocRuns && m_tocRuns->isRunning()) {
        m_tocRuns->cancel(); // onTocRunsFinished() ends the job as cancelled
        return;
    }
    if (m_pipeline) {
        m_pipeline->cancel(); // onLayerFinished() ends the job as cancelled
        return;
    }
    if (m_writer)
        (void)m_writer->finish();
    cancelled();
}

bool ExtractJob::allDecided() const
{
    // A path is decided once a layer read so far hides everything below it for that path.
    return std::all_of(
        m_paths.cbegin(), m_paths.cend(), [this](const QString &p) { return decidedAbove(m_treePtrs, p); });
}

qint64 ExtractJob::expectedDownload(
    const oci::Image &image, const QStringList &paths, int layer, const index::IndexStore &store, int *indexedLayers)
{
    QStringList normal;
    for (const QString &raw : paths) {
        const Result<QString> p = fs::PathSanitizer::safeRelative(raw);
        if (p)
            normal.append(*p);
    }
    qint64 total = 0;
    int indexed = 0;
    const int count = int(image.manifest.layers.size());
    for (int k = 0; k < count; ++k) {
        if (layer >= 0 && k != layer)
            continue;
        const oci::Descriptor &d = image.manifest.layers.at(k);
        std::unique_ptr<index::IndexReader> reader = store.isEnabled() ? store.open(d.digest) : nullptr;
        bool ok = false;
        QVector<QPair<qint64, qint64>> ranges;
        const qint64 end = reader ? neededEnd(*reader, normal, k, nullptr, nullptr, &ok, &ranges) : 0;
        if (ok) {
            ++indexed;
            const QVector<random::SpanRead> runs = runsFor(*reader, d.size, ranges);
            total += runs.isEmpty() ? end : bytesOf(runs);
        } else {
            total += qMax<qint64>(0, d.size);
        }
    }
    if (indexedLayers)
        *indexedLayers = indexed;
    return total;
}

bool ExtractJob::loadIndexed(int layer, qint64 *needEnd)
{
    if (!m_store.isEnabled())
        return false;
    std::unique_ptr<index::IndexReader> reader = m_store.open(m_image.manifest.layers.at(layer).digest);
    if (!reader)
        return false;
    const bool merged = m_options.layer < 0;
    auto tree = merged ? std::make_unique<fs::LayerTree>(layer) : nullptr;
    bool ok = false;
    QVector<QPair<qint64, qint64>> ranges;
    *needEnd = neededEnd(*reader, m_paths, layer, merged ? &m_treePtrs : nullptr, tree.get(), &ok, &ranges);
    if (!ok) {
        qCWarning(llExtract).noquote() << reader->error().message << "; reading layer" << layer << "instead";
        return false;
    }
    m_runs = runsFor(*reader, m_image.manifest.layers.at(layer).size, ranges);
    m_run = 0;
    m_runHeaders.clear();
    if (!m_runs.isEmpty()) {
        for (const QPair<qint64, qint64> &r : std::as_const(ranges))
            m_runHeaders.insert(r.first);
    }
    if (merged)
        m_trees[size_t(layer)] = std::move(tree);
    m_fromIndex.append(layer);
    return true;
}

void ExtractJob::startNextLayer()
{
    const bool merged = m_options.layer < 0;
    if (m_next >= m_order.size() || (merged && m_next > 0 && allDecided())) {
        finishAll();
        return;
    }
    startLayer(m_order.at(m_next++), true);
}

void ExtractJob::startLayer(int k, bool useIndex)
{
    const bool merged = m_options.layer < 0;
    m_currentLayer = k;
    m_runs.clear();
    m_run = 0;
    m_runHeaders.clear();
    if (useIndex && m_tocEnabled && !m_tocTried[size_t(k)]) {
        if (std::shared_ptr<const toc::LayerToc> given = m_givenTocs.value(k)) {
            m_tocTried[size_t(k)] = true;
            startTocLayer(k, std::move(given));
            return;
        }
        if (toc::TocFetchJob::hasTocAnnotation(m_image.manifest.layers.at(k))) {
            startTocFetch(k);
            return;
        }
    }
    std::vector<const fs::LayerTree *> upper = m_treePtrs; // layers above k are read; k and below are null
    stream::LayerSource source = stream::LayerSource::fromImage(m_image, k);
    qint64 needEnd = -1;
    const bool indexed = useIndex && loadIndexed(k, &needEnd);
    if (indexed && needEnd <= 0) {
        // The index says this layer holds nothing the paths need (or only copies hidden above): no download.
        qCDebug(llExtract) << "extract: layer" << k << "needs no download (its index)";
        if (merged)
            m_treePtrs[size_t(k)] = m_trees[size_t(k)].get();
        startNextLayer();
        return;
    }
    fs::LayerTree *tree = nullptr;
    if (merged && !indexed) {
        m_trees[size_t(k)] = std::make_unique<fs::LayerTree>(k);
        tree = m_trees[size_t(k)].get();
    }
    m_visitor = std::make_unique<Visitor>(k, merged, m_paths, m_writer.get(), tree, std::move(upper), &m_writtenFrom);
    m_layersRead.append(k);
    setStatus(tr("Reading layer %1").arg(k));
    if (!m_runs.isEmpty()) {
        m_visitor->expectHeaders(m_runHeaders);
        qCDebug(llExtract) << "extract: layer" << k << "from checkpoints," << m_runs.size() << "request(s),"
                           << bytesOf(m_runs) << "bytes";
        startRun();
        return;
    }

    m_pipeline = new stream::LayerPipeline(m_client, source, this);
    m_pipeline->setVisitor(m_visitor.get());
    if (indexed && source.layer.size >= 0 && needEnd < source.layer.size) {
        // One Range request up to where the last entry needed is out.
        stream::FetchPolicy policy;
        policy.byteLimit = needEnd;
        m_pipeline->setPolicy(policy);
    } else if (!indexed) {
        // Stop once the paths the layers above leave open are decided here (directories need the whole layer).
        QStringList open;
        for (const QString &p : std::as_const(m_paths)) {
            if (!merged || !decidedAbove(m_treePtrs, p))
                open.append(p);
        }
        if (!open.isEmpty() && !open.contains(QStringLiteral("."))) {
            m_visitor->stopWhenDecided(open);
            // Read under a carve's allowance (1.25 x consumed): a stop wastes little; a layer read to its end
            // is still checked against its digest, also when the stop came within the last window.
            stream::FetchPolicy policy;
            policy.mode = stream::FetchPolicy::Mode::Windowed;
            m_pipeline->setPolicy(policy);
            m_pipeline->setCheckAfterStop(true);
        }
    }
    connect(m_pipeline, &Job::progress, this, &ExtractJob::onLayerProgress);
    connect(m_pipeline, &Job::finished, this, &ExtractJob::onLayerFinished);
    qCDebug(llExtract) << "extract: reading layer" << k;
    m_pipeline->start();
}

void ExtractJob::startRun()
{
    const random::SpanRead &run = m_runs.at(m_run);
    m_pipeline = new stream::LayerPipeline(m_client, stream::LayerSource::fromImage(m_image, m_currentLayer), this);
    m_pipeline->setVisitor(m_visitor.get());
    run.setUp(*m_pipeline);
    connect(m_pipeline, &Job::progress, this, &ExtractJob::onLayerProgress);
    connect(m_pipeline, &Job::finished, this, &ExtractJob::onLayerFinished);
    qCDebug(llExtract) << "extract: layer" << m_currentLayer << "checkpoint" << run.checkpoint() << "pieces"
                       << run.firstPiece() << "-" << run.lastPiece() << "bytes" << run.compressedStart() << "-"
                       << run.compressedEnd();
    m_pipeline->start();
}

void ExtractJob::onLayerProgress(qint64 done, qint64 total)
{
    Q_UNUSED(total)
    setProgress(m_bytesDone + done, m_bytesTotal);
}

void ExtractJob::onLayerFinished()
{
    stream::LayerPipeline *pipeline = m_pipeline;
    m_pipeline = nullptr;
    const State state = pipeline->state();
    const Error error = pipeline->error();
    const bool fromRuns = !m_runs.isEmpty();
    m_bytesDownloaded += pipeline->bytesDownloaded();
    m_requests += pipeline->requestCount();
    m_bytesDone += fromRuns || pipeline->stoppedEarly() || pipeline->isIncomplete()
        ? pipeline->bytesDownloaded()
        : qMax<qint64>(0, pipeline->source().layer.size);
    if (fromRuns)
        m_piecesVerified += random::SpanRead::piecesVerified(*pipeline);
    if (!fromRuns && state == State::Succeeded && (pipeline->stoppedEarly() || pipeline->isIncomplete())
        && !pipeline->digestVerified()) {
        m_unverified.append(m_currentLayer);
        qCDebug(llExtract) << "extract: layer" << m_currentLayer << "read in part (" << pipeline->bytesDownloaded()
                           << "bytes); its digest is not checked";
    }
    pipeline->disconnect(this);
    pipeline->deleteLater();

    if (fromRuns && state != State::Cancelled && !m_visitor->fatalError().isError()) {
        // Reads from checkpoints: the next run with the same visitor (the layer's files stay pending until
        // every run is in), or back to streaming when the index proved wrong or the network failed.
        if (state == State::Succeeded && ++m_run < m_runs.size()) {
            startRun();
            return;
        }
        if (state == State::Failed) {
            const bool indexWrong = error.code == Error::Code::DigestMismatch || error.code == Error::Code::Corrupt;
            fallBackToStreaming(error, indexWrong);
            return;
        }
        if (const int missing = m_visitor->missingExpected(); missing > 0) {
            fallBackToStreaming(
                Error(Error::Code::Corrupt, tr("%n member(s) are not where the layer index says", nullptr, missing)),
                true);
            return;
        }
        m_randomLayers.append(m_currentLayer);
    }
    endLayer(state, error);
}

void ExtractJob::endLayer(State state, const Error &error)
{
    if (state == State::Succeeded && !m_visitor->fatalError().isError())
        m_visitor->commitPending(); // the layer is verified: its files get their final names
    const Error fatal = m_visitor->fatalError();
    QVector<ExtractItem> items = m_visitor->takeItems();
    m_visitor.reset(); // discards a half-written file and unverified ones (cancel / failure)
    if (!items.isEmpty()) {
        m_items += items;
        emit itemsReady(items);
    }
    if (fatal.isError()) {
        qCDebug(llExtract).noquote() << fatal.toString();
        (void)m_writer->finish();
        fail(fatal);
        return;
    }
    if (state == State::Succeeded) {
        if (m_options.layer < 0)
            m_treePtrs[size_t(m_currentLayer)] = m_trees[size_t(m_currentLayer)].get();
        startNextLayer();
        return;
    }
    (void)m_writer->finish();
    if (state == State::Cancelled)
        cancelled();
    else
        fail(error);
}

void ExtractJob::setLayerToc(int layer, std::shared_ptr<const toc::LayerToc> toc)
{
    if (toc && toc->verified)
        m_givenTocs.insert(layer, std::move(toc));
}

void ExtractJob::startTocFetch(int k)
{
    m_tocTried[size_t(k)] = true;
    setStatus(tr("Reading the table of contents of layer %1").arg(k));
    auto *job = new toc::TocFetchJob(m_client, stream::LayerSource::fromImage(m_image, k), this);
    m_tocFetch = job;
    connect(job, &Job::finished, this, &ExtractJob::onTocFetched);
    job->start();
}

void ExtractJob::onTocFetched()
{
    toc::TocFetchJob *job = m_tocFetch;
    m_tocFetch = nullptr;
    if (!job)
        return;
    job->disconnect(this);
    job->deleteLater();
    const int k = m_currentLayer;
    m_requests += job->requestCount();
    m_bytesDownloaded += job->bytesDownloaded();
    m_bytesDone += job->bytesDownloaded();
    setProgress(m_bytesDone, m_bytesTotal);
    if (job->state() == State::Cancelled) {
        (void)m_writer->finish();
        cancelled();
        return;
    }
    if (job->state() != State::Succeeded) {
        if (!job->isNotTocLayer()) {
            m_tocFallback = job->error().toString();
            qCWarning(llExtract).noquote()
                << "layer" << k << "TOC refused:" << m_tocFallback << "- reading the layer without it";
        }
        startLayer(k, true);
        return;
    }
    startTocLayer(k, job->toc());
}

namespace {

Error stoppedBy(const Error &fatal)
{
    return fatal.isError() ? fatal : Error(Error::Code::Io, QStringLiteral("the extraction stopped"));
}

} // namespace

void ExtractJob::startTocLayer(int k, std::shared_ptr<const toc::LayerToc> layerToc)
{
    const bool merged = m_options.layer < 0;
    m_toc = std::move(layerToc);
    const toc::LayerToc &t = *m_toc;
    auto tree = merged ? std::make_unique<fs::LayerTree>(k) : nullptr;
    // The regular files the paths need, in TOC order (the order the visitor sees the entries in): the same
    // choice the visitor makes (under a path, a safe name, no whiteout marker, visible through the layers above).
    QVector<int> files;
    m_tocEntryOf.clear();
    for (int i = 0; i < t.entries.size(); ++i) {
        const TarEntry &e = t.entries.at(i);
        if (tree)
            (void)tree->addEntry(e);
        const Result<QString> safe = fs::PathSanitizer::safeRelative(e.path);
        if (!safe || e.type != TarEntry::Type::File || e.size == 0 || !matchesAny(*safe, m_paths)
            || fs::Whiteout::classify(*safe).kind != fs::Whiteout::Kind::None)
            continue;
        if (merged && !visibleFrom(m_treePtrs, k, e, *safe))
            continue;
        const auto it = t.fileIndex.constFind(e.path);
        const toc::TocFile *f = it == t.fileIndex.constEnd() ? nullptr : &t.files[size_t(*it)];
        if (!f || f->size != e.size || f->chunks.isEmpty() || m_tocEntryOf.contains(*it)) {
            m_tocFallback = Error(Error::Code::Corrupt,
                tr("the TOC of layer %1 gives no chunks (or two entries) for %2").arg(k).arg(e.path))
                                .toString();
            qCWarning(llExtract).noquote() << m_tocFallback << "- reading the layer without it";
            m_toc.reset();
            startLayer(k, true);
            return;
        }
        m_tocEntryOf.insert(*it, i);
        files.append(*it);
    }
    if (merged)
        m_trees[size_t(k)] = std::move(tree);
    m_visitor = std::make_unique<Visitor>(k, merged, m_paths, m_writer.get(), nullptr, m_treePtrs, &m_writtenFrom);
    m_layersRead.append(k);
    m_tocCursor = 0;
    m_tocOpenEntry = -1;
    setStatus(tr("Reading layer %1 by its chunks").arg(k));

    auto *job = new toc::TocRunsJob(m_client, stream::LayerSource::fromImage(m_image, k), m_toc, files, this);
    toc::TocRunsJob::Handler h;
    h.beginFile = [this](int file, bool *wanted) -> Status {
        const int entry = m_tocEntryOf.value(file, -1);
        const Status s = tocEntriesUpTo(entry);
        if (!s)
            return s;
        m_tocCursor = entry + 1;
        const stream::TarVisitor::Action a = m_visitor->onEntry(m_toc->entries.at(entry));
        if (a == stream::TarVisitor::Action::Stop)
            return stoppedBy(m_visitor->fatalError());
        *wanted = a == stream::TarVisitor::Action::ReadData;
        m_tocOpenEntry = *wanted ? entry : -1;
        return Status();
    };
    h.data = [this](const char *data, qint64 size) -> Status {
        if (!m_visitor->onData(m_toc->entries.at(m_tocOpenEntry), data, size))
            return stoppedBy(m_visitor->fatalError());
        return Status();
    };
    h.endFile = [this]() -> Status {
        const int entry = m_tocOpenEntry;
        m_tocOpenEntry = -1;
        if (!m_visitor->onEntryEnd(m_toc->entries.at(entry)))
            return stoppedBy(m_visitor->fatalError());
        return Status();
    };
    job->setHandler(std::move(h));
    m_tocRuns = job;
    connect(job, &Job::progress, this, &ExtractJob::onLayerProgress);
    connect(job, &Job::finished, this, &ExtractJob::onTocRunsFinished);
    qCDebug(llExtract) << "extract: layer" << k << "by its TOC:" << files.size() << "file(s),"
                       << toc::TocRunsJob::planRuns(t, files, toc::TocRunsJob::DefaultMaxGap).size() << "request(s)";
    job->start();
}

Status ExtractJob::tocEntriesUpTo(int end)
{
    // The entries between two files fetched: directories, links, files not needed (the visitor decides).
    while (m_tocCursor < end) {
        const TarEntry &e = m_toc->entries.at(m_tocCursor++);
        const stream::TarVisitor::Action a = m_visitor->onEntry(e);
        if (a == stream::TarVisitor::Action::Stop)
            return stoppedBy(m_visitor->fatalError());
        if (a == stream::TarVisitor::Action::ReadData)
            return Error(Error::Code::Corrupt,
                tr("layer %1: %2 needs data the TOC read did not plan").arg(m_currentLayer).arg(e.path));
    }
    return Status();
}

void ExtractJob::onTocRunsFinished()
{
    toc::TocRunsJob *job = m_tocRuns;
    m_tocRuns = nullptr;
    if (!job)
        return;
    job->disconnect(this);
    job->deleteLater();
    const int k = m_currentLayer;
    m_requests += job->requestCount();
    m_bytesDownloaded += job->bytesDownloaded();
    m_bytesDone += job->bytesDownloaded();
    m_chunksVerified += job->chunksVerified();
    State state = job->state();
    Error error = job->error();
    if (state == State::Succeeded) {
        const Status s = tocEntriesUpTo(int(m_toc->entries.size()));
        if (!s) {
            state = State::Failed;
            error = s.error();
        }
    }
    if (state == State::Failed && !m_visitor->fatalError().isError()) {
        // A chunk or file that lies, a TOC at odds with itself, the network: stream the layer, keeping nothing
        // of these reads (their files are still pending: the visitor discards them).
        m_tocFallback = error.toString();
        qCWarning(llExtract).noquote() << "layer" << k << "read by its TOC's chunks failed:" << m_tocFallback
                                       << "- streaming the layer";
        m_visitor.reset();
        m_trees[size_t(k)].reset();
        m_layersRead.removeAll(k);
        m_toc.reset();
        startLayer(k, false);
        return;
    }
    if (state == State::Succeeded) {
        m_tocLayers.append(k);
        if (!m_toc->verified)
            m_unverified.append(k); // no annotation vouched for the TOC: its digests prove nothing
    }
    m_toc.reset();
    endLayer(state, error);
}

void ExtractJob::fallBackToStreaming(const Error &why, bool indexWrong)
{
    const int k = m_currentLayer;
    m_indexFallback = why.toString();
    qCWarning(llExtract).noquote() << "layer" << k
                                   << (indexWrong ? "index discarded:" : "read from checkpoints failed:")
                                   << m_indexFallback << "- streaming the layer";
    if (indexWrong)
        m_store.remove(m_image.manifest.layers.at(k).digest);
    m_visitor.reset(); // none of the reads' files gets a final name
    m_trees[size_t(k)].reset();
    m_fromIndex.removeAll(k);
    m_layersRead.removeAll(k);
    startLayer(k, false);
}

void ExtractJob::reportMissing()
{
    for (const QString &p : std::as_const(m_paths)) {
        const bool any
            = std::any_of(m_items.cbegin(), m_items.cend(), [&p](const ExtractItem &i) { return isUnder(i.path, p); });
        if (any)
            continue;
        ExtractItem item;
        item.path = p;
        item.outcome = ExtractItem::Outcome::Failed;
        if (m_options.layer >= 0) {
            item.layer = m_options.layer;
            item.error = Error(Error::Code::NotFound, tr("%1: not in layer %2").arg(p).arg(m_options.layer));
        } else {
            const fs::Lookup r = fs::MergedTree::lookupTopDown(m_treePtrs, p);
            item.layer = r.layer;
            if (r.isDeleted())
                item.error = Error(Error::Code::NotFound, tr("%1: deleted in layer %2").arg(p).arg(r.layer));
            else
                item.error = Error(Error::Code::NotFound, tr("%1: not in the image").arg(p));
        }
        m_items.append(item);
        emit itemsReady({ item });
    }
}

void ExtractJob::finishAll()
{
    reportMissing();
    const Status s = m_writer->finish();
    if (!s)
        qCWarning(llExtract) << "extract: restoring directory modes:" << s.error().toString();
    setProgress(m_bytesTotal, m_bytesTotal);
    succeed();
}

} // namespace ll::extract
