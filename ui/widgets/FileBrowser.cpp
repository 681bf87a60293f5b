#include "widgets/FileBrowser.h"

#include "analysis/LayerChangesView.h"
#include "common/HumanSize.h"
#include "controllers/ImageController.h"
#include "fs/LayerTree.h"
#include "fs/MergedTree.h"
#include "models/FileFilterProxy.h"
#include "models/FileTreeModel.h"
#include "models/LayerListModel.h"
#include "models/TreeExpansionKeeper.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ll::ui {

FileBrowser::FileBrowser(ImageController *controller, QWidget *parent) : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    m_switch = new QComboBox(this);
    m_switch->setObjectName(QStringLiteral("viewSwitch"));
    m_switch->setToolTip(tr("Show the merged filesystem (what a container sees) or one layer as it is"));
    m_switch->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(m_switch);
    m_changesToggle = new QToolButton(this);
    m_changesToggle->setObjectName(QStringLiteral("changesToggle"));
    m_changesToggle->setText(tr("Changes only"));
    m_changesToggle->setCheckable(true);
    m_changesToggle->setToolTip(tr("Show only what this layer added, modified and deleted (Ctrl+Shift+G)"));
    m_changesToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    m_changesToggle->hide(); // until setChangesView()
    bar->addWidget(m_changesToggle);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter: substring, or glob like *.conf or etc/*/*.list (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    bar->addWidget(m_filter, 1);
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("info"));
    m_info->setEnabled(false);
    bar->addWidget(m_info);
    layout->addLayout(bar);

    m_model = new FileTreeModel(this);
    m_proxy = new FileFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("fileTree"));
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->setModel(m_proxy);
    m_view->sortByColumn(FileTreeModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setDragEnabled(true);
    m_view->setDragDropMode(QAbstractItemView::DragOnly);
    m_view->setAlternatingRowColors(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QHeaderView *header = m_view->header();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->resizeSection(FileTreeModel::NameColumn, 260);
    header->setMinimumSectionSize(40);
    header->resizeSection(FileTreeModel::SizeColumn, 90);
    header->resizeSection(FileTreeModel::ModeColumn, 100);
    header->resizeSection(FileTreeModel::OwnerColumn, 90);
    header->resizeSection(FileTreeModel::ModifiedColumn, 140);
    header->resizeSection(FileTreeModel::LayerColumn, 50);
    // Where a file comes from next to its size, before mode/owner/time (it was cut off at the right edge).
    header->moveSection(header->visualIndex(FileTreeModel::LayerColumn), FileTreeModel::SizeColumn + 1);
    applyHeaderModes();
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    layout->addWidget(m_stack, 1);
    m_keeper = new TreeExpansionKeeper(m_view, m_model, this);

    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &FileBrowser::setFilterText);
    connect(m_proxy, &FileFilterProxy::filterApplied, this, [this] { updateInfo(); });
    connect(m_switch, &QComboBox::currentIndexChanged, this, &FileBrowser::onSwitch);
    connect(m_changesToggle, &QToolButton::toggled, this, &FileBrowser::setChangesMode);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const fs::FileNode *node = FileTreeModel::nodeOf(m_proxy->mapToSource(index));
        if (node && !node->isDir())
            emit fileActivated(node);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FileBrowser::selectionChanged);

    connect(controller, &ImageController::aboutToClose, this, [this] {
        m_model->clear();
        m_layer = -1;
        rebuildSwitch();
        m_info->clear(); // the closed image's counts must not stay
    });
    connect(controller, &ImageController::imageResolved, this, [this] {
        rebuildSwitch();
        applyView();
    });
    connect(controller, &ImageController::treesGrew, this, &FileBrowser::onTreesGrew);
    connect(controller, &ImageController::mergedTreeChanged, this, &FileBrowser::onMergedChanged);
    connect(controller, &ImageController::layerStateChanged, this, &FileBrowser::onLayerStateChanged);
    connect(controller, &ImageController::layerTreeReplaced, this, &FileBrowser::onTreeReplaced);
    rebuildSwitch();
}

FileBrowser::~FileBrowser() = default;

void FileBrowser::rebuildSwitch()
{
    m_rebuilding = true;
    m_switch->clear();
    m_switch->addItem(tr("Merged image"), -1);
    const auto &layers = m_controller->image().manifest.layers;
    for (int i = 0; i < m_controller->layerCount(); ++i) {
        m_switch->addItem(tr("Layer %1 · %2 · %3")
                              .arg(i)
                              .arg(LayerListModel::shortDigest(layers.value(i).digest))
                              .arg(humanSize(layers.value(i).size)),
            i);
    }
    m_switch->setCurrentIndex(m_layer + 1);
    m_switch->setEnabled(m_controller->hasImage());
    m_rebuilding = false;
}

void FileBrowser::onSwitch(int comboIndex)
{
    if (m_rebuilding || comboIndex < 0)
        return;
    const int layer = m_switch->itemData(comboIndex).toInt();
    if (layer == m_layer)
        return;
    m_layer = layer;
    applyView();
    applyChangesMode();
    emit currentLayerChanged(m_layer);
}

void FileBrowser::showMerged()
{
    showLayer(-1);
}

void FileBrowser::showLayer(int layer)
{
    if (layer < -1 || layer >= m_controller->layerCount())
        return;
    m_switch->setCurrentIndex(layer + 1); // onSwitch applies
}

void FileBrowser::applyView()
{
    m_provisional = false;
    if (!m_controller->hasImage()) {
        m_model->clear();
    } else if (m_layer < 0) {
        if (m_controller->mergedLayerCount() == 0 && m_controller->layerTree(0)) {
            // Nothing merged yet: show the base layer as it streams rather than an empty tree.
            m_provisional = true;
            m_model->setLayerTree(m_controller->layerTree(0));
            m_model->setLayerStack({});
        } else {
            m_model->setMergedTree(m_controller->mergedTree());
        }
    } else {
        m_model->setLayerTree(m_controller->layerTree(m_layer));
        m_model->setLayerStack(m_controller->listedStack());
    }
    if (m_proxy->isFiltering())
        m_proxy->setFilterText(m_proxy->filterText());
    updateInfo();
}

void FileBrowser::onTreesGrew()
{
    if (m_layer >= 0 || m_provisional)
        m_model->refresh();
    updateInfo();
}

void FileBrowser::onMergedChanged()
{
    if (m_layer >= 0) {
        updateInfo();
        return;
    }
    if (m_provisional && m_controller->mergedLayerCount() > 0)
        applyView(); // layer 0 is complete: the real merged tree (expansions are kept by path)
    else
        m_model->refresh();
    updateInfo();
}

void FileBrowser::onLayerStateChanged(int layer)
{
    if (m_layer >= 0 && layer > m_layer && m_controller->layerState(layer) == ImageController::LayerState::Listed)
        m_model->setLayerStack(m_controller->listedStack());
    updateInfo();
}

void FileBrowser::onTreeReplaced(int layer)
{
    if (m_provisional) {
        if (layer == 0)
            applyView();
        return;
    }
    if (layer == m_layer) {
        m_model->setLayerTree(m_controller->layerTree(layer));
        m_model->setLayerStack(m_controller->listedStack());
    } else if (m_layer >= 0) {
        m_model->setLayerStack(m_controller->listedStack());
    }
}

void FileBrowser::updateInfo()
{
    QString text;
    // A layer whose listing was cancelled or failed leaves the views incomplete: say so.
    const auto incomplete = [this](int layer) {
        const ImageController::LayerState state = m_controller->layerState(layer);
        if (state == ImageController::LayerState::Cancelled)
            return tr(" · incomplete: layer %1 cancelled").arg(layer);
        if (state == ImageController::LayerState::Failed)
            return tr(" · incomplete: layer %1 failed").arg(layer);
        return QString();
    };
    if (m_controller->hasImage()) {
        if (m_provisional) {
            const auto *base = m_controller->layerTree(0);
            text = tr("%1 entries").arg(groupedNumber(base ? base->entryCount() : 0));
            const QString stopped = incomplete(0);
            text += stopped.isEmpty() ? tr(" · layer 0 listing…") : stopped; // upper layers apply once it is complete
        } else if (m_layer < 0) {
            const auto *merged = m_controller->mergedTree();
            text = tr("%1 entries").arg(groupedNumber(merged ? merged->entryCount() : 0));
            if (m_controller->mergedLayerCount() < m_controller->layerCount()) {
                text += tr(" · %1 of %2 layers applied")
                            .arg(m_controller->mergedLayerCount())
                            .arg(m_controller->layerCount());
                text += incomplete(m_controller->mergedLayerCount());
            }
        } else if (const auto *tree = m_controller->layerTree(m_layer)) {
            text = tr("%1 entries").arg(groupedNumber(tree->entryCount()));
            if (m_controller->layerState(m_layer) == ImageController::LayerState::Listing)
                text += tr(" · listing…");
            text += incomplete(m_layer);
        }
        if (m_proxy->isFiltering())
            text = tr("%1 matches · ").arg(groupedNumber(m_proxy->matchCount())) + text;
    }
    m_info->setText(text);
}

void FileBrowser::setFilterText(const QString &text)
{
    if (m_filter->text() != text)
        m_filter->setText(text); // textChanged comes back here
    if (m_proxy->filterText() != text)
        m_proxy->setFilterText(text);
    if (isChangesMode())
        m_changes->setFilterText(text);
    if (!text.isEmpty() && m_proxy->isFiltering() && m_proxy->matchCount() > 0 && m_proxy->matchCount() < 2000)
        m_view->expandAll();
    updateInfo();
}

bool FileBrowser::eventFilter(QObject *watched, QEvent *event)
{
    // Down (or Page Down) in the filter box goes on into the results, at the first row when none is current.
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if ((key == Qt::Key_Down || key == Qt::Key_PageDown) && m_proxy->rowCount() > 0) {
            m_view->setFocus(Qt::TabFocusReason);
            if (!m_view->currentIndex().isValid()) {
                const QModelIndex first = m_proxy->index(0, FileTreeModel::NameColumn);
                m_view->setCurrentIndex(first);
                m_view->selectionModel()->select(
                    first, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            }
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString FileBrowser::infoText() const
{
    return m_info->text();
}

QString FileBrowser::filterText() const
{
    return m_filter->text();
}

void FileBrowser::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void FileBrowser::setChangesView(LayerChangesView *view)
{
    m_changes = view;
    view->setParent(this);
    m_stack->addWidget(view);
    m_changesToggle->show();
    connect(view, &LayerChangesView::fileActivated, this, &FileBrowser::fileActivated);
    connect(view, &LayerChangesView::selectionChanged, this, &FileBrowser::selectionChanged);
    applyChangesMode();
}

bool FileBrowser::isChangesMode() const
{
    return m_changes && m_stack->currentWidget() == m_changes;
}

void FileBrowser::setChangesMode(bool on)
{
    if (!m_changes)
        return;
    if (m_changesToggle->isChecked() != on) {
        m_changesToggle->setChecked(on); // toggled() comes back here
        return;
    }
    if (on && m_layer < 0 && m_controller->layerCount() > 0) {
        showLayer(0); // a layer's changes: the merged image has none of its own
        return;
    }
    applyChangesMode();
    emit selectionChanged();
}

void FileBrowser::applyChangesMode()
{
    if (!m_changes)
        return;
    const bool on = m_changesToggle->isChecked() && m_layer >= 0;
    if (on) {
        m_changes->showLayer(m_layer);
        m_changes->setFilterText(m_filter->text());
    }
    m_stack->setCurrentWidget(on ? static_cast<QWidget *>(m_changes) : m_view);
}

QList<const fs::FileNode *> FileBrowser::selectedNodes() const
{
    if (isChangesMode())
        return m_changes->selectedNodes();
    QList<const fs::FileNode *> nodes;
    QModelIndexList rows = m_view->selectionModel()->selectedRows(FileTreeModel::NameColumn);
    if (rows.isEmpty() && m_view->currentIndex().isValid())
        rows << m_view->currentIndex().siblingAtColumn(FileTreeModel::NameColumn);
    std::sort(rows.begin(), rows.end(), [this](const QModelIndex &a, const QModelIndex &b) {
        return m_view->visualRect(a).top() < m_view->visualRect(b).top();
    });
    for (const QModelIndex &index : std::as_const(rows)) {
        if (const fs::FileNode *node = FileTreeModel::nodeOf(m_proxy->mapToSource(index)))
            nodes << node;
    }
    return nodes;
}

QStringList FileBrowser::selectedPaths() const
{
    QStringList paths;
    for (const fs::FileNode *node : selectedNodes())
        paths << node->path();
    return paths;
}

const fs::FileNode *FileBrowser::currentNode() const
{
    if (isChangesMode())
        return m_changes->currentNode();
    return FileTreeModel::nodeOf(m_proxy->mapToSource(m_view->currentIndex()));
}

bool FileBrowser::selectPath(const QString &path)
{
    const QModelIndex index = m_keeper->viewIndexForPath(path);
    if (!index.isValid())
        return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_view->expand(p);
    m_view->setCurrentIndex(index);
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    return true;
}

QByteArray FileBrowser::saveHeaderState() const
{
    return m_view->header()->saveState();
}

void FileBrowser::restoreHeaderState(const QByteArray &state)
{
    if (!state.isEmpty())
        m_view->header()->restoreState(state);
    applyHeaderModes(); // a state saved by an older version had the last (Layer) column stretching
}

void FileBrowser::applyHeaderModes()
{
    // The Name column takes the room the window has; the others keep their widths (and stay resizable).
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(FileTreeModel::NameColumn, QHeaderView::Stretch);
}

} // namespace ll::ui
