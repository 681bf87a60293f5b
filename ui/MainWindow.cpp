#include "MainWindow.h"

#include "analysis/AnalysisController.h"
#include "analysis/EfficiencyPanel.h"
#include "analysis/LayerChangesView.h"
#include "common/HumanSize.h"
#include "compare/CompareWindow.h"
#include "controllers/AuthController.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "controllers/ImagePanelsController.h"
#include "controllers/LayerSelectionSync.h"
#include "dialogs/ShortcutsDialog.h"
#include "documents/RawDocumentWindow.h"
#include "fs/FileNode.h"
#include "fs/MergedTree.h"
#include "hunt/HuntWindow.h"
#include "models/BuildStepModel.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"
#include "models/ReferenceHistory.h"
#include "navigator/NavigatorController.h"
#include "navigator/NavigatorPanel.h"
#include "oci/Image.h"
#include "registry/ImageReference.h"
#include "widgets/BuildStepsView.h"
#include "widgets/FileBrowser.h"
#include "widgets/ImageConfigView.h"
#include "widgets/JobsIndicator.h"
#include "widgets/JobsPanel.h"
#include "widgets/LayersView.h"
#include "widgets/ReferenceBar.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

// The icons live in the static ui library: their registration must be referenced to be linked in.
static void initUiResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace ll::ui {

namespace {
// Version 1: the Jobs dock starts hidden behind the status bar's indicator (older states had it open).
constexpr int WindowStateVersion = 1;
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

    m_jobs = new JobsPanel(this);
    m_jobs->setObjectName(QStringLiteral("jobsPanel"));
    const auto tracker = [this](Job *job, JobsPanel::Factory retry) { m_jobs->addJob(job, std::move(retry)); };
    m_image->setTracker(tracker);
    m_extract->setTracker(tracker);

    buildCentral();
    m_layersView = new LayersView(m_layerModel, this);
    m_stepsView = new BuildStepsView(m_stepModel, this);
    m_config = new ImageConfigView(this);
    m_config->setObjectName(QStringLiteral("configView"));
    m_actions = new ActionsController(m_image, m_extract, m_browser, m_layersView, this, this);
    connect(m_actions, &ActionsController::message, this, &MainWindow::showMessage);
    new ImagePanelsController(m_image, m_layerModel, m_stepModel, m_config, this);
    auto *sync = new LayerSelectionSync(m_browser, m_layersView, m_stepsView, this);
    connect(sync, &LayerSelectionSync::changed, this, &MainWindow::updateActions);
    connect(sync, &LayerSelectionSync::message, this, &MainWindow::showMessage);

    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                          : QRect(0, 0, 1280, 800);
    resize(qMin(1440, screen.width()), qMin(900, screen.height()));
    m_statusLabel = new QLabel(this);
    statusBar()->addWidget(m_statusLabel, 1);
    showMessage(tr("Type an image reference (e.g. debian:12 or 127.0.0.1:5000/lab/app:1.0) and press Enter."));

    buildMenus();
    buildToolBars();
    buildDocks();
    wireImage();

    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    m_image->close();
}

void MainWindow::buildCentral()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new QLabel(central);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8a1c1c; padding: 6px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);
    m_browser = new FileBrowser(m_image, central);
    layout->addWidget(m_browser, 1);
    setCentralWidget(central);

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
}

