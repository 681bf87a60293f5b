#include "cli/ListCommand.h"

#include "cli/CliSession.h"
#include "cli/Console.h"
#include "registry/TagListJob.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ll::cli {

namespace {

int printItems(CliSession &session, registry::TagListJob &job, const QString &key, const QJsonObject &head)
{
    session.run(&job);
    if (job.state() != Job::State::Succeeded)
        return session.fail(job.error());
    Console &c = Console::instance();
    if (session.options().json) {
        QJsonObject o = head;
        o.insert(key, QJsonArray::fromStringList(job.items()));
        c.outBytes(QJsonDocument(o).toJson(QJsonDocument::Indented));
        return 0;
    }
    for (const QString &item : job.items())
        c.outLine(item);
    c.info(QStringLiteral("%1 %2 (%3 page%4)")
               .arg(job.items().size())
               .arg(key)
               .arg(job.pageCount())
               .arg(job.pageCount() == 1 ? QString() : QStringLiteral("s")));
    return 0;
}

} // namespace

int runListTags(CliSession &session)
{
    auto ref = session.reference();
    if (!ref)
        return session.fail(ref.error());
    registry::TagListJob job(session.client(), registry::TagListJob::Mode::Tags, ref->registry(), ref->repository(),
        session.options().pageSize);
    return printItems(session, job, QStringLiteral("tags"),
        { { QStringLiteral("registry"), ref->registry() }, { QStringLiteral("repository"), ref->repository() } });
}

int runCatalog(CliSession &session)
{
    // -t names a registry ("127.0.0.1:5000", "registry.lan") or any reference on it.
    QString registryName = session.options().target;
    if (registryName.endsWith(QLatin1Char('/')))
        registryName.chop(1);
    if (registryName.contains(QLatin1Char('/'))) {
        auto ref = session.reference();
        if (!ref)
            return session.fail(ref.error());
        registryName = ref->registry();
    } else if (registryName == QLatin1String("docker.io")) {
        registryName = registry::ImageReference::dockerHubRegistry();
    }
    registry::TagListJob job(
        session.client(), registry::TagListJob::Mode::Catalog, registryName, {}, session.options().pageSize);
    return printItems(session, job, QStringLiteral("repositories"), { { QStringLiteral("registry"), registryName } });
}

} // namespace ll::cli
