#pragma once

#include "common/Error.h"
#include "oci/Platform.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QPushButton;
class QTreeView;

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class AuthController;
class BatchExportDialog;
class BuildStepModel;
class ExtractController;
class FileBrowser;
class ImageConfigView;
class ImageController;
class JobsPanel;
class LayerListModel;

/**
 * The main window: the reference bar (history + completion, platform picker for multi-arch images), the
 * file browser in the middle, docks for layers, build steps, image config and jobs, and the actions.
 * It only builds and wires widgets; loading is ImageController's, file actions ExtractController's,
 * sign-in AuthController's. The RegistryClient (and its QNAM) belong to the application.
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

    ImageController *imageController() const { return m_image; }
    ExtractController *extractController() const { return m_extract; }
    AuthController *authController() const { return m_auth; }
    FileBrowser *fileBrowser() const { return m_browser; }
    JobsPanel *jobsPanel() const { return m_jobs; }
    LayerListModel *layerModel() const { return m_layerModel; }
    BuildStepModel *stepModel() const { return m_stepModel; }
    QTreeView *layersView() const { return m_layersView; }
    QTreeView *stepsView() const { return m_stepsView; }
    ImageConfigView *configView() const { return m_config; }
    QComboBox *referenceCombo() const { return m_reference; }
    QComboBox *platformCombo() const { return m_platform; }
    /** Whether the platform picker is offered (multi-arch image; it may sit in the toolbar's overflow). */
    bool isPlatformPickerShown() const;
    QString errorText() const;

    QAction *saveAction() const { return m_saveAction; }
    QAction *previewAction() const { return m_previewAction; }
    QAction *exportAction() const { return m_exportAction; }
    QAction *saveLayerAction() const { return m_saveLayerAction; }
    QAction *copyPathAction() const { return m_copyPathAction; }
    QAction *openFolderAction() const { return m_openFolderAction; }

    /** The history kept in QSettings, most recent first. */
    QStringList history() const;

public slots:
    void saveSelection();
    void previewCurrent();
    BatchExportDialog *openBatchExport();
    void saveSelectedLayers();
    void copyPath();
    void openSavedFolder();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildReferenceBar();
    void buildDocks();
    void wireController();
    void restoreSettings();
    void saveSettings();
    void onOpenClicked();
    void onResolving();
    void onResolved();
    void onResolveFailed(const Error &error, bool needsCredentials);
    void onLayerState(int layer);
    void fillPlatforms();
    void onPlatformActivated(int index);
    void addToHistory(const QString &reference);
    void syncFromLayerSelection();
    void syncFromStepSelection();
    void updateActions();
    void showError(const QString &text);
    void showMessage(const QString &text);

    registry::RegistryClient *m_client;
    ImageController *m_image = nullptr;
    ExtractController *m_extract = nullptr;
    AuthController *m_auth = nullptr;
    LayerListModel *m_layerModel = nullptr;
    BuildStepModel *m_stepModel = nullptr;

    QComboBox *m_reference = nullptr;
    QPushButton *m_open = nullptr;
    QLabel *m_platformLabel = nullptr;
    QComboBox *m_platform = nullptr;
    QAction *m_platformLabelAction = nullptr;
    QAction *m_platformAction = nullptr;
    QLabel *m_banner = nullptr;
    FileBrowser *m_browser = nullptr;
    QTreeView *m_layersView = nullptr;
    QTreeView *m_stepsView = nullptr;
    ImageConfigView *m_config = nullptr;
    JobsPanel *m_jobs = nullptr;
    QLabel *m_statusLabel = nullptr;
    QPointer<BatchExportDialog> m_batch;

    QAction *m_saveAction = nullptr;
    QAction *m_previewAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_saveLayerAction = nullptr;
    QAction *m_copyPathAction = nullptr;
    QAction *m_openFolderAction = nullptr;
    QAction *m_focusReferenceAction = nullptr;
    QAction *m_focusFilterAction = nullptr;
    QAction *m_showMergedAction = nullptr;
    bool m_syncing = false;
};

} // namespace ll::ui
