#include "dialogs/ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ll::ui {

namespace {
QString plain(QString text)
{
    text.remove(QLatin1Char('&'));
    return text;
}
} // namespace

ShortcutsDialog::ShortcutsDialog(const QMenuBar *menus, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto *layout = new QVBoxLayout(this);
    m_list = new QTreeWidget(this);
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({ tr("Key"), tr("Action") });
    m_list->setRootIsDecorated(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(m_list);

    const auto add = [this](const QString &key, const QString &what) { new QTreeWidgetItem(m_list, { key, what }); };
    for (QAction *menuAction : menus->actions()) {
        const QMenu *menu = menuAction->menu();
        if (!menu)
            continue;
        for (QAction *a : menu->actions()) {
            if (a->shortcut().isEmpty())
                continue;
            add(a->shortcut().toString(QKeySequence::NativeText),
                plain(menu->title()) + QStringLiteral(" › ") + plain(a->text()));
        }
    }
    add(tr("Enter"), tr("Open the reference typed; in the file tree, preview the file"));
    add(tr("Down"), tr("From the filter box into the results"));
    add(tr("Tab"), tr("Next panel (entering the Layers list does not change the view; pick a row to)"));
    add(tr("Drag"), tr("Files from the tree to a file manager save them there"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(520, 420);
}

QStringList ShortcutsDialog::rows() const
{
    QStringList out;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        out << m_list->topLevelItem(i)->text(0) + QStringLiteral(" → ") + m_list->topLevelItem(i)->text(1);
    return out;
}

} // namespace ll::ui
