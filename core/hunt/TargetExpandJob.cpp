#include "hunt/TargetExpandJob.h"

#include "hunt/HuntLogging.h"
#include "hunt/PathGlob.h"
#include "registry/RegistryClient.h"
#include "registry/TagListJob.h"

#include <algorithm>

namespace ll::hunt {

namespace {

bool matchesAny(const QList<PathGlob> &globs, const QString &name)
{
    for (const PathGlob &g : globs) {
        if (g.matches(name))
            return true;
    }
    return false;
}

QList<PathGlob> compile(const QStringList &patterns)
{
    QList<PathGlob> out;
    for (const QString &p : patterns) {
        Result<PathGlob> g = PathGlob::parse(p);
        if (g)
            out << *g;
    }
    return out;
}

} // namespace

TargetExpandJob::TargetExpandJob(
    registry::RegistryClient *client, const HuntTargets &targets, int concurrency, QObject *parent)
    : Job(parent), m_client(client), m_targets(targets), m_concurrency(qMax(1, concurrency))
{
    setTitle(tr("Expand hunt targets"));
    setProgressUnit(ProgressUnit::Items);
}

TargetExpandJob::~TargetExpandJob()
{
    for (const QPointer<registry::TagListJob> &j : std::as_const(m_running)) {
        if (j) {
            j->disconnect(this);
            delete j.data();
        }
    }
}

bool TargetExpandJob::namesTagOrDigest(const QString &text)
{
    if (text.contains(QLatin1Char('@')))
        return true;
    const qsizetype slash = text.lastIndexOf(QLatin1Char('/'));
    return text.indexOf(QLatin1Char(':'), slash + 1) >= 0;
}

bool TargetExpandJob::isBareHost(const QString &text)
{
    // Docker reads a single component as an image name ("alpine:3.19", "ubuntu:22"); a host has a dot, is
    // localhost or an [IPv6] literal, and its port is a number.
    if (text.isEmpty() || text.contains(QLatin1Char('/')) || text.contains(QLatin1Char('@')))
        return false;
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    const bool bracketed = text.startsWith(QLatin1Char('['));
    const qsizetype close = text.indexOf(QLatin1Char(']'));
    const qsizetype portAt = bracketed
        ? (close >= 0 && close + 1 < text.size() && text[close + 1] == QLatin1Char(':') ? close + 1 : -1)
        : colon;
    const QString host = portAt >= 0 ? text.left(portAt) : text;
    if (portAt >= 0) {
        bool ok = false;
        const int port = text.mid(portAt + 1).toInt(&ok);
        if (!ok || port <= 0 || port > 65535)
            return false;
    }
    return bracketed || host.contains(QLatin1Char('.')) || host == QLatin1String("localhost");
}

bool TargetExpandJob::tagNewer(const QString &a, const QString &b)
{
    const bool al = a == QLatin1String("latest"), bl = b == QLatin1String("latest");
    if (al != bl)
        return al;
    // Compare chunk by chunk: digit runs as numbers, the rest as text.
    qsizetype i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = a[i].isDigit(), db = b[j].isDigit();
        if (da && db) {
            qsizetype ei = i, ej = j;
            while (ei < a.size() && a[ei].isDigit())
                ++ei;
            while (ej < b.size() && b[ej].isDigit())
                ++ej;
            QStringView ta = QStringView(a).mid(i, ei - i), tb = QStringView(b).mid(j, ej - j);
            while (ta.size() > 1 && ta.front() == QLatin1Char('0'))
                ta = ta.mid(1);
            while (tb.size() > 1 && tb.front() == QLatin1Char('0'))
                tb = tb.mid(1);
            // A longer run of digits (leading zeros aside) is a bigger number.
            if (ta.size() != tb.size())
                return ta.size() > tb.size();
            const int c = ta.compare(tb);
            if (c != 0)
                return c > 0;
            i = ei;
            j = ej;
            continue;
        }
        if (a[i] != b[j])
            return a[i] > b[j];
        ++i;
        ++j;
    }
    return (a.size() - i) > (b.size() - j);
}

void TargetExpandJob::doStart()
{
    m_results.clear();
    m_slots.clear();
    m_seen.clear();
    for (const QString &raw : std::as_const(m_targets.targets)) {
        const QString text = raw.trimmed();
        const int slot = int(m_slots.size());
        m_slots.append(QVector<ExpandedTarget>());
        if (isBareHost(text)) {
            if (!m_targets.catalog) {
                addError(slot, text,
                    Error(Error::Code::Usage,
                        tr("%1 names a registry, not an image (add --catalog to hunt in "
                           "every repository)")
                            .arg(text)));
                continue;
            }
            Result<registry::ImageReference> probe = registry::ImageReference::parse(text + QStringLiteral("/probe"));
            if (!probe) {
                addError(slot, text, probe.error());
                continue;
            }
            if (probe->isDockerHub()) {
                addError(slot, text,
                    Error(Error::Code::Unsupported,
                        tr("Docker Hub has no catalog: name the repositories instead "
                           "(-t user/repo --all-tags)")));
                continue;
            }
            m_queue.append(Listing { slot, probe->registry(), QString(), text });
            continue;
        }
        Result<registry::ImageReference> ref = registry::ImageReference::parse(text);
        if (!ref) {
            addError(slot, text, ref.error());
            continue;
        }
        if (m_targets.allTags && !namesTagOrDigest(text)) {
            m_queue.append(Listing { slot, ref->registry(), ref->repository(), text });
            continue;
        }
        addImage(slot, text, *ref);
    }
    pump();
    finishIfDone();
}

