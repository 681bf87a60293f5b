#include "analysis/ImageAnalysis.h"

#include "common/Logging.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace ll::analysis {

namespace {

QString joinPath(const QString &dir, const QString &name)
{
    return dir.isEmpty() ? name : dir + QLatin1Char('/') + name;
}

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : path.left(slash);
}

} // namespace

/**
 * Walks one layer at a time against the merged view of the layers below. Efficiency records are made for a
 * path at its second event (dive counts a path once it was seen twice); from then on every event of that path
 * is added to it. Before that, the one copy there was is the one the merged view shows, so a record starts
 * from the merged node's size and layer.
 */
class ImageAnalysis::Walker
{
public:
    void layer(const fs::LayerTree &tree, LayerChanges *out);
    void apply(const fs::LayerTree &tree) { m_merged.addLayer(tree); }
    Efficiency efficiency() const;

private:
    struct Record {
        qint64 bytes = 0;
        qint64 minBytes = 0;
        std::vector<int> layers;
    };
    struct Frame {
        const fs::FileNode *src; // the layer's dir
        const fs::FileNode *dst; // the merged dir below at the same path, or nullptr
        bool hide; // the lower content of dst is hidden (opaque or re-created dir here or above)
        QString path;
    };

    Record &record(const QString &path, qint64 firstSize, int firstLayer);
    static void addEvent(Record &r, qint64 size, int layer);
    /** A copy of path written by layer: counted when the path already has a record. */
    void copyIfRecorded(const QString &dir, const QString &name, qint64 size, int layer);
    /** Deletion events for every non-directory of the merged subtree at node; returns their bytes. */
    qint64 deleteSubtree(const fs::FileNode *node, const QString &path, int layer);

    fs::MergedTree m_merged;
    QHash<QString, int> m_recordIndex;
    std::vector<Record> m_records;
    std::vector<QString> m_recordPaths;
    QSet<QString> m_dirsWithRecords; // parent paths of recorded paths: an added file only looks up when listed
    qint64 m_totalBytes = 0;
};

ImageAnalysis::Walker::Record &ImageAnalysis::Walker::record(const QString &path, qint64 firstSize, int firstLayer)
{
    const auto it = m_recordIndex.constFind(path);
    if (it != m_recordIndex.cend())
        return m_records[size_t(*it)];
    m_recordIndex.insert(path, int(m_records.size()));
    m_dirsWithRecords.insert(parentPath(path));
    m_recordPaths.push_back(path);
    Record &r = m_records.emplace_back();
    r.bytes = firstSize;
    r.minBytes = firstSize;
    r.layers.push_back(firstLayer);
    return r;
}

void ImageAnalysis::Walker::addEvent(Record &r, qint64 size, int layer)
{
    r.bytes += size;
    r.minBytes = qMin(r.minBytes, size);
    if (r.layers.empty() || r.layers.back() != layer)
        r.layers.push_back(layer);
}

void ImageAnalysis::Walker::copyIfRecorded(const QString &dir, const QString &name, qint64 size, int layer)
{
    if (m_dirsWithRecords.isEmpty() || !m_dirsWithRecords.contains(dir))
        return;
    const auto it = m_recordIndex.constFind(joinPath(dir, name));
    if (it != m_recordIndex.cend())
        addEvent(m_records[size_t(*it)], size, layer);
}

qint64 ImageAnalysis::Walker::deleteSubtree(const fs::FileNode *node, const QString &path, int layer)
{
    qint64 bytes = 0;
    std::vector<std::pair<const fs::FileNode *, QString>> stack { { node, path } };
    while (!stack.empty()) {
        auto [n, p] = std::move(stack.back());
        stack.pop_back();
        if (!n->isDir()) {
            addEvent(record(p, n->size, n->layer), 0, layer);
            bytes += n->size;
            continue;
        }
        for (const fs::FileNode *c : n->children)
            stack.emplace_back(c, joinPath(p, c->name));
    }
    return bytes;
}