void MainWindow::buildMenus()
{
    m_focusReferenceAction = new QAction(tr("Go to &Reference"), this);
    m_focusReferenceAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_focusReferenceAction, &QAction::triggered, this, [this] { m_referenceBar->focusReference(); });
    m_focusFilterAction = new QAction(tr("&Filter Files"), this);
    m_focusFilterAction->setShortcut(QKeySequence::Find);
    connect(m_focusFilterAction, &QAction::triggered, m_browser, &FileBrowser::focusFilter);
    m_showMergedAction = new QAction(tr("&Merged View"), this);
    m_showMergedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    connect(m_showMergedAction, &QAction::triggered, m_browser, &FileBrowser::showMerged);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_focusReferenceAction);
    QAction *hunt = file->addAction(tr("&Hunt Across Images…"), this, [this] { openHunt(); });
    hunt->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    QAction *compare = file->addAction(tr("&Compare Images…"), this, [this] {
        const bool open = m_image->hasImage();
        openCompare(open ? m_image->reference().toString() : QString());
    });
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    file->addSeparator();
    file->addAction(m_actions->saveAction());
    file->addAction(m_actions->exportAction());
    file->addAction(m_actions->saveLayerAction());
    file->addAction(m_actions->openFolderAction());
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_actions->copyPathAction());
    edit->addAction(m_focusFilterAction);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    m_viewMenu->addAction(m_actions->previewAction());
    m_viewMenu->addAction(m_showMergedAction);
    m_rawAction = m_viewMenu->addAction(tr("Raw &Documents"), this, [this] {
        const oci::Image &image = m_image->image();
        if (image.manifestDigest.isEmpty()) {
            showMessage(tr("Open an image first: its index, manifest and config are shown as served."));
            return;
        }
        openRawDocuments()->openManifest(
            image.registry, image.repository, image.indexDigest.isEmpty() ? image.manifestDigest : image.indexDigest);
    });
    m_rawAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_viewMenu->addSeparator();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    m_shortcutsAction = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    m_shortcutsAction->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Layerslayer"), this, [this] {
        QMessageBox::about(this, tr("About Layerslayer"),
            tr("<b>Layerslayer</b> %1<br>Looks inside container images straight from the registry: lists "
               "layers, shows the merged filesystem, saves single files with range requests. Nothing is "
               "pulled.")
                .arg(QCoreApplication::applicationVersion().toHtmlEscaped()));
    });

    // The file tree's context menu.
    QTreeView *tree = m_browser->view();
    tree->addAction(m_actions->previewAction());
    tree->addAction(m_actions->saveAction());
    tree->addAction(m_actions->exportAction());
    auto *sep = new QAction(tree);
    sep->setSeparator(true);
    tree->addAction(sep);
    tree->addAction(m_actions->copyPathAction());
    tree->addAction(m_actions->openFolderAction());
    // The layer list's.
    m_layersView->addAction(m_actions->saveLayerAction());
    m_layersView->addAction(m_showMergedAction);
}

void MainWindow::buildToolBars()
{
    m_referenceBar = new ReferenceBar(this);
    m_referenceBar->setHistory(ReferenceHistory::entries(), false);
    addToolBar(m_referenceBar);
    connect(m_referenceBar, &ReferenceBar::openRequested, this, [this](const QString &text) {
        // A registry, or a repository without a tag, is browsed in the navigator; an image opens.
        if (!m_navigator || !m_navigator->showTyped(text))
            openReference(text);
    });
    connect(m_referenceBar, &ReferenceBar::platformRequested, this,
        [this](const oci::Platform &platform) { m_image->open(m_image->reference(), platform); });

    QToolBar *actions = addToolBar(tr("Actions"));
    actions->setObjectName(QStringLiteral("actionsToolBar"));
    actions->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    actions->addAction(m_actions->previewAction());
    actions->addAction(m_actions->saveAction());
    actions->addAction(m_actions->exportAction());
    actions->addAction(m_actions->saveLayerAction());
}

