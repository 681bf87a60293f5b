#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "common/Sha256.h"
#include "stream/Decompressor.h"
#include "stream/LayerSource.h"
#include "toc/LayerToc.h"

#include <QByteArray>
#include <QHash>
#include <QPointer>
#include <QVector>

#include <functional>
#include <memory>

namespace ll::registry {
class RegistryClient;
class RegistryCall;
} // namespace ll::registry

namespace ll::toc {

/** One Range request of a TocRunsJob: the blob bytes [start, end) holding pieces [firstPiece, endPiece). */
struct TocRun {
    qint64 start = 0;
    qint64 end = 0;
    int firstPiece = 0;
    int endPiece = 0; // exclusive
};

/**
 * Fetches several regular files of a TOC layer by their chunks, in the order given, with as few Range requests as
 * the files' chunks need: the chunks (every chunk of every file, in file order) are grouped into runs, a chunk
 * joining the run before it when it starts at or after that run's end and at most maxGap bytes beyond it (the
 * unwanted bytes between are read and dropped); one request per run (planRuns()).
 *
 * Each chunk is decompressed on its own (a new gzip member / zstd frame), its innerOffset skipped, and must give
 * exactly its chunkSize bytes and match its chunkDigest before its bytes go to the handler (chunks up to
 * BufferedChunkMax are held in memory until checked; a larger one is handed on as it inflates and the caller's
 * file is discarded if it then fails). A file's whole digest is checked before endFile(). A chunk that does not
 * decompress, is short or hashes wrong fails the job (Error::Corrupt / Error::DigestMismatch, naming the file,
 * the chunk and its blob offset); a network failure after the client's own retries resumes the run from the
 * chunk being read (at most MaxResumes times), then fails with the network error. The caller discards every file
 * it did not get endFile() for.
 */
class TocRunsJob : public Job
{
    Q_OBJECT
public:
    /** Unwanted bytes between two chunks below which they share one request: see planRuns(). */
    static constexpr qint64 DefaultMaxGap = 64 * 1024;
    static constexpr qint64 BufferedChunkMax = 16 << 20;
    static constexpr int MaxResumes = 2;
    /** Runs requested at once (the one being read and those sent ahead; Qt opens up to 6 connections a host). */
    static constexpr int MaxInFlight = 4;

    struct Handler {
        /** A file's first chunk is next: *wanted = false to have its bytes checked but not handed on; an error
            fails the job. */
        std::function<Status(int file, bool *wanted)> beginFile;
        std::function<Status(const char *data, qint64 size)> data;
        /** Every chunk and the file's digest matched. */
        std::function<Status()> endFile;
    };

    /** files: indexes into toc->files, in the order they are delivered (empty files are allowed). */
    TocRunsJob(registry::RegistryClient *client, const stream::LayerSource &source, std::shared_ptr<const LayerToc> toc,
        const QVector<int> &files, QObject *parent = nullptr);
    ~TocRunsJob() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    /** Before start(). */
    void setMaxGap(qint64 gap) { m_maxGap = gap; }

    /**
     * The runs for these files' chunks, in delivery order: a chunk starting before the current run's end (a TOC
     * out of blob order, or one that repeats a chunk) or more than maxGap after it starts a new run.
     */
    static QVector<TocRun> planRuns(const LayerToc &toc, const QVector<int> &files, qint64 maxGap);
    /** Compressed bytes the runs ask for. */
    static qint64 bytesOf(const QVector<TocRun> &runs);

    const QVector<TocRun> &runs() const { return m_runs; }
    int requestCount() const { return m_requests; }
    qint64 bytesDownloaded() const;
    int chunksVerified() const { return m_chunksVerified; }
    int filesVerified() const { return m_filesVerified; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    struct Piece {
        int file; // toc->files index
        int chunk; // in that file
    };

    struct Flight {
        QPointer<registry::RegistryCall> call;
        bool started = false; // its response's headers are in
        bool done = false; // finished before it was read
    };
    registry::RegistryCall *send(int run, qint64 start);
    void sendAhead();
    void dropAhead();
    void startRun();
    void onResponseStarted();
    void onReadyRead();
    void onFinished();
    Status process(const char *data, qint64 size);
    Status beginPiece();
    /** A file without chunks, in its turn. */
    Status beginEmpty(int file);
    Status endChunk();
    Status deliver(const char *data, qint64 size);
    void nextRunOrSucceed();
    void dropCall();
    void failWith(const Error &error);
    QString where(const Piece &p) const;

    registry::RegistryClient *m_client;
    stream::LayerSource m_source;
    std::shared_ptr<const LayerToc> m_toc;
    QVector<int> m_files;
    Handler m_handler;
    qint64 m_maxGap = DefaultMaxGap;
    QVector<Piece> m_pieces;
    QVector<TocRun> m_runs;
    int m_run = 0;
    int m_piece = 0; // next piece to finish
    int m_nextFile = 0; // m_files index of the next file to begin
    bool m_fileWanted = false;
    bool m_fileBegun = false; // beginFile() called for the current file
    QPointer<registry::RegistryCall> m_call;
    QHash<int, Flight> m_ahead; // runs after m_run, requested already
    int m_requests = 0;
    int m_resumes = 0;
    qint64 m_bytesDone = 0; // finished calls
    qint64 m_callRead = 0;
    qint64 m_pos = 0; // blob offset of the next byte that arrives
    qint64 m_requestStart = 0;
    std::unique_ptr<stream::Decompressor> m_decompressor;
    qint64 m_skip = 0;
    qint64 m_chunkOut = 0;
    bool m_buffered = false;
    QByteArray m_chunkBuf;
    QByteArray m_readBuf; // what a read from the reply takes (on the heap: reads may nest across runs)
    Status m_sinkStatus;
    Sha256 m_chunkHash;
    Sha256 m_fileHash;
    int m_chunksVerified = 0;
    int m_filesVerified = 0;
};

} // namespace ll::toc
