#include "compare/CompareWindow.h"

#include "analysis/DiffTree.h"
#include "analysis/LayerChangesProxy.h"
#include "common/HumanSize.h"
#include "compare/CompareController.h"
#include "compare/DiffTreeModel.h"

#include <QAction>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ll::ui {

CompareWindow::CompareWindow(registry::RegistryClient *client, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_controller(new CompareController(client, this, this))
    , m_model(new DiffTreeModel(this))
    , m_proxy(new LayerChangesProxy(DiffTreeModel::IsDirRole, DiffTreeModel::SortRole, DiffTreeModel::PathRole, this))
{
    setObjectName(QStringLiteral("compareWindow"));
    setWindowTitle(tr("Compare Images — Layerslayer"));
    resize(1000, 640);

    m_old = new QLineEdit(this);
    m_old->setObjectName(QStringLiteral("oldReference"));
    m_old->setPlaceholderText(tr("registry.lan:5000/team/app:1.0"));
    m_new = new QLineEdit(this);
    m_new->setObjectName(QStringLiteral("newReference"));
    m_new->setPlaceholderText(tr("registry.lan:5000/team/app:1.1 or …@sha256:…"));
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    auto *swap = new QPushButton(tr("Swap"), this);
    swap->setToolTip(tr("Exchange the old and the new image"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Old (before):"), m_old);
    auto *newRow = new QHBoxLayout;
    newRow->addWidget(m_new, 1);
    newRow->addWidget(swap);
    newRow->addWidget(m_compare);
    newRow->addWidget(m_cancel);
    auto *newLabel = new QLabel(tr("&New (after):"), this);
    newLabel->setBuddy(m_new); // a row holding a layout gets no buddy of its own: the & would show
    form->addRow(newLabel, newRow);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("compareFilter"));
    m_filter->setPlaceholderText(tr("Filter: substring, or glob like *.conf or etc/*"));
    m_filter->setClearButtonEnabled(true);
    m_previewOld = new QPushButton(tr("Preview Old"), this);
    m_previewOld->setToolTip(tr("Show the file as the old image has it"));
    m_previewNew = new QPushButton(tr("Preview New"), this);
    m_previewNew->setToolTip(tr("Show the file as the new image has it"));
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_filter, 1);
    tools->addWidget(m_previewOld);
    tools->addWidget(m_previewNew);

    m_summary = new QLabel(tr("Give two images: what the new one added, removed and changed is listed."), this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DiffTreeModel::SortRole);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("diffTree"));
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->setModel(m_proxy);
    m_view->sortByColumn(DiffTreeModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(40);
    header->resizeSection(DiffTreeModel::NameColumn, 280);
    header->setSectionResizeMode(DiffTreeModel::NameColumn, QHeaderView::Stretch);
    header->resizeSection(DiffTreeModel::ChangeColumn, 95);
    header->resizeSection(DiffTreeModel::SizeBeforeColumn, 85);
    header->resizeSection(DiffTreeModel::SizeAfterColumn, 85);
    header->resizeSection(DiffTreeModel::DeltaColumn, 85);
    header->resizeSection(DiffTreeModel::LayerBeforeColumn, 85);
    header->resizeSection(DiffTreeModel::LayerAfterColumn, 80);
    header->resizeSection(DiffTreeModel::WhatColumn, 130);

    m_previewOldAction = new QAction(tr("Preview &Old"), m_view);
    m_previewNewAction = new QAction(tr("Preview &New"), m_view);
    m_view->addAction(m_previewOldAction);
    m_view->addAction(m_previewNewAction);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(tools);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);

    connect(m_compare, &QPushButton::clicked, this, &CompareWindow::compare);
    connect(m_new, &QLineEdit::returnPressed, this, &CompareWindow::compare);
    connect(m_old, &QLineEdit::returnPressed, this, &CompareWindow::compare);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_controller->cancel();
        m_summary->setText(tr("Cancelled."));
        updateButtons();
    });
    connect(swap, &QPushButton::clicked, this, [this] {
        const QString old = m_old->text();
        m_old->setText(m_new->text());
        m_new->setText(old);
    });
    connect(m_filter, &QLineEdit::textChanged, this, &CompareWindow::setFilterText);
    connect(m_previewOld, &QPushButton::clicked, this, [this] { previewCurrent(true); });
    connect(m_previewNew, &QPushButton::clicked, this, [this] { previewCurrent(false); });
    connect(m_previewOldAction, &QAction::triggered, this, [this] { previewCurrent(true); });
    connect(m_previewNewAction, &QAction::triggered, this, [this] { previewCurrent(false); });
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        // A file opens as the new image has it, a removed one as the old one had it.
        const analysis::DiffEntry *e = DiffTreeModel::entryOf(index);
        if (e && e->type() != fs::FileNode::Type::Directory)
            previewCurrent(e->after == nullptr);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &CompareWindow::updateButtons);
    connect(m_controller, &CompareController::progressText, m_summary, &QLabel::setText);
    connect(m_controller, &CompareController::finished, this, &CompareWindow::onFinished);
    connect(m_controller, &CompareController::failed, this, &CompareWindow::onFailed);
    updateButtons();
}

