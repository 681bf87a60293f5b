#pragma once

#include "stream/TarEntry.h"

#include <QString>

namespace ll::fs {
struct FileNode;
}

namespace ll::cli {

/** One listed file, from a tar entry (--peek-all) or a merged node (--bulk-peek). */
struct ListingRow {
    int layer = -1;
    QString path;
    stream::TarEntry::Type type = stream::TarEntry::Type::File;
    qint64 size = 0;
    quint32 mode = 0;
    qint64 uid = 0;
    qint64 gid = 0;
    QString uname;
    QString gname;
    qint64 mtime = 0;
    QString link;

    static ListingRow fromEntry(int layer, const stream::TarEntry &entry);
    static ListingRow fromNode(const fs::FileNode &node);
};

/** Prints listing rows as `ls -la`, the original tool's style (--simple-output) or JSON Lines (--json). */
class EntryPrinter
{
public:
    enum class Style { Long, Simple, JsonLines };
    EntryPrinter(Style style, bool layerColumn) : m_style(style), m_layerColumn(layerColumn) { }

    void print(const ListingRow &row);
    Style style() const { return m_style; }

private:
    Style m_style;
    bool m_layerColumn;
};

} // namespace ll::cli
