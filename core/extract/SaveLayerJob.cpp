#include "extract/SaveLayerJob.h"

#include "common/HumanSize.h"
#include "common/Logging.h"
#include "common/Sha256.h"
#include "extract/AtomicFileWriter.h"
#include "extract/DiskFull.h"
#include "extract/OverlappedWriter.h"
#include "oci/MediaTypes.h"
#include "stream/LayerPipeline.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

namespace ll::extract {

namespace {

constexpr qint64 HashChunk = 1 << 20;

} // namespace

SaveLayerJob::SaveLayerJob(registry::RegistryClient *client, const oci::Image &image, const QList<int> &layers,
    const QString &outputDir, QObject *parent)
    : Job(parent)
    , m_client(client)
    , m_image(image)
    , m_layers(layers)
    , m_outputDir(outputDir.isEmpty() ? QStringLiteral(".") : outputDir)
{
    qRegisterMetaType<ll::extract::SavedLayer>();
    setCancelIsAsync(true);
    setTitle(tr("Save %n layer(s) of %1", nullptr, int(layers.size())).arg(image.repository));
}

SaveLayerJob::~SaveLayerJob()
{
    stopHashThread();
    delete m_pipeline.data(); // joins the worker that uses m_writer and m_sha
}

void SaveLayerJob::stopHashThread()
{
    if (!m_hashThread)
        return;
    m_cancelFlag = true;
    m_hashThread->disconnect(this);
    m_hashThread->wait();
    delete m_hashThread;
    m_hashThread = nullptr;
}

QString SaveLayerJob::fileName(const oci::Image &image, int index)
{
    QString repo = image.repository;
    repo.replace(QLatin1Char('/'), QLatin1Char('_'));
    QString ref = image.tag;
    if (ref.isEmpty()) {
        const QString digest = image.manifestDigest;
        const qsizetype colon = digest.indexOf(QLatin1Char(':'));
        ref = digest.mid(colon + 1, 12);
    }
    ref.replace(QLatin1Char('/'), QLatin1Char('_'));
    const QString mediaType = image.manifest.layers.value(index).mediaType;
    return QStringLiteral("%1-%2-layer%3%4")
        .arg(repo, ref)
        .arg(index)
        .arg(oci::MediaType::layerFileExtension(mediaType));
}

qint64 SaveLayerJob::bytesDownloaded() const
{
    return m_downloadedBefore + (m_pipeline ? m_pipeline->bytesDownloaded() : 0);
}

int SaveLayerJob::requestCount() const
{
    return m_requestsBefore + (m_pipeline ? m_pipeline->requestCount() : 0);
}

void SaveLayerJob::doStart()
{
    m_timer.start();
    const int count = int(m_image.manifest.layers.size());
    if (m_layers.isEmpty()) {
        failWith(Error(Error::Code::Usage, tr("no layers selected")));
        return;
    }
    for (int index : std::as_const(m_layers)) {
        if (index < 0 || index >= count) {
            failWith(Error(Error::Code::Usage,
                tr("layer %1 does not exist (the image has %2, numbered from 0)").arg(index).arg(count)));
            return;
        }
        m_totalSize += qMax<qint64>(0, m_image.manifest.layers.at(index).size);
    }
    if (!QDir().mkpath(m_outputDir)) {
        failWith(Error(Error::Code::Io, tr("cannot create the output directory %1").arg(m_outputDir)));
        return;
    }
    next();
}

void SaveLayerJob::doCancel()
{
    m_cancelling = true;
    m_cancelFlag = true;
    if (m_pipeline && m_pipeline->isRunning()) {
        m_pipeline->cancel(); // onPipelineFinished() ends the job
        return;
    }
    if (m_hashThread)
        return; // onHashed() ends the job
    cancelled();
}

void SaveLayerJob::next()
{
    ++m_position;
    if (m_position >= m_layers.size()) {
        m_elapsedMs = m_timer.elapsed();
        setProgress(m_totalSize, m_totalSize);
        succeed();
        return;
    }
    const int index = m_layers.at(m_position);
    const oci::Descriptor &layer = m_image.manifest.layers.at(index);
    m_current = SavedLayer();
    m_current.index = index;
    m_current.digest = layer.digest;
    m_current.size = layer.size;
    m_current.path = QDir::cleanPath(QDir(m_outputDir).absoluteFilePath(fileName(m_image, index)));
    if (!Sha256::isValidDigest(layer.digest)) {
        failWith(Error(Error::Code::Unsupported,
            tr("layer %1: cannot verify digest %2 (only sha256 is supported)").arg(index).arg(layer.digest)));
        return;
    }
    setStatus(tr("Saving layer %1 (%2/%3)").arg(index).arg(m_position + 1).arg(m_layers.size()));
    m_sha = std::make_unique<Sha256>();

    const QFileInfo final(m_current.path);
    if (final.isFile() && !final.isSymLink() && final.size() == layer.size) {
        hashExisting(m_current.path, layer.size, true);
        return;
    }
    const QFileInfo part(m_current.path + QStringLiteral(".part"));
    if (part.isFile() && !part.isSymLink()) {
        if (part.size() > 0 && part.size() <= layer.size) {
            hashExisting(part.filePath(), part.size(), false);
            return;
        }
        QFile::remove(part.filePath()); // longer than the blob: useless
    }
    startDownload(0);
}

void SaveLayerJob::hashExisting(const QString &path, qint64 size, bool finalFile)
{
    m_hashingFinal = finalFile;
    m_hashedBytes = 0;
    m_hashError = Error();
    setStatus(finalFile ? tr("Verifying %1").arg(QFileInfo(path).fileName())
                        : tr("Checking the %1 already saved in %2").arg(humanSize(size), QFileInfo(path).fileName()));
    Sha256 *sha = m_sha.get();
    m_hashThread = QThread::create([this, sha, path, size] {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            m_hashError = Error(Error::Code::Io, tr("cannot read %1: %2").arg(path, f.errorString()));
            return;
        }
        QByteArray buffer(int(HashChunk), Qt::Uninitialized);
        qint64 done = 0;
        while (done < size && !m_cancelFlag.load()) {
            const qint64 n = f.read(buffer.data(), qMin(HashChunk, size - done));
            if (n <= 0)
                break;
            sha->addData(buffer.constData(), n);
            done += n;
        }
        m_hashedBytes = done;
    });
    connect(m_hashThread, &QThread::finished, this, &SaveLayerJob::onHashed);
    m_hashThread->start();
}

