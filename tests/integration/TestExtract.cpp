// ExtractJob against the real registry: merged view (upper-layer copies, whiteouts, opaque dirs, early stop),
// per-layer mode, hard links, the hostile fixture (.., absolute names, symlink escapes, hard links out,
// device nodes, setuid), cancel and a corrupt layer leaving no half-written file.
#include "Harness.h"
#include "RegistryTestUtil.h"
#include "common/Sha256.h"
#include "extract/ExtractJob.h"
#include "index/IndexStore.h"
#include "registry/ImageReference.h"
#include "registry/ImageResolveJob.h"
#include "stream/LayerScanJob.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using ll::Error;
using ll::Job;
using ll::extract::ExtractItem;
using ll::extract::ExtractJob;
using ll::extract::ExtractOptions;
using ll::test::ClientEnv;
using ll::test::Harness;

namespace {

QByteArray sha256Hex(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray("<missing>");
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

quint32 modeOf(const QString &path)
{
    struct stat st;
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0xffffffff;
    return st.st_mode & 07777;
}

/** Relative paths under dir, "path type" with type file/dir/symlink, sorted; symlinks not followed. */
QStringList tree(const QString &dir)
{
    QStringList out;
    QDirIterator it(
        dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    const QDir base(dir);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        const QString type = fi.isSymLink() ? QStringLiteral("symlink")
            : fi.isDir()                    ? QStringLiteral("dir")
                                            : QStringLiteral("file");
        out << base.relativeFilePath(fi.filePath()) + QLatin1Char(' ') + type;
    }
    out.sort();
    return out;
}

/** The fixture's merged entries under prefix as tree() shows them (hard links are files on disk). */
QStringList mergedTree(const QJsonObject &fx, const QString &prefix)
{
    QStringList out;
    for (const QJsonValue &v : fx.value(QLatin1String("merged")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString path = e.value(QLatin1String("path")).toString();
        if (prefix != QLatin1String(".") && path != prefix && !path.startsWith(prefix + QLatin1Char('/')))
            continue;
        QString type = e.value(QLatin1String("type")).toString();
        if (type == QLatin1String("hardlink"))
            type = QStringLiteral("file");
        out << path + QLatin1Char(' ') + type;
    }
    out.sort();
    return out;
}

QJsonObject mergedEntry(const QJsonObject &fx, const QString &path)
{
    for (const QJsonValue &v : fx.value(QLatin1String("merged")).toArray()) {
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject();
    }
    return {};
}

const ExtractItem *findItem(const ExtractJob &job, const QString &path)
{
    for (const ExtractItem &i : job.items()) {
        if (i.path == path)
            return &i;
    }
    return nullptr;
}

QString itemsText(const ExtractJob &job)
{
    QStringList lines;
    for (const ExtractItem &i : job.items())
        lines << QStringLiteral("%1 %2 L%3 %4")
                     .arg(ExtractItem::outcomeName(i.outcome), i.path)
                     .arg(i.layer)
                     .arg(i.error.toString());
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestExtract : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void mergedEtcGetsUpperCopies();
    void singleFileStopsAtItsLayer();
    void deletedFileIsReported();
    void opaqueDirectoryHidesLowerContent();
    void wholeImageEqualsMergedView();
    void hardLinksInsideTheSelection();
    void perLayerWritesThatLayer();
    void hostileMerged();
    void hostilePerLayerKeepsSetuidWhenAsked();
    void badRequests_data();
    void badRequests();
    void cancelLeavesNoPartialFile();
    void corruptLayerFailsWithoutPartialFile();
    void fileInBigLayerStopsAtItsEnd();
    void indexedLayersFetchOnlyWhatIsNeeded();
    void indexedSubtreeEqualsMergedView();

private:
    ll::oci::Image resolve(const QString &fixture, const QString &host = {});
    /** Runs an extraction into m_out; returns the finished job. */
    std::unique_ptr<ExtractJob> extract(
        const ll::oci::Image &image, const QStringList &paths, const ExtractOptions &options = ExtractOptions());

    std::unique_ptr<ClientEnv> m_env;
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_out;
};

void TestExtract::initTestCase()
{
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    m_env = std::make_unique<ClientEnv>();
}

void TestExtract::init()
{
    Harness::instance().proxyReset();
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_out = m_tmp->filePath(QStringLiteral("out"));
}

void TestExtract::cleanupTestCase()
{
    if (Harness::instance().available())
        Harness::instance().proxyReset();
}

ll::oci::Image TestExtract::resolve(const QString &fixture, const QString &host)
{
    const auto ref = ll::registry::ImageReference::parse(Harness::instance().reference(fixture, host));
    if (!ref)
        qFatal("bad reference");
    ll::registry::ImageResolveJob job(m_env->client.get(), *ref);
    ll::test::runJob(job);
    if (job.state() != Job::State::Succeeded)
        qFatal("resolve %s: %s", qPrintable(fixture), qPrintable(job.error().toString()));
    return job.image();
}

std::unique_ptr<ExtractJob> TestExtract::extract(
    const ll::oci::Image &image, const QStringList &paths, const ExtractOptions &options)
{
    auto job = std::make_unique<ExtractJob>(m_env->client.get(), image, paths, m_out, options);
    ll::test::runJob(*job, 120000);
    return job;
}

void TestExtract::mergedEtcGetsUpperCopies()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("/etc/") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    QCOMPARE(tree(m_out), mergedTree(fx, QStringLiteral("etc")));
    QVERIFY(!QFileInfo::exists(m_out + QStringLiteral("/etc/motd")));
    // passwd and group from layer 1, not the base layer's stale copies.
    for (const QString &p : { QStringLiteral("etc/passwd"), QStringLiteral("etc/group"), QStringLiteral("etc/app.conf"),
             QStringLiteral("etc/shadow"), QStringLiteral("etc/os-release") }) {
        const QJsonObject e = mergedEntry(fx, p);
        QCOMPARE(sha256Hex(m_out + QLatin1Char('/') + p), e.value(QLatin1String("sha256")).toString().toLatin1());
        QCOMPARE(modeOf(m_out + QLatin1Char('/') + p), e.value(QLatin1String("mode")).toString().toUInt(nullptr, 8));
        const ExtractItem *item = findItem(*job, p);
        QVERIFY(item);
        QCOMPARE(item->layer, e.value(QLatin1String("layer")).toInt());
        QCOMPARE(item->outcome, ExtractItem::Outcome::Written);
    }
    QVERIFY(QFile(m_out + QStringLiteral("/etc/passwd")).open(QIODevice::ReadOnly));
    QCOMPARE(
        QFileInfo(m_out + QStringLiteral("/etc/localtime")).symLinkTarget(), QStringLiteral("/usr/share/zoneinfo/UTC"));
    QCOMPARE(QFileInfo(m_out + QStringLiteral("/etc/passwd")).lastModified().toSecsSinceEpoch(), 1700000000);
    QCOMPARE(job->layersRead(), QVector<int>({ 3, 2, 1, 0 })); // etc is a plain dir: every layer may add to it
    QCOMPARE(job->unverifiedLayers(), QVector<int>()); // each read to its end and checked
    QCOMPARE(job->progressDone(), job->progressTotal());
}

void TestExtract::singleFileStopsAtItsLayer()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("etc/passwd") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(tree(m_out), QStringList({ QStringLiteral("etc dir"), QStringLiteral("etc/passwd file") }));
    QCOMPARE(sha256Hex(m_out + QStringLiteral("/etc/passwd")),
        mergedEntry(fx, QStringLiteral("etc/passwd")).value(QLatin1String("sha256")).toString().toLatin1());
    QCOMPARE(job->layersRead(), QVector<int>({ 3, 2, 1 })); // the base layer is never downloaded
    QCOMPARE(job->items().size(), 1);
}

void TestExtract::deletedFileIsReported()
{
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("etc/motd") });
    QCOMPARE(job->state(), Job::State::Succeeded);
    QCOMPARE(job->layersRead(), QVector<int>({ 3, 2 }));
    QCOMPARE(job->items().size(), 1);
    const ExtractItem &item = job->items().first();
    QCOMPARE(item.outcome, ExtractItem::Outcome::Failed);
    QCOMPARE(item.error.code, Error::Code::NotFound);
    QVERIFY2(item.error.message.contains(QLatin1String("deleted in layer 2")), qPrintable(item.error.message));
    QCOMPARE(tree(m_out), QStringList());
}

