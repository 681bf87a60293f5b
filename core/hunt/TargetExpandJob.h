#pragma once

#include "common/Job.h"
#include "hunt/HuntTargets.h"
#include "registry/ImageReference.h"

#include <QPointer>
#include <QSet>
#include <QVector>

namespace ll::registry {
class RegistryClient;
class TagListJob;
} // namespace ll::registry

namespace ll::hunt {

/** One image to hunt in, or a target that named none (error set, text as given). */
struct ExpandedTarget {
    QString text;
    registry::ImageReference reference;
    Error error;
};

/**
 * Targets -> images: explicit references as they are; a repository with allTags -> its tags (paged
 * listing, tagGlob, newest first, maxTags); a bare host with catalog -> its repositories (include/exclude
 * globs) -> their tags. At most `concurrency` listings run per registry at a time. A malformed reference, an
 * unknown repository or a registry that refuses its catalog (Docker Hub has none) becomes an ExpandedTarget
 * with its error; the rest goes on. The job itself fails only when cancelled. Images are deduplicated.
 *
 * "Newest first": registries list tags without dates, so tags are ordered by name, versions compared
 * number by number ("1.10" after "1.9"), "latest" first: what maxTags keeps.
 */
class TargetExpandJob : public Job
{
    Q_OBJECT
public:
    TargetExpandJob(
        registry::RegistryClient *client, const HuntTargets &targets, int concurrency = 4, QObject *parent = nullptr);
    ~TargetExpandJob() override;

    /** Images and failed targets, in target order (a registry's repositories in catalog order). */
    const QVector<ExpandedTarget> &results() const { return m_results; }

    /** True when a is newer than b by the tag ordering above. */
    static bool tagNewer(const QString &a, const QString &b);
    /** "host[:port]" without a repository ("127.0.0.1:5000", "ghcr.io", "localhost"). */
    static bool isBareHost(const QString &text);
    /** An explicit tag or digest in what the user wrote (ImageReference adds "latest" otherwise). */
    static bool namesTagOrDigest(const QString &text);

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Listing {
        int slot = -1;
        QString registry;
        QString repository; // empty: the catalog
        QString text; // the target that asked for it
    };
    void pump();
    void onListingDone(registry::TagListJob *job, const Listing &listing);
    void addImage(int slot, const QString &text, const registry::ImageReference &ref);
    void addError(int slot, const QString &text, const Error &error);
    void finishIfDone();

    registry::RegistryClient *m_client;
    HuntTargets m_targets;
    int m_concurrency;
    QVector<Listing> m_queue;
    QHash<QString, int> m_active; // per registry
    QList<QPointer<registry::TagListJob>> m_running;
    QVector<QVector<ExpandedTarget>> m_slots;
    QSet<QString> m_seen; // canonical references
    QVector<ExpandedTarget> m_results;
};

} // namespace ll::hunt
