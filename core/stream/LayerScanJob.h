#pragma once

#include "stream/LayerPipeline.h"
#include "stream/TarEntry.h"

#include <QSemaphore>
#include <QVector>

namespace ll::stream {

/**
 * Lists one layer's tar members as the blob streams in (--peek-all, the GUI's per-layer tree).
 * entriesReady() brings them in archive order, in batches, on the job's thread, all before finished().
 * With FetchPolicy::byteLimit the listing stops there and isIncomplete() says so (--partial).
 */
class LayerScanJob : public LayerPipeline
{
    Q_OBJECT
public:
    LayerScanJob(registry::RegistryClient *client, const LayerSource &source, QObject *parent = nullptr);
    ~LayerScanJob() override;

    int entryCount() const { return m_count; }

signals:
    void entriesReady(const QVector<ll::stream::TarEntry> &entries);

protected:
    void workerFinishing() override;

private:
    class Visitor;
    void deliver(QVector<TarEntry> batch);

    std::unique_ptr<Visitor> m_visitorImpl;
    // Batches handed to the job's thread and not yet delivered: the worker waits when all are taken, so a
    // slow consumer (a terminal, a busy UI) holds back the download instead of piling up entries.
    QSemaphore m_batchSlots { 8 };
    int m_count = 0;
};

} // namespace ll::stream

Q_DECLARE_METATYPE(ll::stream::TarEntry)
