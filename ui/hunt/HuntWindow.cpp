#include "hunt/HuntWindow.h"

#include "widgets/RowTable.h"

#include "controllers/AuthController.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "index/IndexStore.h"

#include "common/HumanSize.h"
#include "hunt/HuntController.h"
#include "hunt/HuntHistoryPanel.h"
#include "hunt/HuntImagesModel.h"
#include "hunt/HuntResultsModel.h"
#include "hunt/SeenImagesModel.h"

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace ll::ui {

HuntWindow::HuntWindow(registry::RegistryClient *client, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_controller(new HuntController(client, this))
    , m_images(new HuntImagesModel(m_controller, this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setWindowTitle(tr("Hunt — Layerslayer"));
    m_proxy->setSourceModel(m_controller->results());
    m_proxy->setSortRole(HuntResultsModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_targets = new QPlainTextEdit(this);
    m_targets->setPlaceholderText(tr("One image a line: registry.lan:5000/team/app:1.0, ghcr.io/o/r@sha256:…\n"
                                     "or a repository (with All tags), or a registry host (with Whole registry)"));
    m_targets->setMaximumHeight(m_targets->fontMetrics().height() * 5);
    m_patterns = new QLineEdit(this);
    m_patterns->setPlaceholderText(tr("etc/shadow  **/.env  **/id_rsa"));
    m_allTags = new QCheckBox(tr("All tags of a repository"), this);
    m_catalog = new QCheckBox(tr("Whole registry (catalog)"), this);
    m_allPlatforms = new QCheckBox(tr("All platforms"), this);
    m_allPlatforms->setToolTip(
        tr("Every platform of a multi-arch image (attestations never); without: this machine's"));
    m_start = new QPushButton(tr("Start"), this);
    m_start->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_status = new QLabel(tr("Give images and what to look for."), this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Images:"), m_targets);
    form->addRow(tr("&Find:"), m_patterns);
    auto *options = new QHBoxLayout;
    options->addWidget(m_allTags);
    options->addWidget(m_catalog);
    options->addWidget(m_allPlatforms);
    options->addStretch(1);
    options->addWidget(m_start);
    options->addWidget(m_cancel);
    form->addRow(QString(), options);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter results"));
    m_filter->setClearButtonEnabled(true);
    m_exportCsv = new QPushButton(tr("Export CSV…"), this);
    m_exportJson = new QPushButton(tr("Export JSON…"), this);
    m_open = new QPushButton(tr("Open in Main Window"), this);
    m_previewButton = new QPushButton(tr("Preview"), this);
    m_previewButton->setToolTip(tr("Show the file (a deleted one from the layer that still holds it)"));
    m_saveButton = new QPushButton(tr("Save…"), this);
    m_saveButton->setToolTip(tr("Save the file into a folder (a deleted one from the layer that still holds it)"));
    m_signIn = new QPushButton(tr("Sign In…"), this);
    m_signIn->setToolTip(tr("Sign in to the registry that refused this image, then search it again"));
    m_rowImage = new ImageController(client, this);
    m_rowImage->setIndexStore(index::IndexStore::fromEnvironment());
    m_extract = new ExtractController(m_rowImage, this, this);
    m_auth = new AuthController(client, this, this);
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_filter, 1);
    tools->addWidget(m_previewButton);
    tools->addWidget(m_saveButton);
    tools->addWidget(m_open);
    tools->addWidget(m_signIn);
    tools->addWidget(m_exportCsv);
    tools->addWidget(m_exportJson);

    m_resultsView = makeRowTable(m_proxy, this);
    m_resultsView->setSortingEnabled(true);
    m_resultsView->sortByColumn(-1, Qt::AscendingOrder);
    // Fits 1024 px: fixed-ish columns sized in characters, the path takes what is left.
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    QHeaderView *header = m_resultsView->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(HuntResultsModel::PathColumn, QHeaderView::Stretch);
    header->setMinimumSectionSize(3 * em);
    const auto textWidth = [this](const QString &sample) { return fontMetrics().horizontalAdvance(sample) + 16; };
    m_resultsView->setColumnWidth(HuntResultsModel::ImageColumn, 20 * em);
    m_resultsView->setColumnWidth(HuntResultsModel::StatusColumn, textWidth(tr("deleted, recoverable from layer 12")));
    m_resultsView->setColumnWidth(HuntResultsModel::LayerColumn, textWidth(tr("Layer")));
    m_resultsView->setColumnWidth(HuntResultsModel::SizeColumn, textWidth(QStringLiteral("1023.9 MiB")));
    m_resultsView->setColumnWidth(HuntResultsModel::ModifiedColumn, textWidth(QStringLiteral("2026-12-31 23:59")));
    m_resultsView->setTextElideMode(Qt::ElideMiddle);
    m_resultsView->setContextMenuPolicy(Qt::CustomContextMenu);
    // Drag a found file's row to a folder: saved there (drag-to-save, as from the main file tree).
    m_resultsView->setDragEnabled(true);
    m_resultsView->setDragDropMode(QAbstractItemView::DragOnly);
    m_imagesView = makeRowTable(m_images, this);
    m_imagesView->setColumnWidth(HuntImagesModel::ImageColumn, 34 * em);
    m_imagesView->setContextMenuPolicy(Qt::CustomContextMenu);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_resultsView);
    split->addWidget(m_imagesView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto *huntPage = new QWidget(this);
    auto *huntLayout = new QVBoxLayout(huntPage);
    huntLayout->addLayout(form);
    huntLayout->addLayout(tools);
    huntLayout->addWidget(split, 1);
    huntLayout->addWidget(m_status);

    m_historyPanel = new HuntHistoryPanel(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(huntPage, tr("&Hunt"));
    m_tabs->addTab(m_historyPanel, tr("Hi&story"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    resize(1000, 660);

    // Rows' files staged for a drop, grouped by image and layer (one download each).
    const auto groups = [](const QVector<hunt::HuntAnswer> &rows) {
        QVector<QVector<hunt::HuntAnswer>> out;
        for (const hunt::HuntAnswer &a : rows) {
            const int layer = a.status == hunt::HuntAnswer::Status::Found ? -1 : a.copies.constLast().layer;
            bool placed = false;
            for (QVector<hunt::HuntAnswer> &g : out) {
                const hunt::HuntAnswer &f = g.constFirst();
                const int fl = f.status == hunt::HuntAnswer::Status::Found ? -1 : f.copies.constLast().layer;
                if (f.imageIndex == a.imageIndex && fl == layer) {
                    g.append(a);
                    placed = true;
                    break;
                }
            }
            if (!placed)
                out.append({ a });
        }
        return out;
    };
    const auto adoptGroup = [this](const QVector<hunt::HuntAnswer> &g, QStringList *paths, int *layer) {
        const hunt::HuntImage *img = m_controller->image(g.constFirst().imageIndex);
        if (!img)
            return false;
        m_rowImage->adopt(img->image);
        for (const hunt::HuntAnswer &a : g)
            *paths << a.path;
        *layer
            = g.constFirst().status == hunt::HuntAnswer::Status::Found ? -1 : g.constFirst().copies.constLast().layer;
        return true;
    };
    m_controller->results()->setStager(
        [this, groups, adoptGroup](const QVector<hunt::HuntAnswer> &rows) {
            QList<QUrl> urls;
            for (const QVector<hunt::HuntAnswer> &g : groups(rows)) {
                QStringList paths;
                int layer = -1;
                if (adoptGroup(g, &paths, &layer))
                    urls += m_extract->stage(paths, layer);
            }
            return urls;
        },
        [this, groups, adoptGroup](const QVector<hunt::HuntAnswer> &rows) {
            QList<std::function<void()>> stops;
            for (const QVector<hunt::HuntAnswer> &g : groups(rows)) {
                QStringList paths;
                int layer = -1;
                if (adoptGroup(g, &paths, &layer))
                    stops << m_extract->prestage(paths, layer);
            }
            return std::function<void()>([stops] {
                for (const std::function<void()> &stop : stops)
                    stop();
            });
        });

    connect(m_start, &QPushButton::clicked, this, &HuntWindow::startHunt);
    connect(m_patterns, &QLineEdit::returnPressed, this, &HuntWindow::startHunt);
    connect(m_cancel, &QPushButton::clicked, m_controller, &HuntController::cancel);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_exportCsv, &QPushButton::clicked, this, [this]() { exportAs(true); });
    connect(m_exportJson, &QPushButton::clicked, this, [this]() { exportAs(false); });
    connect(m_open, &QPushButton::clicked, this, &HuntWindow::openSelected);
    connect(m_previewButton, &QPushButton::clicked, this, &HuntWindow::previewSelected);
    connect(m_saveButton, &QPushButton::clicked, this, &HuntWindow::saveSelected);
    connect(m_resultsView->selectionModel(), &QItemSelectionModel::currentChanged, this, &HuntWindow::updateButtons);
    connect(m_extract, &ExtractController::saved, this,
        [this](const QString &, const QString &message) { m_status->setText(message); });
    connect(
        m_extract, &ExtractController::failed, this, [this](const QString &message) { m_status->setText(message); });
    connect(m_signIn, &QPushButton::clicked, this, &HuntWindow::signInSelected);
    connect(m_resultsView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const int source = index.isValid() ? m_proxy->mapToSource(index).row() : -1;
        const int image = source >= 0 ? m_controller->results()->answer(source).imageIndex : -1;
        if (image >= 0 && m_controller->needsSignIn(image))
            signIn(image);
        else
            openSelected();
    });
    connect(m_imagesView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid() && m_controller->needsSignIn(index.row()))
            signIn(index.row());
    });
    connect(m_imagesView->selectionModel(), &QItemSelectionModel::currentChanged, this, &HuntWindow::updateButtons);
    connect(m_resultsView, &QWidget::customContextMenuRequested, this, &HuntWindow::showResultsMenu);
    connect(m_imagesView, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_imagesView->indexAt(pos);
        if (!index.isValid() || !m_controller->needsSignIn(index.row()))
            return;
        QMenu menu(this);
        const int image = index.row();
        menu.addAction(tr("Sign In…"), this, [this, image] { signIn(image); });
        menu.exec(m_imagesView->viewport()->mapToGlobal(pos));
    });
    connect(m_historyPanel, &HuntHistoryPanel::openRequested, this,
        [this](const QString &reference, const QString &path) { emit openRequested(reference, path); });
    connect(m_tabs, &QTabWidget::currentChanged, m_historyPanel, &HuntHistoryPanel::reload);
    connect(m_controller, &HuntController::imageChanged, this, &HuntWindow::updateButtons);
    connect(m_controller, &HuntController::retryFinished, this,
        [this](const QString &registry, int searched, const Error &refused) {
            if (refused.code != Error::Code::None) {
                // Refused again: ask again, saying so (as the main window does).
                m_status->setText(tr("%1 refused the credentials").arg(registry));
                m_auth->ask(registry, refused, [this, registry] { m_controller->retrySignIn(registry); });
            } else {
                m_auth->succeeded();
                m_status->setText(tr("Signed in to %1: %n image(s) searched again", nullptr, searched).arg(registry));
            }
            updateButtons();
        });
    connect(m_auth, &AuthController::declined, this, [this](const QString &registry, const Error &) {
        m_status->setText(tr("Sign-in to %1 cancelled: its images stay unsearched.").arg(registry));
    });
    connect(
        m_auth, &AuthController::rememberFailed, this, [this](const QString &message) { m_status->setText(message); });
    connect(m_controller, &HuntController::statsChanged, this, [this](const hunt::HuntStats &s) {
        QString text = tr("%1 of %2 images answered (%3 failed); layers: %4 read, %5 from indexes, %6 shared; %7, "
                          "%8/s")
                           .arg(s.imagesDone + s.imagesFailed)
                           .arg(s.images)
                           .arg(s.imagesFailed)
                           .arg(s.layersRead)
                           .arg(s.layersFromIndex)
                           .arg(s.layersShared)
                           .arg(humanSize(s.bytesDownloaded), humanSize(qint64(s.rate())));
        if (s.etaMs() > 0 && m_controller->isRunning())
            text += tr(", about %1 s left").arg((s.etaMs() + 999) / 1000);
        m_status->setText(text);
    });
    connect(m_controller, &HuntController::finished, this, [this](Job::State state, const QString &message) {
        if (state == Job::State::Cancelled)
            m_status->setText(m_status->text() + tr(" — cancelled"));
        else if (state == Job::State::Failed)
            m_status->setText(tr("Hunt failed: %1").arg(message));
        updateButtons();
    });
    // Rows come and go under the current one (an image searched again replaces its rows): buttons follow.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &HuntWindow::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &HuntWindow::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &HuntWindow::updateButtons);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &HuntWindow::updateButtons);
    m_historyPanel->reload();
    updateButtons();
}

HuntWindow::~HuntWindow() = default;

bool HuntWindow::startHunt()
{
    hunt::HuntTargets targets;
    targets.targets = hunt::HuntTargets::parseTargetsText(m_targets->toPlainText());
    targets.allTags = m_allTags->isChecked();
    targets.catalog = m_catalog->isChecked();
    const QStringList patterns = m_patterns->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    hunt::HuntOptions options;
    options.allPlatforms = m_allPlatforms->isChecked();
    QString error;
    if (!m_controller->start(targets, patterns, &error, options)) {
        m_status->setText(error);
        return false;
    }
    m_status->setText(tr("Listing the images…"));
    updateButtons();
    return true;
}

void HuntWindow::updateButtons()
{
    const bool running = m_controller->isRunning();
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    const bool any = m_controller->results()->rowCount() > 0;
    m_exportCsv->setEnabled(any);
    m_exportJson->setEnabled(any);
    m_open->setEnabled(any);
    QString path;
    int layer = -1;
    const bool file = fileOfRow(m_resultsView->currentIndex(), &path, &layer);
    m_previewButton->setEnabled(file);
    m_saveButton->setEnabled(file);
    m_signIn->setEnabled(signInCandidate() >= 0);
}

QTableView *HuntWindow::historyView() const
{
    return m_historyPanel->imagesView();
}

SeenImagesModel *HuntWindow::historyModel() const
{
    return m_historyPanel->imagesModel();
}

int HuntWindow::signInCandidate() const
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (current.isValid()) {
        const int image = m_controller->results()->answer(m_proxy->mapToSource(current).row()).imageIndex;
        if (image >= 0 && m_controller->needsSignIn(image))
            return image;
    }
    const QModelIndex row = m_imagesView->currentIndex();
    if (row.isValid() && m_controller->needsSignIn(row.row()))
        return row.row();
    return -1;
}

void HuntWindow::signInSelected()
{
    const int image = signInCandidate();
    if (image >= 0)
        signIn(image);
}

bool HuntWindow::signIn(int imageIndex)
{
    if (!m_controller->needsSignIn(imageIndex))
        return false;
    const hunt::HuntImage *img = m_controller->image(imageIndex);
    const QString registry = img->reference.registry();
    m_status->setText(tr("%1 asks for credentials").arg(registry));
    m_auth->ask(registry, img->error, [this, registry] {
        const int n = m_controller->retrySignIn(registry);
        m_status->setText(tr("Searching %n image(s) of %1 again…", nullptr, n).arg(registry));
        updateButtons();
    });
    return true;
}

void HuntWindow::showResultsMenu(const QPoint &pos)
{
    const QModelIndex index = m_resultsView->indexAt(pos);
    if (!index.isValid())
        return;
    m_resultsView->setCurrentIndex(index);
    updateButtons();
    QMenu menu(this);
    menu.addAction(tr("Preview"), this, &HuntWindow::previewSelected)->setEnabled(m_previewButton->isEnabled());
    menu.addAction(tr("Save…"), this, &HuntWindow::saveSelected)->setEnabled(m_saveButton->isEnabled());
    menu.addAction(tr("Open in Main Window"), this, &HuntWindow::openSelected);
    if (m_signIn->isEnabled())
        menu.addAction(tr("Sign In…"), this, &HuntWindow::signInSelected);
    menu.exec(m_resultsView->viewport()->mapToGlobal(pos));
}

bool HuntWindow::fileOfRow(const QModelIndex &proxyIndex, QString *path, int *layer) const
{
    if (!proxyIndex.isValid() || !m_controller->job())
        return false;
    const hunt::HuntAnswer &a = m_controller->results()->answer(m_proxy->mapToSource(proxyIndex).row());
    if (!m_controller->image(a.imageIndex))
        return false;
    if (a.status == hunt::HuntAnswer::Status::Found)
        *layer = -1;
    else if (a.isRecoverable())
        *layer = a.copies.constLast().layer;
    else
        return false;
    *path = a.path;
    return true;
}

bool HuntWindow::selectedFile(QString *path, int *layer)
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!fileOfRow(current, path, layer))
        return false;
    const hunt::HuntAnswer &a = m_controller->results()->answer(m_proxy->mapToSource(current).row());
    m_rowImage->adopt(m_controller->image(a.imageIndex)->image);
    return true;
}

