#include "MainWindow.h"
#include "controllers/ImageController.h"
#include "index/IndexStore.h"
#include "navigator/NavigatorController.h"

#include "oci/Platform.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QNetworkAccessManager>
#include <QTimer>

#include <cstdio>
#include <optional>

namespace {

/**
 * Qt takes "--platform NAME" as its own QPA plugin option (like -platform). Ours is the image platform, so it
 * is taken out of argv before QApplication sees it (Qt's single-dash -platform still works) and handed back to
 * the command line parser.
 */
QStringList takeImagePlatform(int &argc, char **argv)
{
    QStringList taken;
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--platform" && i + 1 < argc) {
            taken << QStringLiteral("--platform") << QString::fromLocal8Bit(argv[++i]);
            continue;
        }
        if (arg.startsWith("--platform=")) {
            taken << QString::fromLocal8Bit(arg);
            continue;
        }
        argv[out++] = argv[i];
    }
    argc = out;
    argv[argc] = nullptr;
    return taken;
}

} // namespace

int main(int argc, char *argv[])
{
    const QStringList imagePlatform = takeImagePlatform(argc, argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("layerslayer"));
    QApplication::setOrganizationName(QStringLiteral("layerslayer"));
    QApplication::setApplicationDisplayName(QStringLiteral("Layerslayer"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/layerslayer.svg")));
    QApplication::setDesktopFileName(QStringLiteral("io.github.layerslayer.Layerslayer")); // the installed .desktop id

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Look inside container images straight from a registry: build steps, layers, files; carve, save, export."));
    parser.addHelpOption();
    const QCommandLineOption target({ QStringLiteral("t"), QStringLiteral("target") },
        QStringLiteral("Image reference to open at start, e.g. 127.0.0.1:5000/lab/app:1.0."), QStringLiteral("REF"));
    const QCommandLineOption platform(QStringLiteral("platform"),
        QStringLiteral("Platform of a multi-arch image, e.g. linux/arm64 (default: this machine's)."),
        QStringLiteral("OS/ARCH[/VARIANT]"));
    const QCommandLineOption insecure(
        QStringLiteral("insecure"), QStringLiteral("Accept invalid TLS certificates from the registry."));
    const QCommandLineOption plainHttp(QStringLiteral("plain-http"),
        QStringLiteral("Use http:// for every registry (loopback registries always use it)."));
    parser.addOption(target);
    parser.addOption(platform);
    parser.addOption(insecure);
    parser.addOption(plainHttp);
    parser.addPositionalArgument(
        QStringLiteral("reference"), QStringLiteral("Image reference (same as -t)."), QStringLiteral("[REF]"));
    parser.process(QApplication::arguments() + imagePlatform);

    std::optional<ll::oci::Platform> wanted;
    if (parser.isSet(platform)) {
        const auto p = ll::oci::Platform::parse(parser.value(platform));
        if (!p) {
            std::fprintf(stderr, "layerslayer: %s\n", qPrintable(p.error().message));
            return 2;
        }
        wanted = *p;
    }
    QString reference = parser.value(target);
    if (reference.isEmpty() && !parser.positionalArguments().isEmpty())
        reference = parser.positionalArguments().constFirst();

    // The application owns the network access manager and the one registry client.
    QNetworkAccessManager nam;
    ll::registry::CredentialStore credentials;
    ll::registry::RegistryClient client(&nam, &credentials);
    client.setInsecure(parser.isSet(insecure));
    client.setPlainHttp(parser.isSet(plainHttp));

    ll::ui::MainWindow window(&client);
    window.imageController()->setIndexStore(ll::index::IndexStore::fromEnvironment());
    window.show();
    if (!reference.isEmpty())
        QTimer::singleShot(0, &window, [&window, reference, wanted] {
            // A registry or a repository without a tag is browsed in the navigator.
            if (wanted || !window.navigator()->showTyped(reference))
                window.openReference(reference, wanted);
        });
    return app.exec();
}
