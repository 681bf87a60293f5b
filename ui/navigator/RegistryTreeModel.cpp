#include "navigator/RegistryTreeModel.h"

#include "browse/ListPageJob.h"
#include "browse/TagDetailsJob.h"
#include "common/HumanSize.h"
#include "hunt/TargetExpandJob.h"
#include "models/ModelLogging.h"
#include "registry/ImageReference.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>
#include <QTimer>

#include <algorithm>

namespace ll::ui {

using Kind = NavigatorNode::Kind;
using Load = NavigatorNode::Load;

namespace {

QString shortDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(QLatin1Char(':'));
    return colon < 0 ? digest : digest.left(colon + 1 + 12);
}

/** "1 layer", "3 layers" (no translation catalogue: %n's plural forms would read "layer(s)"). */
QString counted(int n, const char *one, const char *many)
{
    return n == 1 ? RegistryTreeModel::tr(one) : RegistryTreeModel::tr(many).arg(QLocale().toString(n));
}

bool isListing(Kind k)
{
    return k == Kind::Registry || k == Kind::Repository;
}

/** Tags first, newest first; messages after them. */
bool tagRowBefore(const std::unique_ptr<NavigatorNode> &a, const std::unique_ptr<NavigatorNode> &b)
{
    const bool ta = a->kind == Kind::Tag, tb = b->kind == Kind::Tag;
    if (ta != tb)
        return ta;
    return ta && hunt::TargetExpandJob::tagNewer(a->name, b->name);
}

} // namespace

RegistryTreeModel::RegistryTreeModel(registry::RegistryClient *client, QObject *parent)
    : QAbstractItemModel(parent)
    , m_client(client)
    , m_pageSize(browse::ListPageJob::DefaultPageSize)
    , m_root(std::make_unique<NavigatorNode>())
{
    auto seen = std::make_unique<NavigatorNode>();
    seen->kind = Kind::SeenRoot;
    seen->name = tr("Images seen before");
    seen->load = Load::Done;
    m_seen = m_root->add(std::move(seen));
}

RegistryTreeModel::~RegistryTreeModel()
{
    removeChildren(m_root.get(), -1, -1); // only stops the jobs (no rows given)
}

QString RegistryTreeModel::registryDisplayName(const QString &host)
{
    return host == registry::ImageReference::dockerHubRegistry() ? tr("Docker Hub") : host;
}

QString RegistryTreeModel::normaliseRegistry(const QString &host)
{
    QString h = host.trimmed().toLower();
    while (h.endsWith(QLatin1Char('/')))
        h.chop(1);
    if (h.startsWith(QLatin1String("https://")))
        h = h.mid(8);
    else if (h.startsWith(QLatin1String("http://")))
        h = h.mid(7);
    if (h == QLatin1String("docker.io") || h == QLatin1String("index.docker.io") || h == QLatin1String("docker hub"))
        return registry::ImageReference::dockerHubRegistry();
    return h;
}

std::unique_ptr<NavigatorNode> RegistryTreeModel::makeRegistry(const QString &host)
{
    auto node = std::make_unique<NavigatorNode>();
    node->kind = Kind::Registry;
    node->name = host;
    return node;
}

QStringList RegistryTreeModel::registries() const
{
    QStringList out;
    for (const auto &c : m_root->children) {
        if (c->kind == Kind::Registry)
            out << c->name;
    }
    return out;
}

void RegistryTreeModel::setRegistries(const QStringList &hosts)
{
    while (m_root->children.size() > 1)
        removeRegistry(indexOf(m_root->children.front().get()));
    for (const QString &h : hosts)
        addRegistry(h);
}

NavigatorNode *RegistryTreeModel::findRegistry(const QString &host) const
{
    const QString h = normaliseRegistry(host);
    for (const auto &c : m_root->children) {
        if (c->kind == Kind::Registry && c->name == h)
            return c.get();
    }
    return nullptr;
}

