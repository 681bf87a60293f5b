#include "cli/InteractiveCommand.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "cli/EntryPrinter.h"
#include "cli/ExitCode.h"
#include "cli/ExtractCommands.h"
#include "cli/InspectCommand.h"
#include "common/HumanSize.h"
#include "extract/CarveJob.h"
#include "extract/LayerSelection.h"
#include "stream/LayerScanJob.h"

#include <QDir>
#include <QTextStream>

#include <optional>

namespace ll::cli {

namespace {

/** One line from stdin; nullopt at end of input. */
std::optional<QString> ask(const QString &prompt)
{
    Console &c = Console::instance();
    c.out(prompt);
    static QTextStream in(stdin);
    QString line;
    if (!in.readLineInto(&line)) {
        c.outLine();
        return std::nullopt;
    }
    return line.trimmed();
}

enum class Answer { Yes, No, Quit };

Answer askYesNo(const QString &prompt)
{
    for (;;) {
        const auto a = ask(prompt + QStringLiteral(" [y/n/q]: "));
        if (!a || a->startsWith(QLatin1Char('q'), Qt::CaseInsensitive))
            return Answer::Quit;
        if (a->startsWith(QLatin1Char('y'), Qt::CaseInsensitive))
            return Answer::Yes;
        if (a->startsWith(QLatin1Char('n'), Qt::CaseInsensitive) || a->isEmpty())
            return Answer::No;
    }
}

int peekLayer(CliSession &session, const oci::Image &image, int index)
{
    EntryPrinter printer(
        session.options().simpleOutput ? EntryPrinter::Style::Simple : EntryPrinter::Style::Long, false);
    stream::LayerScanJob job(session.client(), stream::LayerSource::fromImage(image, index));
    job.setIndexStore(session.indexStore());
    QObject::connect(
        &job, &stream::LayerScanJob::entriesReady, &job, [&printer, index](const QVector<stream::TarEntry> &entries) {
            for (const auto &e : entries)
                printer.print(ListingRow::fromEntry(index, e));
        });
    session.run(&job);
    if (job.state() != Job::State::Succeeded)
        return session.fail(job.error());
    Console::instance().outLine(QStringLiteral("  (%1 entries)").arg(job.entryCount()));
    return ExitOk;
}

} // namespace

int runInteractive(CliSession &session)
{
    Console &c = Console::instance();
    c.outLine();
    c.outLine(QStringLiteral(" Welcome to Layerslayer"));
    c.outLine();

    QString text = session.options().target;
    if (text.isEmpty()) {
        const auto a = ask(QStringLiteral("Image reference (user/repo:tag): "));
        if (!a || a->isEmpty())
            return ExitOk;
        text = *a;
    }
    auto ref = registry::ImageReference::parse(text);
    if (!ref)
        return session.fail(ref.error());

    auto image = session.resolve(*ref);
    if (!image)
        return session.fail(image.error());

    // A multi-arch image: let the user pick (attestations are listed but not selectable).
    if (image->index && !session.platform()) {
        QList<oci::Platform> choices;
        c.outLine(QStringLiteral("Available platforms:"));
        for (const auto &d : image->index->manifests) {
            const oci::Platform p = d.platform.value_or(oci::Platform {});
            if (p.isAttestation() || d.isAttestation()) {
                c.outLine(QStringLiteral("     %1 (attestation)").arg(p.toString()));
                continue;
            }
            c.outLine(QStringLiteral(" [%1] %2%3")
                          .arg(choices.size())
                          .arg(p.toString(), p == image->platform ? QStringLiteral("  (this machine)") : QString()));
            choices << p;
        }
        int current = std::max<int>(0, choices.indexOf(image->platform));
        const auto a = ask(QStringLiteral("Select a platform [%1]: ").arg(current));
        if (!a)
            return ExitOk;
        bool ok = true;
        const int pick = a->isEmpty() ? current : a->toInt(&ok);
        if (!ok || pick < 0 || pick >= choices.size())
            return session.fail(Error(Error::Code::Usage, QStringLiteral("no platform [%1]").arg(*a)));
        if (!(choices.at(pick) == image->platform)) {
            registry::ImageReference pinned = *ref;
            auto other = session.resolveFor(pinned, choices.at(pick));
            if (!other)
                return session.fail(other.error());
            image = std::move(other);
        }
    }

    c.outLine();
    printBuildSteps(*image);
    c.outLine();
    printLayers(*image);
    c.outLine();

    const int count = image->manifest.layers.size();
    const auto selection = ask(QStringLiteral("Layers to walk (as numbered above, e.g. 0,2-4, a for all) [a]: "));
    if (!selection)
        return ExitOk;
    auto layers = extract::LayerSelection::parse(selection->isEmpty() ? QStringLiteral("a") : *selection, count);
    if (!layers)
        return session.fail(layers.error());

    // Like the original: layers land in the current directory, carved files under ./carved (or -o for both).
    const bool given = session.options().outputDirGiven;
    const QString layerDir = given ? session.options().outputDir : QStringLiteral(".");
    const QString carveDir = given ? session.options().outputDir : QStringLiteral("carved");
    for (int index : *layers) {
        const auto &layer = image->manifest.layers.at(index);
        const QString label = QStringLiteral("Layer %1 (of %2) %3 (%4)")
                                  .arg(index)
                                  .arg(count)
                                  .arg(layer.digest.left(19), humanSize(layer.size));
        Answer a = askYesNo(QStringLiteral("%1: peek?").arg(label));
        if (a == Answer::Quit)
            break;
        if (a == Answer::Yes) {
            if (const int rc = peekLayer(session, *image, index); rc != ExitOk)
                return rc;
        }
        a = askYesNo(QStringLiteral("%1: download?").arg(label));
        if (a == Answer::Quit)
            break;
        if (a == Answer::Yes) {
            if (const int rc = saveLayers(session, *image, { index }, layerDir); rc != ExitOk)
                return rc;
        }
    }

    for (;;) {
        const auto path = ask(QStringLiteral("Carve a file (path, empty to finish): "));
        if (!path || path->isEmpty())
            break;
        extract::CarveOptions options;
        options.outputDir = carveDir;
        extract::CarveJob job(session.client(), *image, *path, options);
        job.setIndexStore(session.indexStore());
        session.run(&job);
        if (job.state() != Job::State::Succeeded) {
            session.fail(job.error());
            continue;
        }
        const auto &r = job.result();
        if (r.status == extract::CarveResult::Status::Found && !r.savedTo.isEmpty())
            c.outLine(QStringLiteral("FOUND in layer %1: saved to %2 (%3 downloaded)")
                          .arg(r.layerIndex)
                          .arg(Console::displayPath(r.savedTo), humanSize(r.bytesDownloaded)));
        else if (r.status == extract::CarveResult::Status::Found)
            c.outLine(QStringLiteral("FOUND: a symlink to %1 in layer %2").arg(r.linkTarget).arg(r.layerIndex));
        else if (r.status == extract::CarveResult::Status::Deleted)
            c.outLine(QStringLiteral("DELETED by layer %1").arg(r.layerIndex));
        else
            c.outLine(QStringLiteral("NOT FOUND"));
    }
    c.outLine(QStringLiteral("Bye."));
    return ExitOk;
}

} // namespace ll::cli
