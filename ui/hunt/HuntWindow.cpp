#include "hunt/HuntWindow.h"

#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "index/IndexStore.h"

#include "common/HumanSize.h"
#include "hunt/HuntController.h"
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

namespace {

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(false);
    return view;
}

} // namespace

HuntWindow::HuntWindow(registry::RegistryClient *client, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_controller(new HuntController(client, this))
    , m_images(new HuntImagesModel(this))
    , m_history(new SeenImagesModel(this))
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
    m_targets->setMaximumHeight(m_targets->fontMetrics().height() * 6);
    m_patterns = new QLineEdit(this);
    m_patterns->setPlaceholderText(tr("etc/shadow  **/.env  **/id_rsa"));
    m_allTags = new QCheckBox(tr("All tags of a repository"), this);
    m_catalog = new QCheckBox(tr("Whole registry (catalog)"), this);
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
    m_rowImage = new ImageController(client, this);
    m_rowImage->setIndexStore(index::IndexStore::fromEnvironment());
    m_extract = new ExtractController(m_rowImage, this, this);
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_filter, 1);
    tools->addWidget(m_previewButton);
    tools->addWidget(m_saveButton);
    tools->addWidget(m_open);
    tools->addWidget(m_exportCsv);
    tools->addWidget(m_exportJson);

    m_resultsView = makeTable(m_proxy, this);
    m_resultsView->setSortingEnabled(true);
    m_resultsView->sortByColumn(-1, Qt::AscendingOrder);
    m_resultsView->setColumnWidth(HuntResultsModel::ImageColumn, 300);
    m_resultsView->setColumnWidth(HuntResultsModel::StatusColumn, 230);
    m_resultsView->setColumnWidth(HuntResultsModel::PathColumn, 260);
    m_imagesView = makeTable(m_images, this);
    m_imagesView->setColumnWidth(HuntImagesModel::ImageColumn, 300);

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

    m_historyView = makeTable(m_history, this);
    m_historyView->setColumnWidth(SeenImagesModel::ReferenceColumn, 380);
    auto *tabs = new QTabWidget(this);
    tabs->addTab(huntPage, tr("&Hunt"));
    tabs->addTab(m_historyView, tr("Hi&story"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    resize(1100, 700);

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
    connect(m_resultsView, &QTableView::doubleClicked, this, &HuntWindow::openSelected);
    connect(m_historyView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            emit openRequested(m_history->image(index.row()).reference, QString());
    });
    connect(tabs, &QTabWidget::currentChanged, m_history, &SeenImagesModel::reload);
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
    connect(m_controller->results(), &QAbstractItemModel::rowsInserted, this, &HuntWindow::updateButtons);
    // Before the job starts: explicit references are listed at once.
    connect(m_controller, &HuntController::started, this, [this] { m_images->setJob(m_controller->job()); });
    m_history->reload();
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
    QString error;
    if (!m_controller->start(targets, patterns, &error)) {
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
}

bool HuntWindow::fileOfRow(const QModelIndex &proxyIndex, QString *path, int *layer) const
{
    if (!proxyIndex.isValid() || !m_controller->job())
        return false;
    const hunt::HuntAnswer &a = m_controller->results()->answer(m_proxy->mapToSource(proxyIndex).row());
    if (a.imageIndex < 0 || a.imageIndex >= m_controller->job()->images().size())
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
    m_rowImage->adopt(m_controller->job()->images().at(a.imageIndex).image);
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
        emit openRequested(a.image, a.path);
}

} // namespace ll::ui