QModelIndex RegistryTreeModel::registryIndex(const QString &host) const
{
    const NavigatorNode *n = findRegistry(host);
    return n ? indexOf(n) : QModelIndex();
}

QModelIndex RegistryTreeModel::addRegistry(const QString &host)
{
    const QString h = normaliseRegistry(host);
    if (h.isEmpty() || h.contains(QLatin1Char('/')) || h.contains(QLatin1Char(' ')))
        return {};
    if (NavigatorNode *n = findRegistry(h))
        return indexOf(n);
    insertRowAt(m_root.get(), m_seen->row, makeRegistry(h));
    emit registriesChanged();
    return indexOf(m_root->children.at(m_seen->row - 1).get());
}

bool RegistryTreeModel::removeRegistry(const QModelIndex &index)
{
    NavigatorNode *n = nodeOf(index);
    if (!n || n->kind != Kind::Registry)
        return false;
    removeChildren(m_root.get(), n->row, n->row);
    emit registriesChanged();
    return true;
}

QModelIndex RegistryTreeModel::addRepository(const QString &registryHost, const QString &repository)
{
    const QModelIndex reg = addRegistry(registryHost);
    NavigatorNode *r = nodeOf(reg);
    if (!r)
        return {};
    // Normalised as a reference would be (Docker Hub's "ubuntu" is "library/ubuntu").
    const auto ref = registry::ImageReference::parse(r->name + QLatin1Char('/') + repository.trimmed());
    if (!ref || repository.trimmed().isEmpty())
        return {};
    const QString name = ref->repository();
    for (const auto &c : r->children) {
        if (c->kind == Kind::Repository && c->name == name)
            return indexOf(c.get());
    }
    auto node = std::make_unique<NavigatorNode>();
    node->kind = Kind::Repository;
    node->name = name;
    node->detail = tr("typed");
    // After the other repositories, before nothing: typed rows stay where they are when pages arrive.
    insertRowAt(r, int(r->children.size()), std::move(node));
    return indexOf(r->children.back().get());
}

QModelIndex RegistryTreeModel::childNamed(const QModelIndex &parent, const QString &name) const
{
    const NavigatorNode *p = parent.isValid() ? nodeOf(parent) : m_root.get();
    if (!p)
        return {};
    for (const auto &c : p->children) {
        if (c->kind != Kind::Message && c->kind != Kind::TypeRepository && c->name == name)
            return indexOf(c.get());
    }
    return {};
}

QModelIndex RegistryTreeModel::seenRoot() const
{
    return indexOf(m_seen);
}

void RegistryTreeModel::setSeenImages(const QVector<catalog::SeenImage> &images)
{
    if (!m_seen->children.empty())
        removeChildren(m_seen, 0, int(m_seen->children.size()) - 1);
    std::vector<std::unique_ptr<NavigatorNode>> rows;
    const QLocale locale;
    for (const catalog::SeenImage &s : images) {
        auto n = std::make_unique<NavigatorNode>();
        n->kind = Kind::SeenImage;
        const auto ref = registry::ImageReference::parse(s.reference);
        n->name = ref ? ref->displayName() : s.reference;
        n->reference = s.reference;
        n->platform = s.platform;
        n->digest = s.manifestDigest;
        n->detail = tr("%1 · %2 · %3 · seen %4")
                        .arg(s.platform, counted(int(s.layers.size()), "1 layer", "%1 layers"), humanSize(s.size),
                            locale.toString(s.when.toLocalTime(), QLocale::ShortFormat));
        rows.push_back(std::move(n));
    }
    appendRows(m_seen, std::move(rows));
    updateDetail(m_seen, counted(int(images.size()), "1 image", "%1 images"));
}

// --- tree plumbing --------------------------------------------------------------------------------------------

NavigatorNode *RegistryTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    if (index.model() != this)
        return nullptr;
    return static_cast<NavigatorNode *>(index.internalPointer());
}