void TestExtract::opaqueDirectoryHidesLowerContent()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("var/cache/apt") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QStringList expected = mergedTree(fx, QStringLiteral("var/cache/apt"));
    expected.prepend(QStringLiteral("var/cache dir"));
    expected.prepend(QStringLiteral("var dir"));
    expected.sort();
    QCOMPARE(tree(m_out), expected);
    QVERIFY(!QFileInfo::exists(m_out + QStringLiteral("/var/cache/apt/pkgcache.bin")));
    QCOMPARE(job->layersRead(), QVector<int>({ 3, 2 })); // the opaque layer decides: nothing below is read
}

void TestExtract::wholeImageEqualsMergedView()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    // Through the proxy, with the file-by-file check on sha256.
    auto job = extract(resolve(QStringLiteral("lab/app:1.0"), Harness::instance().proxy()), { QStringLiteral(".") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QVERIFY2(job->count(ExtractItem::Outcome::Failed) == 0, qPrintable(itemsText(*job)));
    QCOMPARE(job->count(ExtractItem::Outcome::Skipped), 0);
    QCOMPARE(tree(m_out), mergedTree(fx, QStringLiteral(".")));
    int files = 0;
    for (const QJsonValue &v : fx.value(QLatin1String("merged")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QLatin1String("type")).toString() != QLatin1String("file"))
            continue;
        const QString p = e.value(QLatin1String("path")).toString();
        QCOMPARE(sha256Hex(m_out + QLatin1Char('/') + p), e.value(QLatin1String("sha256")).toString().toLatin1());
        ++files;
    }
    QVERIFY(files > 200);
    QCOMPARE(modeOf(m_out + QStringLiteral("/root")), 0700u);
    QCOMPARE(modeOf(m_out + QStringLiteral("/tmp")), 01777u); // a directory keeps its sticky bit (as tar does)
    qint64 total = 0;
    for (const QJsonValue &v : fx.value(QLatin1String("layers")).toArray())
        total += v.toObject().value(QLatin1String("size")).toInteger();
    QCOMPARE(job->bytesDownloaded(), total); // every layer once
}

