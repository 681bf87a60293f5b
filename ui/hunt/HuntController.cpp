#include "hunt/HuntController.h"

#include "catalog/ImageCatalog.h"
#include "hunt/HuntResultsModel.h"
#include "index/IndexStore.h"

namespace ll::ui {

HuntController::HuntController(registry::RegistryClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_results(new HuntResultsModel(this))
    , m_catalog(new catalog::ImageCatalog(catalog::ImageCatalog::forIndexStore(index::IndexStore::fromEnvironment())))
{ }

HuntController::~HuntController()
{
    delete m_job.data();
    delete m_catalog;
}

bool HuntController::isRunning() const
{
    return m_job && m_job->isRunning();
}

bool HuntController::start(const hunt::HuntTargets &targets, const QStringList &patterns, QString *error)
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
    if (m_job) {
        m_job->disconnect(this);
        m_job->cancel();
        m_job->deleteLater();
    }
    m_results->clear();
    hunt::HuntOptions options;
    options.store = index::IndexStore::fromEnvironment();
    m_job = new hunt::HuntJob(m_client, targets, query, options, this);
    m_job->setImageCatalog(m_catalog);
    hunt::HuntJob *job = m_job;
    connect(job, &hunt::HuntJob::answersReady, m_results, &HuntResultsModel::append);
    connect(job, &hunt::HuntJob::imageChanged, this, &HuntController::imageChanged);
    connect(job, &hunt::HuntJob::imagesListed, this, [this, job]() { emit statsChanged(job->stats()); });
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
}

} // namespace ll::ui
