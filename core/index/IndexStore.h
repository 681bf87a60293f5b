#pragma once

#include "common/Result.h"
#include "index/IndexReader.h"
#include "index/LayerIndex.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace ll::index {

class IndexWriter;

/**
 * Where layer indexes live: one file per layer digest ("sha256-<hex>.idx") in a private directory (0700,
 * files 0600), written whole or not at all (a temporary file renamed into place). A store without a
 * directory is disabled: it finds nothing and keeps nothing.
 *
 * fromEnvironment(): $LL_INDEX_DIR when set ("off" disables), else ~/.cache/layerslayer/index (the CLI and
 * the GUI share it).
 *
 * A cache, so bounded: after each index kept, the least recently used ones (load() refreshes a file's time)
 * go until the directory holds at most 80% of limit() (default 512 MiB); temporary files of writers that
 * died are removed after a day.
 */
class IndexStore
{
public:
    IndexStore() = default; // disabled
    explicit IndexStore(const QString &directory) : m_dir(directory) { }

    static IndexStore fromEnvironment();

    static constexpr qint64 DefaultLimit = qint64(512) << 20;

    bool isEnabled() const { return !m_dir.isEmpty(); }
    qint64 limit() const { return m_limit; }
    void setLimit(qint64 bytes) { m_limit = bytes; }
    /** Removes least recently used indexes (never keep) while the directory holds more than the limit. */
    void prune(const QString &keep = QString()) const;
    const QString &directory() const { return m_dir; }
    QString pathFor(const QString &digest) const;

    /** The digests of every index kept, in no particular order (offline search walks them). */
    QStringList digests() const;

    /**
     * A reader over the index of digest, if one was kept and is intact (a damaged file is removed and
     * ignored); marks it recently used. Entry by entry: memory stays small for huge layers.
     */
    std::unique_ptr<IndexReader> open(const QString &digest) const;
    /** The whole index of digest in memory (tests, small layers); see open(). */
    std::optional<LayerIndex> load(const QString &digest) const;
    /** The last entry at path in the index of digest (a streaming pass), if kept; with checkpoints, also the
        layer's gzip checkpoints (empty when it has none). */
    std::optional<stream::TarEntry> find(const QString &digest, const QString &path,
        random::GzipCheckpoints *checkpoints = nullptr, random::ZstdFrames *frames = nullptr) const;
    /** Removes the index of digest (it proved wrong: a span that no longer matches the registry's bytes). */
    void remove(const QString &digest) const;
    /** Keeps index (replacing any older file). */
    Status save(const LayerIndex &index) const;
    /** Starts writing the index of digest entry by entry (for a pass that streams); nullptr when disabled. */
    std::unique_ptr<IndexWriter> writer(const QString &digest, qint64 blobSize) const;

private:
    static bool isSafeDigest(const QString &digest);

    QString m_dir;
    qint64 m_limit = DefaultLimit;
};

/**
 * Writes one layer index as a pass over the layer goes (bounded memory whatever the entry count): add()
 * from any single thread, then commit() when the pass completed and the digest matched, else discard() (or
 * destroy it): nothing appears under the final name unless committed.
 */
class IndexWriter
{
public:
    /** store: pruned after a commit (may be nullptr). */
    IndexWriter(const QString &finalPath, const LayerIndex &header, const IndexStore *store = nullptr);
    ~IndexWriter();
    IndexWriter(const IndexWriter &) = delete;
    IndexWriter &operator=(const IndexWriter &) = delete;

    bool isOpen() const;
    /** An entry whose compressedEnd is known. */
    void add(const stream::TarEntry &entry);
    /**
     * For a pass over the layer: entry's header was read while the input fed was below feedEnd. The entry
     * before it is then complete (its data is all out) and is kept with compressedEnd = feedEnd; entry waits
     * for the next call, or for commit(), where it ends with the blob.
     */
    void entrySeen(const stream::TarEntry &entry, qint64 feedEnd);
    /** Before commit(): the gzip checkpoints the same complete pass recorded (kept with the entries). */
    void setCheckpoints(random::GzipCheckpoints checkpoints);
    /** Before commit(): the zstd frame checkpoints the same complete pass recorded. */
    void setFrames(random::ZstdFrames frames);
    /** compression: "gzip", "zstd" or "tar" (known once the pass has begun). */
    Status commit(const QString &compression);
    void discard();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace ll::index
