#pragma once

#include "models/FileTreeModel.h" // the metatype of const fs::FileNode * (fileActivated)

#include <QList>
#include <QWidget>

class QLabel;
class QTreeView;

namespace ll::ui {

class AnalysisController;
class LayerChangesProxy;
class LayerChangesTreeModel;

/**
 * The file view's "changes of this layer only" mode: a summary line and a tree of what one layer added,
 * modified and deleted (LayerChangesTreeModel through LayerChangesProxy), from the AnalysisController's
 * result. Shown by FileBrowser in place of its tree when its Changes toggle is on.
 */
class LayerChangesView : public QWidget
{
    Q_OBJECT
public:
    explicit LayerChangesView(AnalysisController *analysis, QWidget *parent = nullptr);

    /** -1: nothing. */
    void showLayer(int layer);
    int layer() const { return m_layer; }
    void setFilterText(const QString &text);
    /** Layer nodes of the selected added/modified rows (deletions have none), in view order. */
    QList<const fs::FileNode *> selectedNodes() const;
    const fs::FileNode *currentNode() const;
    QString summaryText() const;

    LayerChangesTreeModel *model() const { return m_model; }
    LayerChangesProxy *proxy() const { return m_proxy; }
    QTreeView *view() const { return m_view; }

signals:
    /** Enter or double-click on an added or modified non-directory. */
    void fileActivated(const ll::fs::FileNode *node);
    void selectionChanged();

private:
    void apply();

    AnalysisController *m_analysis;
    LayerChangesTreeModel *m_model;
    LayerChangesProxy *m_proxy;
    QTreeView *m_view;
    QLabel *m_summary;
    int m_layer = -1;
};

} // namespace ll::ui
