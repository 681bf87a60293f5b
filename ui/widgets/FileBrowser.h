#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QToolButton;
class QTreeView;

namespace ll::fs {
struct FileNode;
}

namespace ll::ui {

class FileFilterProxy;
class FileTreeModel;
class ImageController;
class LayerChangesView;
class TreeExpansionKeeper;

/**
 * The file tree panel: a view switch ("Merged image" or one layer), a filter box (substring or glob) and a
 * sortable QTreeView over FileFilterProxy over FileTreeModel. Follows an ImageController: the per-layer view
 * grows while its layer streams (refresh() on treesGrew), the merged view as layers are applied.
 */
class FileBrowser : public QWidget
{
    Q_OBJECT
public:
    explicit FileBrowser(ImageController *controller, QWidget *parent = nullptr);
    ~FileBrowser() override;

    /** -1: merged view, else the layer shown. */
    int currentLayer() const { return m_layer; }
    /**
     * The merged view before any layer is complete shows layer 0 as it streams in (the base layer is what a
     * container sees until upper layers apply), then switches to the merged tree once layer 0 is listed.
     */
    bool isProvisionalMerged() const { return m_provisional; }
    void showMerged();
    void showLayer(int layer);

    /**
     * Adds the "changes of this layer only" mode: a Changes toggle beside the view switch shows view (taken as
     * a child) in place of the tree while one layer is shown. Selection, activation and the filter follow it.
     */
    void setChangesView(LayerChangesView *view);
    LayerChangesView *changesView() const { return m_changes; }
    /** The changes mode is on (a layer shown and the toggle on). */
    bool isChangesMode() const;
    /** Turns the changes mode on or off; on applies once a layer is shown (on a merged view it shows layer 0). */
    void setChangesMode(bool on);
    QToolButton *changesToggle() const { return m_changesToggle; }

    void setFilterText(const QString &text);
    QString filterText() const;
    void focusFilter();
    /** The line beside the filter: "1,234 entries · 3 of 4 layers applied", "" when nothing is open. */
    QString infoText() const;

    /** Selected rows' nodes (name column), in view order; the current row when nothing is selected. */
    QList<const fs::FileNode *> selectedNodes() const;
    QStringList selectedPaths() const;
    const fs::FileNode *currentNode() const;
    /** Selects and shows path (exposing parents); false when absent. */
    bool selectPath(const QString &path);

    FileTreeModel *model() const { return m_model; }
    FileFilterProxy *proxy() const { return m_proxy; }
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QComboBox *viewSwitch() const { return m_switch; }

    QByteArray saveHeaderState() const;
    void restoreHeaderState(const QByteArray &state);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    /** Enter or double-click on a non-directory. */
    void fileActivated(const ll::fs::FileNode *node);
    void currentLayerChanged(int layer);
    void selectionChanged();

private:
    void rebuildSwitch();
    void onSwitch(int comboIndex);
    void onTreesGrew();
    void onMergedChanged();
    void onLayerStateChanged(int layer);
    void onTreeReplaced(int layer);
    void updateInfo();
    void applyView();
    void applyHeaderModes();
    void applyChangesMode();

    ImageController *m_controller;
    FileTreeModel *m_model = nullptr;
    FileFilterProxy *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    TreeExpansionKeeper *m_keeper = nullptr;
    QComboBox *m_switch = nullptr;
    QStackedWidget *m_stack = nullptr;
    QToolButton *m_changesToggle = nullptr;
    LayerChangesView *m_changes = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_info = nullptr;
    int m_layer = -1;
    bool m_rebuilding = false;
    bool m_provisional = false; // merged view showing layer 0 while it streams
};

} // namespace ll::ui