void TestExtract::hardLinksInsideTheSelection()
{
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("usr/bin") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    struct stat a, b;
    QCOMPARE(::lstat(QFile::encodeName(m_out + QStringLiteral("/usr/bin/perl")).constData(), &a), 0);
    QCOMPARE(::lstat(QFile::encodeName(m_out + QStringLiteral("/usr/bin/perl5.36.0")).constData(), &b), 0);
    QCOMPARE(a.st_ino, b.st_ino);
    QCOMPARE(findItem(*job, QStringLiteral("usr/bin/perl5.36.0"))->outcome, ExtractItem::Outcome::Written);

    // The link alone: its target was not extracted, so it is skipped, never linked to something else.
    QTemporaryDir other;
    m_out = other.filePath(QStringLiteral("out"));
    auto alone = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("usr/bin/perl5.36.0") });
    QCOMPARE(alone->state(), Job::State::Succeeded);
    const ExtractItem *item = findItem(*alone, QStringLiteral("usr/bin/perl5.36.0"));
    QVERIFY(item);
    QCOMPARE(item->outcome, ExtractItem::Outcome::Skipped);
    QVERIFY(!QFileInfo::exists(m_out + QStringLiteral("/usr/bin/perl5.36.0")));
}

void TestExtract::perLayerWritesThatLayer()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    ExtractOptions options;
    options.layer = 0;
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral("etc") }, options);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->layersRead(), QVector<int>({ 0 }));
    QVERIFY(QFileInfo::exists(m_out + QStringLiteral("/etc/motd")));
    QString base;
    for (const QJsonValue &v :
        fx.value(QLatin1String("layers")).toArray().at(0).toObject().value(QLatin1String("entries")).toArray()) {
        if (v.toObject().value(QLatin1String("path")).toString() == QLatin1String("etc/passwd"))
            base = v.toObject().value(QLatin1String("sha256")).toString();
    }
    QCOMPARE(sha256Hex(m_out + QStringLiteral("/etc/passwd")), base.toLatin1());
    QVERIFY(base.toLatin1()
        != mergedEntry(fx, QStringLiteral("etc/passwd")).value(QLatin1String("sha256")).toString().toLatin1());

    // Layer 2 holds whiteout markers: reported as skipped, never written.
    QTemporaryDir other;
    m_out = other.filePath(QStringLiteral("out"));
    options.layer = 2;
    auto wh = extract(resolve(QStringLiteral("lab/app:1.0")), { QStringLiteral(".") }, options);
    QCOMPARE(wh->state(), Job::State::Succeeded);
    const ExtractItem *marker = findItem(*wh, QStringLiteral("etc/.wh.motd"));
    QVERIFY(marker);
    QCOMPARE(marker->outcome, ExtractItem::Outcome::Skipped);
    QVERIFY(!QFileInfo::exists(m_out + QStringLiteral("/etc/.wh.motd")));
    QVERIFY(QFileInfo::exists(m_out + QStringLiteral("/var/cache/apt/fresh.bin")));
}

