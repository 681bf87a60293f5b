#include "dialogs/BatchExportDialog.h"

#include "common/HumanSize.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "extract/ExtractJob.h"
#include "fs/FileNode.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace ll::ui {

/**
 * Adds check boxes to the name column of a FileTreeModel. Checks are kept by path (the merged tree's rows are
 * not stable across layers); a checked directory shows its whole subtree checked, a directory with checked
 * descendants is partially checked.
 */
class CheckableTreeProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QSet<QString> checked;
    QHash<QString, int> partial; // dir path -> checked descendants

    static QString parentOf(const QString &path)
    {
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        return slash < 0 ? QString() : path.left(slash);
    }
    bool ancestorChecked(const QString &path) const
    {
        for (QString p = parentOf(path); !p.isEmpty(); p = parentOf(p)) {
            if (checked.contains(p))
                return true;
        }
        return false;
    }
    void setChecked(const QString &path, bool on)
    {
        if (on == checked.contains(path))
            return;
        if (on)
            checked.insert(path);
        else
            checked.remove(path);
        for (QString p = parentOf(path); !p.isEmpty(); p = parentOf(p)) {
            int &n = partial[p];
            n += on ? 1 : -1;
            if (n <= 0)
                partial.remove(p);
        }
    }
    void clearChecks()
    {
        checked.clear();
        partial.clear();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::CheckStateRole && index.column() == FileTreeModel::NameColumn) {
            const fs::FileNode *node = FileTreeModel::nodeOf(mapToSource(index));
            if (!node)
                return {};
            const QString path = node->path();
            if (checked.contains(path) || ancestorChecked(path))
                return Qt::Checked;
            return partial.contains(path) ? Qt::PartiallyChecked : Qt::Unchecked;
        }
        return QIdentityProxyModel::data(index, role);
    }
    Qt::ItemFlags flags(const QModelIndex &index) const override
    {
        Qt::ItemFlags f = QIdentityProxyModel::flags(index) & ~Qt::ItemIsDragEnabled;
        if (index.column() == FileTreeModel::NameColumn) {
            const fs::FileNode *node = FileTreeModel::nodeOf(mapToSource(index));
            if (node && !ancestorChecked(node->path()))
                f |= Qt::ItemIsUserCheckable;
        }
        return f;
    }
    bool setData(const QModelIndex &index, const QVariant &value, int role) override
    {
        if (role != Qt::CheckStateRole || index.column() != FileTreeModel::NameColumn)
            return QIdentityProxyModel::setData(index, value, role);
        const fs::FileNode *node = FileTreeModel::nodeOf(mapToSource(index));
        if (!node)
            return false;
        setChecked(node->path(), value.toInt() == Qt::Checked);
        emit dataChanged(index, index, { Qt::CheckStateRole });
        return true;
    }
};

