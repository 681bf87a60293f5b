#pragma once

#include "common/Error.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QToolButton;
class QTreeView;

namespace ll::ui {

class RegistryTreeModel;

/**
 * The navigator dock's content: a filter box, an "add registry" button and the registry tree (through a
 * recursive filter proxy). Enter or a double-click on a tag, a platform or a seen image asks to open it; on a
 * failed row it retries; on the "type a repository" row it edits. The context menu copies the reference or
 * the digest, saves all layers, hunts there, shows the raw manifest, lists everything, adds/removes registries.
 * It only asks (signals); NavigatorController answers.
 */
class NavigatorPanel : public QWidget
{
    Q_OBJECT
public:
    explicit NavigatorPanel(RegistryTreeModel *model, QWidget *parent = nullptr);

    RegistryTreeModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }
    QLabel *noticeLabel() const { return m_notice; }

    /** Source index of the current row (invalid when none). */
    QModelIndex currentSourceIndex() const;
    /** Selects and shows a source row, expanding its ancestors (and itself when expand). */
    void reveal(const QModelIndex &sourceIndex, bool expand = false);
    /** A line above the tree ("lab/app has no tag 'nope'…"); empty hides it. */
    void setNotice(const QString &text, bool isError = false);
    /** Asks for a registry host and adds it (what the + button does). */
    void askRegistry();
    /** The context menu for a source row (tests call it without showing it). */
    QMenu *contextMenuFor(const QModelIndex &sourceIndex);

    /** What activating a row does: open / retry / edit. */
    void activate(const QModelIndex &sourceIndex);

signals:
    /** Open reference (platform: "linux/arm64/v8" or empty) in the main view. */
    void openRequested(const QString &reference, const QString &platform);
    void saveLayersRequested(const QString &reference, const QString &platform);
    /** Hunt in text: a reference, "host/repo" (all tags) or a bare host (the whole catalog). */
    void huntRequested(const QString &text, bool allTags, bool catalog);
    /** Compare the image open in the main view with reference (File > Compare Images). */
    void compareRequested(const QString &reference);
    /** Show the raw manifest/index of a tag (document as served). */
    void documentRequested(const QString &reference, const QByteArray &document);
    /** A row says registry refused access: ask for credentials, then retry row (RegistryTreeModel::retry). */
    void signInRequested(const QString &registry, const ll::Error &refusal, const QPersistentModelIndex &row);

private:
    void showContextMenu(const QPoint &pos);

    RegistryTreeModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QToolButton *m_add;
    QLabel *m_notice;
    QTreeView *m_view;
};

} // namespace ll::ui