void TestExtract::hostileMerged()
{
    // out/ lives in a parent that must stay exactly as it was: out is its only entry afterwards.
    const QString relVictim = QStringLiteral("/tmp/ll-hostile-rel");
    const bool relVictimBefore = QFileInfo::exists(relVictim);
    const QDateTime passwdBefore = QFileInfo(QStringLiteral("/etc/passwd")).lastModified();
    auto job = extract(resolve(QStringLiteral("lab/hostile:1.0")), { QStringLiteral(".") });
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(QDir(m_tmp->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        QStringList({ QStringLiteral("out") }));
    QCOMPARE(QFileInfo(QStringLiteral("/etc/passwd")).lastModified(), passwdBefore);
    QCOMPARE(QFileInfo::exists(relVictim), relVictimBefore);

    struct Expect {
        const char *path;
        ExtractItem::Outcome outcome;
        Error::Code code;
    };
    const Expect expects[] = {
        { "../../evil", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        { "safe/../../dotdot-inside", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        // Decision: a leading "/" is dropped (as GNU tar does); the entry is written inside the root.
        { "abs/path", ExtractItem::Outcome::Written, Error::Code::None },
        { "escape", ExtractItem::Outcome::Written, Error::Code::None }, // the symlink itself is just data
        { "escape/passwd", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        { "relescape", ExtractItem::Outcome::Written, Error::Code::None },
        { "relescape/ll-hostile-rel", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        { "link-out", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        { "abs-hardlink", ExtractItem::Outcome::Skipped, Error::Code::UnsafePath },
        { "dev/evil-null", ExtractItem::Outcome::Skipped, Error::Code::Unsupported },
        { "dev/evil-sda", ExtractItem::Outcome::Skipped, Error::Code::Unsupported },
        { "dev/evil-fifo", ExtractItem::Outcome::Skipped, Error::Code::Unsupported },
        { "bin/suid", ExtractItem::Outcome::Written, Error::Code::None },
        { "etc/passwd", ExtractItem::Outcome::Written, Error::Code::None },
        { "safe/readme.txt", ExtractItem::Outcome::Written, Error::Code::None },
    };
    for (const Expect &e : expects) {
        const ExtractItem *item = findItem(*job, QString::fromLatin1(e.path));
        QVERIFY2(item, e.path);
        QVERIFY2(item->outcome == e.outcome,
            qPrintable(QString::fromLatin1(e.path) + QLatin1Char(' ') + item->error.toString()));
        QCOMPARE(item->error.code, e.code);
        if (e.code == Error::Code::UnsafePath)
            QVERIFY2(item->error.message.contains(QString::fromLatin1(e.path)), qPrintable(item->error.message));
    }
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    QCOMPARE(tree(m_out),
        QStringList({ QStringLiteral("abs dir"), QStringLiteral("abs/path file"), QStringLiteral("bin dir"),
            QStringLiteral("bin/sgid file"), QStringLiteral("bin/suid file"), QStringLiteral("bin/world-writable file"),
            QStringLiteral("dev dir"), QStringLiteral("escape symlink"), QStringLiteral("etc dir"),
            QStringLiteral("etc/passwd file"), QStringLiteral("relescape symlink"), QStringLiteral("safe dir"),
            QStringLiteral("safe/readme.txt file") }));
    QCOMPARE(QFileInfo(m_out + QStringLiteral("/escape")).symLinkTarget(), QStringLiteral("/etc"));
    QCOMPARE(modeOf(m_out + QStringLiteral("/bin/suid")), 0755u);
    QCOMPARE(modeOf(m_out + QStringLiteral("/bin/sgid")), 0755u);
    QCOMPARE(modeOf(m_out + QStringLiteral("/bin/world-writable")), 0777u);
}

void TestExtract::hostilePerLayerKeepsSetuidWhenAsked()
{
    ExtractOptions options;
    options.layer = 1;
    options.preservePermissions = true;
    auto job = extract(resolve(QStringLiteral("lab/hostile:1.0")), { QStringLiteral(".") }, options);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->layersRead(), QVector<int>({ 1 }));
    QCOMPARE(modeOf(m_out + QStringLiteral("/bin/suid")), 04755u);
    QCOMPARE(modeOf(m_out + QStringLiteral("/bin/sgid")), 02755u);
    QCOMPARE(findItem(*job, QStringLiteral("escape/passwd"))->error.code, Error::Code::UnsafePath);
    QCOMPARE(findItem(*job, QStringLiteral("dev/evil-null"))->outcome, ExtractItem::Outcome::Skipped);
    QCOMPARE(QDir(m_tmp->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        QStringList({ QStringLiteral("out") }));
    QVERIFY(!QFileInfo::exists(m_out + QStringLiteral("/etc/passwd"))); // layer 0's file is not in layer 1
}

void TestExtract::badRequests_data()
{
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("code");
    QTest::newRow("no path") << QStringList() << -1 << int(Error::Code::Usage);
    QTest::newRow("dotdot path") << QStringList({ QStringLiteral("../etc") }) << -1 << int(Error::Code::UnsafePath);
    QTest::newRow("no such layer") << QStringList({ QStringLiteral("etc") }) << 9 << int(Error::Code::Usage);
}

void TestExtract::badRequests()
{
    QFETCH(QStringList, paths);
    QFETCH(int, layer);
    QFETCH(int, code);
    ExtractOptions options;
    options.layer = layer;
    auto job = extract(resolve(QStringLiteral("lab/app:1.0")), paths, options);
    QCOMPARE(job->state(), Job::State::Failed);
    QCOMPARE(int(job->error().code), code);
    QVERIFY(job->layersRead().isEmpty());
}

void TestExtract::cancelLeavesNoPartialFile()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/big:1.0"));
    const ll::oci::Image image = resolve(QStringLiteral("lab/big:1.0"), Harness::instance().proxy());
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("slow") }, { QStringLiteral("rate"), 4 << 20 },
                { QStringLiteral("path"), image.manifest.layers.at(0).digest } } } } });
    ExtractJob job(m_env->client.get(), image, { QStringLiteral("data") }, m_out);
    int itemSignals = 0;
    connect(&job, &ExtractJob::itemsReady, this, [&itemSignals](const QVector<ExtractItem> &) { ++itemSignals; });
    job.start();
    QVERIFY(ll::test::spinUntil([&job] { return job.progressDone() > (3 << 20); }, 30000));
    job.cancel();
    QVERIFY(ll::test::spinUntil([&job] { return job.isFinished(); }, 10000));
    QCOMPARE(job.state(), Job::State::Cancelled);
    // The layer was not verified to its end: none of its files has a final name, no temporary is left.
    QDirIterator it(m_out, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    QCOMPARE(files, QStringList());
    QVERIFY(QFileInfo(m_out + QStringLiteral("/data/bin")).isDir()); // it did get that far
    QCOMPARE(itemSignals, 1);
    QCOMPARE(job.count(ExtractItem::Outcome::Written), 3); // data, data/bin, data/txt
    QVERIFY(job.bytesDownloaded() < image.manifest.layers.at(0).size / 2);
}