void SaveLayerJob::onHashed()
{
    m_hashThread->wait();
    delete m_hashThread;
    m_hashThread = nullptr;
    if (m_cancelling) {
        cancelled();
        return;
    }
    if (m_hashError.isError()) {
        failWith(m_hashError);
        return;
    }
    const oci::Descriptor &layer = m_image.manifest.layers.at(m_current.index);
    if (m_hashingFinal) {
        if (m_hashedBytes == layer.size && m_sha->digestString() == layer.digest) {
            qCDebug(llExtract) << m_current.path << "already saved; skipped";
            layerDone(true);
            return;
        }
        qCWarning(llExtract) << m_current.path << "exists but does not match" << layer.digest << "; downloading again";
        m_sha = std::make_unique<Sha256>();
        const QFileInfo part(m_current.path + QStringLiteral(".part"));
        if (part.isFile() && !part.isSymLink() && part.size() > 0 && part.size() <= layer.size) {
            hashExisting(part.filePath(), part.size(), false);
            return;
        }
        startDownload(0);
        return;
    }
    m_current.resumedFrom = m_hashedBytes;
    qCDebug(llExtract) << "resuming" << m_current.path << "at" << m_hashedBytes;
    startDownload(m_hashedBytes);
}

void SaveLayerJob::startDownload(qint64 offset)
{
    if (offset == 0)
        m_sha = std::make_unique<Sha256>();
    AtomicFileWriter::Options o;
    o.mode = 0644;
    o.resume = offset > 0;
    o.keepPart = true;
    Result<std::unique_ptr<AtomicFileWriter>> w
        = AtomicFileWriter::create(m_outputDir, QFileInfo(m_current.path).fileName(), o);
    if (!w) {
        failWith(w.error());
        return;
    }
    m_writer = std::move(*w);
    if (m_writer->resumedSize() != offset) {
        // The .part changed since it was hashed: start over rather than trust it.
        m_writer->discard();
        m_writer.reset();
        m_current.resumedFrom = 0;
        startDownload(0);
        return;
    }

    stream::FetchPolicy policy;
    policy.mode = stream::FetchPolicy::Mode::Stream;
    policy.startOffset = offset;
    auto *pipeline
        = new stream::LayerPipeline(m_client, stream::LayerSource::fromImage(m_image, m_current.index), this);
    pipeline->setPolicy(policy);
    pipeline->setVerifyDigest(false); // hashed here, including the resumed part
    m_sinkError = Error();
    AtomicFileWriter *file = m_writer.get();
    m_overlapped
        = std::make_unique<OverlappedWriter>([file](const char *data, qint64 size) { return file->write(data, size); });
    OverlappedWriter *writer = m_overlapped.get();
    Sha256 *sha = m_sha.get();
    pipeline->setRawSink([writer, sha](qint64, const char *data, qint64 size) -> Status {
        // The file write runs on the writer's thread while this (the pipeline's worker) hashes the same bytes.
        return writer->write(data, size, [sha, data, size] { sha->addData(data, size); });
    });
    m_pipeline = pipeline;
    connect(pipeline, &Job::finished, this, &SaveLayerJob::onPipelineFinished);
    connect(pipeline, &Job::progress, this, &SaveLayerJob::onPipelineProgress);
    connect(pipeline, &Job::statusChanged, this, &Job::statusChanged);
    pipeline->start();
}

