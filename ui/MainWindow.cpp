#include "MainWindow.h"

#include "common/HumanSize.h"
#include "controllers/AuthController.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/BatchExportDialog.h"
#include "fs/FileNode.h"
#include "models/BuildStepModel.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"
#include "registry/ImageReference.h"
#include "widgets/FileBrowser.h"
#include "widgets/ImageConfigView.h"
#include "widgets/JobsPanel.h"
#include "widgets/LayerItemDelegate.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

// The icons live in the static ui library: their registration must be referenced to be linked in.
static void initUiResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace ll::ui {

namespace {
constexpr int MaxHistory = 25;
const QString HistoryKey = QStringLiteral("references/history");
} // namespace

MainWindow::MainWindow(registry::RegistryClient *client, QWidget *parent) : QMainWindow(parent), m_client(client)
{
    initUiResources();
    setWindowTitle(tr("Layerslayer"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/layerslayer.svg")));
    setObjectName(QStringLiteral("mainWindow"));
    setDockNestingEnabled(true);

    m_image = new ImageController(client, this);
    m_extract = new ExtractController(m_image, this, this);
    m_auth = new AuthController(client, this, this);
    m_layerModel = new LayerListModel(this);
    m_stepModel = new BuildStepModel(this);

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_banner = new QLabel(central);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8a1c1c; padding: 6px; }"));
    m_banner->hide();
    centralLayout->addWidget(m_banner);
    m_browser = new FileBrowser(m_image, central);
    centralLayout->addWidget(m_browser, 1);
    setCentralWidget(central);

    m_jobs = new JobsPanel(this);
    m_jobs->setObjectName(QStringLiteral("jobsPanel"));
    const auto tracker = [this](Job *job, JobsPanel::Factory retry) { m_jobs->addJob(job, std::move(retry)); };
    m_image->setTracker(tracker);
    m_extract->setTracker(tracker);

    buildActions();
    buildReferenceBar();
    buildDocks();
    wireController();

    m_statusLabel = new QLabel(this);
    statusBar()->addWidget(m_statusLabel, 1);
    showMessage(tr("Type an image reference (e.g. debian:12 or 127.0.0.1:5000/lab/app:1.0) and press Enter."));

    // Drag-to-save: the model asks for files when a drop target wants them.
    // The download starts when the drag begins; a drop target's ask waits for it.
    const auto pathsOf = [](const QList<const fs::FileNode *> &nodes) {
        QStringList paths;
        for (const fs::FileNode *node : nodes)
            paths << node->path();
        return paths;
    };
    m_browser->model()->setStager(
        [this, pathsOf](const QList<const fs::FileNode *> &nodes) {
            return m_extract->stage(pathsOf(nodes), m_browser->currentLayer());
        },
        [this, pathsOf](const QList<const fs::FileNode *> &nodes) {
            return m_extract->prestage(pathsOf(nodes), m_browser->currentLayer());
        });

    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                          : QRect(0, 0, 1280, 800);
    resize(qMin(1440, screen.width()), qMin(900, screen.height()));
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    m_image->close();
}

void MainWindow::buildActions()
{
    m_saveAction = new QAction(QIcon(QStringLiteral(":/icons/save.svg")), tr("&Save Selected…"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setToolTip(tr("Carve the selected files out of the image into a folder (Ctrl+S)"));
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveSelection);

    m_previewAction = new QAction(QIcon(QStringLiteral(":/icons/preview.svg")), tr("&Preview"), this);
    m_previewAction->setToolTip(tr("Show the file's content (Enter)"));
    connect(m_previewAction, &QAction::triggered, this, &MainWindow::previewCurrent);

    m_exportAction = new QAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export…"), this);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAction->setToolTip(tr("Export many files and folders at once"));
    connect(m_exportAction, &QAction::triggered, this, [this] { openBatchExport(); });

    m_saveLayerAction = new QAction(QIcon(QStringLiteral(":/icons/layer-save.svg")), tr("Save &Layer Blob…"), this);
    m_saveLayerAction->setToolTip(tr("Download the selected layers' blobs, digest-checked"));
    connect(m_saveLayerAction, &QAction::triggered, this, &MainWindow::saveSelectedLayers);

    m_copyPathAction = new QAction(tr("&Copy Path"), this);
    m_copyPathAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyPathAction, &QAction::triggered, this, &MainWindow::copyPath);

    m_openFolderAction = new QAction(tr("Open Saved &Folder"), this);
    connect(m_openFolderAction, &QAction::triggered, this, &MainWindow::openSavedFolder);

    m_focusReferenceAction = new QAction(tr("Go to &Reference"), this);
    m_focusReferenceAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_focusReferenceAction, &QAction::triggered, this, [this] {
        m_reference->setFocus(Qt::ShortcutFocusReason);
        m_reference->lineEdit()->selectAll();
    });
    m_focusFilterAction = new QAction(tr("&Filter Files"), this);
    m_focusFilterAction->setShortcut(QKeySequence::Find);
    connect(m_focusFilterAction, &QAction::triggered, m_browser, &FileBrowser::focusFilter);
    m_showMergedAction = new QAction(tr("&Merged View"), this);
    m_showMergedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    connect(m_showMergedAction, &QAction::triggered, m_browser, &FileBrowser::showMerged);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_focusReferenceAction);
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addAction(m_exportAction);
    file->addAction(m_saveLayerAction);
    file->addAction(m_openFolderAction);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_copyPathAction);
    edit->addAction(m_focusFilterAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_previewAction);
    view->addAction(m_showMergedAction);
    view->setObjectName(QStringLiteral("viewMenu"));

    // The file tree's context menu.
    QTreeView *tree = m_browser->view();
    tree->addAction(m_previewAction);
    tree->addAction(m_saveAction);
    tree->addAction(m_exportAction);
    auto *sep = new QAction(tree);
    sep->setSeparator(true);
    tree->addAction(sep);
    tree->addAction(m_copyPathAction);
    tree->addAction(m_openFolderAction);
    connect(m_browser, &FileBrowser::fileActivated, this, [this] { previewCurrent(); });
    connect(m_browser, &FileBrowser::selectionChanged, this, &MainWindow::updateActions);
    connect(m_browser, &FileBrowser::currentLayerChanged, this, [this](int layer) {
        if (m_syncing)
            return;
        m_syncing = true;
        if (layer >= 0)
            m_layersView->setCurrentIndex(m_layerModel->index(layer, 0));
        else
            m_layersView->clearSelection();
        m_syncing = false;
        updateActions();
    });
}