void ImageAnalysis::Walker::layer(const fs::LayerTree &tree, LayerChanges *out)
{
    using Kind = Change::Kind;
    const int k = tree.layerIndex();
    out->layer = k;
    auto deletion = [&](const fs::FileNode *marker, const fs::FileNode *lower, const QString &path) {
        Change ch;
        ch.kind = Kind::Deleted;
        ch.node = marker;
        ch.deletedPath = path;
        ch.type = lower->type;
        ch.sizeBefore = deleteSubtree(lower, path, k);
        ch.layerBefore = lower->layer;
        ++out->deleted;
        out->deletedBytes += ch.sizeBefore;
        out->changes.push_back(std::move(ch));
    };

    std::vector<Frame> stack { { tree.root(), m_merged.root(), tree.root()->isOpaque(), QString() } };
    while (!stack.empty()) {
        const Frame f = std::move(stack.back());
        stack.pop_back();
        if (f.dst && f.hide) {
            // Everything below that this layer does not name again is gone.
            for (const fs::FileNode *lower : f.dst->children) {
                if (!f.src->child(lower->name))
                    deletion(nullptr, lower, joinPath(f.path, lower->name));
            }
        }
        for (const fs::FileNode *c : f.src->children) {
            const fs::FileNode *m = f.dst ? f.dst->child(c->name) : nullptr;
            if (c->isWhiteoutOnly()) {
                if (m)
                    deletion(c, m, joinPath(f.path, c->name));
                continue;
            }
            const bool recreated = c->isWhiteout(); // deleted below and written again in this layer
            const bool file = !c->isDir();
            if (file)
                m_totalBytes += c->size;
            Change ch;
            ch.node = c;
            ch.type = c->type;
            ch.size = file ? c->size : 0;
            bool changed = true;
            if (!m) {
                ch.kind = Kind::Added;
                changed = c->hasEntry();
                if (changed && file) {
                    out->addedBytes += c->size;
                    copyIfRecorded(f.path, c->name, c->size, k);
                }
                if (changed)
                    ++out->added;
            } else {
                ch.kind = Kind::Modified;
                ch.layerBefore = m->layer;
                if (!file && m->isDir()) {
                    changed = c->hasEntry() && (c->mode != m->mode || c->uid != m->uid || c->gid != m->gid);
                } else if (!file) {
                    // A directory replaces a lower non-directory.
                    ch.sizeBefore = m->size;
                    addEvent(record(joinPath(f.path, c->name), m->size, m->layer), 0, k);
                } else if (m->isDir()) {
                    // A non-directory replaces a lower directory and everything in it.
                    ch.sizeBefore = deleteSubtree(m, joinPath(f.path, c->name), k);
                    copyIfRecorded(f.path, c->name, c->size, k);
                } else {
                    ch.sizeBefore = m->size;
                    addEvent(record(joinPath(f.path, c->name), m->size, m->layer), c->size, k);
                }
                if (changed) {
                    ++out->modified;
                    if (file)
                        out->modifiedBytes += c->size;
                }
            }
            if (changed)
                out->changes.push_back(std::move(ch));
            if (!file) {
                const fs::FileNode *below = (m && m->isDir()) ? m : nullptr;
                const bool hide = f.hide || c->isOpaque() || recreated;
                if (!c->children.empty() || (hide && below && !below->children.empty()))
                    stack.push_back({ c, below, hide, joinPath(f.path, c->name) });
            }
        }
    }
}

Efficiency ImageAnalysis::Walker::efficiency() const
{
    Efficiency e;
    e.totalBytes = m_totalBytes;
    qint64 excess = 0;
    e.wasted.reserve(m_records.size());
    for (size_t i = 0; i < m_records.size(); ++i) {
        const Record &r = m_records[i];
        e.wastedBytes += r.bytes;
        excess += r.bytes - r.minBytes;
        e.wasted.push_back({ m_recordPaths[i], r.bytes, r.minBytes, r.layers });
    }
    e.score = m_totalBytes > 0 ? double(m_totalBytes - excess) / double(m_totalBytes) : 1.0;
    std::sort(e.wasted.begin(), e.wasted.end(), [](const WastedPath &a, const WastedPath &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.path < b.path;
    });
    return e;
}

ImageAnalysis ImageAnalysis::analyze(
    const std::vector<const fs::LayerTree *> &layers, const std::function<bool(int)> &afterLayer)
{
    ImageAnalysis result;
    Walker walker;
    result.m_layers.resize(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        if (!layers[i] || layers[i]->layerIndex() != int(i)) {
            qCWarning(llAnalysis) << "analysis: layer" << i << "missing or out of place; skipped";
            result.m_layers[i].layer = int(i);
            continue;
        }
        walker.layer(*layers[i], &result.m_layers[i]);
        walker.apply(*layers[i]);
        if (afterLayer && !afterLayer(int(i) + 1))
            return result;
    }
    result.m_efficiency = walker.efficiency();
    return result;
}

} // namespace ll::analysis
