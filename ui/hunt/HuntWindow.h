#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

class ExtractController;
class HuntController;
class ImageController;
class HuntImagesModel;
class SeenImagesModel;

/**
 * The Hunt window: images (a pasted list, or a repository with "all tags", or a registry with "whole
 * registry"), patterns, Start/Cancel, a live results table (sortable, filterable; deleted-but-recoverable rows
 * marked), each image's state, export as CSV or JSON, and opening an image at a file in the main window; a
 * History tab lists the images seen before (double-click reopens one).
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
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *openButton() const { return m_open; }
    QPushButton *previewButton() const { return m_previewButton; }
    QPushButton *saveButton() const { return m_saveButton; }
    /** Saves and previews of result rows (tests set its directory asker). */
    ExtractController *extractController() const { return m_extract; }
    QTableView *resultsView() const { return m_resultsView; }
    QTableView *imagesView() const { return m_imagesView; }
    QTableView *historyView() const { return m_historyView; }
    QSortFilterProxyModel *resultsProxy() const { return m_proxy; }
    HuntImagesModel *imagesModel() const { return m_images; }
    SeenImagesModel *historyModel() const { return m_history; }
    QLabel *statusLabel() const { return m_status; }

    /** Starts the hunt as typed (what the Start button does); false when the input is not usable. */
    bool startHunt();
    /** Writes the results as CSV (csv true) or JSON lines to path. */
    bool exportTo(const QString &path, bool csv, QString *error) const;

signals:
    /** Open reference in the main window and select path there (empty: just open it). */
    void openRequested(const QString &reference, const QString &path);

private:
    void exportAs(bool csv);
    void openSelected();
    void previewSelected();
    void saveSelected();
    /** The selected row's file: its image made current for m_extract, and the layer to read it from (-1: what a
        container sees; a recoverable deleted file: the newest layer still holding it). False: nothing to fetch. */
    bool selectedFile(QString *path, int *layer);
    bool fileOfRow(const QModelIndex &proxyIndex, QString *path, int *layer) const;
    void updateButtons();

    HuntController *m_controller;
    HuntImagesModel *m_images;
    SeenImagesModel *m_history;
    QSortFilterProxyModel *m_proxy;
    QPlainTextEdit *m_targets;
    QLineEdit *m_patterns;
    QLineEdit *m_filter;
    QCheckBox *m_allTags;
    QCheckBox *m_catalog;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_exportCsv;
    QPushButton *m_exportJson;
    QPushButton *m_open;
    QPushButton *m_previewButton;
    QPushButton *m_saveButton;
    ImageController *m_rowImage;
    ExtractController *m_extract;
    QTableView *m_resultsView;
    QTableView *m_imagesView;
    QTableView *m_historyView;
    QLabel *m_status;
};

} // namespace ll::ui
