#pragma once

#include <QFileDialog>

namespace ll::ui {

/**
 * Asks for a destination folder the way Export takes one: an existing folder, or a new one typed by name
 * (its parent must exist), which is created when the user accepts. QFileDialog::getExistingDirectory()
 * refuses a folder that does not exist yet.
 */
class FolderDialog : public QFileDialog
{
    Q_OBJECT
public:
    FolderDialog(QWidget *parent, const QString &title, const QString &startFolder);

    /** The chosen folder (absolute), empty before acceptance. */
    QString folder() const { return m_folder; }
    /** Why the last accept() was refused (empty when it was not). */
    QString refusal() const { return m_refusal; }

    /** Shows a FolderDialog modally; the chosen folder or an empty string when cancelled. */
    static QString ask(QWidget *parent, const QString &title, const QString &startFolder);

public slots:
    void accept() override;

private:
    QString m_folder;
    QString m_refusal;
};

} // namespace ll::ui
