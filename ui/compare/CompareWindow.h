#pragma once

#include <QWidget>

#include <functional>

class QAction;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace ll {
class Job;
}
namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class CompareController;
class DiffTreeModel;
class LayerChangesProxy;

/**
 * File > Compare Images: two references (old, new), Compare/Cancel, a tree of what the new image added, removed
 * and changed relative to the old one (DiffTreeModel: colours, sizes before/after and the delta, the layers each
 * side's copy comes from, what changed), a filter box, a summary line (counts, size delta, shared layers
 * skipped, bytes downloaded), and Preview Old / Preview New to open either side's copy of a file. The work is
 * CompareController's; its jobs go to the main window's Jobs panel.
 */
class CompareWindow : public QWidget
{
    Q_OBJECT
public:
    explicit CompareWindow(registry::RegistryClient *client, QWidget *parent = nullptr);
    ~CompareWindow() override;

    void setTracker(std::function<void(Job *)> tracker);
    /** Fills the fields; compares at once when both are given and start is true. */
    void setReferences(const QString &oldReference, const QString &newReference, bool start = false);
    void compare();

    CompareController *controller() const { return m_controller; }
    DiffTreeModel *model() const { return m_model; }
    LayerChangesProxy *proxy() const { return m_proxy; }
    QTreeView *view() const { return m_view; }
    QLineEdit *oldEdit() const { return m_old; }
    QLineEdit *newEdit() const { return m_new; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPushButton *previewOldButton() const { return m_previewOld; }
    QPushButton *previewNewButton() const { return m_previewNew; }
    QString summaryText() const;

    /** Previews the current row's file as the old (or new) image has it. */
    void previewCurrent(bool oldSide);

private:
    void onFinished();
    void onFailed(const QString &message);
    void updateButtons();
    void setFilterText(const QString &text);

    CompareController *m_controller;
    DiffTreeModel *m_model;
    LayerChangesProxy *m_proxy;
    QLineEdit *m_old;
    QLineEdit *m_new;
    QPushButton *m_compare;
    QPushButton *m_cancel;
    QLineEdit *m_filter;
    QPushButton *m_previewOld;
    QPushButton *m_previewNew;
    QAction *m_previewOldAction;
    QAction *m_previewNewAction;
    QLabel *m_summary;
    QTreeView *m_view;
};

} // namespace ll::ui
