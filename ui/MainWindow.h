#pragma once

#include "common/Error.h"
#include "controllers/ActionsController.h"
#include "oci/Platform.h"

#include <QMainWindow>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QTreeView;

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class AuthController;
class BatchExportDialog;
class BuildStepModel;
class BuildStepsView;
class CompareWindow;
class ExtractController;
class FileBrowser;
class ImageConfigView;
class HuntWindow;
class ImageController;
class JobsIndicator;
class JobsPanel;
class LayerListModel;
class LayersView;
class NavigatorController;
class RawDocumentWindow;
class ReferenceBar;
class ShortcutsDialog;

/**
 * The main window, a shell: it builds the reference bar, the file browser in the middle, the docks (layers,
 * build steps, image config, jobs) and the menus, and wires them to controllers that do the work: loading is
 * ImageController's, the panels' models ImagePanelsController's, keeping layer/step/tree selection in step
 * LayerSelectionSync's, the file actions ActionsController's (over ExtractController), sign-in
 * AuthController's. What stays here is the window's own state: title, status line, error banner, history.
 * The RegistryClient (and its QNAM) belong to the application.
 *
 * A new view is its own widget (and controller): build it in buildDocks() and give it to addDock(), which
 * also lists it in the View menu; its state is saved with the window's.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(registry::RegistryClient *client, QWidget *parent = nullptr);
    ~MainWindow() override;

    /** Parses text and opens it (adds it to the history once resolved). False with a message if malformed. */
    bool openReference(const QString &text, const std::optional<oci::Platform> &platform = std::nullopt);

    /** Tests and embedders: where saves go without a QFileDialog. */
    void setDirectoryAsker(std::function<QString(const QString &title)> asker);

    /**
     * Puts content in a dock (objectName: the dock's, for the saved window state) and lists it in the View
     * menu. Call before the window's state is restored (from buildDocks()), else its place is not restored.
     */
    QDockWidget *addDock(const QString &title, const QString &objectName, QWidget *content, Qt::DockWidgetArea area);
    QMenu *viewMenu() const { return m_viewMenu; }

    ImageController *imageController() const { return m_image; }
    ExtractController *extractController() const { return m_extract; }
    AuthController *authController() const { return m_auth; }
    ActionsController *actions() const { return m_actions; }
    FileBrowser *fileBrowser() const { return m_browser; }
    JobsPanel *jobsPanel() const { return m_jobs; }
    JobsIndicator *jobsIndicator() const { return m_jobsIndicator; }
    LayerListModel *layerModel() const { return m_layerModel; }
    BuildStepModel *stepModel() const { return m_stepModel; }
    QTreeView *layersView() const;
    QTreeView *stepsView() const;
    ImageConfigView *configView() const { return m_config; }
    ReferenceBar *referenceBar() const { return m_referenceBar; }
    QComboBox *referenceCombo() const;
    QComboBox *platformCombo() const;
    /** Whether the platform picker is offered (multi-arch image; it may sit in the toolbar's overflow). */
    bool isPlatformPickerShown() const;
    QString errorText() const;

    QAction *saveAction() const { return m_actions->saveAction(); }
    QAction *previewAction() const { return m_actions->previewAction(); }
    QAction *exportAction() const { return m_actions->exportAction(); }
    QAction *openFolderAction() const { return m_actions->openFolderAction(); }
    BatchExportDialog *openBatchExport() { return m_actions->openBatchExport(); }
    /** Help > Keyboard Shortcuts (F1). */
    ShortcutsDialog *showShortcuts();
    QAction *shortcutsAction() const { return m_shortcutsAction; }

    /** The registry navigator (its dock: View > Navigator). */
    NavigatorController *navigator() const { return m_navigator; }
    QDockWidget *navigatorDock() const { return m_navigatorDock; }

    /**
     * The raw documents viewer, created on first use; shown and raised. View > Raw Documents shows the open
     * image's index or manifest there.
     */
    RawDocumentWindow *openRawDocuments();
    QAction *rawDocumentsAction() const { return m_rawAction; }

    /** The Hunt window (find files across many images), created on first use; shown and raised. */
    HuntWindow *openHunt();

    /**
     * File > Compare Images (Ctrl+Shift+K): the compare window, created on first use, with the references given
     * (empty: left as they are); compares at once when both are given.
     */
    CompareWindow *openCompare(const QString &oldReference = QString(), const QString &newReference = QString());

    /** The history kept in QSettings, most recent first. */
    QStringList history() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildCentral();
    void buildMenus();
    void buildToolBars();
    void buildDocks();
    void wireImage();
    void restoreSettings();
    void saveSettings();
    void onResolving();
    void onResolved();
    void onResolveFailed(const Error &error, bool needsCredentials);
    void onAllListed();
    void onLayerState(int layer);
    void updateActions();
    void showError(const QString &text);
    void showMessage(const QString &text);

    registry::RegistryClient *m_client;
    ImageController *m_image = nullptr;
    ExtractController *m_extract = nullptr;
    AuthController *m_auth = nullptr;
    ActionsController *m_actions = nullptr;
    LayerListModel *m_layerModel = nullptr;
    BuildStepModel *m_stepModel = nullptr;

    ReferenceBar *m_referenceBar = nullptr;
    QLabel *m_banner = nullptr;
    FileBrowser *m_browser = nullptr;
    LayersView *m_layersView = nullptr;
    BuildStepsView *m_stepsView = nullptr;
    ImageConfigView *m_config = nullptr;
    JobsPanel *m_jobs = nullptr;
    JobsIndicator *m_jobsIndicator = nullptr;
    QLabel *m_statusLabel = nullptr;
    QMenu *m_viewMenu = nullptr;

    QAction *m_focusReferenceAction = nullptr;
    QAction *m_focusFilterAction = nullptr;
    QAction *m_showMergedAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    bool m_shown = false;
    HuntWindow *m_hunt = nullptr;
    CompareWindow *m_compare = nullptr;
    NavigatorController *m_navigator = nullptr;
    RawDocumentWindow *m_raw = nullptr;
    QAction *m_rawAction = nullptr;
    QDockWidget *m_navigatorDock = nullptr;
    QString m_selectWhenListed; // a hunt result opened here: selected once the image is listed
};

} // namespace ll::ui
