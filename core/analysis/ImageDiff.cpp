#include "analysis/ImageDiff.h"

#include "fs/LayerTree.h"

#include <QHash>

#include <algorithm>

namespace ll::analysis {

namespace {

using fs::FileNode;
/** A merged directory as its contributing layer directories, top-down. */
using Stack = std::vector<const FileNode *>;

/** One name of a merged directory: its visible node and, for a directory, what contributes to it. */
struct Merged {
    QStringView name;
    const FileNode *top = nullptr; // nullptr: deleted
    Stack dirs;
    bool closed = false; // lower layers can no longer contribute
    // A directory implied only by whiteout markers exists only if something below made it (fs::MergedTree
    // creates nothing for a bare marker, as docker's unpacker): until that is known, keep looking down.
    bool hollow = false;
    bool decided = true;
    bool exists = true;
    // An implicit top shows the metadata of the listed dir below it, as fs::MergedTree keeps it.
    bool metaOpen = false;
};

/** True when node (an implicit dir) holds a listed entry somewhere below (not only whiteout markers). */
bool hasContent(const FileNode *node)
{
    std::vector<const FileNode *> stack { node };
    while (!stack.empty()) {
        const FileNode *n = stack.back();
        stack.pop_back();
        for (const FileNode *c : n->children) {
            if (c->isWhiteoutOnly())
                continue;
            if (c->hasEntry())
                return true;
            stack.push_back(c);
        }
    }
    return false;
}

bool isHollow(const FileNode *c)
{
    return c->isDir() && !c->hasEntry() && !hasContent(c);
}

/** The merged children of a directory, sorted by name (overlayfs rules, as fs::MergedTree applies them). */
std::vector<Merged> mergeChildren(const Stack &stack)
{
    std::vector<Merged> out;
    QHash<QStringView, int> index;
    for (const FileNode *d : stack) {
        for (const FileNode *c : d->children) {
            const auto it = index.constFind(c->name);
            if (it == index.cend()) {
                Merged m;
                m.name = c->name;
                if (c->isWhiteoutOnly()) {
                    m.closed = true;
                } else {
                    m.top = c;
                    if (c->isDir())
                        m.dirs.push_back(c);
                    m.closed = !c->isDir() || c->isOpaque() || c->isWhiteout();
                    m.metaOpen = c->isDir() && !c->hasEntry() && !c->isWhiteout();
                    if (isHollow(c)) {
                        m.hollow = true;
                        // Whited out below and only implied here: created afresh, empty, so not at all.
                        m.decided = c->isWhiteout();
                        m.exists = false;
                    }
                }
                index.insert(c->name, int(out.size()));
                out.push_back(std::move(m));
                continue;
            }
            Merged &m = out[size_t(*it)];
            if (m.hollow && !m.decided) {
                const bool hollow = !c->isWhiteoutOnly() && isHollow(c);
                if (c->isWhiteoutOnly() || (hollow && c->isWhiteout())) {
                    m.decided = true; // deleted below: nothing made the dir
                } else if (!hollow) {
                    m.decided = true;
                    m.exists = true;
                }
            }
            if (m.metaOpen) {
                if (c->isDir() && !c->isWhiteoutOnly() && c->hasEntry())
                    m.top = c;
                m.metaOpen = c->isDir() && !c->isWhiteoutOnly() && !c->hasEntry() && !c->isWhiteout();
            }
            if (m.closed)
                continue;
            if (c->isWhiteoutOnly() || !c->isDir()) {
                m.closed = true; // hidden below the upper directory from here down
                continue;
            }
            m.dirs.push_back(c);
            m.closed = c->isOpaque() || c->isWhiteout();
        }
    }
    out.erase(std::remove_if(out.begin(), out.end(),
                  [](const Merged &m) { return !m.top || (m.hollow && !(m.decided && m.exists)); }),
        out.end());
    std::sort(out.begin(), out.end(), [](const Merged &a, const Merged &b) { return a.name < b.name; });
    return out;
}

Stack rootStack(const std::vector<const fs::LayerTree *> &layers)
{
    Stack stack;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        if (!*it)
            continue;
        stack.push_back((*it)->root());
        if ((*it)->root()->isOpaque())
            break;
    }
    return stack;
}

QString joinPath(const QString &dir, QStringView name)
{
    return dir.isEmpty() ? name.toString() : dir + QLatin1Char('/') + name;
}

} // namespace

class ImageDiff::Walk
{
public:
    Walk(const Sink &sink, const Options &options) : m_sink(sink), m_options(options) { }

    void run(Stack before, Stack after)
    {
        m_work.push_back({ Item::Expand, {}, {}, std::move(before), std::move(after), QString() });
        while (!m_work.empty()) {
            Item item = std::move(m_work.back());
            m_work.pop_back();
            if (item.op == Item::Expand)
                expand(item);
            else
                pair(item);
        }
    }

