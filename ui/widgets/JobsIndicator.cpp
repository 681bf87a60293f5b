#include "widgets/JobsIndicator.h"

#include "widgets/JobsPanel.h"

#include <QProgressBar>

#include <algorithm>

namespace ll::ui {

JobsIndicator::JobsIndicator(JobsPanel *panel, QWidget *parent) : QToolButton(parent), m_panel(panel)
{
    setObjectName(QStringLiteral("jobsIndicator"));
    setAutoRaise(true);
    setCheckable(true);
    setToolTip(tr("Show or hide the Jobs panel"));
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(QStringLiteral("jobsIndicatorBar"));
    m_bar->setMaximumWidth(80);
    m_bar->setMaximumHeight(10);
    m_bar->setTextVisible(false);
    m_bar->hide();
    // Progress is read a few times a second while something runs (the panel's own rows update per chunk).
    m_poll.setInterval(300);
    connect(&m_poll, &QTimer::timeout, this, &JobsIndicator::refresh);
    connect(m_panel, &JobsPanel::jobAdded, this, &JobsIndicator::refresh);
    connect(m_panel, &JobsPanel::jobFinished, this, &JobsIndicator::refresh);
    refresh();
}

void JobsIndicator::refresh()
{
    m_running = m_failed = 0;
    qint64 done = 0;
    qint64 total = 0;
    for (int row = 0; row < m_panel->rowCount(); ++row) {
        const Job::State state = m_panel->state(row);
        if (state == Job::State::Failed)
            ++m_failed;
        // Idle: added, about to start (rows are added before their job starts).
        if (state != Job::State::Running && state != Job::State::Idle)
            continue;
        ++m_running;
        const Job *job = m_panel->job(row);
        if (job && job->progressUnit() == Job::ProgressUnit::Bytes && job->progressTotal() > 0) {
            done += job->progressDone();
            total += job->progressTotal();
        }
    }
    QStringList parts;
    if (m_running > 0) {
        QString running = tr("%n job(s) running", nullptr, m_running);
        if (total > 0)
            running += tr(" · %1%").arg(int(std::min<qint64>(100, done * 100 / total)));
        parts << running;
    }
    if (m_failed > 0)
        parts << tr("%n failed", nullptr, m_failed);
    setText(parts.isEmpty() ? tr("Jobs") : parts.join(QStringLiteral(" · ")));
    setStyleSheet(m_failed > 0 ? QStringLiteral("QToolButton { color: #b00020; }") : QString());
    m_bar->setVisible(m_running > 0);
    if (total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(std::min<qint64>(1000, done * 1000 / total)));
    } else {
        m_bar->setRange(0, 0); // busy
    }
    if (m_running > 0 && !m_poll.isActive())
        m_poll.start();
    else if (m_running == 0)
        m_poll.stop();
}

} // namespace ll::ui
