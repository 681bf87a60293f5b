// Expanding a repository with thousands of tags in the navigator (issue 8: first page shown < 0.5 s at +50 ms,
// later pages lazy): a RegistryTreeModel in a QTreeView, the repository expanded, timed until its first page of
// tags is laid out in the view. Beside it, curl of the same first page (tags/list?n=100) through the same
// latency proxy: the floor. Also the time to list every page (List All Tags) for information.
//   bench/push-many-tags.py ANON --tags 5000      # once
//   bench_gui_navigator --proxy PROXY --latency-ms 50 [--repo bench/many-tags] [--runs 5]
// The proxy is the harness's fault proxy in front of ANON (state.json "proxy").

#include "navigator/RegistryTreeModel.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"

#include "BenchUtil.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTreeView>

using namespace ll;
using namespace llbench;

namespace {

struct Run {
    qint64 firstPageMs = -1;
    qint64 allMs = -1;
    int firstRows = 0;
    int allRows = 0;
};

Run expandOnce(const QString &proxy, const QString &repo, bool listAll)
{
    Run run;
    QTemporaryDir config;
    QNetworkAccessManager nam; // a fresh connection each run, as curl makes
    registry::CredentialStore credentials;
    credentials.setUseDefaultTokenFile(false);
    credentials.setDockerConfigDir(config.path());
    credentials.setAuthJsonPath(config.filePath(QStringLiteral("none.json")));
    registry::RegistryClient client(&nam, &credentials);
    ui::RegistryTreeModel model(&client);
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&model);
    view.resize(500, 800);
    view.show();
    const QModelIndex index = model.addRepository(proxy, repo);
    // The registry row is open already (its catalog read, not timed): the user expands the repository in it.
    view.expand(index.parent());
    QEventLoop wait;
    QElapsedTimer w;
    w.start();
    while (w.elapsed() < 60000
        && (model.canFetchMore(index.parent()) || index.parent().data(ui::RegistryTreeModel::LoadingRole).toBool()))
        wait.processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
    QElapsedTimer t;
    t.start();
    view.expand(index); // what a click on the arrow does: the view asks the model for more
    QEventLoop loop;
    while (t.elapsed() < 60000) {
        loop.processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
        if (model.rowCount(index) > 0 && view.visualRect(model.index(0, 0, index)).isValid()) {
            view.viewport()->repaint();
            run.firstPageMs = t.elapsed();
            run.firstRows = model.rowCount(index);
            break;
        }
    }
    if (!listAll)
        return run;
    model.fetchAll(index);
    while (
        t.elapsed() < 300000 && (model.canFetchMore(index) || index.data(ui::RegistryTreeModel::LoadingRole).toBool()))
        loop.processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
    run.allMs = t.elapsed();
    run.allRows = model.rowCount(index);
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("proxy"), QStringLiteral("Latency proxy in front of the registry."),
        QStringLiteral("host:port") });
    parser.addOption({ QStringLiteral("latency-ms"), QStringLiteral("Delay per request."), QStringLiteral("ms"),
        QStringLiteral("50") });
    parser.addOption({ QStringLiteral("repo"), QStringLiteral("Repository with many tags."), QStringLiteral("name"),
        QStringLiteral("bench/many-tags") });
    parser.addOption({ QStringLiteral("runs"), QStringLiteral("Runs."), QStringLiteral("n"), QStringLiteral("5") });
    parser.process(app);
    const QString proxy = parser.value(QStringLiteral("proxy"));
    const QString repo = parser.value(QStringLiteral("repo"));
    const int latency = parser.value(QStringLiteral("latency-ms")).toInt();
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());
    if (proxy.isEmpty()) {
        std::fprintf(stderr, "give --proxy HOST:PORT (the harness's fault proxy)\n");
        return 2;
    }
    QNetworkAccessManager control;
    if (!proxyLatency(control, proxy, latency))
        return 1;

    QList<qint64> ours, curl;
    Run last;
    for (int i = 0; i < runs; ++i) {
        const Run r = expandOnce(proxy, repo, false);
        if (r.firstPageMs < 0) {
            std::fprintf(stderr, "the first page never showed\n");
            return 1;
        }
        ours << r.firstPageMs;
        last = r;
        const qint64 c
            = timeShell(QStringLiteral("curl -sf -o /dev/null 'http://%1/v2/%2/tags/list?n=100'").arg(proxy, repo));
        if (c >= 0)
            curl << c;
    }
    const Run all = expandOnce(proxy, repo, true);
    proxyLatency(control, proxy, 0);

    out() << "navigator: expand " << repo << " through the proxy at +" << latency << " ms per request, " << runs
          << " runs (median, min-max)\n";
    out() << "  first page shown   " << median(ours) << " ms (" << *std::min_element(ours.begin(), ours.end()) << "-"
          << *std::max_element(ours.begin(), ours.end()) << "), " << last.firstRows << " tags"
          << "   target < 500 ms\n";
    if (!curl.isEmpty())
        out() << "  curl, same page    " << median(curl) << " ms (" << *std::min_element(curl.begin(), curl.end())
              << "-" << *std::max_element(curl.begin(), curl.end()) << ")\n";
    out() << "  all pages listed   " << all.allMs << " ms, " << all.allRows << " tags (List All Tags)\n";
    out().flush();
    return 0;
}