void TestExtract::corruptLayerFailsWithoutPartialFile()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    const ll::oci::Image image = resolve(QStringLiteral("lab/app:1.0"), Harness::instance().proxy());
    // Layer 3 (read first) is one 256 KiB binary: corrupt its deflate data in the middle.
    Harness::instance().proxyControl(QJsonObject { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("corrupt") },
            { QStringLiteral("blob_offset"), 150000 }, { QStringLiteral("count"), 0 },
            { QStringLiteral("path"), image.manifest.layers.at(3).digest } } } } });
    auto job = extract(image, { QStringLiteral("usr/local/bin") });
    QCOMPARE(job->state(), Job::State::Failed);
    QVERIFY2(job->error().code == Error::Code::Corrupt || job->error().code == Error::Code::DigestMismatch,
        qPrintable(job->error().toString()));
    QVERIFY2(job->error().message.contains(QLatin1String("layer 3")), qPrintable(job->error().toString()));
    // Whether inflate or the digest caught it, the damaged layer's file never got its final name.
    QDirIterator it(m_out, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    QCOMPARE(files, QStringList());
    QVERIFY(!findItem(*job, QStringLiteral("usr/local/bin/app")));
}

namespace {

/** Entry record of the fixture's layer. */
QJsonObject layerEntry(const QJsonObject &fx, int layer, const QString &path)
{
    const QJsonArray layers = fx.value(QLatin1String("layers")).toArray();
    for (const QJsonValue &v : layers.at(layer).toObject().value(QLatin1String("entries")).toArray()) {
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject();
    }
    return {};
}

/** Lists every layer of image once, keeping their indexes in store (as a first look does). */
bool indexAll(ll::registry::RegistryClient *client, const ll::oci::Image &image, const ll::index::IndexStore &store)
{
    for (int i = 0; i < image.manifest.layers.size(); ++i) {
        ll::stream::LayerScanJob scan(client, ll::stream::LayerSource::fromImage(image, i));
        scan.setIndexStore(store);
        ll::test::runJob(scan, 120000);
        if (scan.state() != Job::State::Succeeded || !store.load(image.manifest.layers.at(i).digest))
            return false;
    }
    return true;
}

} // namespace