BatchExportDialog::BatchExportDialog(
    ImageController *image, ExtractController *extract, const QStringList &selection, int layer, QWidget *parent)
    : QDialog(parent), m_image(image), m_extract(extract)
{
    setObjectName(QStringLiteral("batchExportDialog"));
    setWindowTitle(tr("Export Files — %1").arg(image->reference().displayName()));
    auto *layout = new QVBoxLayout(this);

    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(new QLabel(tr("Export from:"), this));
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("source"));
    m_source->addItem(tr("Merged image (what a container sees)"), -1);
    const auto &layers = image->image().manifest.layers;
    for (int i = 0; i < layers.size(); ++i)
        m_source->addItem(
            tr("Layer %1 · %2 (its own entries)").arg(i).arg(LayerListModel::shortDigest(layers[i].digest)), i);
    sourceRow->addWidget(m_source, 1);
    m_checkedLabel = new QLabel(this);
    sourceRow->addWidget(m_checkedLabel);
    layout->addLayout(sourceRow);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_model = new FileTreeModel(this);
    m_checks = new CheckableTreeProxy(this);
    m_checks->setSourceModel(m_model);
    m_tree = new QTreeView(split);
    m_tree->setObjectName(QStringLiteral("exportTree"));
    m_tree->setUniformRowHeights(true);
    m_tree->setModel(m_checks);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->header()->resizeSection(FileTreeModel::NameColumn, 320);
    for (int c :
        { int(FileTreeModel::ModeColumn), int(FileTreeModel::OwnerColumn), int(FileTreeModel::ModifiedColumn) })
        m_tree->setColumnHidden(c, true);
    m_results = new QTreeWidget(split);
    m_results->setObjectName(QStringLiteral("results"));
    m_results->setHeaderLabels({ tr("Path"), tr("Result"), tr("Detail") });
    m_results->setRootIsDecorated(false);
    m_results->setUniformRowHeights(true);
    m_results->header()->resizeSection(0, 320);
    m_results->hide();
    split->addWidget(m_tree);
    split->addWidget(m_results);
    layout->addWidget(split, 1);

    auto *form = new QFormLayout;
    auto *destRow = new QHBoxLayout;
    m_destination = new QLineEdit(this);
    m_destination->setObjectName(QStringLiteral("destination"));
    m_destination->setPlaceholderText(tr("Folder to export into (created if missing)"));
    destRow->addWidget(m_destination, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &BatchExportDialog::browse);
    destRow->addWidget(browse);
    form->addRow(tr("Destination:"), destRow);
    m_preserve = new QCheckBox(tr("Preserve setuid/setgid/sticky bits (ownership is never changed)"), this);
    m_preserve->setObjectName(QStringLiteral("preserve"));
    form->addRow(QString(), m_preserve);
    layout->addLayout(form);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("overall"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->hide();
    layout->addWidget(m_progress);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(this);
    m_export = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_export->setObjectName(QStringLiteral("export"));
    m_cancel = buttons->addButton(tr("&Cancel Export"), QDialogButtonBox::ActionRole);
    m_cancel->setObjectName(QStringLiteral("cancelExport"));
    m_cancel->setEnabled(false);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_export, &QPushButton::clicked, this, [this] { startExport(); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job && m_job->isRunning())
            m_job->cancel();
    });
    connect(m_close, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_destination, &QLineEdit::textChanged, this, &BatchExportDialog::updateButtons);
    connect(m_checks, &QAbstractItemModel::dataChanged, this, [this] {
        m_tree->viewport()->update();
        updateButtons();
    });
    connect(m_source, &QComboBox::currentIndexChanged, this,
        [this](int index) { setLayer(m_source->itemData(index).toInt()); });

    connect(image, &ImageController::aboutToClose, this, [this] {
        m_model->clear();
        m_checks->clearChecks();
        reject();
    });
    connect(image, &ImageController::treesGrew, this, [this] {
        if (m_layer >= 0)
            m_model->refresh();
    });
    connect(image, &ImageController::mergedTreeChanged, this, [this] {
        if (m_layer < 0)
            m_model->refresh();
    });
    connect(image, &ImageController::layerTreeReplaced, this, [this](int l) {
        if (l == m_layer)
            setLayer(l);
    });

    m_source->setCurrentIndex(layer + 1);
    setLayer(layer);
    setCheckedPaths(selection);
    resize(760, 620);
}

BatchExportDialog::~BatchExportDialog()
{
    if (m_job && m_job->isRunning())
        m_job->cancel();
}

void BatchExportDialog::setLayer(int layer)
{
    if (layer < -1 || layer >= m_image->layerCount())
        return;
    const bool changed = layer != m_layer || m_model->mode() == FileTreeModel::Mode::Empty;
    m_layer = layer;
    if (m_source->currentIndex() != layer + 1)
        m_source->setCurrentIndex(layer + 1);
    if (!changed)
        return;
    m_checks->clearChecks();
    if (layer < 0)
        m_model->setMergedTree(m_image->mergedTree());
    else
        m_model->setLayerTree(m_image->layerTree(layer));
    updateButtons();
}

void BatchExportDialog::setCheckedPaths(const QStringList &paths)
{
    m_checks->clearChecks();
    for (const QString &path : paths) {
        const QModelIndex source = m_model->indexForPath(path);
        if (!source.isValid())
            continue;
        m_checks->setChecked(path, true);
        const QModelIndex index = m_checks->mapFromSource(source);
        for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
            m_tree->expand(p);
    }
    m_tree->viewport()->update();
    updateButtons();
}

QStringList BatchExportDialog::checkedPaths() const
{
    QStringList out;
    for (const QString &path : std::as_const(m_checks->checked)) {
        if (!m_checks->ancestorChecked(path))
            out << path;
    }
    out.sort();
    return out;
}

void BatchExportDialog::setDestination(const QString &dir)
{
    m_destination->setText(dir);
}

QString BatchExportDialog::destination() const
{
    return m_destination->text().trimmed();
}

void BatchExportDialog::setPreservePermissions(bool preserve)
{
    m_preserve->setChecked(preserve);
}

void BatchExportDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into folder"), destination());
    if (!dir.isEmpty())
        setDestination(dir);
}

bool BatchExportDialog::isRunning() const
{
    return m_job && m_job->isRunning();
}

