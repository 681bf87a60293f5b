#include "navigator/NavigatorPanel.h"

#include "navigator/NavigatorNode.h"
#include "navigator/RegistryTreeModel.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ll::ui {

using Kind = NavigatorNode::Kind;

namespace {
Kind kindOf(const QModelIndex &i)
{
    return Kind(i.data(RegistryTreeModel::KindRole).toInt());
}
bool opens(Kind k)
{
    return k == Kind::Tag || k == Kind::Platform || k == Kind::SeenImage;
}
} // namespace

NavigatorPanel::NavigatorPanel(RegistryTreeModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("navigatorPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(2, 2, 2, 0);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("navigatorFilter"));
    m_filter->setPlaceholderText(tr("Filter repositories and tags"));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    m_add = new QToolButton(this);
    m_add->setText(tr("Add Registry…"));
    m_add->setToolTip(tr("Add a registry to the tree (host or host:port)"));
    top->addWidget(m_add);
    layout->addLayout(top);
    m_notice = new QLabel(this);
    m_notice->setObjectName(QStringLiteral("navigatorNotice"));
    m_notice->setWordWrap(true);
    m_notice->hide();
    layout->addWidget(m_notice);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(RegistryTreeModel::NameColumn);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("navigatorView"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setExpandsOnDoubleClick(false);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->resizeSection(RegistryTreeModel::NameColumn, 170);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_add, &QToolButton::clicked, this, &NavigatorPanel::askRegistry);
    connect(m_view, &QTreeView::activated, this,
        [this](const QModelIndex &proxyIndex) { activate(m_proxy->mapToSource(proxyIndex)); });
    connect(m_view, &QWidget::customContextMenuRequested, this, &NavigatorPanel::showContextMenu);
}

QModelIndex NavigatorPanel::currentSourceIndex() const
{
    return m_proxy->mapToSource(m_view->currentIndex());
}

void NavigatorPanel::reveal(const QModelIndex &sourceIndex, bool expand)
{
    const QModelIndex p = m_proxy->mapFromSource(sourceIndex);
    if (!p.isValid())
        return;
    for (QModelIndex a = p.parent(); a.isValid(); a = a.parent())
        m_view->expand(a);
    if (expand)
        m_view->expand(p);
    m_view->setCurrentIndex(p);
    m_view->scrollTo(p);
}

void NavigatorPanel::setNotice(const QString &text, bool isError)
{
    m_notice->setText(text);
    m_notice->setStyleSheet(isError ? QStringLiteral("QLabel { background: #fdecea; color: #8a1c1c; padding: 4px; }")
                                    : QStringLiteral("QLabel { background: #eef4fb; padding: 4px; }"));
    m_notice->setVisible(!text.isEmpty());
}

void NavigatorPanel::askRegistry()
{
    bool ok = false;
    const QString host = QInputDialog::getText(this, tr("Add Registry"),
        tr("Registry host (e.g. ghcr.io, 127.0.0.1:5000, docker.io):"), QLineEdit::Normal, QString(), &ok);
    if (!ok || host.trimmed().isEmpty())
        return;
    const QModelIndex i = m_model->addRegistry(host);
    if (i.isValid())
        reveal(i, true);
    else
        setNotice(tr("Not a registry host: %1").arg(host), true);
}

void NavigatorPanel::activate(const QModelIndex &s)
{
    if (!s.isValid())
        return;
    const Kind k = kindOf(s);
    if (opens(k)) {
        emit openRequested(
            s.data(RegistryTreeModel::ReferenceRole).toString(), s.data(RegistryTreeModel::PlatformRole).toString());
        return;
    }
    if (k == Kind::Message) {
        if (s.data(RegistryTreeModel::NeedsSignInRole).toBool())
            emit signInRequested(s.data(RegistryTreeModel::RegistryRole).toString(), m_model->refusal(s), s);
        else
            m_model->retry(s);
        return;
    }
    if (k == Kind::TypeRepository) {
        m_view->edit(m_proxy->mapFromSource(s.siblingAtColumn(RegistryTreeModel::NameColumn)));
        return;
    }
    const QModelIndex p = m_proxy->mapFromSource(s.siblingAtColumn(0));
    m_view->setExpanded(p, !m_view->isExpanded(p));
}

QMenu *NavigatorPanel::contextMenuFor(const QModelIndex &s)
{
    auto *menu = new QMenu(this);
    const Kind k = s.isValid() ? kindOf(s) : Kind::Root;
    const QString reference = s.data(RegistryTreeModel::ReferenceRole).toString();
    const QString platform = s.data(RegistryTreeModel::PlatformRole).toString();
    const QString digest = s.data(RegistryTreeModel::DigestRole).toString();
    const QPersistentModelIndex ps(s);
    if (opens(k)) {
        menu->addAction(tr("&Open"), this, [this, reference, platform] { emit openRequested(reference, platform); });
        menu->addAction(tr("Save All &Layers…"), this,
            [this, reference, platform] { emit saveLayersRequested(reference, platform); });
        menu->addAction(tr("Co&mpare with Open Image…"), this, [this, reference] { emit compareRequested(reference); });
    }
    if (k == Kind::Tag || k == Kind::Platform || k == Kind::SeenImage || k == Kind::Repository) {
        menu->addAction(tr("Copy &Reference"), this, [reference] { QApplication::clipboard()->setText(reference); });
        QAction *copyDigest = menu->addAction(tr("Copy &Digest"), this, [reference, digest] {
            const qsizetype at = reference.indexOf(QLatin1Char('@'));
            const qsizetype colon = reference.lastIndexOf(QLatin1Char(':'));
            const qsizetype slash = reference.lastIndexOf(QLatin1Char('/'));
            const QString name = at >= 0 ? reference.left(at) : colon > slash ? reference.left(colon) : reference;
            QApplication::clipboard()->setText(name + QLatin1Char('@') + digest);
        });
        copyDigest->setEnabled(!digest.isEmpty());
        copyDigest->setToolTip(tr("Copies name@digest"));
    }
    if (k == Kind::Tag || k == Kind::Platform) {
        QAction *raw = menu->addAction(tr("View &Manifest JSON"), this,
            [this, ps, reference] { emit documentRequested(reference, m_model->document(ps)); });
        raw->setEnabled(!m_model->document(s).isEmpty());
    }
    if (k == Kind::Tag || k == Kind::Platform || k == Kind::SeenImage)
        menu->addAction(tr("&Hunt Here…"), this, [this, reference] { emit huntRequested(reference, false, false); });
    if (k == Kind::Repository) {
        menu->addAction(
            tr("&Hunt Here (all tags)…"), this, [this, reference] { emit huntRequested(reference, true, false); });
        menu->addAction(tr("List &All Tags"), this, [this, ps] { m_model->fetchAll(ps); });
    }
    if (k == Kind::Registry) {
        const QString host = s.data(RegistryTreeModel::RegistryRole).toString();
        menu->addAction(
            tr("&Hunt Here (whole registry)…"), this, [this, host] { emit huntRequested(host, true, true); });
        menu->addAction(tr("List &All Repositories"), this, [this, ps] { m_model->fetchAll(ps); });
        menu->addAction(tr("Add Re&pository…"), this, [this, host] {
            bool ok = false;
            const QString repo = QInputDialog::getText(this, tr("Add Repository"),
                tr("Repository on %1:").arg(RegistryTreeModel::registryDisplayName(host)), QLineEdit::Normal, QString(),
                &ok);
            if (ok) {
                const QModelIndex r = m_model->addRepository(host, repo);
                if (r.isValid())
                    reveal(r, true);
            }
        });
        menu->addSeparator();
        QPersistentModelIndex keep(s);
        menu->addAction(tr("&Remove Registry"), this, [this, keep] { m_model->removeRegistry(keep); });
    }
    if (k == Kind::Message && s.data(RegistryTreeModel::NeedsSignInRole).toBool()) {
        const QString host = s.data(RegistryTreeModel::RegistryRole).toString();
        const Error refusal = m_model->refusal(s);
        menu->addAction(tr("&Sign In…"), this, [this, host, refusal, ps] { emit signInRequested(host, refusal, ps); });
    }
    if (k == Kind::Message)
        menu->addAction(tr("&Retry"), this, [this, ps] { m_model->retry(ps); });
    menu->addSeparator();
    menu->addAction(tr("Add Re&gistry…"), this, &NavigatorPanel::askRegistry);
    return menu;
}

void NavigatorPanel::showContextMenu(const QPoint &pos)
{
    QMenu *menu = contextMenuFor(m_proxy->mapToSource(m_view->indexAt(pos)));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_view->viewport()->mapToGlobal(pos));
}

} // namespace ll::ui
