#pragma once

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeView;
class QTreeWidget;
class QTreeWidgetItem;

namespace ll {
class Job;
}
namespace ll::fs {
struct FileNode;
}

namespace ll::ui {

class ExtractController;
class FileTreeModel;
class ImageController;
class CheckableTreeProxy;
class FileFilterProxy;

/**
 * Exports many files and directories at once: a checkable tree of the merged image or one layer (a checked
 * directory takes its whole subtree), a destination, "preserve permissions"; then one ExtractJob (nothing is
 * written outside the destination: SafeWriter), with overall progress, per-item results as layers are read,
 * cancel, and a summary that lists failures first.
 */
class BatchExportDialog : public QDialog
{
    Q_OBJECT
public:
    BatchExportDialog(ImageController *image, ExtractController *extract, const QStringList &selection, int layer,
        QWidget *parent = nullptr);
    ~BatchExportDialog() override;

    /** -1: merged view; else one layer's own entries. Clears the checks. */
    void setLayer(int layer);
    int layer() const { return m_layer; }
    /** Checks exactly these image paths (those that exist in the shown tree). */
    void setCheckedPaths(const QStringList &paths);
    /** Checked paths whose parents are not checked, sorted. */
    QStringList checkedPaths() const;
    void setDestination(const QString &dir);
    QString destination() const;
    void setPreservePermissions(bool preserve);
    /** The tree's filter box (substring or glob, like the main view's). */
    void setFilterText(const QString &text);
    /** Checks everything shown: every top-level entry, or with a filter every matching file. */
    void checkAllShown();
    /** Bytes of the files the checked paths take (folders: their files). */
    qint64 checkedBytes() const;
    QTreeView *tree() const { return m_tree; }

    /** Starts the export (as the Export button does). nullptr when nothing is checked or no destination. */
    Job *startExport();
    Job *job() const { return m_job; }
    bool isRunning() const;
    /** Result rows so far (path, outcome, reason). */
    int resultCount() const;
    QString summaryText() const;

private:
    void browse();
    void updateButtons();
    void onFinished();

    ImageController *m_image;
    ExtractController *m_extract;
    int m_layer = -1;
    FileTreeModel *m_model = nullptr;
    FileFilterProxy *m_filterProxy = nullptr;
    CheckableTreeProxy *m_checks = nullptr;
    QLineEdit *m_filter = nullptr;
    QHash<QString, QTreeWidgetItem *> m_resultRows; // by path
    QComboBox *m_source = nullptr;
    QTreeView *m_tree = nullptr;
    QLineEdit *m_destination = nullptr;
    QCheckBox *m_preserve = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_checkedLabel = nullptr;
    QTreeWidget *m_results = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
    QPointer<Job> m_job;
};

} // namespace ll::ui
