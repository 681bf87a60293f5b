#include "MainWindow.h"

#include <QLabel>

namespace ll::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Layerslayer"));
    setCentralWidget(new QLabel(tr("Layerslayer"), this));
    resize(1100, 720);
}

} // namespace ll::ui
