#include "MainWindow.h"

#include <QApplication>
#include <QIcon>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("layerslayer"));
    QApplication::setOrganizationName(QStringLiteral("layerslayer"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/layerslayer.svg")));
    ll::ui::MainWindow window;
    window.show();
    return app.exec();
}
