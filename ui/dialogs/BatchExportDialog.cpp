#include "dialogs/BatchExportDialog.h"

#include "common/HumanSize.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "dialogs/FolderDialog.h"
#include "extract/ExtractJob.h"
#include "fs/FileNode.h"
#include "models/FileFilterProxy.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
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
#include <functional>

namespace ll::ui {

/**
 * Adds check boxes to the name column of a FileTreeModel. Checks are kept by path (the merged tree's rows are
 * not stable across layers); a checked directory shows its whole subtree checked, a directory with checked
 * descendants is partially checked.
 */
class CheckableTreeProxy : public QIdentityProxyModel
{
public:
    CheckableTreeProxy(FileFilterProxy *filter, QObject *parent) : QIdentityProxyModel(parent), m_filter(filter)
    {
        setSourceModel(filter);
    }

    /** The node a row of this proxy shows (through the filter proxy). */
    const fs::FileNode *nodeAt(const QModelIndex &index) const
    {
        return FileTreeModel::nodeOf(m_filter->mapToSource(mapToSource(index)));
    }

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
            const fs::FileNode *node = nodeAt(index);
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
            const fs::FileNode *node = nodeAt(index);
            if (node && !ancestorChecked(node->path()))
                f |= Qt::ItemIsUserCheckable;
        }
        return f;
    }
    bool setData(const QModelIndex &index, const QVariant &value, int role) override
    {
        if (role != Qt::CheckStateRole || index.column() != FileTreeModel::NameColumn)
            return QIdentityProxyModel::setData(index, value, role);
        const fs::FileNode *node = nodeAt(index);
        if (!node)
            return false;
        setChecked(node->path(), value.toInt() == Qt::Checked);
        emit dataChanged(index, index, { Qt::CheckStateRole });
        return true;
    }

private:
    FileFilterProxy *m_filter;
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
    m_filterProxy = new FileFilterProxy(this);
    m_filterProxy->setSourceModel(m_model);
    m_checks = new CheckableTreeProxy(m_filterProxy, this);
    auto *treeBox = new QWidget(split);
    auto *treeLayout = new QVBoxLayout(treeBox);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(treeBox);
    m_filter->setObjectName(QStringLiteral("exportFilter"));
    m_filter->setPlaceholderText(tr("Filter: substring, or glob like *.conf"));
    m_filter->setClearButtonEnabled(true);
    filterRow->addWidget(m_filter, 1);
    auto *checkAll = new QPushButton(tr("Check &All"), treeBox);
    checkAll->setObjectName(QStringLiteral("checkAll"));
    checkAll->setToolTip(tr("Check everything shown (with a filter: every match)"));
    filterRow->addWidget(checkAll);
    auto *checkNone = new QPushButton(tr("Check &None"), treeBox);
    checkNone->setObjectName(QStringLiteral("checkNone"));
    filterRow->addWidget(checkNone);
    treeLayout->addLayout(filterRow);
    m_tree = new QTreeView(treeBox);
    treeLayout->addWidget(m_tree, 1);
    m_tree->setObjectName(QStringLiteral("exportTree"));
    m_tree->setUniformRowHeights(true);
    m_tree->setModel(m_checks);
    // Folders before files, as in the main view.
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(FileTreeModel::NameColumn, Qt::AscendingOrder);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filterProxy->setFilterText(text);
        if (!text.isEmpty() && m_filterProxy->matchCount() > 0 && m_filterProxy->matchCount() < 2000)
            m_tree->expandAll();
    });
    connect(checkAll, &QPushButton::clicked, this, &BatchExportDialog::checkAllShown);
    connect(checkNone, &QPushButton::clicked, this, [this] { setCheckedPaths({}); });
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
    split->addWidget(treeBox);
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
    if (m_filterProxy->isFiltering())
        m_filterProxy->setFilterText(m_filterProxy->filterText());
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
        const QModelIndex index = m_checks->mapFromSource(m_filterProxy->mapFromSource(source));
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

void BatchExportDialog::setFilterText(const QString &text)
{
    m_filter->setText(text);
}

void BatchExportDialog::checkAllShown()
{
    // Without a filter: every top-level entry (a checked folder takes its subtree). With one: every match
    // that is not a folder (a matching folder's files would come along unasked).
    const bool filtering = m_filterProxy->isFiltering();
    QStringList paths;
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        while (m_checks->canFetchMore(parent))
            m_checks->fetchMore(parent);
        for (int r = 0; r < m_checks->rowCount(parent); ++r) {
            const QModelIndex index = m_checks->index(r, FileTreeModel::NameColumn, parent);
            const fs::FileNode *node = m_checks->nodeAt(index);
            if (!node)
                continue;
            if (!filtering)
                paths << node->path();
            else if (node->isDir())
                walk(index);
            else
                paths << node->path();
        }
    };
    walk({});
    for (const QString &path : std::as_const(paths))
        m_checks->setChecked(path, true);
    m_tree->viewport()->update();
    updateButtons();
}

qint64 BatchExportDialog::checkedBytes() const
{
    qint64 total = 0;
    std::function<void(const fs::FileNode *)> add = [&](const fs::FileNode *node) {
        if (!node->isDir()) {
            total += node->size;
            return;
        }
        for (const fs::FileNode *child : node->children)
            add(child);
    };
    for (const QString &path : checkedPaths()) {
        const QModelIndex index = m_model->indexForPath(path);
        if (const fs::FileNode *node = FileTreeModel::nodeOf(index))
            add(node);
    }
    return total;
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
    const QString dir = FolderDialog::ask(this, tr("Export into folder"), destination());
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
    m_checkedLabel->setText(
        tr("%n item(s) checked", nullptr, n) + tr(" · %1").arg(humanSize(checkedBytes())) + download);
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
    m_resultRows.clear();
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
                // One row per path: a lower layer's copy overwritten by an upper one is reported twice.
                if (QTreeWidgetItem *old = m_resultRows.value(item.path)) {
                    m_resultRows.remove(item.path);
                    written -= old->data(1, Qt::UserRole).toInt() == 0 ? 1 : 0;
                    delete old;
                }
                if (ok && written >= 5000)
                    continue; // failures always listed; written items up to a bound
                auto *row = new QTreeWidgetItem({ item.path, extract::ExtractItem::outcomeName(item.outcome),
                    item.error.isError() ? item.error.message : humanSize(item.size) });
                m_resultRows.insert(item.path, row);
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
