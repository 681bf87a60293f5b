#include "toc/TocRunsJob.h"

#include "common/Logging.h"
#include "registry/RegistryCall.h"
#include "registry/RegistryClient.h"

namespace ll::toc {

TocRunsJob::TocRunsJob(registry::RegistryClient *client, const stream::LayerSource &source,
    std::shared_ptr<const LayerToc> toc, const QVector<int> &files, QObject *parent)
    : Job(parent), m_client(client), m_source(source), m_toc(std::move(toc)), m_files(files)
{
    setTitle(tr("Fetch %n file(s) from %1", nullptr, int(files.size())).arg(source.label()));
    setProgressUnit(ProgressUnit::Bytes);
}

TocRunsJob::~TocRunsJob()
{
    dropAhead();
    if (m_call) {
        m_call->disconnect(this); // no handler call while the owner goes
        m_call->abort();
    }
    delete m_call;
}

Status TocRunsJob::beginEmpty(int file)
{
    bool wanted = true;
    if (m_handler.beginFile) {
        const Status s = m_handler.beginFile(file, &wanted);
        if (!s)
            return s;
    }
    ++m_filesVerified;
    return wanted && m_handler.endFile ? m_handler.endFile() : Status();
}

QVector<TocRun> TocRunsJob::planRuns(const LayerToc &toc, const QVector<int> &files, qint64 maxGap)
{
    QVector<TocRun> runs;
    int piece = 0;
    for (const int f : files) {
        for (const TocChunk &c : toc.files[size_t(f)].chunks) {
            if (!runs.isEmpty() && c.offset >= runs.last().end && c.offset - runs.last().end <= maxGap) {
                runs.last().end = qMax(runs.last().end, c.end);
                runs.last().endPiece = piece + 1;
            } else {
                runs.append(TocRun { c.offset, c.end, piece, piece + 1 });
            }
            ++piece;
        }
    }
    return runs;
}

qint64 TocRunsJob::bytesOf(const QVector<TocRun> &runs)
{
    qint64 total = 0;
    for (const TocRun &r : runs)
        total += r.end - r.start;
    return total;
}

qint64 TocRunsJob::bytesDownloaded() const
{
    qint64 ahead = 0;
    for (const Flight &f : m_ahead) {
        if (f.call)
            ahead += f.call->bytesReceived();
    }
    return m_bytesDone + ahead + (m_call ? qMax(m_callRead, m_call->bytesReceived()) : 0);
}

QString TocRunsJob::where(const Piece &p) const
{
    const TocFile &f = m_toc->files[size_t(p.file)];
    return tr("%1: chunk %2 at blob offset %3 of %4")
        .arg(f.path)
        .arg(p.chunk)
        .arg(f.chunks.at(p.chunk).offset)
        .arg(m_source.label());
}

void TocRunsJob::doStart()
{
    for (const int f : std::as_const(m_files)) {
        if (f < 0 || size_t(f) >= m_toc->files.size()) {
            fail(Error(Error::Code::Usage, tr("no such file in the TOC of %1").arg(m_source.label())));
            return;
        }
        const TocFile &file = m_toc->files[size_t(f)];
        for (int c = 0; c < file.chunks.size(); ++c)
            m_pieces.append(Piece { f, c });
    }
    m_runs = planRuns(*m_toc, m_files, m_maxGap);
    if (m_runs.isEmpty()) {
        nextRunOrSucceed(); // only empty files
        return;
    }
    m_requestStart = m_runs.first().start;
    startRun();
}

void TocRunsJob::doCancel()
{
    dropAhead();
    dropCall();
    cancelled();
}

registry::RegistryCall *TocRunsJob::send(int run, qint64 start)
{
    registry::RegistryRequest r;
    r.registry = m_source.registry;
    r.repository = m_source.repository;
    r.path = QStringLiteral("/v2/%1/blobs/%2").arg(m_source.repository, m_source.layer.digest);
    r.streaming = true;
    r.readBufferSize = 1 << 20;
    r.rangeStart = start;
    r.rangeEnd = m_runs.at(run).end - 1;
    ++m_requests;
    qCDebug(llToc) << m_source.label() << "TOC run" << run << "pieces" << m_runs.at(run).firstPiece << "-"
                   << m_runs.at(run).endPiece << "GET bytes" << start << "-" << m_runs.at(run).end;
    return m_client->send(r);
}

void TocRunsJob::sendAhead()
{
    // The next runs' requests go out while this one is read: each waits on its own connection with at most its
    // read buffer (1 MiB) in memory, so a round trip per run is paid once for MaxInFlight runs.
    for (int run = m_run + 1; run < m_runs.size() && run < m_run + MaxInFlight; ++run) {
        if (m_ahead.contains(run))
            continue;
        Flight f;
        f.call = send(run, m_runs.at(run).start);
        connect(f.call, &registry::RegistryCall::responseStarted, this, [this, run]() {
            if (m_ahead.contains(run))
                m_ahead[run].started = true;
        });
        connect(f.call, &registry::RegistryCall::finished, this, [this, run]() {
            if (m_ahead.contains(run))
                m_ahead[run].done = true;
        });
        m_ahead.insert(run, f);
    }
}

void TocRunsJob::dropAhead()
{
    for (Flight &f : m_ahead) {
        if (!f.call)
            continue;
        m_bytesDone += f.call->bytesReceived();
        f.call->disconnect(this);
        f.call->abort();
        f.call->deleteLater();
    }
    m_ahead.clear();
}

void TocRunsJob::startRun()
{
    m_callRead = 0;
    Flight f = m_ahead.take(m_run);
    const bool sentNow = !f.call || m_requestStart != m_runs.at(m_run).start;
    if (sentNow) {
        if (f.call) {
            f.call->disconnect(this);
            f.call->abort();
            f.call->deleteLater();
        }
        f = Flight();
        f.call = send(m_run, m_requestStart);
    }
    m_call = f.call;
    m_call->disconnect(this);
    connect(m_call, &registry::RegistryCall::responseStarted, this, &TocRunsJob::onResponseStarted);
    connect(m_call, &registry::RegistryCall::readyRead, this, &TocRunsJob::onReadyRead);
    connect(m_call, &registry::RegistryCall::finished, this, &TocRunsJob::onFinished);
    sendAhead();
    if (!sentNow) {
        // Sent ahead: what it already has (its headers, some body, maybe its end) is taken up from the event
        // loop (not from here: a chain of runs already in would nest one call per run).
        registry::RegistryCall *call = m_call;
        if (f.started)
            onResponseStarted(); // before any readyRead reaches onReadyRead: it sets where the bytes start
        QMetaObject::invokeMethod(
            this,
            [this, call, f]() {
                if (isRunning() && m_call == call)
                    onReadyRead();
                if (f.done && isRunning() && m_call == call)
                    onFinished();
            },
            Qt::QueuedConnection);
    }
}

void TocRunsJob::onResponseStarted()
{
    if (m_call->httpStatus() == 206) {
        if (!m_call->rawHeader("Content-Range")
                 .startsWith(QByteArray(QByteArray("bytes ") + QByteArray::number(m_requestStart) + '-'))) {
            failWith(Error(Error::Code::Protocol,
                tr("%1: the registry answered another range (%2)")
                    .arg(m_source.label(), QString::fromLatin1(m_call->rawHeader("Content-Range")))));
            return;
        }
        m_pos = m_requestStart;
    } else {
        m_pos = 0; // Range ignored: the whole blob comes, the bytes before the run are skipped
    }
}

void TocRunsJob::onReadyRead()
{
    if (!isRunning() || !m_call)
        return;
    m_readBuf.resize(256 * 1024);
    char *buf = m_readBuf.data();
    while (isRunning() && m_call && m_call->bytesAvailable() > 0) {
        const qint64 n = m_call->read(buf, m_readBuf.size());
        if (n <= 0)
            break;
        m_callRead += n;
        const Status s = process(buf, n);
        if (!s) {
            failWith(s.error());
            return;
        }
        setProgress(bytesDownloaded(), bytesOf(m_runs));
        if (m_piece >= m_runs.at(m_run).endPiece) {
            // the run is in: the rest of a whole-blob answer is not read
            dropCall();
            nextRunOrSucceed();
            return;
        }
    }
}

Status TocRunsJob::beginPiece()
{
    const Piece &p = m_pieces.at(m_piece);
    const TocChunk &c = m_toc->files[size_t(p.file)].chunks.at(p.chunk);
    if (p.chunk == 0 && !m_fileBegun) {
        // A file's first chunk: files without chunks that come before it in the delivery order first.
        while (m_nextFile < m_files.size() && m_files.at(m_nextFile) != p.file) {
            const int f = m_files.at(m_nextFile++);
            const Status s = beginEmpty(f);
            if (!s)
                return s;
        }
        if (m_nextFile < m_files.size())
            ++m_nextFile;
        m_fileBegun = true;
        m_fileHash.reset();
        m_fileWanted = true;
        if (m_handler.beginFile) {
            const Status s = m_handler.beginFile(p.file, &m_fileWanted);
            if (!s)
                return s;
        }
    }
    m_decompressor = stream::Decompressor::create(m_toc->compression(), true);
    m_skip = c.innerOffset;
    m_chunkOut = 0;
    m_chunkBuf.clear();
    m_buffered = c.chunkSize <= BufferedChunkMax;
    m_chunkHash.reset();
    m_sinkStatus = Status();
    m_decompressor->setSink([this, want = c.chunkSize](const char *d, qint64 n) {
        if (m_skip > 0) {
            const qint64 s = qMin(n, m_skip);
            m_skip -= s;
            d += s;
            n -= s;
        }
        n = qMin(n, want - m_chunkOut);
        if (n > 0) {
            m_chunkHash.addData(d, n);
            if (m_buffered)
                m_chunkBuf.append(d, n);
            else if (m_sinkStatus)
                m_sinkStatus = deliver(d, n);
            m_chunkOut += n;
        }
        return m_sinkStatus.ok() && m_chunkOut < want;
    });
    return Status();
}

Status TocRunsJob::deliver(const char *data, qint64 size)
{
    m_fileHash.addData(data, size);
    if (m_fileWanted && m_handler.data)
        return m_handler.data(data, size);
    return Status();
}

Status TocRunsJob::process(const char *data, qint64 size)
{
    const int endPiece = m_runs.at(m_run).endPiece;
    while (size > 0 && m_piece < endPiece) {
        const Piece &p = m_pieces.at(m_piece);
        const TocChunk &c = m_toc->files[size_t(p.file)].chunks.at(p.chunk);
        if (m_pos < c.offset) {
            const qint64 skip = qMin(size, c.offset - m_pos);
            m_pos += skip;
            data += skip;
            size -= skip;
            continue;
        }
        if (!m_decompressor) {
            if (m_pos > c.offset) // the answer started past the chunk (a lying Content-Range is caught before)
                return Error(Error::Code::Protocol, tr("%1: the registry's bytes start past it").arg(where(p)));
            const Status s = beginPiece();
            if (!s)
                return s;
        }
        const qint64 take = qMin(size, c.end - m_pos);
        if (!m_decompressor->isStopped()) {
            const Status s = m_decompressor->feed(data, take);
            if (!s)
                return Error(Error::Code::Corrupt, tr("%1 does not decompress").arg(where(p)), s.error().message);
            if (!m_sinkStatus)
                return m_sinkStatus;
        }
        m_pos += take;
        data += take;
        size -= take;
        if (m_pos >= c.end) {
            const Status s = endChunk();
            if (!s)
                return s;
        }
    }
    return Status();
}

Status TocRunsJob::endChunk()
{
    const Piece &p = m_pieces.at(m_piece);
    const TocFile &file = m_toc->files[size_t(p.file)];
    const TocChunk &c = file.chunks.at(p.chunk);
    if (m_chunkOut != c.chunkSize)
        return Error(Error::Code::Corrupt,
            tr("%1 holds %2 bytes, the TOC says %3").arg(where(p)).arg(m_chunkOut).arg(c.chunkSize));
    if (!c.digest.isEmpty()) {
        const QString got = m_chunkHash.digestString();
        if (got != c.digest)
            return Error(Error::Code::DigestMismatch, tr("%1 does not match its chunkDigest").arg(where(p)),
                tr("expected %1, got %2").arg(c.digest, got));
    }
    ++m_chunksVerified;
    if (m_buffered) {
        const Status s = deliver(m_chunkBuf.constData(), m_chunkBuf.size());
        if (!s)
            return s;
    }
    m_chunkBuf.clear();
    m_decompressor.reset();
    m_chunkOut = 0;
    ++m_piece;
    if (p.chunk == file.chunks.size() - 1) {
        if (!file.digest.isEmpty()) {
            const QString got = m_fileHash.digestString();
            if (got != file.digest)
                return Error(Error::Code::DigestMismatch,
                    tr("%1 of %2 does not match the TOC's digest").arg(file.path, m_source.label()),
                    tr("expected %1, got %2").arg(file.digest, got));
        }
        ++m_filesVerified;
        if (m_fileWanted && m_handler.endFile) {
            const Status s = m_handler.endFile();
            if (!s)
                return s;
        }
        m_fileWanted = false;
        m_fileBegun = false;
    }
    return Status();
}

void TocRunsJob::onFinished()
{
    if (!isRunning() || !m_call)
        return;
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    // the reply may still hold the tail
    m_readBuf.resize(256 * 1024);
    char *buf = m_readBuf.data();
    qint64 n;
    const int endPiece = m_runs.at(m_run).endPiece;
    while (isRunning() && m_piece < endPiece && (n = call->read(buf, m_readBuf.size())) > 0) {
        m_callRead += n;
        const Status s = process(buf, n);
        if (!s) {
            m_bytesDone += qMax(m_callRead, call->bytesReceived());
            failWith(s.error());
            return;
        }
    }
    m_bytesDone += qMax(m_callRead, call->bytesReceived());
    if (!isRunning())
        return;
    if (m_piece < endPiece) {
        const Piece &p = m_pieces.at(m_piece);
        if (call->hasError()) {
            // Resume from the chunk being read, unless some of its bytes went on unchecked (an unbuffered chunk).
            if (m_resumes < MaxResumes && call->error().code != Error::Code::Cancelled
                && (m_buffered || m_chunkOut == 0 || !m_decompressor)) {
                ++m_resumes;
                qCWarning(llToc).noquote() << call->error().toString() << "- resuming at" << where(p);
                m_requestStart = m_toc->files[size_t(p.file)].chunks.at(p.chunk).offset;
                m_decompressor.reset();
                m_chunkOut = 0;
                m_chunkBuf.clear();
                startRun();
                return;
            }
            failWith(call->error());
            return;
        }
        failWith(Error(Error::Code::Corrupt, tr("%1: the answer ended at blob offset %2").arg(where(p)).arg(m_pos)));
        return;
    }
    nextRunOrSucceed();
}

void TocRunsJob::nextRunOrSucceed()
{
    if (++m_run < m_runs.size()) {
        m_requestStart = m_runs.at(m_run).start;
        startRun();
        return;
    }
    // Files without chunks after the last chunk.
    while (m_nextFile < m_files.size()) {
        const int f = m_files.at(m_nextFile++);
        const Status s = beginEmpty(f);
        if (!s) {
            failWith(s.error());
            return;
        }
    }
    setProgress(bytesOf(m_runs), bytesOf(m_runs));
    succeed();
}

void TocRunsJob::dropCall()
{
    if (!m_call)
        return;
    m_bytesDone += qMax(m_callRead, m_call->bytesReceived());
    registry::RegistryCall *call = m_call;
    m_call = nullptr;
    call->disconnect(this);
    call->abort();
    call->deleteLater();
}

void TocRunsJob::failWith(const Error &error)
{
    dropAhead();
    dropCall();
    if (isRunning())
        fail(error);
}

} // namespace ll::toc
