#pragma once

#include <QTimer>
#include <QToolButton>

class QProgressBar;

namespace ll::ui {

class JobsPanel;

/**
 * The status bar's compact view of the jobs panel: "2 jobs running · 45%" with a small progress bar while
 * work runs, "1 job failed" in red after a failure, "Jobs" when idle. Clicking it shows or hides the Jobs
 * dock (expanded()), so the dock need not take a quarter of a small window's height.
 */
class JobsIndicator : public QToolButton
{
    Q_OBJECT
public:
    explicit JobsIndicator(JobsPanel *panel, QWidget *parent = nullptr);

    int runningCount() const { return m_running; }
    int failedCount() const { return m_failed; }
    /** The small bar beside the text (hidden when nothing runs). */
    QProgressBar *progressBar() const { return m_bar; }

    /** Re-reads the panel's rows. */
    void refresh();

private:
    JobsPanel *m_panel;
    QProgressBar *m_bar;
    QTimer m_poll;
    int m_running = 0;
    int m_failed = 0;
};

} // namespace ll::ui
