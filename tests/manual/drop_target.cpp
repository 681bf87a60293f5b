// Manual drag-to-save check: a minimal Qt drop target for tests/manual/drag-check.sh.
//
// Usage: drop_target <destination-dir> [x y w h]
// Shows a window that accepts drops; for each dropped file:// URL it copies the file into <destination-dir>
// and prints "DROP-FORMATS ...", "DROP-URL <url>", "COPIED <source> -> <target>" on stdout (flushed at once),
// so a script can see what a real XDND drop delivered. "READY <window-id>" is printed once the window is shown.

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDragMoveEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <QWidget>

#include <cstdio>

namespace {

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stdout);
}

class DropTarget : public QWidget
{
public:
    explicit DropTarget(QString destination) : m_destination(std::move(destination))
    {
        setAcceptDrops(true);
        setWindowTitle(QStringLiteral("drop_target"));
        auto *layout = new QVBoxLayout(this);
        m_label = new QLabel(QStringLiteral("Drop files here\n→ %1").arg(m_destination), this);
        m_label->setAlignment(Qt::AlignCenter);
        layout->addWidget(m_label);
        setAutoFillBackground(true);
        QPalette p = palette();
        p.setColor(QPalette::Window, QColor(0xd0, 0xe8, 0xff));
        setPalette(p);
    }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override
    {
        say(QStringLiteral("DRAG-ENTER formats=%1").arg(event->mimeData()->formats().join(QLatin1Char(','))));
        if (event->mimeData()->hasUrls()) {
            event->setDropAction(Qt::CopyAction);
            event->accept();
        } else {
            event->ignore();
        }
    }

    void dragMoveEvent(QDragMoveEvent *event) override
    {
        event->setDropAction(Qt::CopyAction);
        event->accept();
    }

    void dropEvent(QDropEvent *event) override
    {
        const QMimeData *mime = event->mimeData();
        say(QStringLiteral("DROP-FORMATS %1").arg(mime->formats().join(QLatin1Char(','))));
        int copied = 0;
        const QList<QUrl> urls = mime->urls();
        for (const QUrl &url : urls) {
            say(QStringLiteral("DROP-URL %1").arg(url.toString()));
            if (!url.isLocalFile())
                continue;
            const QString source = url.toLocalFile();
            const QString target = QDir(m_destination).filePath(QFileInfo(source).fileName());
            QFile::remove(target);
            if (QFile::copy(source, target)) {
                ++copied;
                say(QStringLiteral("COPIED %1 -> %2").arg(source, target));
            } else {
                say(QStringLiteral("COPY-FAILED %1 -> %2").arg(source, target));
            }
        }
        if (urls.isEmpty() && mime->hasText())
            say(QStringLiteral("DROP-TEXT %1").arg(mime->text()));
        m_label->setText(QStringLiteral("Got %1 file(s)").arg(copied));
        event->setDropAction(Qt::CopyAction);
        event->accept();
    }

private:
    QString m_destination;
    QLabel *m_label = nullptr;
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: drop_target <destination-dir> [x y w h]\n");
        return 2;
    }
    QDir().mkpath(args.at(1));
    DropTarget target(QDir(args.at(1)).absolutePath());
    if (args.size() >= 6)
        target.setGeometry(args.at(2).toInt(), args.at(3).toInt(), args.at(4).toInt(), args.at(5).toInt());
    else
        target.resize(400, 300);
    target.show();
    QTimer::singleShot(0, &target, [&target] { say(QStringLiteral("READY %1").arg(target.winId())); });
    return app.exec();
}
