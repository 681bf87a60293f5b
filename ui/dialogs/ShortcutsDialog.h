#pragma once

#include <QDialog>

class QMenuBar;
class QTreeWidget;

namespace ll::ui {

/**
 * Help > Keyboard Shortcuts (F1): every menu action that has a shortcut, by menu, plus the keys the views
 * answer to without a menu entry (Enter to preview, Down from the filter into the results, ...).
 */
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    ShortcutsDialog(const QMenuBar *menus, QWidget *parent = nullptr);

    /** "Ctrl+S" → "Save Selected…" rows, as shown (tests). */
    QStringList rows() const;

private:
    QTreeWidget *m_list;
};

} // namespace ll::ui
