#pragma once

#include "hunt/HuntJob.h"

#include <QHash>
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
 *
 * Images that failed because their registry wants a sign-in can be searched again once credentials were
 * given (retrySignIn): a small hunt of their own, same patterns and options, whose answers replace the
 * images' error rows; image(index) then describes the retried image. With all platforms, the other platforms
 * of a retried index are appended as images of their own (after the hunt's: a retry waits for the hunt's end).
 */
class HuntController : public QObject
{
    Q_OBJECT
public:
    HuntController(registry::RegistryClient *client, QObject *parent = nullptr);
    ~HuntController() override;

    HuntResultsModel *results() const { return m_results; }
    hunt::HuntJob *job() const { return m_job; }
    /** The hunt or a sign-in retry is running. */
    bool isRunning() const;

    /** Starts a hunt (the previous results are cleared); false with *error when the patterns are bad. */
    bool start(const hunt::HuntTargets &targets, const QStringList &patterns, QString *error,
        const hunt::HuntOptions &options = hunt::HuntOptions());
    void cancel();

    /** Images of the hunt (0 before its targets are expanded). */
    int imageCount() const;
    /** Image index of the hunt (a retried one: as its retry left it); nullptr when out of range. */
    const hunt::HuntImage *image(int index) const;
    /** The image failed because its registry refused access (401/403): signing in may help. */
    bool needsSignIn(int index) const;
    /**
     * Searches again every image of registry that needs a sign-in (call once credentials were given); their
     * error rows are replaced by their answers. Returns how many images are searched again.
     */
    int retrySignIn(const QString &registry);

signals:
    void started();
    void imagesListed(int count);
    void statsChanged(const ll::hunt::HuntStats &stats);
    void imageChanged(int index);
    void finished(ll::Job::State state, const QString &message);
    /** A sign-in retry ended: searched images of registry; refused: one was refused again (first error). */
    void retryFinished(const QString &registry, int searched, const ll::Error &refused);

private:
    struct Retry {
        QPointer<hunt::HuntJob> job;
        int position = -1; // in the retry job's images
    };
    void dropRetries();
    void startRetry(hunt::HuntJob *job, const QVector<int> &indexes, const QString &registry);
    /** The image index (hunt's or appended) position of job answers for; -1 when not mapped. */
    int indexOf(const hunt::HuntJob *job, int position) const;

    registry::RegistryClient *m_client;
    HuntResultsModel *m_results;
    QPointer<hunt::HuntJob> m_job;
    QHash<int, Retry> m_retries; // image index -> where it is searched again
    QVector<Retry> m_extras; // images appended by retries (platforms of a retried index): index imageCount() - ...
    QList<QPointer<hunt::HuntJob>> m_retryJobs;
    catalog::ImageCatalog *m_catalog;
};

} // namespace ll::ui
