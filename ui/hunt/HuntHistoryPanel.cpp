#include "hunt/HuntHistoryPanel.h"

#include "widgets/RowTable.h"

#include "hunt/CacheSearchJob.h"
#include "hunt/CachedHitsModel.h"
#include "hunt/SeenImagesModel.h"
#include "index/IndexStore.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace ll::ui {

HuntHistoryPanel::HuntHistoryPanel(QWidget *parent)
    : QWidget(parent), m_images(new SeenImagesModel(this)), m_hits(new CachedHitsModel(this))
{
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search everything cached: etc/shadow, **/.env, **/*id_rsa* (Enter)"));
    m_search->setClearButtonEnabled(true);
    m_status = new QLabel(tr("Images seen before; search the files of every cached layer, offline."), this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_imagesView = makeRowTable(m_images, this);
    m_hitsView = makeRowTable(m_hits, this);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_imagesView->setColumnWidth(SeenImagesModel::ReferenceColumn, 34 * em);
    m_hitsView->setColumnWidth(CachedHitsModel::ImageColumn, 30 * em);
    m_hitsView->setColumnWidth(CachedHitsModel::LayerColumn, 5 * em);
    m_hitsView->setColumnWidth(CachedHitsModel::PathColumn, 24 * em);
    m_hitsView->hide(); // until a search is made

    m_split = new QSplitter(Qt::Vertical, this);
    QSplitter *split = m_split;
    split->addWidget(m_hitsView);
    split->addWidget(m_imagesView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_search, &QLineEdit::returnPressed, this, &HuntHistoryPanel::search);
    connect(m_imagesView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            emit openRequested(m_images->image(index.row()).reference, QString());
    });
    connect(m_hitsView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString reference = index.isValid() ? m_hits->reference(index.row()) : QString();
        if (!reference.isEmpty())
            emit openRequested(reference, m_hits->path(index.row()));
    });
}

HuntHistoryPanel::~HuntHistoryPanel()
{
    delete m_job.data();
}

bool HuntHistoryPanel::isSearching() const
{
    return m_job && m_job->isRunning();
}

void HuntHistoryPanel::reload()
{
    m_images->reload();
}

bool HuntHistoryPanel::search()
{
    const QString text = m_search->text().trimmed();
    if (text.isEmpty()) {
        m_hits->clear();
        m_hitsView->hide();
        return false;
    }
    Result<hunt::PathGlob> glob = hunt::PathGlob::parse(text);
    if (!glob) {
        m_status->setText(glob.error().message);
        return false;
    }
    if (m_job) {
        m_job->disconnect(this);
        m_job->cancel();
        m_job->deleteLater();
    }
    m_job = new hunt::CacheSearchJob(index::IndexStore::fromEnvironment(), *glob, 10000, this);
    hunt::CacheSearchJob *job = m_job;
    connect(job, &Job::finished, this, [this, job]() {
        if (job->state() == Job::State::Succeeded) {
            m_hits->setResults(job->hits(), job->images());
            m_images->reload();
            if (m_hitsView->isHidden()) {
                m_hitsView->show();
                // Shown after the splitter was laid out: it would keep a height of 0.
                const int h = qMax(2, m_split->height());
                m_split->setSizes({ h * 3 / 5, h * 2 / 5 });
            }
            QString text = tr("%n hit(s)", nullptr, int(job->hits().size()));
            if (job->truncated())
                text = tr("the first %1 hits (more matched: narrow the pattern)").arg(job->hits().size());
            m_status->setText(tr("%1 in %2 entries of %3 cached layer(s); double-click a hit to open its image there")
                                  .arg(text)
                                  .arg(job->stats().entries)
                                  .arg(job->stats().layers));
        } else if (job->state() == Job::State::Failed) {
            m_status->setText(tr("Search failed: %1").arg(job->error().message));
        }
        job->deleteLater();
        emit searchFinished();
    });
    m_status->setText(tr("Searching the cache for %1…").arg(text));
    job->start();
    return true;
}

} // namespace ll::ui