QDockWidget *MainWindow::addDock(
    const QString &title, const QString &objectName, QWidget *content, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    dock->setFeatures(
        QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::buildDocks()
{
    QDockWidget *layers = addDock(tr("Layers"), QStringLiteral("layersDock"), m_layersView, Qt::LeftDockWidgetArea);
    QDockWidget *steps = addDock(tr("Build Steps"), QStringLiteral("stepsDock"), m_stepsView, Qt::LeftDockWidgetArea);
    splitDockWidget(layers, steps, Qt::Vertical);
    QDockWidget *config = addDock(tr("Image Config"), QStringLiteral("configDock"), m_config, Qt::RightDockWidgetArea);
    QDockWidget *jobs = addDock(tr("Jobs"), QStringLiteral("jobsDock"), m_jobs, Qt::BottomDockWidgetArea);
    // The jobs show compactly in the status bar; the dock opens from there (or the View menu).
    m_jobsIndicator = new JobsIndicator(m_jobs, this);
    statusBar()->addPermanentWidget(m_jobsIndicator->progressBar());
    statusBar()->addPermanentWidget(m_jobsIndicator);
    connect(m_jobsIndicator, &QToolButton::clicked, jobs, [jobs](bool show) {
        jobs->setVisible(show);
        if (show)
            jobs->raise();
    });
    connect(jobs, &QDockWidget::visibilityChanged, m_jobsIndicator,
        [this, jobs] { m_jobsIndicator->setChecked(jobs->isVisible()); });
    jobs->hide();
    resizeDocks({ jobs }, { 150 }, Qt::Vertical);
    auto *analysis = new AnalysisController(m_image, this);
    analysis->setTracker([this](Job *job) { m_jobs->addJob(job); });
    connect(analysis, &AnalysisController::changed, m_layerModel, [this, analysis] {
        m_layerModel->setChanges(analysis->isAvailable() ? &analysis->analysis().layers() : nullptr);
    });
    // The file view's "changes of this layer only" mode; the tree's context menu there too.
    m_browser->setChangesView(new LayerChangesView(analysis, m_browser));
    m_browser->changesView()->view()->addActions(m_browser->view()->actions());
    auto *efficiency = new EfficiencyPanel(analysis, this);
    connect(efficiency, &EfficiencyPanel::openPath, this, [this](const QString &path) {
        m_browser->showMerged();
        if (!m_browser->selectPath(path))
            showMessage(tr("%1 is not in the merged view (a later layer deleted it).").arg(path));
    });
    QDockWidget *changes
        = addDock(tr("Changes and Efficiency"), QStringLiteral("efficiencyDock"), efficiency, Qt::RightDockWidgetArea);
    // A small screen: the config shares the left column with the build steps, so the file tree keeps room.
    const bool narrow = width() < 1200;
    if (narrow)
        tabifyDockWidget(steps, config);
    tabifyDockWidget(config, changes); // wherever the config is, as its neighbour tab
    resizeDocks({ layers }, { narrow ? width() * 3 / 10 : 430 }, Qt::Horizontal);
    if (!narrow)
        resizeDocks({ config }, { 290 }, Qt::Horizontal);
    m_navigator = new NavigatorController(m_client, this);
    m_navigatorDock
        = addDock(tr("Navigator"), QStringLiteral("navigatorDock"), m_navigator->panel(), Qt::LeftDockWidgetArea);
    tabifyDockWidget(layers, m_navigatorDock);
    connect(m_navigator, &NavigatorController::showRequested, m_navigatorDock, [this] {
        m_navigatorDock->show();
        m_navigatorDock->raise();
    });
    // Opening an image (from the tree, the reference field or the command line) shows its layers: the navigator,
    // on top while nothing is open, keeps its place one tab away.
    connect(m_image, &ImageController::resolving, layers, [layers] { layers->raise(); });
    // The tree wants height: the layers/navigator tabs take most of the left column.
    resizeDocks({ layers, steps }, { height() * 6 / 10, height() * 3 / 10 }, Qt::Vertical);
    m_navigatorDock->raise();
    config->raise();
    steps->raise();
    // More views: build the widget (and its controller) here and addDock() it.
}

void MainWindow::wireImage()
{
    connect(m_image, &ImageController::resolving, this, &MainWindow::onResolving);
    connect(m_image, &ImageController::imageResolved, this, &MainWindow::onResolved);
    connect(m_image, &ImageController::resolveFailed, this, &MainWindow::onResolveFailed);
    connect(m_image, &ImageController::allLayersListed, this, &MainWindow::onAllListed);
    connect(m_image, &ImageController::layerStateChanged, this, &MainWindow::onLayerState);
    connect(m_image, &ImageController::aboutToClose, this, [this] {
        // Nothing of the closed image may stay on show: actions, platforms (the next open may fail).
        m_referenceBar->setPlatforms(oci::Image());
        QMetaObject::invokeMethod(this, &MainWindow::updateActions, Qt::QueuedConnection);
    });
    connect(m_extract, &ExtractController::saved, this,
        [this](const QString &, const QString &message) { showMessage(message); });
    connect(m_extract, &ExtractController::failed, this, &MainWindow::showError);
    connect(m_auth, &AuthController::declined, this, [this](const QString &registry, const Error &) {
        setWindowTitle(tr("Layerslayer"));
        showError(tr("Sign-in to %1 cancelled: %2 was not opened.").arg(registry, m_image->reference().displayName()));
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
    m_referenceBar->setText(text);
    m_image->open(*ref, platform);
    return true;
}

void MainWindow::setDirectoryAsker(std::function<QString(const QString &)> asker)
{
    m_extract->setDirectoryAsker(std::move(asker));
}

void MainWindow::onResolving()
{
    m_banner->hide();
    updateActions();
    const QString name = m_image->reference().displayName();
    setWindowTitle(tr("%1 — Layerslayer").arg(name));
    showMessage(tr("Resolving %1…").arg(name));
}

void MainWindow::onResolved()
{
    const oci::Image &image = m_image->image();
    const QString name = m_image->reference().displayName();
    m_auth->succeeded();
    m_banner->hide();
    setWindowTitle(tr("%1 — Layerslayer").arg(name));
    m_referenceBar->setHistory(ReferenceHistory::add(name));
    m_referenceBar->setPlatforms(image);
    showMessage(tr("%1 (%2): %3 layers, %4 — listing…")
                    .arg(name, image.platform.toString())
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
    setWindowTitle(tr("Layerslayer"));
    showError(tr("Cannot open %1: %2").arg(m_image->reference().displayName(), error.message));
    updateActions();
}

void MainWindow::onLayerState(int layer)
{
    const ImageController::LayerState state = m_image->layerState(layer);
    if (state != ImageController::LayerState::Cancelled && state != ImageController::LayerState::Failed)
        return;
    showMessage(tr("%1: listing layer %2 %3; the file views are incomplete (Retry in Jobs)")
                    .arg(m_image->reference().displayName())
                    .arg(layer)
                    .arg(state == ImageController::LayerState::Cancelled ? tr("was cancelled") : tr("failed")));
}

HuntWindow *MainWindow::openHunt()
{
    if (!m_hunt) {
        m_hunt = new HuntWindow(m_client, this);
        connect(m_hunt, &HuntWindow::openRequested, this,
            [this](const QString &reference, const QString &path, const QString &platform) {
                m_selectWhenListed = path;
                std::optional<oci::Platform> p;
                if (Result<oci::Platform> parsed = oci::Platform::parse(platform); !platform.isEmpty() && parsed)
                    p = *parsed;
                if (openReference(reference, p))
                    raise();
            });
    }
    m_hunt->show();
    m_hunt->raise();
    m_hunt->activateWindow();
    return m_hunt;
}

CompareWindow *MainWindow::openCompare(const QString &oldReference, const QString &newReference)
{
    if (!m_compare) {
        m_compare = new CompareWindow(m_client, this);
        m_compare->setTracker([this](Job *job) { m_jobs->addJob(job); });
    }
    if (!oldReference.isEmpty() || !newReference.isEmpty()) {
        m_compare->setReferences(oldReference.isEmpty() ? m_compare->oldEdit()->text() : oldReference,
            newReference.isEmpty() ? QString() : newReference, !newReference.isEmpty());
    }
    m_compare->show();
    m_compare->raise();
    m_compare->activateWindow();
    return m_compare;
}

RawDocumentWindow *MainWindow::openRawDocuments()
{
    if (!m_raw) {
        m_raw = new RawDocumentWindow(m_client, this);
        m_raw->setTracker([this](Job *job) { m_jobs->addJob(job); });
    }
    m_raw->show();
    m_raw->raise();
    m_raw->activateWindow();
    return m_raw;
}

void MainWindow::onAllListed()
{
    if (!m_selectWhenListed.isEmpty()) {
        // After the panels took the last layer in (queued): the merged view shows every path by then.
        QTimer::singleShot(0, this, [this, path = m_selectWhenListed] {
            m_browser->showMerged();
            m_browser->selectPath(path);
        });
        m_selectWhenListed.clear();
    }
    showMessage(tr("%1: %2 layers listed, %3 entries in the merged view")
                    .arg(m_image->reference().displayName())
                    .arg(m_image->layerCount())
                    .arg(groupedNumber(m_image->mergedTree() ? m_image->mergedTree()->entryCount() : 0)));
    updateActions();
}

ShortcutsDialog *MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(menuBar(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void MainWindow::updateActions()
{
    m_actions->update();
}

QTreeView *MainWindow::layersView() const
{
    return m_layersView;
}

QTreeView *MainWindow::stepsView() const
{
    return m_stepsView;
}

QComboBox *MainWindow::referenceCombo() const
{
    return m_referenceBar->referenceCombo();
}

QComboBox *MainWindow::platformCombo() const
{
    return m_referenceBar->platformCombo();
}

bool MainWindow::isPlatformPickerShown() const
{
    return m_referenceBar->isPlatformPickerShown();
}

QStringList MainWindow::history() const
{
    return ReferenceHistory::entries();
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
        restoreState(state, WindowStateVersion);
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
    s.setValue(QStringLiteral("window/state"), saveState(WindowStateVersion));
    s.setValue(QStringLiteral("files/header"), m_browser->saveHeaderState());
    s.setValue(QStringLiteral("layers/header"), m_layersView->header()->saveState());
    s.setValue(QStringLiteral("steps/header"), m_stepsView->header()->saveState());
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shown) {
        // Typing an image is the first thing to do (focus set before the first show landed in the filter).
        m_shown = true;
        m_referenceBar->focusReference(Qt::OtherFocusReason);
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_image->close();
    QMainWindow::closeEvent(event);
}

} // namespace ll::ui