void SaveLayerJob::onPipelineProgress()
{
    if (m_pipeline)
        setProgress(m_doneBefore + m_current.resumedFrom + m_pipeline->progressDone(), m_totalSize);
}

void SaveLayerJob::onPipelineFinished()
{
    stream::LayerPipeline *p = m_pipeline.data();
    if (!p)
        return;
    m_current.downloaded = p->bytesDownloaded();
    m_downloadedBefore += p->bytesDownloaded();
    m_requestsBefore += p->requestCount();
    const Job::State state = p->state();
    const Error error = p->error();
    p->disconnect(this);
    p->deleteLater();
    m_pipeline = nullptr;
    m_overlapped.reset(); // the worker calls the sink no more once the pipeline finished

    if (state != Job::State::Succeeded) {
        Error reason = error;
        if (DiskFull::isDiskFull(m_writer->lastErrno())) {
            // Say what a full disk needs; the .part is a prefix of the blob, kept for a resume.
            const qint64 size = m_image.manifest.layers.at(m_current.index).size;
            reason = DiskFull::error(m_writer->lastErrno(), QFileInfo(m_current.path).absolutePath(),
                qMax<qint64>(0, size - m_writer->size()),
                tr("layer %1 (%2 kept for a later run to resume)")
                    .arg(m_current.index)
                    .arg(QFileInfo(m_writer->partPath()).fileName()));
        }
        if (m_writer->size() == 0) {
            m_writer->discard(); // nothing arrived (a reset before the first byte): no empty .part left behind
        } else {
            const Status closed = m_writer->close(); // the .part stays: a later run resumes it
            Q_UNUSED(closed)
        }
        m_writer.reset();
        if (state == Job::State::Cancelled || m_cancelling)
            cancelled();
        else
            failWith(reason);
        return;
    }

    const oci::Descriptor &layer = m_image.manifest.layers.at(m_current.index);
    const qint64 written = m_writer->size();
    const QString actual = m_sha->digestString();
    if (actual != layer.digest || written != layer.size) {
        m_writer->discard();
        m_writer.reset();
        if (m_current.resumedFrom > 0) {
            // The kept .part was bad (written by something else, or damaged): it is gone now; one more try
            // from zero in this same run.
            qCWarning(llExtract).noquote() << tr("layer %1: the resumed download does not match its digest; "
                                                 "downloading it again from the start")
                                                  .arg(m_current.index);
            m_current.resumedFrom = 0;
            startDownload(0);
            return;
        }
        failWith(Error(Error::Code::DigestMismatch,
            tr("layer %1: the saved blob does not match its digest; removed %2.part")
                .arg(m_current.index)
                .arg(m_current.path),
            tr("expected %1 (%2 bytes), got %3 (%4 bytes)%5")
                .arg(layer.digest)
                .arg(layer.size)
                .arg(actual)
                .arg(written)
                .arg(m_current.resumedFrom > 0
                        ? tr("; %1 bytes were resumed from an existing .part").arg(m_current.resumedFrom)
                        : QString())));
        return;
    }
    const Status s = m_writer->commit();
    m_writer.reset();
    if (!s) {
        failWith(s.error());
        return;
    }
    layerDone(false);
}

void SaveLayerJob::layerDone(bool skipped)
{
    m_current.skipped = skipped;
    m_saved.append(m_current);
    m_doneBefore += qMax<qint64>(0, m_current.size);
    setProgress(m_doneBefore, m_totalSize);
    emit layerSaved(m_current);
    next();
}

void SaveLayerJob::failWith(const Error &error)
{
    m_elapsedMs = m_timer.isValid() ? m_timer.elapsed() : 0;
    fail(error);
}

} // namespace ll::extract