QModelIndex RegistryTreeModel::indexOf(const NavigatorNode *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<NavigatorNode *>(node));
}

QModelIndex RegistryTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    const NavigatorNode *p = nodeOf(parent);
    if (!p || row < 0 || row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex RegistryTreeModel::parent(const QModelIndex &child) const
{
    const NavigatorNode *n = child.isValid() ? nodeOf(child) : nullptr;
    if (!n || !n->parent || n->parent == m_root.get())
        return {};
    return indexOf(n->parent);
}

int RegistryTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const NavigatorNode *p = nodeOf(parent);
    return p ? int(p->children.size()) : 0;
}

int RegistryTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool RegistryTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return false;
    const NavigatorNode *p = nodeOf(parent);
    if (!p)
        return false;
    if (!p->children.empty())
        return true;
    switch (p->kind) {
    case Kind::Registry:
    case Kind::Repository:
    case Kind::Tag:
        return p->load != Load::Done; // an expand arrow until the listing says there is nothing
    default:
        return false;
    }
}

bool RegistryTreeModel::canFetchMore(const QModelIndex &parent) const
{
    const NavigatorNode *p = parent.isValid() ? nodeOf(parent) : nullptr;
    if (!p || p->load != Load::Idle)
        return false;
    if (isListing(p->kind))
        return !p->listingStarted || !p->listing.atEnd();
    return p->kind == Kind::Tag && !p->listingStarted;
}

void RegistryTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    NavigatorNode *p = nodeOf(parent);
    if (p->kind == Kind::Tag)
        startDetails(p);
    else
        startListing(p);
}

void RegistryTreeModel::fetchAll(const QModelIndex &index)
{
    NavigatorNode *p = nodeOf(index);
    if (!p || !isListing(p->kind))
        return;
    p->wantAll = true;
    fetchMore(index);
}

QByteArray RegistryTreeModel::document(const QModelIndex &index) const
{
    const NavigatorNode *n = nodeOf(index);
    const NavigatorNode *tag = n ? n->ancestor(Kind::Tag) : nullptr;
    return tag ? tag->document : QByteArray();
}

void RegistryTreeModel::insertRowAt(NavigatorNode *parent, int row, std::unique_ptr<NavigatorNode> node)
{
    beginInsertRows(indexOf(parent), row, row);
    node->parent = parent;
    parent->children.insert(parent->children.begin() + row, std::move(node));
    parent->renumber();
    endInsertRows();
}

void RegistryTreeModel::appendRows(NavigatorNode *parent, std::vector<std::unique_ptr<NavigatorNode>> rows)
{
    if (rows.empty())
        return;
    const int first = int(parent->children.size());
    beginInsertRows(indexOf(parent), first, first + int(rows.size()) - 1);
    for (auto &r : rows)
        parent->add(std::move(r));
    endInsertRows();
}

void RegistryTreeModel::removeChildren(NavigatorNode *parent, int first, int last)
{
    // Stop what runs below the rows that go (a job's answer must not reach a deleted node).
    std::function<void(NavigatorNode *)> stop = [&](NavigatorNode *n) {
        if (n->job) {
            n->job->disconnect(this);
            n->job->cancel();
            n->job->deleteLater();
            n->job = nullptr;
        }
        for (auto &c : n->children)
            stop(c.get());
    };
    if (first < 0) {
        stop(parent);
        return;
    }
    for (int i = first; i <= last; ++i)
        stop(parent->children[size_t(i)].get());
    beginRemoveRows(indexOf(parent), first, last);
    parent->children.erase(parent->children.begin() + first, parent->children.begin() + last + 1);
    parent->renumber();
    endRemoveRows();
}

namespace {
bool refusedAccess(const Error &e)
{
    return e.code == Error::Code::Unauthorized || e.code == Error::Code::Forbidden;
}
} // namespace