CompareWindow::~CompareWindow() = default;

void CompareWindow::setTracker(std::function<void(Job *)> tracker)
{
    m_controller->setTracker(std::move(tracker));
}

void CompareWindow::setReferences(const QString &oldReference, const QString &newReference, bool start)
{
    m_old->setText(oldReference);
    m_new->setText(newReference);
    if (start && !oldReference.isEmpty() && !newReference.isEmpty())
        compare();
    else
        (oldReference.isEmpty() ? m_old : m_new)->setFocus(Qt::OtherFocusReason);
}

void CompareWindow::compare()
{
    if (m_old->text().trimmed().isEmpty() || m_new->text().trimmed().isEmpty()) {
        m_summary->setText(tr("Give both images."));
        return;
    }
    m_model->setDiffTree(nullptr);
    m_controller->compare(m_old->text(), m_new->text());
    updateButtons();
}

void CompareWindow::onFinished()
{
    const auto result = m_controller->result();
    m_model->setDiffTree(result ? &result->tree : nullptr);
    m_model->setFetchAll(m_proxy->isFiltering());
    const analysis::DiffSummary &s = result->summary;
    m_summary->setText(tr("<span style='color:#1b7f2a'>%1 added</span> · <span style='color:#b01c1c'>%2 "
                          "removed</span> · <span style='color:#a06200'>%3 changed</span> · %4%5 in files · %6 "
                          "shared layer(s) skipped · %7 downloaded")
                           .arg(groupedNumber(s.added), groupedNumber(s.removed), groupedNumber(s.changed))
                           .arg(s.sizeDelta < 0 ? QStringLiteral("\u2212") : QStringLiteral("+"))
                           .arg(humanSize(qAbs(s.sizeDelta)))
                           .arg(m_controller->sharedLayers())
                           .arg(humanSize(m_controller->bytesDownloaded())));
    if (s.added + s.removed + s.changed == 0)
        m_summary->setText(m_summary->text() + tr(" · the two images have the same files"));
    if (s.added + s.removed + s.changed < 200)
        m_view->expandAll(); // a few differences: all in sight
    updateButtons();
}

void CompareWindow::onFailed(const QString &message)
{
    m_summary->setText(QStringLiteral("<span style='color:#b01c1c'>%1</span>").arg(message.toHtmlEscaped()));
    updateButtons();
}

QString CompareWindow::summaryText() const
{
    return m_summary->text();
}

void CompareWindow::setFilterText(const QString &text)
{
    m_model->setFetchAll(!text.isEmpty());
    m_proxy->setFilterText(text);
    if (!text.isEmpty() && m_proxy->rowCount() > 0 && m_proxy->rowCount() < 500)
        m_view->expandAll();
}

void CompareWindow::updateButtons()
{
    const analysis::DiffEntry *e = DiffTreeModel::entryOf(m_view->currentIndex());
    const bool file = e && e->type() != fs::FileNode::Type::Directory && !m_controller->isRunning();
    m_previewOld->setEnabled(file && e->before && !e->before->isDir());
    m_previewNew->setEnabled(file && e->after && !e->after->isDir());
    m_cancel->setEnabled(m_controller->isRunning());
    m_previewOldAction->setEnabled(m_previewOld->isEnabled());
    m_previewNewAction->setEnabled(m_previewNew->isEnabled());
}

void CompareWindow::previewCurrent(bool oldSide)
{
    const analysis::DiffEntry *e = DiffTreeModel::entryOf(m_view->currentIndex());
    const fs::FileNode *node = e ? (oldSide ? e->before : e->after) : nullptr;
    if (!node || node->isDir())
        return;
    m_controller->preview(oldSide ? CompareController::Side::Old : CompareController::Side::New, e->path, node->layer);
}

} // namespace ll::ui
