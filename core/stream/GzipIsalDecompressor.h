#pragma once

#include "stream/Decompressor.h"

#include <QByteArray>

#include <memory>

struct inflate_state;

namespace ll::stream {

/**
 * Gzip through ISA-L's streaming isal_inflate (about 2x zlib here), CRC32 and ISIZE checked per member.
 * Concatenated members are decoded one after the other; zero bytes after the last member are tolerated,
 * anything else after a member must be another gzip member.
 */
class GzipIsalDecompressor : public Decompressor
{
public:
    GzipIsalDecompressor();
    ~GzipIsalDecompressor() override;

    Status feed(const char *data, qint64 size) override;
    Status finish() override;
    Format format() const override { return Format::Gzip; }

    /** Complete members decoded so far. */
    int memberCount() const { return m_members; }

private:
    enum class Phase { BetweenMembers, Header, InMember, Padding, Trailing };
    Status inflateSome(const unsigned char *p, qint64 n, qint64 baseOffset, qint64 *used, bool *memberDone);
    Status fail(const QString &what, const QString &detail, qint64 offset);
    void startTrailing(qint64 offset);

    std::unique_ptr<inflate_state> m_state;
    std::unique_ptr<unsigned char[]> m_out;
    Phase m_phase = Phase::BetweenMembers;
    QByteArray m_header; // a member header split across feeds, completed before ISA-L sees it
    qint64 m_consumed = 0; // compressed bytes consumed (== offset of the next input byte)
    int m_members = 0;
    Error m_error;
};

} // namespace ll::stream
