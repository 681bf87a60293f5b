#include "cli/CliApp.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("layerslayer-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("layerslayer"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LL_VERSION));
    return ll::cli::runCli(QCoreApplication::arguments());
}
