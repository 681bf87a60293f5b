#pragma once

#include "hunt/HuntJob.h"

#include <QObject>
#include <QPointer>

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class HuntResultsModel;

/**
 * Runs hunts for the Hunt window: one core HuntJob at a time (the CLI's --hunt job), its answers appended to
 * the results model as images are answered, per-image states and live counters forwarded. Layer indexes and
 * the images-seen catalogue are the application's (the store from the environment).
 */
class HuntController : public QObject
{
    Q_OBJECT
public:
    HuntController(registry::RegistryClient *client, QObject *parent = nullptr);
    ~HuntController() override;

    HuntResultsModel *results() const { return m_results; }
    hunt::HuntJob *job() const { return m_job; }
    bool isRunning() const;

    /** Starts a hunt (the previous results are cleared); false with *error when the patterns are bad. */
    bool start(const hunt::HuntTargets &targets, const QStringList &patterns, QString *error);
    void cancel();

signals:
    void started();
    void statsChanged(const ll::hunt::HuntStats &stats);
    void imageChanged(int index);
    void finished(ll::Job::State state, const QString &message);

private:
    registry::RegistryClient *m_client;
    HuntResultsModel *m_results;
    QPointer<hunt::HuntJob> m_job;
    catalog::ImageCatalog *m_catalog;
};

} // namespace ll::ui