void HuntWindow::previewSelected()
{
    QString path;
    int layer = -1;
    if (selectedFile(&path, &layer))
        m_extract->preview(path, layer);
}

void HuntWindow::saveSelected()
{
    QString path;
    int layer = -1;
    if (selectedFile(&path, &layer))
        m_extract->save({ path }, layer);
}

bool HuntWindow::exportTo(const QString &path, bool csv, QString *error) const
{
    QSaveFile f(path);
    const QByteArray bytes = csv ? m_controller->results()->toCsv() : m_controller->results()->toJsonLines();
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *error = f.errorString();
        return false;
    }
    return true;
}

void HuntWindow::exportAs(bool csv)
{
    const QString path = QFileDialog::getSaveFileName(this, csv ? tr("Export as CSV") : tr("Export as JSON"),
        csv ? QStringLiteral("hunt.csv") : QStringLiteral("hunt.jsonl"),
        csv ? tr("CSV (*.csv)") : tr("JSON lines (*.jsonl *.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, csv, &error))
        QMessageBox::warning(this, tr("Export"), tr("Could not write %1: %2").arg(path, error));
}

void HuntWindow::openSelected()
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!current.isValid())
        return;
    const hunt::HuntAnswer &a = m_controller->results()->answer(m_proxy->mapToSource(current).row());
    if (a.status != hunt::HuntAnswer::Status::Error)
        emit openRequested(a.image, a.path, a.platform);
}

} // namespace ll::ui
