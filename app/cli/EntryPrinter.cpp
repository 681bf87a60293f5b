#include "cli/EntryPrinter.h"

#include "cli/Console.h"
#include "common/HumanSize.h"
#include "common/PathBytes.h"
#include "fs/FileNode.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

ListingRow ListingRow::fromEntry(int layer, const stream::TarEntry &e)
{
    ListingRow r;
    r.layer = layer;
    r.path = e.path;
    r.type = e.type;
    r.size = e.size;
    r.mode = e.mode;
    r.uid = e.uid;
    r.gid = e.gid;
    r.uname = e.uname;
    r.gname = e.gname;
    r.mtime = e.mtime;
    r.link = e.linkTarget;
    return r;
}

ListingRow ListingRow::fromNode(const fs::FileNode &n)
{
    ListingRow r;
    r.layer = n.layer;
    r.path = n.path();
    r.type = n.type;
    r.size = n.size;
    r.mode = n.mode;
    r.uid = n.uid;
    r.gid = n.gid;
    r.uname = n.uname;
    r.gname = n.gname;
    r.mtime = n.mtime;
    r.link = n.linkTarget;
    return r;
}

void EntryPrinter::print(const ListingRow &r)
{
    Console &c = Console::instance();
    stream::TarEntry e; // for the mode/type helpers
    e.type = r.type;
    e.mode = r.mode;
    // Names are bytes: shown escaped ("caf\xE9.txt"), in JSON too (a lone surrogate is not valid JSON text).
    const QString path = PathBytes::display(r.path);
    const QString link = PathBytes::display(r.link);
    switch (m_style) {
    case Style::JsonLines: {
        QJsonObject o { { QStringLiteral("layer"), r.layer }, { QStringLiteral("path"), path },
            { QStringLiteral("type"), e.typeName() }, { QStringLiteral("size"), r.size },
            { QStringLiteral("mode"), e.modeOctal() }, { QStringLiteral("uid"), r.uid },
            { QStringLiteral("gid"), r.gid }, { QStringLiteral("mtime"), r.mtime } };
        o.insert(QStringLiteral("link"), link.isEmpty() ? QJsonValue() : QJsonValue(link));
        c.outBytes(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        return;
    }
    case Style::Simple: {
        // The original tool: "| dir/" for directories, "  |- path (size)" for the rest.
        if (r.type == stream::TarEntry::Type::Directory) {
            c.outLine(QStringLiteral("| %1/").arg(path));
        } else {
            const bool nested = path.contains(QLatin1Char('/'));
            c.outLine(
                QStringLiteral("%1|- %2 (%3)").arg(nested ? QStringLiteral("  ") : QString(), path, humanSize(r.size)));
        }
        return;
    }
    case Style::Long: {
        const QString owner = (r.uname.isEmpty() ? QString::number(r.uid) : PathBytes::display(r.uname))
            + QLatin1Char('/') + (r.gname.isEmpty() ? QString::number(r.gid) : PathBytes::display(r.gname));
        const QString when
            = QDateTime::fromSecsSinceEpoch(r.mtime, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        QString name = path;
        if (r.type == stream::TarEntry::Type::Directory)
            name += QLatin1Char('/');
        if (r.type == stream::TarEntry::Type::Symlink)
            name += QStringLiteral(" -> ") + link;
        else if (r.type == stream::TarEntry::Type::Hardlink)
            name += QStringLiteral(" link to ") + link;
        QString line
            = QStringLiteral("%1 %2 %3 %4 ")
                  .arg(e.modeString(), owner.leftJustified(11), QString::number(r.size).rightJustified(10), when);
        if (m_layerColumn)
            line += QStringLiteral("[L%1] ").arg(r.layer);
        c.outLine(line + name);
        return;
    }
    }
}

} // namespace ll::cli
