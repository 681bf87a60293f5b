#include "cli/DiffCommand.h"

#include "analysis/ImageDiff.h"
#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/LayerListing.h"
#include "common/HumanSize.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

namespace {

using analysis::DiffEntry;

QString changeName(DiffEntry::Change change)
{
    switch (change) {
    case DiffEntry::Change::Added:
        return QStringLiteral("added");
    case DiffEntry::Change::Removed:
        return QStringLiteral("removed");
    case DiffEntry::Change::Changed:
        break;
    }
    return QStringLiteral("changed");
}

QJsonValue orNull(qint64 v)
{
    return v < 0 ? QJsonValue() : QJsonValue(v);
}

QString whatText(quint8 what)
{
    QStringList parts;
    const std::pair<quint8, const char *> names[]
        = { { DiffEntry::Type, "type" }, { DiffEntry::Size, "size" }, { DiffEntry::Mode, "mode" },
              { DiffEntry::Owner, "owner" }, { DiffEntry::Link, "link" }, { DiffEntry::Content, "content" } };
    for (const auto &[flag, name] : names) {
        if (what & flag)
            parts << QString::fromLatin1(name);
    }
    return parts.join(QStringLiteral(", "));
}

void printEntry(const DiffEntry &e, bool json)
{
    Console &c = Console::instance();
    if (json) {
        const QJsonObject o { { QStringLiteral("path"), e.path }, { QStringLiteral("change"), changeName(e.change) },
            { QStringLiteral("type"), stream::TarEntry::typeName(e.type()) },
            { QStringLiteral("size_before"), orNull(e.sizeBefore()) },
            { QStringLiteral("size_after"), orNull(e.sizeAfter()) },
            { QStringLiteral("layer_before"), e.before ? QJsonValue(e.layerBefore()) : QJsonValue() },
            { QStringLiteral("layer_after"), e.after ? QJsonValue(e.layerAfter()) : QJsonValue() } };
        c.outBytes(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        return;
    }
    const QString type = stream::TarEntry::typeName(e.type());
    switch (e.change) {
    case DiffEntry::Change::Added:
        c.outLine(QStringLiteral("+ %1 %2  %3").arg(type, -8).arg(humanSize(e.sizeAfter()), 9).arg(e.path));
        break;
    case DiffEntry::Change::Removed:
        c.outLine(QStringLiteral("- %1 %2  %3").arg(type, -8).arg(humanSize(e.sizeBefore()), 9).arg(e.path));
        break;
    case DiffEntry::Change::Changed: {
        QString sizes = humanSize(e.sizeAfter());
        if (e.sizeAfter() != e.sizeBefore())
            sizes = humanSize(e.sizeBefore()) + QStringLiteral(" -> ") + sizes;
        c.outLine(QStringLiteral("~ %1 %2  %3  (%4)").arg(type, -8).arg(sizes, 9).arg(e.path, whatText(e.what)));
        break;
    }
    }
}

} // namespace

int runDiff(CliSession &session)
{
    const CliOptions &o = session.options();
    auto oldImage = session.resolveTarget(CliSession::Resolve::ManifestOnly);
    if (!oldImage)
        return session.fail(oldImage.error());
    auto newRef = registry::ImageReference::parse(o.diffTarget);
    if (!newRef)
        return session.fail(newRef.error());
    auto newImage = session.resolve(*newRef, CliSession::Resolve::ManifestOnly);
    if (!newImage)
        return session.fail(newImage.error());

    // Bottom layers with the same digests hold the same files: listed once, and the walk skips them.
    int shared = 0;
    const auto &ol = oldImage->manifest.layers;
    const auto &nl = newImage->manifest.layers;
    while (shared < ol.size() && shared < nl.size() && ol[shared].digest == nl[shared].digest)
        ++shared;
    auto oldListing = LayerListing::list(session, *oldImage);
    if (!oldListing)
        return session.fail(oldListing.error());
    auto newListing = LayerListing::list(session, *newImage, &*oldListing, shared);
    if (!newListing)
        return session.fail(newListing.error());

    Console &c = Console::instance();
    if (!o.json)
        c.outLine(QStringLiteral("%1 -> %2").arg(oldImage->reference, newImage->reference));
    const analysis::DiffSummary s = analysis::ImageDiff::compare(
        oldListing->trees(), newListing->trees(), [&o](const DiffEntry &e) { printEntry(e, o.json); });
    const qint64 downloaded = oldListing->bytesDownloaded() + newListing->bytesDownloaded();
    if (o.json) {
        const QJsonObject summary { { QStringLiteral("summary"), true }, { QStringLiteral("added"), s.added },
            { QStringLiteral("removed"), s.removed }, { QStringLiteral("changed"), s.changed },
            { QStringLiteral("shared_layers"), s.sharedLayers }, { QStringLiteral("bytes_downloaded"), downloaded } };
        c.outBytes(QJsonDocument(summary).toJson(QJsonDocument::Compact) + '\n');
    } else {
        c.outLine(QStringLiteral("%1 added, %2 removed, %3 changed (%4%5); %6 shared layer(s); %7 downloaded")
                      .arg(s.added)
                      .arg(s.removed)
                      .arg(s.changed)
                      .arg(s.sizeDelta < 0 ? QStringLiteral("-") : QStringLiteral("+"))
                      .arg(humanSize(qAbs(s.sizeDelta)))
                      .arg(s.sharedLayers)
                      .arg(humanSize(downloaded)));
    }
    return 0;
}

} // namespace ll::cli
