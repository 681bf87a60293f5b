// Opens an image in the real main window (offscreen unless a display is given) and measures what a user
// feels: the longest stall of the UI thread's event loop while layers stream and trees fill, when the last
// layer finished streaming, and how long after that the merged tree was complete.
//   bench_gui_open REF [--runs N]
// Reference figures printed beside: the same layers through LayerScanJob alone (no GUI), which is the floor.

#include "MainWindow.h"
#include "common/HumanSize.h"
#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"
#include "stream/LayerScanJob.h"

#include "BenchUtil.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTimer>

#include <vector>

using namespace ll;
using namespace llbench;

namespace {

/** Samples the event loop every 5 ms and records how late each tick was. */
class StallProbe : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_gaps.push_back((now - m_last) / 1000000.0);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    double maxGap() const { return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }
    double percentile(double p) const
    {
        if (m_gaps.empty())
            return 0;
        std::vector<double> v = m_gaps;
        std::sort(v.begin(), v.end());
        return v.at(std::min(v.size() - 1, size_t(p * double(v.size()))));
    }
    int over(double ms) const
    {
        return int(std::count_if(m_gaps.begin(), m_gaps.end(), [ms](double g) { return g > ms; }));
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_gaps;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("layerslayer-bench"));
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_gui_open REF [--runs N]\n");
        return 2;
    }
    const QString ref = args.at(1);
    const int runs = args.contains(QStringLiteral("--runs"))
        ? qMax(1, args.value(args.indexOf(QStringLiteral("--runs")) + 1).toInt())
        : 1;

    QNetworkAccessManager nam;
    QTemporaryDir configDir;
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    credentials.setDockerConfigDir(configDir.path());
    registry::RegistryClient client(&nam, &credentials);

    out() << "bench_gui_open " << ref << "\n";
    for (int run = 1; run <= runs; ++run) {
        ui::MainWindow window(&client);
        window.resize(1400, 900);
        window.show();
        ui::ImageController *controller = window.imageController();
        QElapsedTimer clock;
        qint64 listedAt = -1;
        qint64 mergedAt = -1;
        QEventLoop loop;
        QObject::connect(controller, &ui::ImageController::allLayersListed, &loop, [&] { listedAt = clock.elapsed(); });
        QObject::connect(controller, &ui::ImageController::mergedTreeChanged, &loop, [&] {
            if (listedAt >= 0 || controller->layerCount() > 0)
                mergedAt = clock.elapsed();
        });
        QObject::connect(controller, &ui::ImageController::resolveFailed, &loop, [&](const Error &e, bool) {
            std::fprintf(stderr, "open failed: %s\n", qPrintable(e.toString()));
            loop.exit(1);
        });
        QTimer done;
        done.setInterval(50);
        QObject::connect(&done, &QTimer::timeout, &loop, [&] {
            // Finished when every layer is listed and the merged view has had time to take the last one.
            if (listedAt >= 0 && mergedAt >= listedAt && clock.elapsed() - mergedAt > 300)
                loop.quit();
        });
        StallProbe probe;
        clock.start();
        done.start();
        if (!window.openReference(ref)) {
            std::fprintf(stderr, "bad reference\n");
            return 2;
        }
        if (loop.exec() != 0)
            return 1;
        int entries = 0;
        for (int i = 0; i < controller->layerCount(); ++i)
            entries += controller->layerTree(i) ? controller->layerTree(i)->entryCount() : 0;
        out() << "run " << run << ": " << controller->layerCount() << " layer(s), " << entries << " entries, "
              << humanSize(controller->image().totalLayerSize()) << " compressed\n";
        out() << "  all layers listed        " << listedAt << " ms after open\n";
        out() << "  merged tree complete     " << mergedAt << " ms (" << (mergedAt - listedAt)
              << " ms after the last layer; target < 1000)\n";
        out() << "  UI event-loop gaps       max " << QString::number(probe.maxGap(), 'f', 1) << " ms, p99 "
              << QString::number(probe.percentile(0.99), 'f', 1) << " ms, " << probe.over(100)
              << " over 100 ms (5 ms timer)\n";
        out().flush();
    }

    // Reference: the same layers listed by the engine alone, one after the other, no GUI.
    registry::ImageResolveJob resolve(&client, *registry::ImageReference::parse(ref));
    runToEnd(resolve);
    if (resolve.state() == Job::State::Succeeded) {
        QElapsedTimer t;
        t.start();
        int entries = 0;
        for (int i = 0; i < resolve.image().manifest.layers.size(); ++i) {
            stream::LayerScanJob scan(&client, stream::LayerSource::fromImage(resolve.image(), i));
            runToEnd(scan);
            entries += scan.entryCount();
        }
        out() << "reference: LayerScanJob alone (no GUI), " << entries << " entries: " << t.elapsed() << " ms\n";
    }
    out() << "peak RSS  " << peakRssKiB() / 1024 << " MiB\n";
    return 0;
}
