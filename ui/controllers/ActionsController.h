#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QWidget;

namespace ll::ui {

class BatchExportDialog;
class ExtractController;
class FileBrowser;
class ImageController;
class LayersView;

/**
 * The window's actions over the open image (Save Selected, Preview, Export, Save Layer Blob, Copy Path, Open
 * Saved Folder): owns the QActions, runs them through ExtractController on what the file browser and the
 * Layers list select, and enables each one only when it has something to act on (update()). The window
 * puts the actions in its menus and toolbars.
 */
class ActionsController : public QObject
{
    Q_OBJECT
public:
    ActionsController(ImageController *image, ExtractController *extract, FileBrowser *browser, LayersView *layers,
        QWidget *window, QObject *parent = nullptr);

    QAction *saveAction() const { return m_save; }
    QAction *previewAction() const { return m_preview; }
    QAction *exportAction() const { return m_export; }
    QAction *saveLayerAction() const { return m_saveLayer; }
    QAction *copyPathAction() const { return m_copyPath; }
    QAction *openFolderAction() const { return m_openFolder; }

    void saveSelection();
    void previewCurrent();
    /** Opens (or raises) the batch export dialog; nullptr when no image is open. */
    BatchExportDialog *openBatchExport();
    /** Closes the batch export dialog (the image it works on is closing). */
    void closeBatchExport();
    void saveSelectedLayers();
    void copyPath();
    void openSavedFolder();

    /** Enables each action by what is open and selected. */
    void update();

signals:
    /** A one-line note for the status bar. */
    void message(const QString &text);

private:
    ImageController *m_image;
    ExtractController *m_extract;
    FileBrowser *m_browser;
    LayersView *m_layers;
    QWidget *m_window;
    QPointer<BatchExportDialog> m_batch;

    QAction *m_save = nullptr;
    QAction *m_preview = nullptr;
    QAction *m_export = nullptr;
    QAction *m_saveLayer = nullptr;
    QAction *m_copyPath = nullptr;
    QAction *m_openFolder = nullptr;
};

} // namespace ll::ui
