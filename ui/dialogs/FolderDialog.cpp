#include "dialogs/FolderDialog.h"

#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QMessageBox>

namespace ll::ui {

FolderDialog::FolderDialog(QWidget *parent, const QString &title, const QString &startFolder)
    : QFileDialog(parent, title, startFolder)
{
    setObjectName(QStringLiteral("folderDialog"));
    // Qt's own dialog: the platform's may refuse a folder that does not exist before we see it.
    setOption(QFileDialog::DontUseNativeDialog);
    setOption(QFileDialog::ShowDirsOnly);
    setFileMode(QFileDialog::Directory);
    setAcceptMode(QFileDialog::AcceptOpen);
    setLabelText(QFileDialog::Accept, tr("&Choose"));
}

void FolderDialog::accept()
{
    m_refusal.clear();
    QString typed;
    if (auto *edit = findChild<QLineEdit *>(QStringLiteral("fileNameEdit")))
        typed = edit->text().trimmed();
    QString path;
    if (typed.isEmpty()) {
        const QStringList files = selectedFiles();
        path = files.isEmpty() ? directory().absolutePath() : files.first();
    } else {
        path = QDir::isAbsolutePath(typed) ? typed : directory().absoluteFilePath(typed);
    }
    path = QDir::cleanPath(path);
    const QFileInfo info(path);
    if (info.exists() && !info.isDir()) {
        m_refusal = tr("%1 is a file, not a folder").arg(path);
    } else if (!info.exists()) {
        if (!QFileInfo(info.absolutePath()).isDir())
            m_refusal = tr("%1 does not exist").arg(info.absolutePath());
        else if (!QDir().mkdir(path))
            m_refusal = tr("cannot create %1").arg(path);
    }
    if (!m_refusal.isEmpty()) {
        if (isVisible())
            QMessageBox::warning(this, windowTitle(), m_refusal);
        return;
    }
    m_folder = path;
    QDialog::accept(); // QFileDialog::accept() would refuse the folder it did not know
}

QString FolderDialog::ask(QWidget *parent, const QString &title, const QString &startFolder)
{
    FolderDialog dialog(parent, title, startFolder);
    return dialog.exec() == QDialog::Accepted ? dialog.folder() : QString();
}

} // namespace ll::ui
