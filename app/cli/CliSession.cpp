#include "cli/CliSession.h"

#include "catalog/ImageCatalog.h"
#include "cli/Console.h"
#include "cli/ExitCode.h"
#include "common/Job.h"
#include "registry/ImageResolveJob.h"
#include "registry/RegistryClient.h"

#include <QEventLoop>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace ll::cli {

namespace {

int g_signalPipe[2] = { -1, -1 };
volatile std::sig_atomic_t g_signal = 0; // the signal that cancelled the run (SIGINT or SIGTERM)

void onSignal(int signal)
{
    g_signal = signal;
    const char c = char(signal);
    [[maybe_unused]] auto n = ::write(g_signalPipe[1], &c, 1);
}

} // namespace

CliSession::CliSession(const CliOptions &options)
    : m_options(options), m_client(std::make_unique<registry::RegistryClient>(&m_nam, &m_credentials))
{
    m_client->setPlainHttp(options.plainHttp);
    m_client->setInsecure(options.insecure);
    if (!options.tokenFile.isEmpty())
        m_credentials.setTokenFile(options.tokenFile);
    if (!options.noCache)
        m_indexStore = index::IndexStore::fromEnvironment();
}

CliSession::~CliSession() = default;

Status CliSession::prepare()
{
    if (!m_options.platform.isEmpty()) {
        auto platform = oci::Platform::parse(m_options.platform);
        if (!platform)
            return Error(Error::Code::Usage, platform.error().message);
        m_platform = *platform;
    }
    if (!m_options.username.isEmpty()) {
        registry::Credentials creds;
        creds.username = m_options.username;
        creds.source = QStringLiteral("command line");
        if (m_options.passwordStdin) {
            QTextStream in(stdin);
            QString password = in.readAll();
            while (password.endsWith(QLatin1Char('\n')) || password.endsWith(QLatin1Char('\r')))
                password.chop(1);
            if (password.isEmpty())
                return Error(Error::Code::Usage, QStringLiteral("--password-stdin: no password on stdin"));
            creds.password = password;
        }
        auto ref = reference();
        if (!ref)
            return ref.error();
        m_credentials.setExplicit(ref->registry(), creds);
    }
    return {};
}

Result<registry::ImageReference> CliSession::reference() const
{
    return registry::ImageReference::parse(m_options.target);
}

void CliSession::run(Job *job)
{
    QEventLoop loop;
    QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
    QObject::connect(m_client.get(), &registry::RegistryClient::notice, &loop,
        [](const QString &text) { Console::instance().info(text); });

    // SIGTERM (kill, a service manager, a CI timeout) is handled like Ctrl+C: the job cancels and cleans up
    // its .part files instead of dying with them on disk.
    if (g_signalPipe[0] < 0 && ::pipe(g_signalPipe) == 0) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, job, [job]() {
        char c;
        [[maybe_unused]] auto n = ::read(g_signalPipe[0], &c, 1);
        Console::instance().info(QStringLiteral("Cancelling..."));
        job->cancel();
    });

    job->start();
    if (!job->isFinished())
        loop.exec();
}

Result<oci::Image> CliSession::resolveTarget(Resolve what)
{
    auto ref = reference();
    if (!ref)
        return ref.error();
    return resolve(*ref, what);
}

Result<oci::Image> CliSession::resolve(const registry::ImageReference &reference, Resolve what)
{
    return resolveFor(reference, m_platform.value_or(oci::Platform {}), what);
}

Result<oci::Image> CliSession::resolveFor(
    const registry::ImageReference &reference, const oci::Platform &platform, Resolve what)
{
    std::optional<oci::Platform> wanted;
    if (!platform.isEmpty())
        wanted = platform;
    registry::ImageResolveJob job(m_client.get(), reference, wanted);
    job.setFetchConfig(what == Resolve::WithConfig);
    QObject::connect(
        &job, &Job::statusChanged, &job, [](const QString &status) { Console::instance().progress(status); });
    run(&job);
    Console::instance().endProgress();
    if (job.state() != Job::State::Succeeded)
        return job.error();
    // Every command that opens an image records it as seen (History, --search), beside the indexes.
    if (const Status s = catalog::ImageCatalog::forIndexStore(m_indexStore).record(job.image()); !s)
        Console::instance().info(QStringLiteral("could not record the image as seen: ") + s.error().message);
    return job.image();
}

int CliSession::fail(const Error &error) const
{
    if (error.code == Error::Code::Cancelled && g_signal == SIGTERM) {
        Console::instance().error(QStringLiteral("layerslayer-cli: terminated"));
        return ExitTerminated;
    }
    Console::instance().error(QStringLiteral("layerslayer-cli: ") + error.message);
    if (m_options.verbose && !error.detail.isEmpty())
        Console::instance().error(QStringLiteral("  ") + error.detail);
    return exitCodeFor(error);
}

} // namespace ll::cli
