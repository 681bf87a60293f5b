#include "navigator/NavigatorController.h"

#include "MainWindow.h"
#include "browse/ListPageJob.h"
#include "catalog/ImageCatalog.h"
#include "controllers/AuthController.h"
#include "controllers/ExtractController.h"
#include "controllers/ImageController.h"
#include "documents/RawDocumentWindow.h"
#include "hunt/HuntWindow.h"
#include "hunt/TargetExpandJob.h"
#include "index/IndexStore.h"
#include "models/ModelLogging.h"
#include "navigator/NavigatorPanel.h"
#include "navigator/RegistryTreeModel.h"
#include "navigator/RememberedRegistries.h"
#include "oci/Image.h"
#include "registry/ImageReference.h"
#include "widgets/JobsPanel.h"

#include <QCheckBox>
#include <QPlainTextEdit>

namespace ll::ui {

namespace {
constexpr int MaxSeenShown = 500;

} // namespace

NavigatorController::NavigatorController(registry::RegistryClient *client, MainWindow *window)
    : QObject(window), m_window(window)
{
    m_model = new RegistryTreeModel(client, this);
    m_model->setTracker([window](Job *job) { window->jobsPanel()->addJob(job); });
    m_model->setRegistries(RememberedRegistries::load());
    connect(m_model, &RegistryTreeModel::registriesChanged, this,
        [this] { RememberedRegistries::save(m_model->registries()); });
    m_panel = new NavigatorPanel(m_model, window);
    connect(m_panel, &NavigatorPanel::openRequested, this, &NavigatorController::open);
    connect(m_panel, &NavigatorPanel::saveLayersRequested, this, &NavigatorController::saveLayers);
    connect(m_panel, &NavigatorPanel::huntRequested, this, &NavigatorController::hunt);
    connect(m_panel, &NavigatorPanel::compareRequested, this, [this](const QString &reference) {
        const ImageController *open = m_window->imageController();
        m_window->openCompare(open->hasImage() ? open->reference().toString() : QString(), reference);
    });
    connect(m_panel, &NavigatorPanel::documentRequested, this,
        [this](const QString &reference, const QByteArray &document) {
            const auto ref = registry::ImageReference::parse(reference);
            if (ref)
                m_window->openRawDocuments()->showDocument(ref->registry(), ref->repository(), reference, document);
        });
    connect(m_panel, &NavigatorPanel::signInRequested, this,
        [this](const QString &registry, const Error &refusal, const QPersistentModelIndex &row) {
            // The same dialog as the main view's; the row is listed again with what was typed.
            m_window->authController()->ask(registry, refusal, [this, row] { m_model->retry(row); });
        });
    ImageController *image = window->imageController();
    connect(image, &ImageController::imageResolved, this, &NavigatorController::onResolved);
    connect(image, &ImageController::resolveFailed, this, &NavigatorController::onResolveFailed);
    reloadSeen();
}

void NavigatorController::reloadSeen()
{
    m_model->setSeenImages(
        catalog::ImageCatalog::forIndexStore(m_window->imageController()->indexStore()).recent(MaxSeenShown));
}

bool NavigatorController::showTyped(const QString &typed)
{
    const QString text = typed.trimmed();
    if (hunt::TargetExpandJob::isBareHost(text)) {
        showRegistry(text);
        return true;
    }
    if (text.isEmpty() || hunt::TargetExpandJob::namesTagOrDigest(text))
        return false;
    const auto ref = registry::ImageReference::parse(text);
    if (!ref)
        return false;
    showRepository(ref->registry(), ref->repository());
    return true;
}

void NavigatorController::showRegistry(const QString &host)
{
    const QModelIndex i = m_model->addRegistry(host);
    if (!i.isValid())
        return;
    m_panel->setNotice({});
    emit showRequested();
    m_panel->reveal(i, true);
}

void NavigatorController::showRepository(const QString &registry, const QString &repository, bool listAll)
{
    const QModelIndex i = m_model->addRepository(registry, repository);
    if (!i.isValid())
        return;
    emit showRequested();
    m_panel->reveal(i, true);
    if (listAll)
        m_model->fetchAll(i);
}

void NavigatorController::open(const QString &reference, const QString &platform)
{
    std::optional<oci::Platform> p;
    if (!platform.isEmpty()) {
        if (auto parsed = oci::Platform::parse(platform))
            p = *parsed;
    }
    m_saveWhenResolved = false;
    m_window->openReference(reference, p);
}

void NavigatorController::saveLayers(const QString &reference, const QString &platform)
{
    open(reference, platform);
    m_saveWhenResolved = true;
}

void NavigatorController::hunt(const QString &text, bool allTags, bool catalog)
{
    HuntWindow *w = m_window->openHunt();
    w->targetsEdit()->setPlainText(text);
    w->allTagsBox()->setChecked(allTags);
    w->catalogBox()->setChecked(catalog);
}

void NavigatorController::onResolved()
{
    // The ImageController recorded the image in the catalogue beside its indexes (once per open): show it.
    const oci::Image &image = m_window->imageController()->image();
    reloadSeen();
    if (m_saveWhenResolved) {
        m_saveWhenResolved = false;
        QList<int> all;
        for (int i = 0; i < image.manifest.layers.size(); ++i)
            all << i;
        m_window->extractController()->saveLayers(all);
    }
}

void NavigatorController::onResolveFailed(const Error &e)
{
    m_saveWhenResolved = false;
    const registry::ImageReference &ref = m_window->imageController()->reference();
    if (e.code != Error::Code::NotFound || ref.tag().isEmpty() || !ref.digest().isEmpty())
        return;
    // Is the repository there with other tags? Asked quietly (the failed open is already in the Jobs panel):
    // a repository that is not there either is said by the open's error alone.
    auto *probe = new browse::ListPageJob(m_model->client(), browse::ListPageJob::Kind::Tags, ref.registry(),
        ref.repository(), browse::ListPageJob::firstPage(browse::ListPageJob::Kind::Tags, ref.repository()), this);
    connect(probe, &Job::finished, this, [this, probe, ref] {
        probe->deleteLater();
        if (probe->state() != Job::State::Succeeded || probe->items().isEmpty()
            || !(m_window->imageController()->reference() == ref))
            return;
        showRepository(ref.registry(), ref.repository(), true);
        m_panel->setNotice(tr("%1 has no tag \"%2\" (or it was deleted): the tags it has are listed below.")
                               .arg(ref.repository(), ref.tag()),
            true);
    });
    probe->start();
}

} // namespace ll::ui
