#pragma once

#include "common/Result.h"
#include "stream/TarEntry.h"

#include <QByteArray>

namespace ll::stream {

/** Receives tar members as the reader finds them. */
class TarVisitor
{
public:
    enum class Action { Skip, ReadData, Stop };
    virtual ~TarVisitor() = default;
    /** A member header was read. ReadData: data follows via onData(); Stop: end now. */
    virtual Action onEntry(const TarEntry &entry) = 0;
    /** A piece of the current member's data (a view, valid only during the call). false: stop. */
    virtual bool onData(const TarEntry &entry, const char *data, qint64 size)
    {
        Q_UNUSED(entry)
        Q_UNUSED(data)
        Q_UNUSED(size)
        return true;
    }
    /**
     * A hole of a sparse file (TarEntry::sparse): size zero bytes of the file that the archive does not store,
     * between the data pieces, in file order. The default hands them to onData() as zeros; a writer that can
     * seek overrides it. false: stop.
     */
    virtual bool onHole(const TarEntry &entry, qint64 size);
    /** All data of a ReadData member was delivered. false: stop. */
    virtual bool onEntryEnd(const TarEntry &entry)
    {
        Q_UNUSED(entry)
        return true;
    }
};

/**
 * Incremental tar reader: feed() any chunk boundaries. Handles ustar, GNU long name/link ('L'/'K'),
 * PAX extended ('x') and global ('g') headers (path, linkpath, size, mtime, uid, gid, uname, gname),
 * base-256 numeric fields; validates the header checksum; rejects hostile values (negative or absurd
 * sizes, over-long names) with Error::Corrupt naming the offset. Keeps O(1) memory besides one header
 * and the current extension records (capped).
 *
 * Sparse files in all four encodings GNU tar and bsdtar write (old GNU 'S' headers with extension blocks,
 * PAX GNU.sparse 0.0, 0.1 and 1.0) are members with their real name and size and a region map
 * (TarEntry::sparse); their data reaches the visitor in file order, holes through onHole(). GNU dumpdir
 * ('D') members are directories. A PAX 'x' header replaces an earlier one for the same member, and the
 * first zero block ends the archive (as GNU tar and bsdtar read it).
 */
class TarReader
{
public:
    /** Extension payloads (GNU 'L'/'K', PAX 'x'/'g', a PAX 1.0 sparse map) larger than this are Error::Corrupt. */
    static constexpr qint64 MaxExtensionSize = qint64(1) << 20;
    /** Sparse maps with more regions than this are Error::Corrupt. */
    static constexpr int MaxSparseRegions = 1 << 20;
    /** Sizes above 2^50 bytes (1 PiB) are taken as hostile. */
    static constexpr qint64 MaxEntrySize = qint64(1) << 50;

    explicit TarReader(TarVisitor *visitor);

    /** Before the first feed(): the archive offset of the first byte fed (a member's header, 512-aligned), when
        reading starts inside an archive (from a checkpoint); entries then carry their offsets in the whole. */
    void setStartOffset(qint64 offset) { m_offset = offset; }

    /** Consumes a chunk (any size, any boundary). After an error every call returns that error. */
    Status feed(const char *data, qint64 size);
    /** End of input. A stream that ends inside a member is Error::Corrupt; one that ends after a
        complete member without the two zero blocks is accepted (many layer writers omit them). */
    Status finish();

    /** End-of-archive seen or the visitor stopped. */
    bool isDone() const { return m_done; }
    bool isStopped() const { return m_stopped; }
    /** Uncompressed bytes consumed so far. */
    qint64 offset() const { return m_offset; }
    /** Members reported to the visitor (extension headers not counted). */
    int entryCount() const { return m_entryCount; }

private:
    enum class State { Header, Extension, SparseBlock, SparseMap, Data, Padding, End };
    static constexpr int BlockSize = 512;

    Status parseHeader(const char *block, qint64 blockOffset);
    Status startEntry(const char *block, qint64 blockOffset, char typeFlag, qint64 size);
    Status parsePax(qint64 blockOffset);
    Status parsePaxSparse(QByteArrayView key, QByteArrayView value, qint64 blockOffset);
    Status parseSparseBlock(const char *block, qint64 blockOffset);
    Status parseSparseMap(bool *complete);
    Status beginEntry(qint64 storedSize);
    /** The next size bytes (and their padding) are a payload no member owns: skipped. */
    Status skipPayload(qint64 size);
    bool sparseAdvance();
    bool sparseFinish();
    void finishExtension();
    void clearPending();
    void clearPaxSparse();
    Status fail(const QString &message, qint64 offset, const QString &detail = {});
    void stop();

    TarVisitor *m_visitor;
    State m_state = State::Header;
    char m_block[BlockSize]; // partial 512-byte header
    int m_blockFill = 0;
    QByteArray m_extension; // PAX/GNU extension payload being collected
    char m_extensionType = 0;
    qint64 m_extensionOffset = 0;
    TarEntry m_current;
    bool m_readData = false;
    bool m_dataIsEntry = false; // Data state belongs to a visited entry (not a skipped 'g'/'V' payload)
    qint64 m_remaining = 0; // data or extension bytes left in this member
    qint64 m_padding = 0;
    qint64 m_offset = 0; // uncompressed bytes consumed
    qint64 m_memberStart = 0;
    int m_entryCount = 0;
    int m_zeroBlocks = 0;
    bool m_done = false;
    bool m_stopped = false;
    Error m_error;
    // pending extension values for the next member (null/negative: not set)
    QString m_paxPath, m_paxLink, m_gnuLongName, m_gnuLongLink, m_paxUname, m_paxGname;
    qint64 m_paxSize = -1, m_paxUid = -1, m_paxGid = -1;
    qint64 m_paxMtime = 0;
    bool m_havePaxMtime = false;
    bool m_havePendingExtension = false;
    // PAX GNU.sparse.* (0.0: offset/numbytes pairs, 0.1: map, 1.0: major/minor, the map at the head of the data)
    QString m_sparseName;
    QVector<TarEntry::SparseRegion> m_sparseMap;
    qint64 m_sparseRealSize = -1, m_sparseMajor = -1, m_sparsePendingOffset = -1;
    bool m_havePaxSparse = false;
    // the member being started (old GNU 'S' extension blocks, a PAX 1.0 map) and the data being delivered
    qint64 m_memberRemaining = 0; // the header's size field, left to consume (1.0: map + data)
    int m_region = 0; // next sparse region to enter
    qint64 m_regionLeft = 0; // bytes left in the region being delivered
    qint64 m_logical = 0; // position in the real (sparse) file
    qint64 m_mapLines = 0, m_mapNeeded = -1; // PAX 1.0 map: lines read, lines it takes (-1: count not read yet)
};

} // namespace ll::stream