void TargetExpandJob::doCancel()
{
    m_queue.clear();
    for (const QPointer<registry::TagListJob> &j : std::as_const(m_running)) {
        if (j) {
            j->disconnect(this);
            j->cancel();
            j->deleteLater();
        }
    }
    m_running.clear();
    cancelled();
}

void TargetExpandJob::pump()
{
    for (qsizetype i = 0; i < m_queue.size() && isRunning();) {
        const Listing l = m_queue.at(i);
        if (m_active.value(l.registry) >= m_concurrency) {
            ++i;
            continue;
        }
        m_queue.removeAt(i);
        ++m_active[l.registry];
        const auto mode
            = l.repository.isEmpty() ? registry::TagListJob::Mode::Catalog : registry::TagListJob::Mode::Tags;
        auto *job = new registry::TagListJob(m_client, mode, l.registry, l.repository, m_targets.pageSize, this);
        m_running.append(job);
        connect(job, &Job::finished, this, [this, job, l]() { onListingDone(job, l); });
        setStatus(l.repository.isEmpty() ? tr("Listing the repositories of %1").arg(l.registry)
                                         : tr("Listing the tags of %1").arg(l.repository));
        job->start();
    }
}

void TargetExpandJob::onListingDone(registry::TagListJob *job, const Listing &l)
{
    m_running.removeAll(job);
    job->deleteLater();
    --m_active[l.registry];
    if (!isRunning())
        return;
    if (job->state() != Job::State::Succeeded) {
        addError(l.slot, l.text, job->error());
    } else if (l.repository.isEmpty()) {
        const QList<PathGlob> include = compile(m_targets.includeRepos);
        const QList<PathGlob> exclude = compile(m_targets.excludeRepos);
        for (const QString &repo : job->items()) {
            if ((!include.isEmpty() && !matchesAny(include, repo)) || matchesAny(exclude, repo))
                continue;
            const int slot = int(m_slots.size());
            m_slots.append(QVector<ExpandedTarget>());
            m_queue.append(Listing { slot, l.registry, repo, l.registry + QLatin1Char('/') + repo });
        }
        qCDebug(llHunt) << "catalog of" << l.registry << ":" << job->items().size() << "repositories";
    } else {
        QStringList tags = job->items();
        if (!m_targets.tagGlob.isEmpty()) {
            const QList<PathGlob> globs = compile({ m_targets.tagGlob });
            tags.erase(
                std::remove_if(tags.begin(), tags.end(), [&](const QString &t) { return !matchesAny(globs, t); }),
                tags.end());
        }
        std::sort(tags.begin(), tags.end(), &TargetExpandJob::tagNewer);
        if (m_targets.maxTags >= 0 && tags.size() > m_targets.maxTags)
            tags = tags.mid(0, m_targets.maxTags);
        for (const QString &t : std::as_const(tags)) {
            Result<registry::ImageReference> ref
                = registry::ImageReference::parse(l.registry + QLatin1Char('/') + l.repository + QLatin1Char(':') + t);
            if (ref)
                addImage(l.slot, ref->toString(), *ref);
            else
                addError(l.slot, l.repository + QLatin1Char(':') + t, ref.error());
        }
        if (tags.isEmpty())
            addError(l.slot, l.text, Error(Error::Code::NotFound, tr("no tag of %1 to hunt in").arg(l.repository)));
    }
    pump();
    finishIfDone();
}

void TargetExpandJob::addImage(int slot, const QString &text, const registry::ImageReference &ref)
{
    if (m_seen.contains(ref.toString()))
        return;
    m_seen.insert(ref.toString());
    m_slots[slot].append(ExpandedTarget { text, ref, Error() });
}

void TargetExpandJob::addError(int slot, const QString &text, const Error &error)
{
    m_slots[slot].append(ExpandedTarget { text, registry::ImageReference(), error });
}

void TargetExpandJob::finishIfDone()
{
    if (!isRunning() || !m_queue.isEmpty() || !m_running.isEmpty())
        return;
    for (const QVector<ExpandedTarget> &s : std::as_const(m_slots))
        m_results += s;
    m_slots.clear();
    setProgress(m_results.size(), m_results.size());
    succeed();
}

} // namespace ll::hunt
