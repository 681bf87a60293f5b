#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;

namespace ll::hunt {
class CacheSearchJob;
}

namespace ll::ui {

class CachedHitsModel;
class SeenImagesModel;

/**
 * The Hunt window's History tab: the images seen before (hunted or opened; double-click reopens one) and a
 * search box over everything cached: a path or a glob matched, offline, against every kept layer index
 * (hunt::CacheSearchJob, CLI --search's engine), hits listed with their image and layer; double-clicking a
 * hit opens that image at that file.
 */
class HuntHistoryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit HuntHistoryPanel(QWidget *parent = nullptr);
    ~HuntHistoryPanel() override;

    SeenImagesModel *imagesModel() const { return m_images; }
    CachedHitsModel *hitsModel() const { return m_hits; }
    QLineEdit *searchEdit() const { return m_search; }
    QTableView *imagesView() const { return m_imagesView; }
    QTableView *hitsView() const { return m_hitsView; }
    QLabel *statusLabel() const { return m_status; }
    /** A search is running. */
    bool isSearching() const;

    /** Searches the cache for the text typed (what Enter does); false when the pattern is not usable. */
    bool search();
    /** Reads the images seen again. */
    void reload();

signals:
    /** Open reference in the main window and select path there (empty: just open it). */
    void openRequested(const QString &reference, const QString &path);
    void searchFinished();

private:
    SeenImagesModel *m_images;
    CachedHitsModel *m_hits;
    QLineEdit *m_search;
    QTableView *m_imagesView;
    QTableView *m_hitsView;
    QSplitter *m_split;
    QLabel *m_status;
    QPointer<hunt::CacheSearchJob> m_job;
};

} // namespace ll::ui
