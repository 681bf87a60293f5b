#include "widgets/JobsPanel.h"

#include "common/HumanSize.h"
#include "stream/LayerScanJob.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace ll::ui {

struct JobsPanel::Row {
    QWidget *widget = nullptr;
    QLabel *title = nullptr;
    QLabel *status = nullptr;
    QProgressBar *bar = nullptr;
    QToolButton *cancel = nullptr;
    QToolButton *retry = nullptr;
    QPointer<Job> job;
    Factory factory;
    Job::State state = Job::State::Idle;
    QString titleText;
    QString statusText;
    QList<QMetaObject::Connection> connections;
    // rate: bytes/s smoothed over samples at least 400 ms apart
    QElapsedTimer clock;
    qint64 sampleTime = 0;
    qint64 sampleDone = 0;
    double rate = 0;
};

JobsPanel::JobsPanel(QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    m_empty = new QLabel(tr("No jobs yet."), this);
    m_empty->setEnabled(false);
    bar->addWidget(m_empty);
    bar->addStretch(1);
    auto *clear = new QPushButton(tr("Clear finished"), this);
    clear->setObjectName(QStringLiteral("clearFinished"));
    connect(clear, &QPushButton::clicked, this, &JobsPanel::clearFinished);
    bar->addWidget(clear);
    outer->addLayout(bar);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    m_list = new QVBoxLayout(content);
    m_list->setContentsMargins(4, 2, 4, 2);
    m_list->setSpacing(2);
    m_list->addStretch(1);
    scroll->setWidget(content);
    outer->addWidget(scroll, 1);
}

JobsPanel::~JobsPanel()
{
    for (Row *row : m_rows) {
        for (const auto &c : row->connections)
            disconnect(c);
        delete row;
    }
}

int JobsPanel::addJob(Job *job, Factory retry)
{
    auto *row = new Row;
    row->factory = std::move(retry);
    row->widget = new QWidget(this);
    row->widget->setObjectName(QStringLiteral("jobRow"));
    auto *grid = new QGridLayout(row->widget);
    grid->setContentsMargins(2, 2, 2, 2);
    grid->setVerticalSpacing(0);
    row->title = new QLabel(row->widget);
    QFont bold = row->title->font();
    bold.setBold(true);
    row->title->setFont(bold);
    row->status = new QLabel(row->widget);
    row->status->setWordWrap(true);
    row->status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->bar = new QProgressBar(row->widget);
    row->bar->setMaximumHeight(14);
    row->bar->setTextVisible(false);
    row->cancel = new QToolButton(row->widget);
    row->cancel->setObjectName(QStringLiteral("cancel"));
    row->cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
    row->cancel->setToolTip(tr("Cancel"));
    row->cancel->setAutoRaise(true);
    row->retry = new QToolButton(row->widget);
    row->retry->setObjectName(QStringLiteral("retry"));
    row->retry->setText(tr("Retry"));
    row->retry->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    row->retry->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    row->retry->hide();
    grid->addWidget(row->title, 0, 0);
    grid->addWidget(row->bar, 1, 0);
    grid->addWidget(row->status, 2, 0);
    grid->addWidget(row->cancel, 0, 1, 2, 1, Qt::AlignTop);
    grid->addWidget(row->retry, 2, 1, Qt::AlignTop);
    grid->setColumnStretch(0, 1);

    connect(row->cancel, &QToolButton::clicked, this, [this, row] { cancel(rowOf(row->job)); });
    connect(row->retry, &QToolButton::clicked, this, [this, row] {
        for (int i = 0; i < rowCount(); ++i) {
            if (m_rows[size_t(i)] == row) {
                this->retry(i);
                return;
            }
        }
    });

    m_rows.insert(m_rows.begin(), row);
    m_list->insertWidget(0, row->widget);
    m_empty->hide();
    attach(row, job);
    emit jobAdded(job);
    return 0;
}

void JobsPanel::attach(Row *row, Job *job)
{
    for (const auto &c : row->connections)
        disconnect(c);
    row->connections.clear();
    row->job = job;
    row->state = job->state();
    row->titleText = job->title().isEmpty() ? tr("Job") : job->title();
    row->statusText.clear();
    row->rate = 0;
    row->sampleDone = job->progressDone();
    row->sampleTime = 0;
    row->clock.start();
    row->title->setText(row->titleText);
    row->title->setToolTip(row->titleText);
    row->retry->hide();
    row->cancel->show();
    row->status->setStyleSheet(QString());
    row->connections << connect(job, &Job::progress, this, [this, row] { update(row); });
    row->connections << connect(job, &Job::started, this, [this, row] { update(row); });
    row->connections << connect(job, &Job::statusChanged, this, [this, row](const QString &s) {
        row->statusText = s;
        update(row);
    });
    row->connections << connect(job, &Job::finished, this, [this, row] { onFinished(row); });
    row->connections << connect(job, &QObject::destroyed, this, [row] {
        // Keep the last state shown; the job is gone.
        row->cancel->setEnabled(false);
    });
    if (job->isFinished())
        onFinished(row);
    else
        update(row);
}