void RegistryTreeModel::addMessage(NavigatorNode *parent, const QString &text, bool isError, const Error &cause)
{
    auto m = std::make_unique<NavigatorNode>();
    m->kind = Kind::Message;
    m->name = text;
    m->isError = isError;
    if (refusedAccess(cause))
        m->refusal = cause;
    std::vector<std::unique_ptr<NavigatorNode>> rows;
    rows.push_back(std::move(m));
    appendRows(parent, std::move(rows));
}

void RegistryTreeModel::updateDetail(NavigatorNode *node, const QString &detail)
{
    if (node->detail == detail)
        return;
    node->detail = detail;
    const QModelIndex i = indexOf(node, DetailColumn);
    if (i.isValid())
        emit dataChanged(indexOf(node, NameColumn), i);
}

// --- listings --------------------------------------------------------------------------------------------------

void RegistryTreeModel::startListing(NavigatorNode *node)
{
    if (node->load == Load::Loading)
        return;
    const NavigatorNode *reg = node->ancestor(Kind::Registry);
    const bool repos = node->kind == Kind::Registry;
    if (!node->listingStarted) {
        node->listing = browse::ListPageJob::firstPage(
            repos ? browse::ListPageJob::Kind::Repositories : browse::ListPageJob::Kind::Tags,
            repos ? QString() : node->name, m_pageSize);
    }
    node->load = Load::Loading;
    auto *job = new browse::ListPageJob(m_client,
        repos ? browse::ListPageJob::Kind::Repositories : browse::ListPageJob::Kind::Tags, reg->name,
        repos ? QString() : node->name, node->listing, this);
    connect(job, &Job::finished, this, [this, node, job] { onPage(node, job); });
    launch(node, job, node->listingStarted ? tr("%1, listing more…").arg(listingDetail(node)) : tr("listing…"));
}

void RegistryTreeModel::launch(NavigatorNode *node, Job *job, const QString &detail)
{
    node->job = job;
    updateDetail(node, detail);
    const QModelIndex i = indexOf(node);
    emit dataChanged(i, i, { LoadingRole });
    if (m_tracker)
        m_tracker(job);
    // Started from the event loop: fetchMore() is called by views in the middle of their layout.
    QTimer::singleShot(0, job, [job] {
        if (job->state() == Job::State::Idle)
            job->start();
    });
}

QString RegistryTreeModel::listingDetail(const NavigatorNode *node) const
{
    int count = 0;
    for (const auto &c : node->children)
        count += c->kind == Kind::Repository || c->kind == Kind::Tag ? 1 : 0;
    const bool more = node->listingStarted && !node->listing.atEnd();
    const QString n = node->kind == Kind::Registry ? counted(count, "1 repository", "%1 repositories")
                                                   : counted(count, "1 tag", "%1 tags");
    return more ? tr("%1 listed, more below").arg(n) : n;
}

void RegistryTreeModel::refusedCatalog(NavigatorNode *registry, const Error &error)
{
    // Said in the tree, with a row to type a repository into, above whatever was typed already.
    auto m = std::make_unique<NavigatorNode>();
    m->kind = Kind::Message;
    m->name = error.message;
    m->isError = error.code != Error::Code::Unsupported;
    insertRowAt(registry, 0, std::move(m));
    auto t = std::make_unique<NavigatorNode>();
    t->kind = Kind::TypeRepository;
    t->name
        = tr("Type a repository name (e.g. %1)…")
              .arg(registry->name == registry::ImageReference::dockerHubRegistry() ? QStringLiteral("library/debian")
                                                                                   : QStringLiteral("team/app"));
    insertRowAt(registry, 1, std::move(t));
}