int BatchExportDialog::resultCount() const
{
    return m_results->topLevelItemCount();
}

QString BatchExportDialog::summaryText() const
{
    return m_summary->text();
}

void BatchExportDialog::updateButtons()
{
    const QStringList checked = checkedPaths();
    const int n = int(checked.size());
    QString download;
    if (n > 0 && m_image->hasImage()) {
        // Read from the layer indexes (no request): how much the export will fetch at most.
        download = tr(" · at most %1 to download")
                       .arg(humanSize(extract::ExtractJob::expectedDownload(
                           m_image->image(), checked, m_layer, m_image->indexStore())));
    }
    m_checkedLabel->setText(tr("%n item(s) checked", nullptr, n) + download);
    m_export->setEnabled(!isRunning() && n > 0 && !destination().isEmpty());
    m_cancel->setEnabled(isRunning());
    m_source->setEnabled(!isRunning());
}

Job *BatchExportDialog::startExport()
{
    const QStringList paths = checkedPaths();
    const QString dir = destination();
    if (paths.isEmpty() || dir.isEmpty() || isRunning())
        return nullptr;
    Job *job = m_extract->exportTo(paths, m_layer, dir, m_preserve->isChecked());
    if (!job)
        return nullptr;
    m_job = job;
    m_results->clear();
    m_results->show();
    m_progress->show();
    m_progress->setValue(0);
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Exporting %n item(s) into %1…", nullptr, int(paths.size())).arg(dir));
    connect(job, &Job::progress, this, [this](qint64 done, qint64 total) {
        if (total > 0)
            m_progress->setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 1000)));
        else
            m_progress->setRange(0, 0);
    });
    if (auto *ex = qobject_cast<extract::ExtractJob *>(job)) {
        connect(ex, &extract::ExtractJob::itemsReady, this, [this](const QVector<extract::ExtractItem> &items) {
            int written = 0;
            for (int i = 0; i < m_results->topLevelItemCount(); ++i)
                written += m_results->topLevelItem(i)->data(1, Qt::UserRole).toInt() == 0 ? 1 : 0;
            for (const extract::ExtractItem &item : items) {
                const bool ok = item.outcome == extract::ExtractItem::Outcome::Written;
                if (ok && written >= 5000)
                    continue; // failures always listed; written items up to a bound
                auto *row = new QTreeWidgetItem({ item.path, extract::ExtractItem::outcomeName(item.outcome),
                    item.error.isError() ? item.error.message : humanSize(item.size) });
                row->setData(1, Qt::UserRole, int(item.outcome));
                if (item.outcome == extract::ExtractItem::Outcome::Failed)
                    row->setForeground(1, QColor(0xb0, 0x00, 0x20));
                else if (item.outcome == extract::ExtractItem::Outcome::Skipped)
                    row->setForeground(1, QColor(0x9a, 0x67, 0x00));
                if (ok) {
                    m_results->addTopLevelItem(row);
                    ++written;
                } else {
                    m_results->insertTopLevelItem(0, row); // failures first
                }
            }
        });
    }
    connect(job, &Job::finished, this, &BatchExportDialog::onFinished);
    updateButtons();
    return job;
}

void BatchExportDialog::onFinished()
{
    Job *job = m_job;
    if (!job)
        return;
    m_progress->setRange(0, 1000);
    QString text;
    auto *ex = qobject_cast<extract::ExtractJob *>(job);
    const int written = ex ? ex->count(extract::ExtractItem::Outcome::Written) : 0;
    const int skipped = ex ? ex->count(extract::ExtractItem::Outcome::Skipped) : 0;
    const int failed = ex ? ex->count(extract::ExtractItem::Outcome::Failed) : 0;
    switch (job->state()) {
    case Job::State::Succeeded:
        m_progress->setValue(1000);
        text = tr("Exported into %1: %2 written, %3 skipped, %4 failed.")
                   .arg(ex ? ex->outputDir() : destination())
                   .arg(written)
                   .arg(skipped)
                   .arg(failed);
        if (failed || skipped)
            text += tr(" Failures and skipped items are listed first.");
        break;
    case Job::State::Cancelled:
        text = tr("Cancelled: %1 written before the cancel (complete files only).").arg(written);
        break;
    default:
        text = tr("Export failed: %1 (%2 written before).").arg(job->error().message).arg(written);
        m_summary->setStyleSheet(QStringLiteral("color: #b00020;"));
        break;
    }
    m_summary->setText(text);
    updateButtons();
}

} // namespace ll::ui
