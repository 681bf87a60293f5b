#include "controllers/ActionsController.h"

#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/BatchExportDialog.h"
#include "fs/FileNode.h"
#include "widgets/FileBrowser.h"
#include "widgets/LayersView.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QIcon>
#include <QItemSelectionModel>
#include <QKeySequence>

namespace ll::ui {

ActionsController::ActionsController(ImageController *image, ExtractController *extract, FileBrowser *browser,
    LayersView *layers, QWidget *window, QObject *parent)
    : QObject(parent), m_image(image), m_extract(extract), m_browser(browser), m_layers(layers), m_window(window)
{
    m_save = new QAction(QIcon(QStringLiteral(":/icons/save.svg")), tr("&Save Selected…"), this);
    m_save->setShortcut(QKeySequence::Save);
    m_save->setToolTip(tr("Carve the selected files out of the image into a folder (Ctrl+S)"));
    connect(m_save, &QAction::triggered, this, &ActionsController::saveSelection);

    m_preview = new QAction(QIcon(QStringLiteral(":/icons/preview.svg")), tr("&Preview"), this);
    m_preview->setToolTip(tr("Show the file's content (Enter)"));
    connect(m_preview, &QAction::triggered, this, &ActionsController::previewCurrent);

    m_export = new QAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export…"), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_export->setToolTip(tr("Export many files and folders at once"));
    connect(m_export, &QAction::triggered, this, [this] { openBatchExport(); });

    m_saveLayer = new QAction(QIcon(QStringLiteral(":/icons/layer-save.svg")), tr("Save &Layer Blob…"), this);
    m_saveLayer->setToolTip(tr("Download the selected layers' blobs, digest-checked"));
    connect(m_saveLayer, &QAction::triggered, this, &ActionsController::saveSelectedLayers);

    m_copyPath = new QAction(tr("&Copy Path"), this);
    m_copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyPath, &QAction::triggered, this, &ActionsController::copyPath);

    m_openFolder = new QAction(tr("Open Saved &Folder"), this);
    connect(m_openFolder, &QAction::triggered, this, &ActionsController::openSavedFolder);

    connect(m_browser, &FileBrowser::fileActivated, this, [this] { previewCurrent(); });
    connect(m_browser, &FileBrowser::selectionChanged, this, &ActionsController::update);
    connect(m_extract, &ExtractController::saved, this, &ActionsController::update);
    connect(m_image, &ImageController::aboutToClose, this, &ActionsController::closeBatchExport);
}

void ActionsController::update()
{
    const bool image = m_image->hasImage();
    const auto nodes = image ? m_browser->selectedNodes() : QList<const fs::FileNode *>();
    const fs::FileNode *current = image ? m_browser->currentNode() : nullptr;
    m_save->setEnabled(!nodes.isEmpty());
    m_preview->setEnabled(current && !current->isDir());
    m_copyPath->setEnabled(!nodes.isEmpty());
    m_export->setEnabled(image);
    m_saveLayer->setEnabled(image && m_layers->selectionModel()->hasSelection());
    m_openFolder->setEnabled(!m_extract->lastSavedFolder().isEmpty());
}

void ActionsController::saveSelection()
{
    const QStringList paths = m_browser->selectedPaths();
    if (paths.isEmpty())
        return;
    m_extract->save(paths, m_browser->currentLayer());
}

void ActionsController::previewCurrent()
{
    const fs::FileNode *node = m_browser->currentNode();
    if (!node || node->isDir())
        return;
    m_extract->preview(node->path(), m_browser->currentLayer());
}

BatchExportDialog *ActionsController::openBatchExport()
{
    if (!m_image->hasImage())
        return nullptr;
    if (m_batch) {
        m_batch->raise();
        m_batch->activateWindow();
        return m_batch;
    }
    m_batch
        = new BatchExportDialog(m_image, m_extract, m_browser->selectedPaths(), m_browser->currentLayer(), m_window);
    m_batch->setAttribute(Qt::WA_DeleteOnClose);
    m_batch->show();
    return m_batch;
}

void ActionsController::closeBatchExport()
{
    if (m_batch)
        m_batch->reject();
}

void ActionsController::saveSelectedLayers()
{
    const QList<int> layers = m_layers->selectedLayers();
    if (!layers.isEmpty())
        m_extract->saveLayers(layers);
}

void ActionsController::copyPath()
{
    QStringList paths;
    for (const QString &p : m_browser->selectedPaths())
        paths << QLatin1Char('/') + p;
    if (paths.isEmpty())
        return;
    QApplication::clipboard()->setText(paths.join(QLatin1Char('\n')));
    emit message(tr("Copied %1").arg(paths.size() == 1 ? paths.first() : tr("%1 paths").arg(paths.size())));
}

void ActionsController::openSavedFolder()
{
    m_extract->openLastSavedFolder();
}

} // namespace ll::ui