void RegistryTreeModel::onPage(NavigatorNode *node, browse::ListPageJob *job)
{
    node->job = nullptr;
    job->deleteLater();
    const QModelIndex index = indexOf(node);
    if (job->state() == Job::State::Cancelled) {
        node->load = Load::Idle;
        updateDetail(node, node->listingStarted ? listingDetail(node) : QString());
        emit dataChanged(index, index, { LoadingRole });
        return;
    }
    if (job->state() != Job::State::Succeeded) {
        const Error &e = job->error();
        node->load = Load::Failed;
        node->wantAll = false;
        const bool refused = node->kind == Kind::Registry && !node->listingStarted
            && (e.code == Error::Code::Unsupported || e.code == Error::Code::Unauthorized
                || e.code == Error::Code::Forbidden);
        if (refused) {
            node->load = Load::Done; // nothing to retry: typing a name is the way in
            refusedCatalog(node, e);
            updateDetail(node, e.code == Error::Code::Unsupported ? tr("no catalog") : tr("catalog needs sign-in"));
        } else {
            addMessage(node,
                refusedAccess(e) ? tr("%1 (double-click to sign in)").arg(e.message)
                                 : tr("%1 (double-click to retry)").arg(e.message),
                true, e);
            updateDetail(node, node->listingStarted ? tr("%1, stopped").arg(listingDetail(node)) : tr("failed"));
        }
        qCDebug(llUiModel) << "navigator listing failed" << node->name << e.toString();
        emit dataChanged(index, index, { LoadingRole });
        emit loaded(index);
        return;
    }
    node->listingStarted = true;
    node->listing = job->listing();
    const QStringList &names = job->items();
    if (node->kind == Kind::Registry) {
        std::vector<std::unique_ptr<NavigatorNode>> rows;
        for (const QString &name : names) {
            bool typed = false;
            for (const auto &c : node->children) {
                if (c->kind == Kind::Repository && c->name == name) {
                    typed = true;
                    break;
                }
            }
            if (typed)
                continue;
            auto r = std::make_unique<NavigatorNode>();
            r->kind = Kind::Repository;
            r->name = name;
            rows.push_back(std::move(r));
        }
        appendRows(node, std::move(rows));
    } else {
        addTagsSorted(node, names);
    }
    const bool end = node->listing.atEnd();
    node->load = end ? Load::Done : Load::Idle;
    if (node->listing.error()) {
        node->wantAll = false;
        addMessage(node, node->listing.error().message, true);
    } else if (end && node->children.empty()) {
        addMessage(node, node->kind == Kind::Registry ? tr("No repositories") : tr("No tags"), false);
    }
    if (end)
        node->wantAll = false;
    if (node->wantAll) {
        // Before any signal: a listener (a view, the model tester) may fetch more from its handler.
        startListing(node);
    } else {
        updateDetail(node, listingDetail(node));
        emit dataChanged(index, index, { LoadingRole });
    }
    emit loaded(index);
}

