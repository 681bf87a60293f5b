#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class AuthController;
class ExtractController;
class HuntController;
class HuntHistoryPanel;
class ImageController;
class HuntImagesModel;
class SeenImagesModel;

/**
 * The Hunt window: images (a pasted list, or a repository with "all tags", or a registry with "whole
 * registry"; every platform of multi-arch images with "all platforms"), patterns, Start/Cancel, a live results
 * table (sortable, filterable; deleted-but-recoverable rows marked), each image's state, export as CSV or
 * JSON, and from a row: preview, save, drag to a folder, open the image at that file in the main window, and
 * sign in to a registry that refused an image (the main window's credentials dialog; the image is then
 * searched again). A History tab lists the images seen before and searches everything cached.
 */
class HuntWindow : public QWidget
{
    Q_OBJECT
public:
    explicit HuntWindow(registry::RegistryClient *client, QWidget *parent = nullptr);
    ~HuntWindow() override;

    HuntController *controller() const { return m_controller; }
    QPlainTextEdit *targetsEdit() const { return m_targets; }
    QLineEdit *patternsEdit() const { return m_patterns; }
    QLineEdit *filterEdit() const { return m_filter; }
    QCheckBox *allTagsBox() const { return m_allTags; }
    QCheckBox *catalogBox() const { return m_catalog; }
    QCheckBox *allPlatformsBox() const { return m_allPlatforms; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *openButton() const { return m_open; }
    QPushButton *previewButton() const { return m_previewButton; }
    QPushButton *saveButton() const { return m_saveButton; }
    QPushButton *signInButton() const { return m_signIn; }
    /** Saves and previews of result rows (tests set its directory asker). */
    ExtractController *extractController() const { return m_extract; }
    /** Asks for credentials when an image needs a sign-in (its dialog() is the one shown). */
    AuthController *authController() const { return m_auth; }
    QTableView *resultsView() const { return m_resultsView; }
    QTableView *imagesView() const { return m_imagesView; }
    QTableView *historyView() const;
    HuntHistoryPanel *historyPanel() const { return m_historyPanel; }
    QTabWidget *tabs() const { return m_tabs; }
    QSortFilterProxyModel *resultsProxy() const { return m_proxy; }
    HuntImagesModel *imagesModel() const { return m_images; }
    SeenImagesModel *historyModel() const;
    QLabel *statusLabel() const { return m_status; }

    /** Starts the hunt as typed (what the Start button does); false when the input is not usable. */
    bool startHunt();
    /** Writes the results as CSV (csv true) or JSON lines to path. */
    bool exportTo(const QString &path, bool csv, QString *error) const;
    /** Asks for the credentials of image index's registry, then searches its images needing sign-in again. */
    bool signIn(int imageIndex);

signals:
    /** Open reference in the main window and select path there (empty: just open it); platform may be empty. */
    void openRequested(const QString &reference, const QString &path, const QString &platform = QString());

private:
    void exportAs(bool csv);
    void openSelected();
    void previewSelected();
    void saveSelected();
    void signInSelected();
    void showResultsMenu(const QPoint &pos);
    /** The image a sign-in would help, from the current results row, else the current images row (-1: none). */
    int signInCandidate() const;
    /** The selected row's file: its image made current for m_extract, and the layer to read it from (-1: what a
        container sees; a recoverable deleted file: the newest layer still holding it). False: nothing to fetch. */
    bool selectedFile(QString *path, int *layer);
    bool fileOfRow(const QModelIndex &proxyIndex, QString *path, int *layer) const;
    void updateButtons();

    HuntController *m_controller;
    HuntImagesModel *m_images;
    QSortFilterProxyModel *m_proxy;
    QPlainTextEdit *m_targets;
    QLineEdit *m_patterns;
    QLineEdit *m_filter;
    QCheckBox *m_allTags;
    QCheckBox *m_catalog;
    QCheckBox *m_allPlatforms;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_exportCsv;
    QPushButton *m_exportJson;
    QPushButton *m_open;
    QPushButton *m_previewButton;
    QPushButton *m_saveButton;
    QPushButton *m_signIn;
    ImageController *m_rowImage;
    ExtractController *m_extract;
    AuthController *m_auth;
    QTableView *m_resultsView;
    QTableView *m_imagesView;
    HuntHistoryPanel *m_historyPanel;
    QTabWidget *m_tabs;
    QLabel *m_status;
};

} // namespace ll::ui
