#pragma once

#include <QHash>
#include <QVector>
#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTextBrowser;
class QUrl;

namespace ll {
class Job;
}
namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

/**
 * The raw documents viewer (Registry Explorer-like): a manifest, an index or a config as served, in colours,
 * with every digest a link that opens what it names (a manifest or index by /manifests/, a config by /blobs/,
 * fetched and checked against the digest; a layer is said to be one), Back to the previous document, and Copy.
 */
class RawDocumentWindow : public QWidget
{
    Q_OBJECT
public:
    explicit RawDocumentWindow(registry::RegistryClient *client, QWidget *parent = nullptr);
    ~RawDocumentWindow() override;

    /** Jobs (document fetches) are given to it as they start (the Jobs panel). */
    void setTracker(std::function<void(Job *)> tracker) { m_tracker = std::move(tracker); }

    /** Shows document (already fetched) of registry/repository under title; the previous one stays for Back. */
    void showDocument(
        const QString &registry, const QString &repository, const QString &title, const QByteArray &document);
    /** Fetches the manifest or index digest of registry/repository and shows it. */
    void openManifest(const QString &registry, const QString &repository, const QString &digest);
    /** What a click on a digest link does. */
    void openDigest(const QString &digest);
    void back();

    QTextBrowser *browser() const { return m_browser; }
    QLabel *titleLabel() const { return m_title; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *backButton() const { return m_back; }
    QPushButton *copyButton() const { return m_copy; }
    /** The shown document's bytes (what Copy copies). */
    QByteArray document() const;
    int depth() const { return int(m_pages.size()); }

private:
    struct Page {
        QString registry;
        QString repository;
        QString title;
        QByteArray document;
        QHash<QString, QString> mediaTypes; // digest -> mediaType of the descriptor naming it
    };
    void fetch(
        const QString &registry, const QString &repository, const QString &digest, bool manifest, const QString &title);
    void render();
    void onLink(const QUrl &url);
    void setStatus(const QString &text, bool isError);

    registry::RegistryClient *m_client;
    std::function<void(Job *)> m_tracker;
    QVector<Page> m_pages;
    QLabel *m_title;
    QLabel *m_status;
    QPushButton *m_back;
    QPushButton *m_copy;
    QTextBrowser *m_browser;
    Job *m_running = nullptr;
};

} // namespace ll::ui