void TestExtract::fileInBigLayerStopsAtItsEnd()
{
    // issue 7 item 14: one file of a big layer once cost the whole layer. Without an index the layer stops
    // once the file is out; it was read in part, so it is reported unverified.
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/big:1.0"));
    const ll::oci::Image image = resolve(QStringLiteral("lab/big:1.0"));
    const qint64 layerSize = image.manifest.layers.at(0).size;
    const qint64 bound
        = fx.value(QLatin1String("needle")).toObject().value(QLatin1String("compressed_bound")).toInteger();
    for (int layer : { -1, 0 }) { // merged, and one layer (the GUI's preview in a layer's tree)
        init();
        ExtractOptions o;
        o.layer = layer;
        auto job = extract(image, { QStringLiteral("data/needle.bin") }, o);
        QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
        QCOMPARE(sha256Hex(m_out + QStringLiteral("/data/needle.bin")),
            layerEntry(fx, 0, QStringLiteral("data/needle.bin")).value(QLatin1String("sha256")).toString().toLatin1());
        QCOMPARE(job->unverifiedLayers(), QVector<int>({ 0 }));
        qInfo("layer %d: downloaded %lld of %lld (bound %lld)", layer, job->bytesDownloaded(), layerSize, bound);
        QVERIFY(job->bytesDownloaded() >= bound);
        QVERIFY2(job->bytesDownloaded() <= qint64(1.25 * double(bound)) + 2 * 65536,
            qPrintable(QString::number(job->bytesDownloaded())));
        QCOMPARE(tree(m_out), QStringList({ QStringLiteral("data dir"), QStringLiteral("data/needle.bin file") }));
    }
}