void JobsPanel::update(Row *row)
{
    Job *job = row->job;
    if (!job)
        return;
    row->state = job->state();
    const qint64 done = job->progressDone();
    const qint64 total = job->progressTotal();
    const qint64 now = row->clock.elapsed();
    if (now - row->sampleTime >= 400) {
        const double instant = double(done - row->sampleDone) * 1000.0 / double(qMax<qint64>(1, now - row->sampleTime));
        row->rate = row->rate <= 0 ? instant : 0.6 * instant + 0.4 * row->rate;
        row->sampleTime = now;
        row->sampleDone = done;
    }
    if (total > 0) {
        row->bar->setRange(0, 1000);
        row->bar->setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 1000)));
    } else if (job->isRunning()) {
        row->bar->setRange(0, 0); // busy
    }
    const bool bytes = job->progressUnit() == Job::ProgressUnit::Bytes;
    QStringList parts;
    if (total > 0)
        parts << tr("%1 of %2").arg(amountText(job, done), amountText(job, total));
    else if (done > 0)
        parts << amountText(job, done);
    if (bytes && row->rate > 0 && job->isRunning()) {
        parts << rateText(row->rate);
        if (total > 0 && done < total)
            parts << etaText(qint64(double(total - done) / row->rate));
    }
    if (!row->statusText.isEmpty())
        parts << row->statusText;
    row->status->setText(parts.join(QStringLiteral(" · ")));
}

void JobsPanel::onFinished(Row *row)
{
    Job *job = row->job;
    if (!job)
        return;
    row->state = job->state();
    row->cancel->hide();
    row->bar->setRange(0, 1000);
    const qint64 done = job->progressDone();
    const qint64 elapsed = row->clock.elapsed();
    switch (row->state) {
    case Job::State::Succeeded: {
        row->bar->setValue(1000);
        QString text = tr("Done");
        const auto *scan = qobject_cast<const stream::LayerScanJob *>(job);
        if (scan && scan->isFromIndex())
            text = tr("Done · read from the layer index, nothing downloaded");
        else if (done > 0 && job->progressUnit() == Job::ProgressUnit::Bytes)
            text = tr("Done · %1 in %2 s").arg(humanSize(done)).arg(double(elapsed) / 1000.0, 0, 'f', 1);
        else if (done > 0)
            text = tr("Done in %1 s").arg(double(elapsed) / 1000.0, 0, 'f', 1);
        row->status->setText(text);
        break;
    }
    case Job::State::Cancelled:
        row->status->setText(tr("Cancelled"));
        row->status->setStyleSheet(QStringLiteral("color: palette(mid);"));
        row->retry->setVisible(bool(row->factory));
        break;
    case Job::State::Failed: {
        const Error &e = job->error();
        QString kind;
        switch (e.code) {
        case Error::Code::Unauthorized:
        case Error::Code::Forbidden:
            kind = tr("Not authorized");
            break;
        case Error::Code::NotFound:
            kind = tr("Not found");
            break;
        case Error::Code::Network:
        case Error::Code::Tls:
            kind = tr("Network error");
            break;
        case Error::Code::DigestMismatch:
            kind = tr("Digest mismatch");
            break;
        case Error::Code::RateLimited:
            kind = tr("Rate limited");
            break;
        default:
            kind = tr("Failed");
        }
        // The core's words for a missing sign-in name the CLI's flags: the window asks through its dialog.
        const bool signIn = e.code == Error::Code::Unauthorized;
        row->status->setText(QStringLiteral("%1: %2").arg(kind,
            signIn ? tr("the registry asks for a user name and password (open the image to sign in)") : e.message));
        row->status->setToolTip(signIn ? e.detail : e.toString());
        row->status->setStyleSheet(QStringLiteral("color: #b00020;"));
        row->retry->setVisible(bool(row->factory));
        break;
    }
    default:
        break;
    }
    emit jobFinished(job);
}

JobsPanel::Row *JobsPanel::rowAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[size_t(row)] : nullptr;
}

Job *JobsPanel::job(int row) const
{
    Row *r = rowAt(row);
    return r ? r->job.data() : nullptr;
}

Job::State JobsPanel::state(int row) const
{
    Row *r = rowAt(row);
    return r ? r->state : Job::State::Idle;
}

QString JobsPanel::title(int row) const
{
    Row *r = rowAt(row);
    return r ? r->titleText : QString();
}

QString JobsPanel::statusText(int row) const
{
    Row *r = rowAt(row);
    return r ? r->status->text() : QString();
}

bool JobsPanel::canRetry(int row) const
{
    Row *r = rowAt(row);
    return r && r->factory && (r->state == Job::State::Failed || r->state == Job::State::Cancelled);
}

int JobsPanel::rowOf(const Job *job) const
{
    for (int i = 0; i < rowCount(); ++i) {
        if (m_rows[size_t(i)]->job == job)
            return i;
    }
    return -1;
}

void JobsPanel::cancel(int row)
{
    Row *r = rowAt(row);
    if (r && r->job && r->job->isRunning())
        r->job->cancel();
}

void JobsPanel::retry(int row)
{
    Row *r = rowAt(row);
    if (!canRetry(row))
        return;
    Job *job = r->factory();
    if (!job)
        return;
    attach(r, job);
    if (job->state() == Job::State::Idle)
        job->start();
}

void JobsPanel::clearFinished()
{
    for (auto it = m_rows.begin(); it != m_rows.end();) {
        Row *r = *it;
        if (r->state != Job::State::Idle && r->state != Job::State::Running) {
            for (const auto &c : r->connections)
                disconnect(c);
            delete r->widget;
            delete r;
            it = m_rows.erase(it);
        } else {
            ++it;
        }
    }
    m_empty->setVisible(m_rows.empty());
}

QString JobsPanel::amountText(const Job *job, qint64 amount)
{
    return job->progressUnit() == Job::ProgressUnit::Bytes ? humanSize(amount) : QString::number(amount);
}

QString JobsPanel::rateText(double bytesPerSecond)
{
    return tr("%1/s").arg(humanSize(qint64(bytesPerSecond)));
}

QString JobsPanel::etaText(qint64 seconds)
{
    if (seconds < 60)
        return tr("%1 s left").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s left").arg(seconds / 60).arg(seconds % 60);
    return tr("%1 h %2 min left").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

} // namespace ll::ui
