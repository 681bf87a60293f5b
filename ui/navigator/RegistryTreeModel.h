#pragma once

#include "catalog/SeenImage.h"
#include "navigator/NavigatorNode.h"

#include <QAbstractItemModel>
#include <QVector>

#include <functional>

namespace ll::registry {
class RegistryClient;
}
namespace ll::browse {
class ListPageJob;
class TagDetailsJob;
} // namespace ll::browse

namespace ll::ui {

/**
 * The registry navigator's tree, lazy: registries -> repositories (the catalog, one page per fetchMore,
 * following Link) -> tags (paged the same way, newest first among those listed: versions compared number by
 * number, "latest" on top) -> on expand, what a tag names (its digest, its platforms with layers and size,
 * attestations left out); and a last branch, the images seen before (catalog::ImageCatalog, the hunt's
 * History). Every listing is a core job (browse::ListPageJob, browse::TagDetailsJob) handed to the tracker
 * (the Jobs panel); nothing waits. States are rows of their own: a registry that does not list its
 * repositories (Docker Hub) says so and offers an editable "type a repository" row; a repository that needs
 * sign-in, a tag gone since the listing, a listing cut short by a Link loop or a repeated page each get a
 * message row (activating a failed one retries: retry()).
 */
class RegistryTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, DetailColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // NavigatorNode::Kind as int
        ReferenceRole, // what opens: "host/repo:tag", a platform's "host/repo:tag", a seen image's reference
        PlatformRole, // "linux/arm64/v8" for a platform row or a seen image; empty otherwise
        DigestRole, // a tag's, platform's or seen image's manifest digest
        RegistryRole, // the registry host of any row under a registry
        RepositoryRole,
        LoadingRole, // bool: a listing of this row's children is running
        NeedsSignInRole, // bool: a message row saying the registry refused access (sign in, then retry)
    };
    using Tracker = std::function<void(Job *job)>;

    explicit RegistryTreeModel(registry::RegistryClient *client, QObject *parent = nullptr);
    ~RegistryTreeModel() override;

    registry::RegistryClient *client() const { return m_client; }
    /** Jobs are given to it as they start (the Jobs panel). */
    void setTracker(Tracker tracker) { m_tracker = std::move(tracker); }
    /** Names per page of the listings (default browse::ListPageJob::DefaultPageSize). */
    void setPageSize(int n) { m_pageSize = n; }

    /** The remembered registries, in tree order. */
    QStringList registries() const;
    void setRegistries(const QStringList &hosts);
    /** Adds a registry (a host, "host:port"; "docker.io" is Docker Hub) unless there; its index. */
    QModelIndex addRegistry(const QString &host);
    /** Removes a registry row (and what was listed below it). */
    bool removeRegistry(const QModelIndex &index);
    /** The registry's row (added if needed), then its repository's row (added if not listed). */
    QModelIndex addRepository(const QString &registry, const QString &repository);
    QModelIndex registryIndex(const QString &host) const;
    /** A listed child row named name under parent; invalid when not (yet) listed. */
    QModelIndex childNamed(const QModelIndex &parent, const QString &name) const;
    QModelIndex seenRoot() const;

    /** Images seen before, newest first (replaces the branch's rows). */
    void setSeenImages(const QVector<catalog::SeenImage> &images);

    /** A failed row (or a message row under it): forget the failure and list again. */
    void retry(const QModelIndex &index);
    /** A message row's refusal (NeedsSignInRole): what the credentials dialog says; no error otherwise. */
    Error refusal(const QModelIndex &index) const;
    /** Lists index's children page after page to the end (a filter, a tag looked for). */
    void fetchAll(const QModelIndex &index);
    /** The tag's manifest or index as served (empty until its details are read). */
    QByteArray document(const QModelIndex &index) const;

    /** "Docker Hub" for Docker Hub's registry host, else the host. */
    static QString registryDisplayName(const QString &host);
    /** "docker.io", "index.docker.io" -> Docker Hub's registry host; anything else trimmed, lower-cased. */
    static QString normaliseRegistry(const QString &host);

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

signals:
    void registriesChanged();
    /** A listing or a tag's details arrived under parent (tests, the panel's status line). */
    void loaded(const QModelIndex &parent);

private:
    NavigatorNode *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(const NavigatorNode *node, int column = 0) const;
    void startListing(NavigatorNode *node);
    void startDetails(NavigatorNode *tag);
    /** Hands job to the tracker and starts it from the event loop; node shows detail meanwhile. */
    void launch(NavigatorNode *node, Job *job, const QString &detail);
    void onPage(NavigatorNode *node, browse::ListPageJob *job);
    void onDetails(NavigatorNode *tag, browse::TagDetailsJob *job);
    void appendRows(NavigatorNode *parent, std::vector<std::unique_ptr<NavigatorNode>> rows);
    void insertRowAt(NavigatorNode *parent, int row, std::unique_ptr<NavigatorNode> node);
    void addTagsSorted(NavigatorNode *repo, const QStringList &tags);
    void removeChildren(NavigatorNode *parent, int first, int last);
    void addMessage(NavigatorNode *parent, const QString &text, bool isError, const Error &cause = Error());
    void updateDetail(NavigatorNode *node, const QString &detail);
    void refusedCatalog(NavigatorNode *registry, const Error &error);
    NavigatorNode *findRegistry(const QString &host) const;
    static std::unique_ptr<NavigatorNode> makeRegistry(const QString &host);
    QString listingDetail(const NavigatorNode *node) const;

    registry::RegistryClient *m_client;
    Tracker m_tracker;
    int m_pageSize;
    std::unique_ptr<NavigatorNode> m_root;
    NavigatorNode *m_seen = nullptr; // the last top-level row
};

} // namespace ll::ui