void MainWindow::buildReferenceBar()
{
    QToolBar *bar = addToolBar(tr("Image"));
    bar->setObjectName(QStringLiteral("imageToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addWidget(new QLabel(tr(" Image: "), bar));
    m_reference = new QComboBox(bar);
    m_reference->setObjectName(QStringLiteral("reference"));
    m_reference->setEditable(true);
    m_reference->setInsertPolicy(QComboBox::NoInsert);
    m_reference->setMinimumWidth(300);
    m_reference->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_reference->lineEdit()->setPlaceholderText(tr("registry/repository:tag, e.g. 127.0.0.1:5000/lab/app:1.0"));
    m_reference->lineEdit()->setClearButtonEnabled(true);
    m_reference->addItems(history());
    m_reference->setCurrentIndex(-1);
    m_reference->setEditText(QString());
    auto *completer = new QCompleter(m_reference->model(), m_reference);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    m_reference->setCompleter(completer);
    bar->addWidget(m_reference);
    connect(m_reference->lineEdit(), &QLineEdit::returnPressed, this, &MainWindow::onOpenClicked);

    m_open = new QPushButton(tr("&Open"), bar);
    m_open->setObjectName(QStringLiteral("open"));
    m_open->setDefault(true);
    connect(m_open, &QPushButton::clicked, this, &MainWindow::onOpenClicked);
    bar->addWidget(m_open);

    m_platformLabel = new QLabel(tr("  Platform: "), bar);
    m_platformLabelAction = bar->addWidget(m_platformLabel);
    m_platform = new QComboBox(bar);
    m_platform->setObjectName(QStringLiteral("platform"));
    m_platform->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_platform->setModel(new QStandardItemModel(m_platform));
    m_platformAction = bar->addWidget(m_platform);
    m_platformLabelAction->setVisible(false);
    m_platformAction->setVisible(false);
    connect(m_platform, &QComboBox::activated, this, &MainWindow::onPlatformActivated);

    QToolBar *actions = addToolBar(tr("Actions"));
    actions->setObjectName(QStringLiteral("actionsToolBar"));
    actions->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    actions->addAction(m_previewAction);
    actions->addAction(m_saveAction);
    actions->addAction(m_exportAction);
    actions->addAction(m_saveLayerAction);
}

void MainWindow::buildDocks()
{
    auto makeDock = [this](const QString &title, const QString &name, QWidget *content, Qt::DockWidgetArea area) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(content);
        dock->setFeatures(
            QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
        addDockWidget(area, dock);
        if (QMenu *view = menuBar()->findChild<QMenu *>(QStringLiteral("viewMenu")))
            view->addAction(dock->toggleViewAction());
        return dock;
    };

    m_layersView = new QTreeView(this);
    m_layersView->setObjectName(QStringLiteral("layersView"));
    m_layersView->setModel(m_layerModel);
    m_layersView->setRootIsDecorated(false);
    m_layersView->setUniformRowHeights(true);
    m_layersView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_layersView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layersView->setItemDelegate(new LayerItemDelegate(m_layersView));
    m_layersView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_layersView->addAction(m_saveLayerAction);
    m_layersView->addAction(m_showMergedAction);
    QHeaderView *layerHeader = m_layersView->header();
    layerHeader->resizeSection(LayerListModel::IndexColumn, 30);
    layerHeader->resizeSection(LayerListModel::DigestColumn, 100);
    layerHeader->resizeSection(LayerListModel::SizeColumn, 90);
    layerHeader->resizeSection(LayerListModel::StateColumn, 130);
    layerHeader->resizeSection(LayerListModel::MediaTypeColumn, 100);
    layerHeader->resizeSection(LayerListModel::StepColumn, 260);
    // What matters first: size, listing state, then the step and the media type.
    layerHeader->moveSection(layerHeader->visualIndex(LayerListModel::StateColumn), LayerListModel::SizeColumn + 1);
    connect(m_layersView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MainWindow::syncFromLayerSelection);
    connect(m_layersView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    QDockWidget *layers = makeDock(tr("Layers"), QStringLiteral("layersDock"), m_layersView, Qt::LeftDockWidgetArea);

    m_stepsView = new QTreeView(this);
    m_stepsView->setObjectName(QStringLiteral("stepsView"));
    m_stepsView->setModel(m_stepModel);
    m_stepsView->setRootIsDecorated(false);
    m_stepsView->setUniformRowHeights(true);
    m_stepsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stepsView->header()->resizeSection(BuildStepModel::IndexColumn, 36);
    m_stepsView->header()->resizeSection(BuildStepModel::InstructionColumn, 320);
    connect(m_stepsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MainWindow::syncFromStepSelection);
    QDockWidget *steps = makeDock(tr("Build Steps"), QStringLiteral("stepsDock"), m_stepsView, Qt::LeftDockWidgetArea);
    splitDockWidget(layers, steps, Qt::Vertical);

    m_config = new ImageConfigView(this);
    m_config->setObjectName(QStringLiteral("configView"));
    QDockWidget *config = makeDock(tr("Image Config"), QStringLiteral("configDock"), m_config, Qt::RightDockWidgetArea);
    QDockWidget *jobs = makeDock(tr("Jobs"), QStringLiteral("jobsDock"), m_jobs, Qt::BottomDockWidgetArea);
    resizeDocks({ layers, config }, { 430, 290 }, Qt::Horizontal);
    resizeDocks({ jobs }, { 150 }, Qt::Vertical);
}

void MainWindow::wireController()
{
    connect(m_image, &ImageController::resolving, this, &MainWindow::onResolving);
    connect(m_image, &ImageController::imageResolved, this, &MainWindow::onResolved);
    connect(m_image, &ImageController::resolveFailed, this, &MainWindow::onResolveFailed);
    connect(m_image, &ImageController::aboutToClose, this, [this] {
        if (m_batch)
            m_batch->reject();
        m_layerModel->clear();
        m_stepModel->clear();
        m_config->clearImage();
    });
    connect(m_image, &ImageController::layerStateChanged, this, &MainWindow::onLayerState);
    connect(m_image, &ImageController::layerProgress, this, [this](int layer, qint64 done, qint64 total, int entries) {
        if (m_image->layerState(layer) == ImageController::LayerState::Listing)
            m_layerModel->setLoading(layer, done, total, entries);
    });
    connect(m_image, &ImageController::allLayersListed, this, [this] {
        showMessage(tr("%1: %2 layers listed, %3 entries in the merged view")
                        .arg(m_image->reference().displayName())
                        .arg(m_image->layerCount())
                        .arg(groupedNumber(m_image->mergedTree() ? m_image->mergedTree()->entryCount() : 0)));
        updateActions();
    });
    connect(m_extract, &ExtractController::saved, this, [this](const QString &, const QString &message) {
        showMessage(message);
        updateActions();
    });
    connect(m_extract, &ExtractController::failed, this, &MainWindow::showError);
    connect(m_auth, &AuthController::declined, this, [this](const QString &registry, const Error &error) {
        showError(tr("%1 refused access: %2").arg(registry, error.message));
    });
    connect(m_auth, &AuthController::rememberFailed, this, &MainWindow::showError);
}

bool MainWindow::openReference(const QString &text, const std::optional<oci::Platform> &platform)
{
    const auto ref = registry::ImageReference::parse(text.trimmed());
    if (!ref) {
        showError(tr("Not an image reference: %1").arg(ref.error().message));
        return false;
    }
    if (m_reference->currentText() != text)
        m_reference->setEditText(text);
    m_image->open(*ref, platform);
    return true;
}

void MainWindow::setDirectoryAsker(std::function<QString(const QString &)> asker)
{
    m_extract->setDirectoryAsker(std::move(asker));
}

void MainWindow::onOpenClicked()
{
    const QString text = m_reference->currentText().trimmed();
    if (!text.isEmpty())
        openReference(text);
}

void MainWindow::onResolving()
{
    m_banner->hide();
    const QString name = m_image->reference().displayName();
    setWindowTitle(tr("%1 — Layerslayer").arg(name));
    showMessage(tr("Resolving %1…").arg(name));
}

void MainWindow::onResolved()
{
    const oci::Image &image = m_image->image();
    m_auth->succeeded();
    m_banner->hide();
    setWindowTitle(tr("%1 — Layerslayer").arg(m_image->reference().displayName()));
    addToHistory(m_image->reference().displayName());
    m_layerModel->setImage(image);
    m_stepModel->setImage(image);
    m_config->setImage(image);
    fillPlatforms();
    showMessage(tr("%1 (%2): %3 layers, %4 — listing…")
                    .arg(m_image->reference().displayName(), image.platform.toString())
                    .arg(image.manifest.layers.size())
                    .arg(humanSize(image.totalLayerSize())));
    updateActions();
}

void MainWindow::onResolveFailed(const Error &error, bool needsCredentials)
{
    const QString registry = m_image->reference().registry();
    if (needsCredentials) {
        showMessage(tr("%1 asks for credentials").arg(registry));
        m_auth->ask(registry, error, [this] { m_image->reload(); });
        return;
    }
    showError(tr("Cannot open %1: %2").arg(m_image->reference().displayName(), error.message));
}

void MainWindow::onLayerState(int layer)
{
    switch (m_image->layerState(layer)) {
    case ImageController::LayerState::Listed: {
        const auto *tree = m_image->layerTree(layer);
        m_layerModel->setListed(layer, tree ? tree->entryCount() : 0);
        break;
    }
    case ImageController::LayerState::Failed:
        m_layerModel->setFailed(layer, tr("listing failed (see Jobs)"));
        break;
    case ImageController::LayerState::Cancelled:
        m_layerModel->setFailed(layer, tr("cancelled"));
        break;
    case ImageController::LayerState::Listing:
        m_layerModel->setLoading(layer, 0, m_image->image().manifest.layers.value(layer).size, 0);
        break;
    case ImageController::LayerState::Pending:
        m_layerModel->setNotLoaded(layer);
        break;
    }
}

void MainWindow::fillPlatforms()
{
    const oci::Image &image = m_image->image();
    auto *model = static_cast<QStandardItemModel *>(m_platform->model());
    model->clear();
    const bool multi = image.index.has_value() && image.index->manifests.size() > 1;
    m_platformLabelAction->setVisible(multi);
    m_platformAction->setVisible(multi);
    if (!multi)
        return;
    int current = -1;
    for (const oci::Descriptor &d : image.index->manifests) {
        const oci::Platform p = d.platform.value_or(oci::Platform());
        auto *item = new QStandardItem;
        if (d.isAttestation()) {
            const QString ref = d.annotations.value(QStringLiteral("vnd.docker.reference.digest"));
            item->setText(tr("attestation%1").arg(ref.isEmpty() ? QString() : tr(" for %1").arg(ref.mid(7, 12))));
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            item->setToolTip(tr("Build attestation (SBOM/provenance): not an image to browse"));
        } else {
            item->setText(p.toString());
            item->setData(p.toString(), Qt::UserRole);
            if (d.digest == image.manifestDigest)
                current = model->rowCount();
        }
        item->setData(d.digest, Qt::UserRole + 1);
        model->appendRow(item);
    }
    m_platform->setCurrentIndex(current);
}

void MainWindow::onPlatformActivated(int index)
{
    const QString text = m_platform->itemData(index, Qt::UserRole).toString();
    const auto platform = oci::Platform::parse(text);
    if (text.isEmpty() || !platform || *platform == m_image->image().platform)
        return;
    m_image->open(m_image->reference(), *platform);
}

bool MainWindow::isPlatformPickerShown() const
{
    return m_platformAction->isVisible();
}

QStringList MainWindow::history() const
{
    return QSettings().value(HistoryKey).toStringList();
}

void MainWindow::addToHistory(const QString &reference)
{
    QStringList list = history();
    list.removeAll(reference);
    list.prepend(reference);
    while (list.size() > MaxHistory)
        list.removeLast();
    QSettings().setValue(HistoryKey, list);
    const QString text = m_reference->currentText();
    m_reference->blockSignals(true);
    m_reference->clear();
    m_reference->addItems(list);
    m_reference->setCurrentIndex(0);
    m_reference->blockSignals(false);
    Q_UNUSED(text);
}

void MainWindow::syncFromLayerSelection()
{
    if (m_syncing)
        return;
    const int layer = m_layersView->currentIndex().isValid() ? m_layersView->currentIndex().row() : -1;
    if (layer < 0)
        return;
    m_syncing = true;
    m_browser->showLayer(layer);
    const int step = m_stepModel->stepForLayer(layer);
    if (step >= 0)
        m_stepsView->setCurrentIndex(m_stepModel->index(step, 0));
    m_syncing = false;
    updateActions();
}

void MainWindow::syncFromStepSelection()
{
    if (m_syncing)
        return;
    const QModelIndex current = m_stepsView->currentIndex();
    if (!current.isValid())
        return;
    const int layer = m_stepModel->layerForStep(current.row());
    if (layer < 0) {
        showMessage(tr("Step %1 only changed metadata; it made no layer").arg(current.row()));
        return;
    }
    m_layersView->setCurrentIndex(m_layerModel->index(layer, 0)); // syncs the tree
}

void MainWindow::updateActions()
{
    const bool image = m_image->hasImage();
    const auto nodes = image ? m_browser->selectedNodes() : QList<const fs::FileNode *>();
    const fs::FileNode *current = image ? m_browser->currentNode() : nullptr;
    m_saveAction->setEnabled(!nodes.isEmpty());
    m_previewAction->setEnabled(current && !current->isDir());
    m_copyPathAction->setEnabled(!nodes.isEmpty());
    m_exportAction->setEnabled(image);
    m_saveLayerAction->setEnabled(image && m_layersView->selectionModel()->hasSelection());
    m_openFolderAction->setEnabled(!m_extract->lastSavedFolder().isEmpty());
}

void MainWindow::saveSelection()
{
    const QStringList paths = m_browser->selectedPaths();
    if (paths.isEmpty())
        return;
    m_extract->save(paths, m_browser->currentLayer());
}

void MainWindow::previewCurrent()
{
    const fs::FileNode *node = m_browser->currentNode();
    if (!node || node->isDir())
        return;
    m_extract->preview(node->path(), m_browser->currentLayer());
}

BatchExportDialog *MainWindow::openBatchExport()
{
    if (!m_image->hasImage())
        return nullptr;
    if (m_batch) {
        m_batch->raise();
        m_batch->activateWindow();
        return m_batch;
    }
    m_batch = new BatchExportDialog(m_image, m_extract, m_browser->selectedPaths(), m_browser->currentLayer(), this);
    m_batch->setAttribute(Qt::WA_DeleteOnClose);
    m_batch->show();
    return m_batch;
}

void MainWindow::saveSelectedLayers()
{
    QList<int> layers;
    const auto rows = m_layersView->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        layers << index.row();
    std::sort(layers.begin(), layers.end());
    if (!layers.isEmpty())
        m_extract->saveLayers(layers);
}

void MainWindow::copyPath()
{
    QStringList paths;
    for (const QString &p : m_browser->selectedPaths())
        paths << QLatin1Char('/') + p;
    if (paths.isEmpty())
        return;
    QApplication::clipboard()->setText(paths.join(QLatin1Char('\n')));
    showMessage(tr("Copied %1").arg(paths.size() == 1 ? paths.first() : tr("%1 paths").arg(paths.size())));
}

void MainWindow::openSavedFolder()
{
    m_extract->openLastSavedFolder();
}

QString MainWindow::errorText() const
{
    return m_banner->isVisible() ? m_banner->text() : QString();
}

void MainWindow::showError(const QString &text)
{
    m_banner->setText(text);
    m_banner->show();
    m_statusLabel->setText(text);
}

void MainWindow::showMessage(const QString &text)
{
    m_statusLabel->setText(text);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    const QByteArray geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = s.value(QStringLiteral("window/state")).toByteArray();
    if (!state.isEmpty())
        restoreState(state);
    m_browser->restoreHeaderState(s.value(QStringLiteral("files/header")).toByteArray());
    const QByteArray layers = s.value(QStringLiteral("layers/header")).toByteArray();
    if (!layers.isEmpty())
        m_layersView->header()->restoreState(layers);
    const QByteArray steps = s.value(QStringLiteral("steps/header")).toByteArray();
    if (!steps.isEmpty())
        m_stepsView->header()->restoreState(steps);
}

void MainWindow::saveSettings()
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("files/header"), m_browser->saveHeaderState());
    s.setValue(QStringLiteral("layers/header"), m_layersView->header()->saveState());
    s.setValue(QStringLiteral("steps/header"), m_stepsView->header()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_image->close();
    QMainWindow::closeEvent(event);
}

} // namespace ll::ui