void RegistryTreeModel::addTagsSorted(NavigatorNode *repo, const QStringList &tags)
{
    if (tags.isEmpty())
        return;
    std::vector<std::unique_ptr<NavigatorNode>> rows;
    rows.reserve(size_t(tags.size()));
    for (const QString &t : tags) {
        auto n = std::make_unique<NavigatorNode>();
        n->kind = Kind::Tag;
        n->name = t;
        rows.push_back(std::move(n));
    }
    const bool first = repo->children.empty();
    if (first)
        std::stable_sort(rows.begin(), rows.end(), tagRowBefore);
    appendRows(repo, std::move(rows));
    if (first)
        return;
    // Later pages: newest first among everything listed, rows moved as one layout change.
    const QModelIndex parentIndex = indexOf(repo);
    emit layoutAboutToBeChanged({ QPersistentModelIndex(parentIndex) }, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::stable_sort(repo->children.begin(), repo->children.end(), tagRowBefore);
    repo->renumber();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &i : before) {
        const NavigatorNode *n = static_cast<NavigatorNode *>(i.internalPointer());
        after.append(n && n->parent == repo ? createIndex(n->row, i.column(), const_cast<NavigatorNode *>(n)) : i);
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({ QPersistentModelIndex(parentIndex) }, QAbstractItemModel::VerticalSortHint);
}

void RegistryTreeModel::startDetails(NavigatorNode *tag)
{
    if (tag->load == Load::Loading)
        return;
    const NavigatorNode *reg = tag->ancestor(Kind::Registry);
    const NavigatorNode *repo = tag->ancestor(Kind::Repository);
    tag->load = Load::Loading;
    tag->listingStarted = true;
    auto *job = new browse::TagDetailsJob(m_client, reg->name, repo->name, tag->name, this);
    connect(job, &Job::finished, this, [this, tag, job] { onDetails(tag, job); });
    launch(tag, job, tr("reading…"));
}

void RegistryTreeModel::onDetails(NavigatorNode *tag, browse::TagDetailsJob *job)
{
    tag->job = nullptr;
    job->deleteLater();
    const QModelIndex index = indexOf(tag);
    if (job->state() == Job::State::Cancelled) {
        tag->load = Load::Idle;
        tag->listingStarted = false;
        updateDetail(tag, QString());
        emit dataChanged(index, index, { LoadingRole });
        return;
    }
    if (job->state() != Job::State::Succeeded) {
        const Error &e = job->error();
        tag->load = Load::Failed;
        const bool gone = e.code == Error::Code::NotFound;
        updateDetail(tag, gone ? tr("gone") : tr("failed"));
        addMessage(tag,
            gone                   ? tr("%1 is not on the registry any more (deleted since the listing)").arg(tag->name)
                : refusedAccess(e) ? tr("%1 (double-click to sign in)").arg(e.message)
                                   : tr("%1 (double-click to retry)").arg(e.message),
            true, e);
        emit dataChanged(index, index, { LoadingRole });
        emit loaded(index);
        return;
    }
    const browse::TagDetails &d = job->details();
    tag->digest = d.digest;
    tag->document = d.document;
    tag->load = Load::Done;
    std::vector<std::unique_ptr<NavigatorNode>> rows;
    for (const browse::TagPlatform &p : d.platforms) {
        auto n = std::make_unique<NavigatorNode>();
        n->kind = Kind::Platform;
        n->name = p.platform.isEmpty() ? tr("image") : p.platform;
        n->platform = p.platform;
        n->digest = p.digest;
        if (p.error) {
            n->isError = true;
            n->detail = p.error.message;
        } else if (p.layers >= 0) {
            n->detail = tr("%1 · %2 · %3")
                            .arg(counted(p.layers, "1 layer", "%1 layers"), humanSize(p.size), shortDigest(p.digest));
        } else {
            n->detail = shortDigest(p.digest);
        }
        rows.push_back(std::move(n));
    }
    appendRows(tag, std::move(rows));
    QString detail = shortDigest(d.digest);
    if (d.isIndex)
        detail += QStringLiteral(" · ") + counted(int(d.platforms.size()), "1 platform", "%1 platforms");
    if (d.totalSize() >= 0)
        detail += QStringLiteral(" · ") + humanSize(d.totalSize());
    if (d.attestations > 0)
        detail += QStringLiteral(" · ")
            + counted(d.attestations, "1 attestation manifest hidden", "%1 attestation manifests hidden");
    updateDetail(tag, detail);
    emit dataChanged(index, index, { LoadingRole, DigestRole });
    emit loaded(index);
}

Error RegistryTreeModel::refusal(const QModelIndex &index) const
{
    const NavigatorNode *n = index.isValid() ? nodeOf(index) : nullptr;
    return n && n->kind == Kind::Message ? n->refusal : Error();
}

void RegistryTreeModel::retry(const QModelIndex &index)
{
    NavigatorNode *n = nodeOf(index);
    if (n && n->kind == Kind::Message)
        n = n->parent;
    if (!n || n->load != Load::Failed)
        return;
    for (int i = int(n->children.size()) - 1; i >= 0; --i) {
        if (n->children[size_t(i)]->kind == Kind::Message)
            removeChildren(n, i, i);
    }
    n->load = Load::Idle;
    if (n->kind == Kind::Tag)
        n->listingStarted = false;
    fetchMore(indexOf(n));
}

// --- data ------------------------------------------------------------------------------------------------------

QVariant RegistryTreeModel::data(const QModelIndex &index, int role) const
{
    const NavigatorNode *n = index.isValid() ? nodeOf(index) : nullptr;
    if (!n)
        return {};
    const NavigatorNode *reg = n->ancestor(Kind::Registry);
    const NavigatorNode *repo = n->ancestor(Kind::Repository);
    const NavigatorNode *tag = n->ancestor(Kind::Tag);
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == DetailColumn)
            return n->detail;
        return n->kind == Kind::Registry ? registryDisplayName(n->name) : n->name;
    case Qt::EditRole:
        return n->kind == Kind::TypeRepository ? QString() : n->name;
    case Qt::ToolTipRole:
        if (index.column() == DetailColumn && !n->detail.isEmpty())
            return n->detail;
        if (n->kind == Kind::Registry)
            return n->name;
        if (n->kind == Kind::Tag || n->kind == Kind::Platform || n->kind == Kind::SeenImage)
            return n->digest.isEmpty() ? QVariant() : QVariant(n->digest);
        return n->kind == Kind::Message ? QVariant(n->name) : QVariant();
    case Qt::ForegroundRole:
        if (n->isError)
            return QBrush(QColor(0xb0, 0x00, 0x20));
        if (n->kind == Kind::TypeRepository || (n->kind == Kind::Message) || index.column() == DetailColumn)
            return QBrush(QColor(0x6b, 0x6b, 0x6b));
        return {};
    case Qt::FontRole:
        if (n->kind == Kind::Message || n->kind == Kind::TypeRepository) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        if (n->kind == Kind::Registry || n->kind == Kind::SeenRoot) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case KindRole:
        return int(n->kind);
    case ReferenceRole:
        if (n->kind == Kind::SeenImage)
            return n->reference;
        if (tag && repo && reg)
            return QString(reg->name + QLatin1Char('/') + repo->name + QLatin1Char(':') + tag->name);
        if (repo && reg)
            return QString(reg->name + QLatin1Char('/') + repo->name);
        return reg ? QVariant(reg->name) : QVariant();
    case PlatformRole:
        return n->kind == Kind::Platform || n->kind == Kind::SeenImage ? n->platform : QString();
    case DigestRole:
        return n->digest;
    case RegistryRole:
        return reg ? reg->name : QString();
    case RepositoryRole:
        return repo ? repo->name : QString();
    case LoadingRole:
        return n->load == Load::Loading;
    case NeedsSignInRole:
        return n->kind == Kind::Message && n->refusal.isError();
    default:
        return {};
    }
}

bool RegistryTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    NavigatorNode *n = nodeOf(index);
    if (!index.isValid() || !n || role != Qt::EditRole || n->kind != Kind::TypeRepository)
        return false;
    const QString text = value.toString().trimmed();
    if (text.isEmpty())
        return false;
    return addRepository(n->ancestor(Kind::Registry)->name, text).isValid();
}

Qt::ItemFlags RegistryTreeModel::flags(const QModelIndex &index) const
{
    const NavigatorNode *n = index.isValid() ? nodeOf(index) : nullptr;
    if (!n)
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (n->kind == Kind::TypeRepository && index.column() == NameColumn)
        f |= Qt::ItemIsEditable;
    if (n->kind == Kind::Message || n->kind == Kind::TypeRepository || n->kind == Kind::Platform
        || n->kind == Kind::SeenImage)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QVariant RegistryTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? tr("Name") : tr("Details");
}

} // namespace ll::ui
