#include "documents/RawDocumentWindow.h"

#include "browse/DocumentJob.h"
#include "documents/JsonHtml.h"
#include "oci/MediaTypes.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace ll::ui {

RawDocumentWindow::RawDocumentWindow(registry::RegistryClient *client, QWidget *parent)
    : QWidget(parent, Qt::Window), m_client(client)
{
    setObjectName(QStringLiteral("rawDocumentWindow"));
    setWindowTitle(tr("Raw Documents — Layerslayer"));
    resize(760, 640);
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_back = new QPushButton(tr("← &Back"), this);
    m_copy = new QPushButton(tr("&Copy"), this);
    m_title = new QLabel(this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    top->addWidget(m_back);
    top->addWidget(m_title, 1);
    top->addWidget(m_copy);
    layout->addLayout(top);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);
    m_browser = new QTextBrowser(this);
    m_browser->setOpenLinks(false);
    m_browser->setLineWrapMode(QTextEdit::NoWrap);
    layout->addWidget(m_browser, 1);
    connect(m_back, &QPushButton::clicked, this, &RawDocumentWindow::back);
    connect(m_copy, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(QString::fromUtf8(document())); });
    connect(m_browser, &QTextBrowser::anchorClicked, this, &RawDocumentWindow::onLink);
    render();
}

RawDocumentWindow::~RawDocumentWindow()
{
    if (m_running) {
        m_running->disconnect(this);
        m_running->cancel();
    }
}

QByteArray RawDocumentWindow::document() const
{
    return m_pages.isEmpty() ? QByteArray() : m_pages.constLast().document;
}

void RawDocumentWindow::showDocument(
    const QString &registry, const QString &repository, const QString &title, const QByteArray &document)
{
    m_pages.append(Page { registry, repository, title, document, JsonHtml::digestMediaTypes(document) });
    setStatus({}, false);
    render();
}

void RawDocumentWindow::openManifest(const QString &registry, const QString &repository, const QString &digest)
{
    fetch(registry, repository, digest, true, tr("%1@%2").arg(repository, digest));
}

void RawDocumentWindow::back()
{
    if (m_pages.size() > 1)
        m_pages.removeLast();
    setStatus({}, false);
    render();
}

void RawDocumentWindow::openDigest(const QString &digest)
{
    if (m_pages.isEmpty())
        return;
    const QString type = m_pages.constLast().mediaTypes.value(digest);
    const Page &page = m_pages.constLast();
    if (type.isEmpty() || oci::MediaType::isIndex(type) || oci::MediaType::isImageManifest(type)) {
        fetch(page.registry, page.repository, digest, true, tr("%1@%2").arg(page.repository, digest));
        return;
    }
    if (oci::MediaType::isImageConfig(type) || type.endsWith(QLatin1String("json"))) {
        fetch(page.registry, page.repository, digest, false, tr("config %1").arg(digest));
        return;
    }
    setStatus(tr("%1 is a %2: a layer or other blob, not a JSON document (open the image and use Save Layer Blob)")
                  .arg(digest.left(19), type),
        false);
}

void RawDocumentWindow::fetch(
    const QString &registry, const QString &repository, const QString &digest, bool manifest, const QString &title)
{
    if (m_running) {
        m_running->disconnect(this);
        m_running->cancel();
        m_running->deleteLater();
    }
    auto *job = new browse::DocumentJob(m_client, registry, repository,
        manifest ? browse::DocumentJob::Kind::Manifest : browse::DocumentJob::Kind::Blob, digest, this);
    m_running = job;
    connect(job, &Job::finished, this, [this, job, registry, repository, title] {
        if (m_running == job)
            m_running = nullptr;
        job->deleteLater();
        if (job->state() == Job::State::Cancelled)
            return;
        if (job->state() != Job::State::Succeeded) {
            setStatus(tr("Cannot open %1: %2").arg(job->digest().left(19), job->error().message), true);
            return;
        }
        showDocument(registry, repository, title, job->document());
    });
    setStatus(tr("Fetching %1…").arg(digest.left(19)), false);
    if (m_tracker)
        m_tracker(job);
    job->start();
}

void RawDocumentWindow::onLink(const QUrl &url)
{
    if (url.scheme() == QLatin1String("digest"))
        openDigest(url.path());
}

void RawDocumentWindow::render()
{
    m_back->setEnabled(m_pages.size() > 1);
    m_copy->setEnabled(!m_pages.isEmpty());
    if (m_pages.isEmpty()) {
        m_title->setText(tr("No document"));
        m_browser->clear();
        return;
    }
    const Page &p = m_pages.constLast();
    m_title->setText(
        QStringLiteral("<b>%1</b><br><small>%2</small>")
            .arg(p.title.toHtmlEscaped(), tr("%1 bytes · from %2").arg(p.document.size()).arg(p.registry)));
    m_browser->setHtml(JsonHtml::toHtml(p.document));
}

void RawDocumentWindow::setStatus(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("QLabel { background: #fdecea; color: #8a1c1c; padding: 4px; }")
                                    : QStringLiteral("QLabel { background: #eef4fb; padding: 4px; }"));
    m_status->setVisible(!text.isEmpty());
}

} // namespace ll::ui
