#pragma once

#include <QList>
#include <QMimeData>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace ll::fs {
struct FileNode;
}

namespace ll::ui {

/**
 * Drag-to-save payload: `text/uri-list` of files staged on disk, produced lazily, plus `text/plain` with the
 * image paths (available at once, nothing is staged for it).
 *
 * The files are only written when a drop target (or a file manager hovering over itself, see QT-NOTES
 * "drag-to-save") first asks for the URLs: retrieveData() then calls the Stager once and caches what it
 * returned, also an empty list (a cancelled or failed staging is not retried while the same drag lives).
 * The nodes must stay valid while the mime data lives (their trees live as long as the open image).
 */
class StagedFilesMimeData : public QMimeData
{
    Q_OBJECT
public:
    /**
     * Writes the given nodes (files or whole directories) below a staging directory and returns their
     * file:// URLs (one per top-level item). Runs on the GUI thread, synchronously (the controller's one
     * shows a progress dialog and may be cancelled: it then returns what it finished, or nothing).
     */
    using Stager = std::function<QList<QUrl>(const QList<const fs::FileNode *> &)>;
    /**
     * Optional: starts fetching the nodes in the background as soon as the drag begins (the Stager then
     * waits for that download instead of starting one), so the pointer's way to the drop target is not
     * lost time. A Stager asked again while it waits (a file manager asking while hovering, from inside
     * the wait) must wait for the same download and give the same answer. It returns what to call when the
     * drag ends without anyone having asked (dropped nowhere, Esc): stop that download.
     */
    using Prestager = std::function<std::function<void()>(const QList<const fs::FileNode *> &)>;

    /** nodes and paths are parallel (paths as shown to the user, e.g. "usr/bin/env"). */
    StagedFilesMimeData(
        QList<const fs::FileNode *> nodes, QStringList paths, Stager stager, const Prestager &prestager = {});
    ~StagedFilesMimeData() override;

    const QList<const fs::FileNode *> &nodes() const { return m_nodes; }
    const QStringList &paths() const { return m_paths; }
    /** True once the stager ran (URLs cached). */
    bool isStaged() const { return m_staged; }
    /** How many times staging began (0 or 1; a re-entrant ask while it runs waits for it, uncounted). */
    int stageCount() const { return m_stageCount; }

    QStringList formats() const override;
    bool hasFormat(const QString &mimeType) const override;

    /**
     * The application-wide staging directory (a QTemporaryDir created on first use, removed when the
     * process exits). Empty if it could not be created.
     */
    static QString stagingRoot();
    /** A new, empty, uniquely named directory below stagingRoot() for one drag; empty on failure. */
    static QString newStagingDirectory();

protected:
    QVariant retrieveData(const QString &mimeType, QMetaType type) const override;

private:
    /** Runs the stager once; false if this object was deleted meanwhile (then touch nothing). */
    bool stage() const;

    QList<const fs::FileNode *> m_nodes;
    QStringList m_paths;
    Stager m_stager;
    mutable QList<QUrl> m_urls;
    mutable bool m_staged = false;
    mutable bool m_staging = false;
    mutable int m_stageCount = 0;
    std::function<void()> m_abandon; // from the Prestager
};

} // namespace ll::ui
