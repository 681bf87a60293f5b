#include "cli/HuntCommand.h"

#include "catalog/ImageCatalog.h"
#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/ExitCode.h"
#include "common/HumanSize.h"
#include "common/PathBytes.h"
#include "extract/CarveJob.h"
#include "hunt/HuntJob.h"
#include "hunt/LayerSearch.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

namespace {

void printJson(const QJsonObject &o)
{
    Console::instance().outBytes(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

QJsonValue orNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

QJsonObject answerJson(const hunt::HuntAnswer &a)
{
    stream::TarEntry e;
    e.type = a.type;
    e.mode = a.mode;
    QJsonArray copies;
    for (const hunt::LayerCopy &c : a.copies) {
        copies.append(QJsonObject { { QStringLiteral("layer"), c.layer },
            { QStringLiteral("layer_digest"), c.layerDigest }, { QStringLiteral("size"), c.size } });
    }
    QJsonObject o { { QStringLiteral("image"), a.image }, { QStringLiteral("digest"), orNull(a.digest) },
        { QStringLiteral("platform"), orNull(a.platform) }, { QStringLiteral("pattern"), orNull(a.pattern) },
        { QStringLiteral("path"), orNull(PathBytes::display(a.path)) },
        { QStringLiteral("type"), a.hasEntry ? QJsonValue(e.typeName()) : QJsonValue() },
        { QStringLiteral("size"), a.hasEntry ? QJsonValue(a.size) : QJsonValue() },
        { QStringLiteral("mode"), a.hasEntry ? QJsonValue(e.modeOctal()) : QJsonValue() },
        { QStringLiteral("mtime"), a.hasEntry ? QJsonValue(a.mtime) : QJsonValue() },
        { QStringLiteral("status"), a.statusName() },
        { QStringLiteral("layer"), a.layer >= 0 ? QJsonValue(a.layer) : QJsonValue() },
        { QStringLiteral("layer_digest"), orNull(a.layerDigest) }, { QStringLiteral("copies"), copies } };
    if (!a.linkTarget.isEmpty())
        o.insert(QStringLiteral("link"), a.linkTarget);
    if (a.status == hunt::HuntAnswer::Status::Error) {
        o.insert(QStringLiteral("error"), a.error.message);
        o.insert(QStringLiteral("error_code"), a.error.codeName());
    }
    return o;
}

QString mtimeText(qint64 mtime)
{
    return QDateTime::fromSecsSinceEpoch(mtime, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

/** Where --carve puts an image's files: -o/<registry>/<repository>/<tag or digest>, ':' and '@' as '_'. */
QString imageDir(const QString &image)
{
    QString d = image;
    d.replace(QLatin1Char(':'), QLatin1Char('_')).replace(QLatin1Char('@'), QLatin1Char('_'));
    return d;
}

class Table
{
public:
    void setImageWidth(int w) { m_imageWidth = qBound(10, w, 70); }
    void header() const
    {
        Console::instance().outLine(row(QStringLiteral("IMAGE"), QStringLiteral("STATUS"), QStringLiteral("LAYER"),
            QStringLiteral("SIZE"), QStringLiteral("MTIME"), QStringLiteral("PATH")));
    }
    void setShowPlatform(bool show) { m_showPlatform = show; }
    void print(const hunt::HuntAnswer &a, bool copiesSearched) const
    {
        const QString image
            = m_showPlatform && !a.platform.isEmpty() ? QStringLiteral("%1 (%2)").arg(a.image, a.platform) : a.image;
        if (a.status == hunt::HuntAnswer::Status::Error) {
            Console::instance().outLine(row(image, QStringLiteral("error"), QStringLiteral("-"), QStringLiteral("-"),
                QStringLiteral("-"), a.error.message));
            return;
        }
        QString path = PathBytes::display(a.path);
        if (a.isRecoverable()) {
            QStringList layers;
            for (const hunt::LayerCopy &c : a.copies)
                layers << QString::number(c.layer);
            path += QStringLiteral("  (still in layer %1: recoverable)").arg(layers.join(QStringLiteral(", ")));
        } else if (a.status == hunt::HuntAnswer::Status::Deleted && !copiesSearched) {
            path += QStringLiteral("  (lower layers not searched: --visible-only)");
        } else if (!a.linkTarget.isEmpty()) {
            path += QStringLiteral(" -> ") + a.linkTarget;
        }
        Console::instance().outLine(
            row(image, a.status == hunt::HuntAnswer::Status::NotFound ? QStringLiteral("not found") : a.statusName(),
                a.layer >= 0 ? QString::number(a.layer) : QStringLiteral("-"),
                a.hasEntry ? humanSize(a.size) : QStringLiteral("-"),
                a.hasEntry ? mtimeText(a.mtime) : QStringLiteral("-"), path));
    }

private:
    QString row(const QString &image, const QString &status, const QString &layer, const QString &size,
        const QString &mtime, const QString &path) const
    {
        return QStringLiteral("%1  %2  %3  %4  %5  %6")
            .arg(image, -m_imageWidth)
            .arg(status, -9)
            .arg(layer, 5)
            .arg(size, 10)
            .arg(mtime, -16)
            .arg(path);
    }
    int m_imageWidth = 30;
    bool m_showPlatform = false;
};

} // namespace

int runHunt(CliSession &session)
{
    const CliOptions &o = session.options();
    Console &c = Console::instance();

    hunt::HuntQuery query;
    for (const QString &p : o.huntPatterns) {
        Result<hunt::PathGlob> g = hunt::PathGlob::parse(p);
        if (!g)
            return session.fail(g.error());
        query.patterns << *g;
    }
    if (o.entryType == QLatin1String("f"))
        query.type = stream::TarEntry::Type::File;
    else if (o.entryType == QLatin1String("d"))
        query.type = stream::TarEntry::Type::Directory;
    else if (o.entryType == QLatin1String("l"))
        query.type = stream::TarEntry::Type::Symlink;
    query.minSize = o.minSize;
    query.hiddenCopies = !o.huntVisibleOnly;

    hunt::HuntTargets targets;
    targets.targets = o.targets;
    if (!o.targetsFile.isEmpty()) {
        QFile f(o.targetsFile);
        if (!f.open(QIODevice::ReadOnly))
            return session.fail(
                Error(Error::Code::Io, QStringLiteral("cannot read %1: %2").arg(o.targetsFile, f.errorString())));
        targets.targets += hunt::HuntTargets::parseTargetsText(QString::fromUtf8(f.readAll()));
    }
    targets.allTags = o.allTags;
    targets.catalog = o.catalog;
    targets.tagGlob = o.tagGlob;
    targets.maxTags = o.maxTags;
    targets.includeRepos = o.includeRepos;
    targets.excludeRepos = o.excludeRepos;
    targets.pageSize = o.pageSize;

    hunt::HuntOptions options;
    options.connections = o.jobs;
    options.platform = session.platform();
    options.allPlatforms = o.huntAllPlatforms;
    options.store = session.indexStore();
    catalog::ImageCatalog seen = catalog::ImageCatalog::forIndexStore(session.indexStore());

    hunt::HuntJob job(session.client(), targets, query, options);
    job.setImageCatalog(&seen);

    Table table;
    table.setShowPlatform(o.huntAllPlatforms);
    bool headerShown = false;
    bool anything = false;
    QVector<hunt::HuntAnswer> found;
    bool listed = false;
    QObject::connect(&job, &hunt::HuntJob::imagesListed, &job, [&](int count) {
        int w = 10;
        for (const hunt::HuntImage &img : job.images())
            w = qMax(w, int(img.reference.toString().size()) + (o.huntAllPlatforms ? 16 : 0));
        table.setImageWidth(w);
        if (listed) // --all-platforms: an index added its platforms
            return;
        listed = true;
        c.info(QStringLiteral("Hunting %1 in %2 image(s)").arg(o.huntPatterns.join(QStringLiteral(", "))).arg(count));
    });
    QObject::connect(&job, &hunt::HuntJob::answersReady, &job, [&](const QVector<hunt::HuntAnswer> &answers) {
        c.endProgress();
        for (const hunt::HuntAnswer &a : answers) {
            if (a.status == hunt::HuntAnswer::Status::Found || a.isRecoverable())
                anything = true;
            if (a.status == hunt::HuntAnswer::Status::Found && o.huntCarve
                && (a.type == stream::TarEntry::Type::File || a.type == stream::TarEntry::Type::Hardlink))
                found.append(a);
            if (o.json) {
                printJson(answerJson(a));
                continue;
            }
            if (!headerShown) {
                table.header();
                headerShown = true;
            }
            table.print(a, query.hiddenCopies || query.hasGlob());
        }
    });
    QElapsedTimer shown;
    shown.start();
    QObject::connect(&job, &hunt::HuntJob::statsChanged, &job, [&]() {
        if (shown.elapsed() < 200)
            return;
        shown.restart();
        const hunt::HuntStats s = job.stats();
        QString text = QStringLiteral("hunt: %1/%2 images, layers %3 read, %4 from indexes, %5 shared, %6, %7/s")
                           .arg(s.imagesDone + s.imagesFailed)
                           .arg(s.images)
                           .arg(s.layersRead)
                           .arg(s.layersFromIndex)
                           .arg(s.layersShared)
                           .arg(humanSize(s.bytesDownloaded), humanSize(qint64(s.rate())));
        if (s.etaMs() > 0)
            text += QStringLiteral(", about %1 s left").arg((s.etaMs() + 999) / 1000);
        c.progress(text);
    });
    session.run(&job);
    c.endProgress();

    const hunt::HuntStats s = job.stats();
    if (o.json) {
        printJson(QJsonObject { { QStringLiteral("summary"), true }, { QStringLiteral("images"), s.images },
            { QStringLiteral("images_failed"), s.imagesFailed }, { QStringLiteral("layers_total"), s.layersTotal },
            { QStringLiteral("layers_read"), s.layersRead }, { QStringLiteral("layers_from_index"), s.layersFromIndex },
            { QStringLiteral("layers_shared"), s.layersShared },
            { QStringLiteral("bytes_downloaded"), s.bytesDownloaded }, { QStringLiteral("requests"), s.requests },
            { QStringLiteral("elapsed_s"), double(s.elapsedMs) / 1000.0 } });
    } else {
        c.info(QStringLiteral("%1 image(s), %2 failed; %3 distinct layer(s): %4 read, %5 from indexes, %6 uses "
                              "shared; %7 downloaded in %8 request(s), %9 s")
                   .arg(s.images)
                   .arg(s.imagesFailed)
                   .arg(s.layersTotal)
                   .arg(s.layersRead)
                   .arg(s.layersFromIndex)
                   .arg(s.layersShared)
                   .arg(humanSize(s.bytesDownloaded))
                   .arg(s.requests)
                   .arg(double(s.elapsedMs) / 1000.0, 0, 'f', 2));
    }
    if (job.state() == Job::State::Cancelled)
        return ExitCancelled;
    if (job.state() == Job::State::Failed) {
        c.error(QStringLiteral("layerslayer-cli: ") + job.error().message);
        return ExitFailure;
    }

    for (const hunt::HuntAnswer &a : std::as_const(found)) {
        extract::CarveOptions co;
        co.outputDir = o.outputDir + QLatin1Char('/') + imageDir(a.image);
        if (o.huntAllPlatforms && !a.platform.isEmpty()) // one folder per platform: linux_arm64_v8
            co.outputDir += QLatin1Char('/') + QString(a.platform).replace(QLatin1Char('/'), QLatin1Char('_'));
        extract::CarveJob carve(session.client(), job.images().at(a.imageIndex).image, a.path, co);
        carve.setIndexStore(session.indexStore());
        session.run(&carve);
        if (carve.state() == Job::State::Cancelled)
            return ExitCancelled;
        if (carve.state() != Job::State::Succeeded) {

            c.error(
                QStringLiteral("layerslayer-cli: %1: cannot carve %2: %3").arg(a.image, a.path, carve.error().message));
        } else if (!carve.result().savedTo.isEmpty()) {
            c.info(QStringLiteral("Saved %1").arg(Console::displayPath(carve.result().savedTo)));
        }
    }
    return anything ? ExitOk : ExitNotFound;
}

int runSearch(CliSession &session)
{
    const CliOptions &o = session.options();
    Console &c = Console::instance();
    Result<hunt::PathGlob> glob = hunt::PathGlob::parse(o.searchPattern);
    if (!glob)
        return session.fail(glob.error());
    const index::IndexStore &store = session.indexStore();
    if (!store.isEnabled())
        return session.fail(Error(Error::Code::Usage,
            QStringLiteral("--search reads the layer indexes, which are off "
                           "(--no-cache or LL_INDEX_DIR=off)")));
    QElapsedTimer timer;
    timer.start();
    const QVector<catalog::SeenImage> seen = catalog::ImageCatalog::forIndexStore(store).recent();
    const QHash<QString, QVector<int>> owners = catalog::ImageCatalog::byLayer(seen);

    hunt::LayerSearch search(store);
    qint64 hits = 0;
    bool headerShown = false;
    const hunt::LayerSearch::Stats stats = search.run(*glob, [&](const QString &digest, const stream::TarEntry &e) {
        ++hits;
        hunt::HuntAnswer a;
        a.pattern = glob->pattern();
        a.path = e.path;
        a.status = hunt::HuntAnswer::Status::Found;
        a.hasEntry = true;
        a.type = e.type;
        a.size = e.size;
        a.mode = e.mode;
        a.mtime = e.mtime;
        a.linkTarget = e.linkTarget;
        a.layerDigest = digest;
        a.copies.append(hunt::LayerCopy { -1, digest, e.size });
        QVector<int> images = owners.value(digest);
        if (images.isEmpty())
            images.append(-1); // a layer whose image was not recorded
        for (int i : std::as_const(images)) {
            if (i >= 0) {
                const catalog::SeenImage &img = seen[i];
                a.image = img.reference;
                a.digest = img.manifestDigest;
                a.platform = img.platform;
                a.layer = int(img.layers.indexOf(digest));
                a.copies[0].layer = a.layer;
            }
            if (o.json) {
                QJsonObject line = answerJson(a);
                if (i < 0)
                    line.insert(QStringLiteral("image"), QJsonValue());
                printJson(line);
                continue;
            }
            if (!headerShown) {
                c.outLine(QStringLiteral("%1  %2  %3  %4")
                              .arg(QStringLiteral("IMAGE"), -50)
                              .arg(QStringLiteral("LAYER"), 5)
                              .arg(QStringLiteral("SIZE"), 10)
                              .arg(QStringLiteral("PATH")));
                headerShown = true;
            }
            c.outLine(QStringLiteral("%1  %2  %3  %4")
                          .arg(i >= 0 ? a.image : QStringLiteral("(layer %1)").arg(digest.left(19)), -50)
                          .arg(a.layer >= 0 ? QString::number(a.layer) : QStringLiteral("-"), 5)
                          .arg(humanSize(a.size), 10)
                          .arg(PathBytes::display(a.path)));
        }
    });
    const double secs = double(timer.elapsed()) / 1000.0;
    if (o.json) {
        printJson(
            QJsonObject { { QStringLiteral("summary"), true }, { QStringLiteral("layers_searched"), stats.layers },
                { QStringLiteral("entries"), stats.entries }, { QStringLiteral("hits"), hits },
                { QStringLiteral("images_known"), seen.size() }, { QStringLiteral("elapsed_s"), secs } });
    } else {
        c.info(QStringLiteral("%1 hit(s) in %2 entries of %3 cached layer(s), %4 s")
                   .arg(hits)
                   .arg(stats.entries)
                   .arg(stats.layers)
                   .arg(secs, 0, 'f', 3));
    }
    return hits > 0 ? ExitOk : ExitNotFound;
}

} // namespace ll::cli