void TestExtract::indexedLayersFetchOnlyWhatIsNeeded()
{
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    const ll::oci::Image image = resolve(QStringLiteral("lab/app:1.0"), Harness::instance().proxy());
    QTemporaryDir indexDir;
    const ll::index::IndexStore store(indexDir.path());
    QVERIFY(indexAll(m_env->client.get(), image, store));
    const QStringList paths { QStringLiteral("etc/passwd"), QStringLiteral("usr/local/bin/app") };
    int indexed = 0;
    const qint64 expected = ExtractJob::expectedDownload(image, paths, -1, store, &indexed);
    QCOMPARE(indexed, 4);
    QVERIFY(expected > 0 && expected < image.totalLayerSize());

    Harness::instance().proxyReset();
    auto job = std::make_unique<ExtractJob>(m_env->client.get(), image, paths, m_out);
    job->setIndexStore(store);
    ll::test::runJob(*job, 120000);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    for (const QString &p : paths)
        QCOMPARE(sha256Hex(m_out + QLatin1Char('/') + p),
            mergedEntry(fx, p).value(QLatin1String("sha256")).toString().toLatin1());
    // Layer 3 (app) and layer 1 (passwd) are fetched, one request each; layer 2 holds neither path (no
    // request), layer 0 lies below the decided paths.
    QCOMPARE(job->layersRead(), QVector<int>({ 3, 1 }));
    QCOMPARE(job->layersFromIndex(), QVector<int>({ 3, 2, 1 }));
    QCOMPARE(Harness::instance().proxyBlobRequests(), 2);
    QVERIFY2(job->bytesDownloaded() <= expected, qPrintable(QString::number(job->bytesDownloaded())));
    QCOMPARE(job->progressTotal(), expected);
}

void TestExtract::indexedSubtreeEqualsMergedView()
{
    // Every layer holds something under etc: each is read up to its last etc entry, and the result is still
    // the merged view (upper copies, the whiteout of motd).
    const QJsonObject fx = Harness::instance().fixture(QStringLiteral("lab/app:1.0"));
    const ll::oci::Image image = resolve(QStringLiteral("lab/app:1.0"));
    QTemporaryDir indexDir;
    const ll::index::IndexStore store(indexDir.path());
    QVERIFY(indexAll(m_env->client.get(), image, store));
    auto job = std::make_unique<ExtractJob>(m_env->client.get(), image, QStringList { QStringLiteral("etc") }, m_out);
    job->setIndexStore(store);
    ll::test::runJob(*job, 120000);
    QVERIFY2(job->state() == Job::State::Succeeded, qPrintable(job->error().toString()));
    QCOMPARE(job->count(ExtractItem::Outcome::Failed), 0);
    QCOMPARE(tree(m_out), mergedTree(fx, QStringLiteral("etc")));
    for (const QString &p :
        { QStringLiteral("etc/passwd"), QStringLiteral("etc/group"), QStringLiteral("etc/app.conf") })
        QCOMPARE(sha256Hex(m_out + QLatin1Char('/') + p),
            mergedEntry(fx, p).value(QLatin1String("sha256")).toString().toLatin1());
    QVERIFY(job->bytesDownloaded() <= ExtractJob::expectedDownload(image, { QStringLiteral("etc") }, -1, store));
}

QTEST_GUILESS_MAIN(TestExtract)
#include "TestExtract.moc"
