#pragma once

#include "common/Job.h"
#include "common/Result.h"

#include <QSet>
#include <QStringList>

namespace ll::registry {

class RegistryClient;
class RegistryCall;

/**
 * Paginated listing: /v2/<repo>/tags/list (Mode::Tags) or /v2/_catalog (Mode::Catalog), asking for pageSize
 * items a page (n) and following Link: <...>; rel="next" headers (relative or absolute, same registry only)
 * until there is none. The original tool's private registry browser. A repository that is not there:
 * Error::NotFound; a "tags": null answer is an empty list.
 */
class TagListJob : public Job
{
    Q_OBJECT
public:
    enum class Mode { Tags, Catalog };
    TagListJob(RegistryClient *client, Mode mode, const QString &registry, const QString &repository = {},
        int pageSize = 100, QObject *parent = nullptr);
    ~TagListJob() override;

    /** Tags or repository names, in the registry's order. */
    const QStringList &items() const { return m_items; }
    int pageCount() const { return m_pages; }

    /** One page's names ("repositories" or "tags"; null: none); Error::Malformed when it is not such a page. */
    static Result<QStringList> parsePage(const QByteArray &body, Mode mode, const QString &registry);

protected:
    void doStart() override;
    void doCancel() override;

private:
    void fetch(const QString &pathOrUrl);
    void onPage();

    RegistryClient *m_client;
    Mode m_mode;
    QString m_registry;
    QString m_repository;
    int m_pageSize;
    QStringList m_items;
    QSet<QString> m_seen;
    int m_pages = 0;
    RegistryCall *m_call = nullptr;
};

} // namespace ll::registry