    DiffSummary summary;

private:
    struct Item {
        enum Op { Expand, Pair } op;
        Merged before; // Pair: top nullptr on the missing side
        Merged after;
        Stack beforeDirs; // Expand
        Stack afterDirs;
        QString path;
    };

    void expand(Item &item)
    {
        if (item.beforeDirs == item.afterDirs)
            return; // the same layer directories: the same content
        std::vector<Merged> b = item.beforeDirs.empty() ? std::vector<Merged>() : mergeChildren(item.beforeDirs);
        std::vector<Merged> a = item.afterDirs.empty() ? std::vector<Merged>() : mergeChildren(item.afterDirs);
        // Merge-join by name, then push in reverse so the smallest name is handled first.
        std::vector<Item> pairs;
        pairs.reserve(qMax(a.size(), b.size()));
        size_t i = 0, j = 0;
        while (i < b.size() || j < a.size()) {
            Item p { Item::Pair, {}, {}, {}, {}, QString() };
            if (j >= a.size() || (i < b.size() && b[i].name < a[j].name)) {
                p.before = std::move(b[i++]);
            } else if (i >= b.size() || a[j].name < b[i].name) {
                p.after = std::move(a[j++]);
            } else {
                p.before = std::move(b[i++]);
                p.after = std::move(a[j++]);
            }
            const QStringView name = p.before.top ? p.before.name : p.after.name;
            p.path = joinPath(item.path, name);
            pairs.push_back(std::move(p));
        }
        for (auto it = pairs.rbegin(); it != pairs.rend(); ++it)
            m_work.push_back(std::move(*it));
    }

    void pair(Item &item)
    {
        const FileNode *b = item.before.top;
        const FileNode *a = item.after.top;
        if (b && a && b == a && item.before.dirs == item.after.dirs)
            return;
        if (!b || !a) {
            report(a ? DiffEntry::Change::Added : DiffEntry::Change::Removed, item.path, b, a, 0);
        } else if (b->isDir() != a->isDir() || b->type != a->type) {
            report(DiffEntry::Change::Changed, item.path, b, a, DiffEntry::Type);
        } else {
            const quint8 what = compareNodes(*b, *a);
            if (what)
                report(DiffEntry::Change::Changed, item.path, b, a, what);
        }
        // A directory on either side: what is in it (one side empty gives Added or Removed entries).
        if ((b && b->isDir()) || (a && a->isDir())) {
            m_work.push_back({ Item::Expand, {}, {}, b && b->isDir() ? std::move(item.before.dirs) : Stack(),
                a && a->isDir() ? std::move(item.after.dirs) : Stack(), std::move(item.path) });
        }
    }

    quint8 compareNodes(const FileNode &b, const FileNode &a) const
    {
        quint8 what = 0;
        if ((b.mode & 07777) != (a.mode & 07777))
            what |= DiffEntry::Mode;
        if (b.uid != a.uid || b.gid != a.gid)
            what |= DiffEntry::Owner;
        if (b.isDir())
            return what; // a directory's size and mtime follow its contents
        if (b.size != a.size)
            what |= DiffEntry::Size;
        if (b.linkTarget != a.linkTarget)
            what |= DiffEntry::Link;
        if (b.type == FileNode::Type::File) {
            QByteArray db, da;
            if (m_options.contentDigest) {
                db = m_options.contentDigest(&b);
                da = m_options.contentDigest(&a);
            }
            if (!db.isEmpty() && !da.isEmpty()) {
                if (db != da)
                    what |= DiffEntry::Content;
            } else if (b.size != a.size || b.mtime != a.mtime) {
                what |= DiffEntry::Content;
            }
        }
        return what;
    }

    void report(DiffEntry::Change change, const QString &path, const FileNode *b, const FileNode *a, quint8 what)
    {
        DiffEntry e;
        e.change = change;
        e.path = path;
        e.before = b;
        e.after = a;
        e.what = what;
        switch (change) {
        case DiffEntry::Change::Added:
            ++summary.added;
            break;
        case DiffEntry::Change::Removed:
            ++summary.removed;
            break;
        case DiffEntry::Change::Changed:
            ++summary.changed;
            break;
        }
        summary.sizeDelta += e.sizeDelta();
        if (m_sink)
            m_sink(e);
    }

    const Sink &m_sink;
    const Options &m_options;
    std::vector<Item> m_work;
};

DiffSummary ImageDiff::compare(const std::vector<const fs::LayerTree *> &before,
    const std::vector<const fs::LayerTree *> &after, const Sink &sink, const Options &options)
{
    Walk walk(sink, options);
    walk.run(rootStack(before), rootStack(after));
    int shared = 0;
    while (size_t(shared) < before.size() && size_t(shared) < after.size() && before[size_t(shared)]
        && before[size_t(shared)] == after[size_t(shared)])
        ++shared;
    walk.summary.sharedLayers = shared;
    return walk.summary;
}

} // namespace ll::analysis
