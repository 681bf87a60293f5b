#pragma once

#include "common/Error.h"

#include <QObject>
#include <QString>

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class ExtractController;
class ImageController;
class MainWindow;
class NavigatorPanel;
class RegistryTreeModel;

/**
 * Wires the navigator to the rest of the window: opening a row in the main view, saving all layers of an
 * image (opened first), the Hunt window filled with a target, the remembered registries (QSettings), the
 * images seen before (catalog::ImageCatalog, recorded when an image resolves: the hunt's History reads the
 * same file). Also what the reference field hands over: a bare registry ("127.0.0.1:5000") or a repository
 * without a tag opens in the navigator, and a tag that is not there lists the ones that are.
 */
class NavigatorController : public QObject
{
    Q_OBJECT
public:
    NavigatorController(registry::RegistryClient *client, MainWindow *window);

    RegistryTreeModel *model() const { return m_model; }
    NavigatorPanel *panel() const { return m_panel; }

    /**
     * Typed text that names a registry or a repository without tag: shown in the navigator (true). Anything
     * else (an image reference, or text that does not parse): false, the caller opens it.
     */
    bool showTyped(const QString &text);
    /** The registry's row, expanded and selected (added to the remembered ones when new). */
    void showRegistry(const QString &host);
    /** The repository's row, expanded (its first page of tags); all its tags when listAll. */
    void showRepository(const QString &registry, const QString &repository, bool listAll = false);
    /** Reads the images seen before again. */
    void reloadSeen();

signals:
    /** The navigator wants to be seen (its dock raised). */
    void showRequested();

private:
    void open(const QString &reference, const QString &platform);
    void saveLayers(const QString &reference, const QString &platform);
    void hunt(const QString &text, bool allTags, bool catalog);
    void onResolved();
    void onResolveFailed(const Error &error);

    MainWindow *m_window;
    RegistryTreeModel *m_model;
    NavigatorPanel *m_panel;
    bool m_saveWhenResolved = false;
};

} // namespace ll::ui
