#include "cli/CliApp.h"
#include "common/PathBytes.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("layerslayer-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("layerslayer"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LL_VERSION));
    // Not QCoreApplication::arguments(): it decodes with the locale and turns bytes that are not UTF-8 into
    // U+FFFD. Archive names are bytes (PathBytes), so `-f $'caf\xe9.txt'` must reach the carve as they are.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << ll::PathBytes::decode(QByteArrayView(argv[i]));
    return ll::cli::runCli(arguments);
}
