#include "hunt/HuntController.h"

#include "catalog/ImageCatalog.h"
#include "hunt/HuntResultsModel.h"
#include "index/IndexStore.h"

namespace ll::ui {

namespace {

bool refusedAccess(const Error &e)
{
    return e.code == Error::Code::Unauthorized || e.code == Error::Code::Forbidden;
}

} // namespace

HuntController::HuntController(registry::RegistryClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_results(new HuntResultsModel(this))
    , m_catalog(new catalog::ImageCatalog(catalog::ImageCatalog::forIndexStore(index::IndexStore::fromEnvironment())))
{ }

HuntController::~HuntController()
{
    dropRetries();
    delete m_job.data();
    delete m_catalog;
}

bool HuntController::isRunning() const
{
    if (m_job && m_job->isRunning())
        return true;
    for (const QPointer<hunt::HuntJob> &j : m_retryJobs) {
        if (j && j->isRunning())
            return true;
    }
    return false;
}

void HuntController::dropRetries()
{
    for (const QPointer<hunt::HuntJob> &j : std::as_const(m_retryJobs)) {
        if (!j)
            continue;
        j->disconnect(this);
        if (j->isRunning())
            j->cancel();
        j->deleteLater();
    }
    m_retryJobs.clear();
    m_retries.clear();
    m_extras.clear();
}

bool HuntController::start(
    const hunt::HuntTargets &targets, const QStringList &patterns, QString *error, const hunt::HuntOptions &options)
{
    hunt::HuntQuery query;
    for (const QString &p : patterns) {
        Result<hunt::PathGlob> g = hunt::PathGlob::parse(p);
        if (!g) {
            *error = g.error().message;
            return false;
        }
        query.patterns << *g;
    }
    if (query.patterns.isEmpty()) {
        *error = tr("Give a path or a pattern to hunt for.");
        return false;
    }
    if (targets.targets.isEmpty()) {
        *error = tr("Give the images to hunt in.");
        return false;
    }
    dropRetries();
    if (m_job) {
        m_job->disconnect(this);
        m_job->cancel();
        m_job->deleteLater();
    }
    m_results->clear();
    hunt::HuntOptions o = options;
    o.store = index::IndexStore::fromEnvironment();
    m_job = new hunt::HuntJob(m_client, targets, query, o, this);
    m_job->setImageCatalog(m_catalog);
    hunt::HuntJob *job = m_job;
    connect(job, &hunt::HuntJob::answersReady, m_results, &HuntResultsModel::append);
    connect(job, &hunt::HuntJob::imageChanged, this, &HuntController::imageChanged);
    connect(job, &hunt::HuntJob::imagesListed, this, [this, job](int count) {
        emit imagesListed(count);
        emit statsChanged(job->stats());
    });
    connect(job, &hunt::HuntJob::statsChanged, this, [this, job]() { emit statsChanged(job->stats()); });
    connect(job, &Job::finished, this, [this, job]() {
        emit statsChanged(job->stats());
        emit finished(job->state(), job->error().message);
    });
    emit started();
    job->start();
    return true;
}

void HuntController::cancel()
{
    if (m_job && m_job->isRunning())
        m_job->cancel();
    for (const QPointer<hunt::HuntJob> &j : std::as_const(m_retryJobs)) {
        if (j && j->isRunning())
            j->cancel();
    }
}

int HuntController::imageCount() const
{
    return m_job ? int(m_job->images().size() + m_extras.size()) : 0;
}

const hunt::HuntImage *HuntController::image(int index) const
{
    if (!m_job || index < 0 || index >= imageCount())
        return nullptr;
    const auto it = m_retries.constFind(index);
    if (it != m_retries.constEnd() && it->job && it->position >= 0 && it->position < it->job->images().size())
        return &it->job->images().at(it->position);
    if (index >= m_job->images().size()) {
        const Retry &e = m_extras.at(index - m_job->images().size());
        return e.job && e.position < e.job->images().size() ? &e.job->images().at(e.position) : nullptr;
    }
    return &m_job->images().at(index);
}

bool HuntController::needsSignIn(int index) const
{
    const hunt::HuntImage *img = image(index);
    return img && img->state == hunt::HuntImage::State::Failed && refusedAccess(img->error);
}

int HuntController::retrySignIn(const QString &registry)
{
    if (!m_job)
        return 0;
    QVector<int> indexes;
    hunt::HuntTargets targets;
    for (int i = 0; i < imageCount(); ++i) {
        const auto it = m_retries.constFind(i);
        if (it != m_retries.constEnd() && it->job && it->job->isRunning())
            continue; // being searched again already
        if (needsSignIn(i) && image(i)->reference.registry() == registry) {
            indexes << i;
            targets.targets << image(i)->reference.toString();
        }
    }
    if (indexes.isEmpty())
        return 0;
    auto *job = new hunt::HuntJob(m_client, targets, m_job->query(), m_job->options(), this);
    job->setImageCatalog(m_catalog);
    m_retryJobs << job;
    for (int i : std::as_const(indexes))
        m_retries.insert(i, Retry { job, -1 });
    if (m_job->isRunning() && m_job->options().allPlatforms) {
        // Its platforms are appended after the hunt's images, which an index may still add to: after its end.
        QPointer<hunt::HuntJob> retry = job;
        connect(m_job, &Job::finished, this, [this, retry, indexes, registry]() {
            if (retry)
                startRetry(retry, indexes, registry);
        });
    } else {
        startRetry(job, indexes, registry);
    }
    return int(indexes.size());
}

int HuntController::indexOf(const hunt::HuntJob *job, int position) const
{
    for (auto it = m_retries.cbegin(); it != m_retries.cend(); ++it) {
        if (it->job == job && it->position == position)
            return it.key();
    }
    for (int e = 0; e < m_extras.size(); ++e) {
        if (m_extras.at(e).job == job && m_extras.at(e).position == position)
            return int(m_job->images().size()) + e;
    }
    return -1;
}

void HuntController::startRetry(hunt::HuntJob *job, const QVector<int> &indexes, const QString &registry)
{
    // The retry's images, by reference, to the hunt's; more platforms of an index are appended.
    connect(job, &hunt::HuntJob::imagesListed, this, [this, job, indexes]() {
        const int before = imageCount();
        for (int p = 0; p < job->images().size(); ++p) {
            if (indexOf(job, p) >= 0)
                continue;
            const QString ref = job->images().at(p).reference.toString();
            bool mapped = false;
            for (int i : indexes) {
                if (!mapped && m_retries.value(i).job == job && m_retries.value(i).position < 0
                    && image(i)->reference.toString() == ref) {
                    m_retries[i] = Retry { job, p };
                    mapped = true;
                }
            }
            if (!mapped)
                m_extras.append(Retry { job, p });
        }
        if (imageCount() > before)
            emit imagesListed(imageCount());
    });
    connect(job, &hunt::HuntJob::imageChanged, this, [this, job](int position) {
        const int i = indexOf(job, position);
        if (i >= 0)
            emit imageChanged(i);
    });
    connect(job, &hunt::HuntJob::answersReady, this, [this, job](const QVector<hunt::HuntAnswer> &answers) {
        QHash<int, QVector<hunt::HuntAnswer>> byImage;
        for (hunt::HuntAnswer a : answers) {
            a.imageIndex = indexOf(job, a.imageIndex);
            if (a.imageIndex >= 0)
                byImage[a.imageIndex].append(a);
        }
        for (auto it = byImage.cbegin(); it != byImage.cend(); ++it)
            m_results->replaceImage(it.key(), *it);
    });
    connect(job, &Job::finished, this, [this, job, registry, indexes]() {
        Error refused;
        int searched = 0;
        for (int p = 0; p < job->images().size(); ++p) {
            const int i = indexOf(job, p);
            if (i < 0)
                continue;
            ++searched;
            if (needsSignIn(i) && refused.code == Error::Code::None)
                refused = image(i)->error;
        }
        emit retryFinished(registry, qMax(searched, int(indexes.size())), refused);
    });
    job->start();
}

} // namespace ll::ui
