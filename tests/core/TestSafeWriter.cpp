#include "common/PathBytes.h"
#include "extract/SafeWriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

using ll::Error;
using ll::PathBytes;
using ll::extract::SafeWriter;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray("<missing>");
    return f.readAll();
}

/** Every path below dir (relative, sorted), symlinks not followed. */
QStringList listTree(const QString &dir)
{
    QStringList out;
    QDir d(dir);
    const QFileInfoList infos
        = d.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &fi : infos) {
        out << fi.fileName();
        if (fi.isDir() && !fi.isSymLink()) {
            const QStringList sub = listTree(fi.absoluteFilePath());
            for (const QString &s : sub)
                out << fi.fileName() + QLatin1Char('/') + s;
        }
    }
    return out;
}

quint32 modeOf(const QString &path)
{
    struct stat st;
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0xffffffff;
    return st.st_mode & 07777;
}

} // namespace

class TestSafeWriter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void fileNames_data();
    void fileNames();
    void preexistingSymlinkParent();
    void writtenSymlinkIsNeverTraversed();
    void preexistingSymlinkAtFinalNameIsReplaced();
    void dirOverSymlinkReplacesTheLink();
    void hardlinks_data();
    void hardlinks();
    void hardlinkToWrittenFile();
    void discardAndDestroyLeaveNothing();
    void tempNameCollision();
    void staleTempsOfDeadRunsAreReplaced();
    void sealedFilesWaitForCommit();
    void nonUtf8NamesKeepTheirBytes();
    void negativeMtimesAndHoles();
    void permissions_data();
    void permissions();
    void directoriesGetModeAndMtimeAtFinish();
    void fileReplacesFileAndDirInTheWay();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_root; // the writer's root: <tmp>/root
    QString m_outside; // a sibling that must never change: <tmp>/outside
    QStringList m_outsideBefore;
};

void TestSafeWriter::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_root = m_tmp->filePath(QStringLiteral("root"));
    m_outside = m_tmp->filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(m_outside));
    QFile f(m_outside + QStringLiteral("/target"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("original\n");
    f.close();
    m_outsideBefore = listTree(m_tmp->path());
}

void TestSafeWriter::cleanup()
{
    // Nothing outside root may ever appear or change.
    QStringList now = listTree(m_tmp->path());
    now.erase(std::remove_if(now.begin(), now.end(),
                  [](const QString &p) { return p == QLatin1String("root") || p.startsWith(QLatin1String("root/")); }),
        now.end());
    QStringList before = m_outsideBefore;
    before.removeAll(QStringLiteral("root"));
    QCOMPARE(now, before);
    QCOMPARE(readAll(m_outside + QStringLiteral("/target")), QByteArray("original\n"));
    m_tmp.reset();
}

void TestSafeWriter::fileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("writtenAs"); // empty: refused with UnsafePath

    QTest::newRow("plain") << "a.txt"
                           << "a.txt";
    QTest::newRow("nested") << "a/b/c.txt"
                            << "a/b/c.txt";
    QTest::newRow("dot-slash") << "./etc/passwd"
                               << "etc/passwd";
    QTest::newRow("absolute stays inside") << "/abs/path"
                                           << "abs/path";
    QTest::newRow("double slash") << "a//b"
                                  << "a/b";
    QTest::newRow("inner dotdot inside") << "a/../b"
                                         << "b";
    QTest::newRow("dotdot") << "../evil"
                            << "";
    QTest::newRow("dotdot twice") << "../../evil"
                                  << "";
    QTest::newRow("dotdot through a dir") << "safe/../../dotdot-inside"
                                          << "";
    QTest::newRow("absolute dotdot") << "/../outside/target"
                                     << "";
    QTest::newRow("dot") << "."
                         << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("slash only") << "/"
                                << "";
    QTest::newRow("NUL") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << "";
}

void TestSafeWriter::fileNames()
{
    QFETCH(QString, name);
    QFETCH(QString, writtenAs);
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(name, 0644, 1700000000);
    if (writtenAs.isEmpty()) {
        QVERIFY(!file);
        QCOMPARE(file.error().code, Error::Code::UnsafePath);
        QVERIFY2(file.error().message.contains(name.left(name.indexOf(QChar(0)))), qPrintable(file.error().message));
        QCOMPARE(listTree(m_root), QStringList());
        return;
    }
    QVERIFY2(file, file ? "" : qPrintable(file.error().toString()));
    QVERIFY((*writer)->write(*file, "data", 4));
    // Not under the final name before commit.
    QVERIFY(!QFileInfo::exists(m_root + QLatin1Char('/') + writtenAs));
    QVERIFY((*writer)->commit(*file));
    QCOMPARE(readAll(m_root + QLatin1Char('/') + writtenAs), QByteArray("data"));
    QCOMPARE(QFileInfo(m_root + QLatin1Char('/') + writtenAs).lastModified().toSecsSinceEpoch(), 1700000000);
    QVERIFY((*writer)->hasWritten(writtenAs));
    for (const QString &p : listTree(m_root))
        QVERIFY2(!p.endsWith(QLatin1String(".part")), qPrintable(p));
}

void TestSafeWriter::preexistingSymlinkParent()
{
    QVERIFY(QDir().mkpath(m_root));
    QVERIFY(QFile::link(m_outside, m_root + QStringLiteral("/link-out")));
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(QStringLiteral("link-out/target"), 0644);
    QVERIFY(!file);
    QCOMPARE(file.error().code, Error::Code::UnsafePath);
    QVERIFY(file.error().message.contains(QLatin1String("link-out/target")));
    QCOMPARE((*writer)->makeDir(QStringLiteral("link-out/newdir")).error().code, Error::Code::UnsafePath);
    QCOMPARE((*writer)->makeSymlink(QStringLiteral("link-out/l"), QStringLiteral("x")).error().code,
        Error::Code::UnsafePath);
    // Deeper: a symlinked dir in the middle.
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/real")));
    QVERIFY(QFile::link(m_outside, m_root + QStringLiteral("/real/mid")));
    auto deep = (*writer)->beginFile(QStringLiteral("real/mid/x/y"), 0644);
    QVERIFY(!deep);
    QCOMPARE(deep.error().code, Error::Code::UnsafePath);
}

void TestSafeWriter::writtenSymlinkIsNeverTraversed()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    // Absolute and relative escapes, as a hostile layer has them.
    QVERIFY((*writer)->makeSymlink(QStringLiteral("escape"), m_outside));
    QVERIFY((*writer)->makeSymlink(QStringLiteral("relescape"), QStringLiteral("../outside")));
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/escape")).symLinkTarget(), m_outside);
    for (const QString &name : { QStringLiteral("escape/target"), QStringLiteral("relescape/target"),
             QStringLiteral("escape/new"), QStringLiteral("relescape/sub/new") }) {
        auto file = (*writer)->beginFile(name, 0644);
        QVERIFY2(!file, qPrintable(name));
        QCOMPARE(file.error().code, Error::Code::UnsafePath);
    }
    QCOMPARE((*writer)->makeHardlink(QStringLiteral("escape/hl"), QStringLiteral("escape")).error().code,
        Error::Code::UnsafePath);
}

void TestSafeWriter::preexistingSymlinkAtFinalNameIsReplaced()
{
    QVERIFY(QDir().mkpath(m_root));
    QVERIFY(QFile::link(m_outside + QStringLiteral("/target"), m_root + QStringLiteral("/victim")));
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(QStringLiteral("victim"), 0644);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "new", 3));
    QVERIFY((*writer)->commit(*file));
    QVERIFY(!QFileInfo(m_root + QStringLiteral("/victim")).isSymLink());
    QCOMPARE(readAll(m_root + QStringLiteral("/victim")), QByteArray("new"));
    // cleanup() checks outside/target still says "original".
    QVERIFY(QFile::link(m_outside + QStringLiteral("/target"), m_root + QStringLiteral("/victim2")));
    QVERIFY((*writer)->makeSymlink(QStringLiteral("victim2"), QStringLiteral("elsewhere")));
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/victim2")).symLinkTarget(), m_root + QStringLiteral("/elsewhere"));
}

void TestSafeWriter::dirOverSymlinkReplacesTheLink()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    QVERIFY((*writer)->makeSymlink(QStringLiteral("d"), m_outside));
    QVERIFY((*writer)->makeDir(QStringLiteral("d"), 0755));
    QVERIFY(QFileInfo(m_root + QStringLiteral("/d")).isDir());
    QVERIFY(!QFileInfo(m_root + QStringLiteral("/d")).isSymLink());
    auto file = (*writer)->beginFile(QStringLiteral("d/target"), 0644);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "inside", 6));
    QVERIFY((*writer)->commit(*file));
    QCOMPARE(readAll(m_root + QStringLiteral("/d/target")), QByteArray("inside"));
}

void TestSafeWriter::hardlinks_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("dotdot") << "../../outside";
    QTest::newRow("dotdot to outside file") << "../outside/target";
    QTest::newRow("absolute not written") << "/etc/shadow";
    QTest::newRow("relative not written") << "etc/shadow";
    QTest::newRow("itself") << "link";
    QTest::newRow("root") << ".";
}

void TestSafeWriter::hardlinks()
{
    QFETCH(QString, target);
    QVERIFY(QDir().mkpath(m_root + QStringLiteral("/etc")));
    QFile shadow(m_root + QStringLiteral("/etc/shadow")); // exists inside, but this writer did not write it
    QVERIFY(shadow.open(QIODevice::WriteOnly));
    shadow.close();
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    const ll::Status s = (*writer)->makeHardlink(QStringLiteral("link"), target);
    QVERIFY(!s);
    QCOMPARE(s.error().code, Error::Code::UnsafePath);
    QVERIFY(!QFileInfo::exists(m_root + QStringLiteral("/link")));
}

void TestSafeWriter::hardlinkToWrittenFile()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(QStringLiteral("usr/bin/perl"), 0755);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "perl", 4));
    QVERIFY((*writer)->commit(*file));
    QVERIFY((*writer)->makeHardlink(QStringLiteral("usr/bin/perl5"), QStringLiteral("/usr/bin/perl")));
    QVERIFY((*writer)->makeHardlink(QStringLiteral("other/dir/perl"), QStringLiteral("usr/bin/perl")));
    struct stat a, b, c;
    QCOMPARE(::stat(QFile::encodeName(m_root + QStringLiteral("/usr/bin/perl")).constData(), &a), 0);
    QCOMPARE(::stat(QFile::encodeName(m_root + QStringLiteral("/usr/bin/perl5")).constData(), &b), 0);
    QCOMPARE(::stat(QFile::encodeName(m_root + QStringLiteral("/other/dir/perl")).constData(), &c), 0);
    QCOMPARE(a.st_ino, b.st_ino);
    QCOMPARE(a.st_ino, c.st_ino);
    QCOMPARE(int(a.st_nlink), 3);
}

void TestSafeWriter::discardAndDestroyLeaveNothing()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    {
        auto file = (*writer)->beginFile(QStringLiteral("d/half"), 0644);
        QVERIFY(file);
        QVERIFY((*writer)->write(*file, "half", 4));
        QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("d"), QStringLiteral("d/half.part") }));
        (*writer)->discard(*file);
        QVERIFY(!file->isOpen());
    }
    QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("d") }));
    {
        auto file = (*writer)->beginFile(QStringLiteral("d/dropped"), 0644);
        QVERIFY(file);
        QVERIFY((*writer)->write(*file, "x", 1));
        // handle destroyed without commit
    }
    QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("d") }));
    QVERIFY(!(*writer)->hasWritten(QStringLiteral("d/dropped")));
}

void TestSafeWriter::tempNameCollision()
{
    QVERIFY(QDir().mkpath(m_root));
    QFile f(m_root + QStringLiteral("/f.part"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("member called f.part");
    f.close();
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(QStringLiteral("f"), 0644);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "f", 1));
    QVERIFY((*writer)->commit(*file));
    QCOMPARE(readAll(m_root + QStringLiteral("/f")), QByteArray("f"));
    QCOMPARE(readAll(m_root + QStringLiteral("/f.part")), QByteArray("member called f.part"));
    QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("f"), QStringLiteral("f.part") }));
}

namespace {

/** A process id that was just used and is gone (a child that exited and was reaped). */
pid_t deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

bool writeMarked(const QString &path, const QByteArray &content, const QByteArray &mark)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
        return false;
    f.close();
    return mark.isEmpty()
        || ::setxattr(
               QFile::encodeName(path).constData(), SafeWriter::PartMark, mark.constData(), size_t(mark.size()), 0)
        == 0;
}

bool hasMark(const QString &path)
{
    char buf[300];
    return ::lgetxattr(QFile::encodeName(path).constData(), SafeWriter::PartMark, buf, sizeof buf) >= 0;
}

} // namespace

// A run killed mid-extraction leaves "<name>.part" files with the mark; the next run into the same directory
// replaces those for the names it writes, and only those: a user's unmarked file, a symlink, a live process's
// temporary and another name's are left alone (was: each stale one pushed the writer to "x.1.part", and
// they stayed forever).
void TestSafeWriter::staleTempsOfDeadRunsAreReplaced()
{
    QVERIFY(QDir().mkpath(m_root));
    const QByteArray dead = QByteArray::number(deadPid());
    const QByteArray live = QByteArray::number(::getppid());
    const QString r = m_root + QLatin1Char('/');
    const QByteArray longName(240, 'n');
    const QString longPath = PathBytes::decode(longName);
    QVERIFY(writeMarked(r + QStringLiteral("a.part"), "stale a", dead + " a"));
    QVERIFY(writeMarked(r + QStringLiteral("b.part"), "user's b.part", QByteArray()));
    QVERIFY(writeMarked(r + QStringLiteral("b.1.part"), "stale b", dead + " b"));
    QVERIFY(writeMarked(r + QStringLiteral("c.part"), "live c", live + " c"));
    QVERIFY(writeMarked(r + QStringLiteral("d.part"), "stale, another name's", dead + " other"));
    QVERIFY(QFile::link(m_outside + QStringLiteral("/target"), r + QStringLiteral("e.part")));
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    // The hashed temporary name of a name too long for a suffix, left by a dead run, is found the same way.
    {
        auto probe = (*writer)->beginFile(longPath, 0644);
        QVERIFY(probe);
        QVERIFY((*writer)->write(*probe, "x", 1));
        auto sealed = (*writer)->seal(*probe);
        QVERIFY(sealed);
        QVERIFY(sealed->tempName.startsWith(".ll-part-"));
        const QByteArray mark = dead + ' ' + longName;
        QVERIFY(::lsetxattr(QFile::encodeName(r + PathBytes::decode(sealed->tempName)).constData(),
                    SafeWriter::PartMark, mark.constData(), size_t(mark.size()), 0)
            == 0);
    }
    for (const QString &name : { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
             QStringLiteral("e"), longPath }) {
        auto file = (*writer)->beginFile(name, 0644);
        QVERIFY2(file, qPrintable(name));
        QVERIFY((*writer)->write(*file, "new", 3));
        QVERIFY((*writer)->commit(*file));
        QCOMPARE(readAll(r + name), QByteArray("new"));
        QVERIFY2(!hasMark(r + name), qPrintable(name)); // the final file does not carry the mark
    }
    QStringList expected { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b.part"), QStringLiteral("c"),
        QStringLiteral("c.part"), QStringLiteral("d"), QStringLiteral("d.part"), QStringLiteral("e"),
        QStringLiteral("e.part"), longPath };
    expected.sort();
    QCOMPARE(listTree(m_root), expected);
    QCOMPARE(readAll(r + QStringLiteral("b.part")), QByteArray("user's b.part"));
    QCOMPARE(readAll(r + QStringLiteral("c.part")), QByteArray("live c"));
    QCOMPARE(readAll(r + QStringLiteral("d.part")), QByteArray("stale, another name's"));
    QVERIFY(QFileInfo(r + QStringLiteral("e.part")).isSymLink());

    // This run's own temporaries are never taken for stale ones: two copies of a path in one layer both wait.
    auto first = (*writer)->beginFile(QStringLiteral("twice"), 0644);
    QVERIFY(first);
    QVERIFY(hasMark(r + QStringLiteral("twice.part")));
    auto second = (*writer)->beginFile(QStringLiteral("twice"), 0644);
    QVERIFY(second);
    QVERIFY(QFileInfo::exists(r + QStringLiteral("twice.part")));
    QVERIFY(QFileInfo::exists(r + QStringLiteral("twice.1.part")));
}

void TestSafeWriter::sealedFilesWaitForCommit()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    SafeWriter::PendingFile kept, dropped;
    for (auto [name, target] :
        { std::pair { QStringLiteral("d/kept"), &kept }, std::pair { QStringLiteral("d/dropped"), &dropped } }) {
        auto file = (*writer)->beginFile(name, 0600, 1600000000);
        QVERIFY(file);
        QVERIFY((*writer)->write(*file, "sealed", 6));
        auto sealed = (*writer)->seal(*file);
        QVERIFY(sealed);
        QVERIFY(!file->isOpen());
        *target = *sealed;
    }
    // Sealed: complete, mode and mtime set, still only under the temporary names.
    QCOMPARE(listTree(m_root),
        QStringList({ QStringLiteral("d"), QStringLiteral("d/dropped.part"), QStringLiteral("d/kept.part") }));
    QCOMPARE(modeOf(m_root + QStringLiteral("/d/kept.part")), 0600u);
    QVERIFY(!(*writer)->hasWritten(QStringLiteral("d/kept")));
    QVERIFY(!(*writer)->makeHardlink(QStringLiteral("d/link"), QStringLiteral("d/kept"))); // not final yet
    QVERIFY((*writer)->commit(kept));
    (*writer)->discard(dropped);
    QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("d"), QStringLiteral("d/kept") }));
    QCOMPARE(readAll(m_root + QStringLiteral("/d/kept")), QByteArray("sealed"));
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/d/kept")).lastModified().toSecsSinceEpoch(), 1600000000);
    QVERIFY((*writer)->hasWritten(QStringLiteral("d/kept")));
    QVERIFY((*writer)->makeHardlink(QStringLiteral("d/link"), QStringLiteral("d/kept")));
}

// Names are bytes: "caf\xe9" and "caf\xef" are two files, written under exactly those bytes (QFile's name
// encoding would have made both "caf?"), and a symlink's target keeps its bytes too.
void TestSafeWriter::nonUtf8NamesKeepTheirBytes()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    for (const QByteArray &name : { QByteArray("d\xe9/caf\xe9"), QByteArray("d\xe9/caf\xef") }) {
        auto file = (*writer)->beginFile(PathBytes::decode(name), 0644);
        QVERIFY(file);
        QVERIFY((*writer)->write(*file, name.constData(), name.size()));
        QVERIFY((*writer)->commit(*file));
    }
    QVERIFY((*writer)->makeSymlink(PathBytes::decode("d\xe9/link"), PathBytes::decode("caf\xe9")));
    QVERIFY((*writer)->finish());
    const QByteArray root = QFile::encodeName(m_root);
    for (const QByteArray &name : { QByteArray("d\xe9/caf\xe9"), QByteArray("d\xe9/caf\xef") }) {
        const int fd = ::open(QByteArray(root + '/' + name).constData(), O_RDONLY);
        QVERIFY2(fd >= 0, name.constData());
        char buf[64];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        ::close(fd);
        QCOMPARE(QByteArray(buf, int(n)), name);
    }
    char target[64];
    const ssize_t n = ::readlink(QByteArray(root + "/d\xe9/link").constData(), target, sizeof target);
    QCOMPARE(QByteArray(target, int(n)), QByteArray("caf\xe9"));
}

// Times before 1970 are applied (they were taken for "no time" and left at now); a file ending in a hole gets
// its full size, its holes not written.
void TestSafeWriter::negativeMtimesAndHoles()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    QVERIFY((*writer)->makeDir(QStringLiteral("old"), 0755, -86400 * 365));
    auto file = (*writer)->beginFile(QStringLiteral("old/sparse"), 0644, -1);
    QVERIFY(file);
    QVERIFY((*writer)->writeHole(*file, 1 << 20));
    QVERIFY((*writer)->write(*file, "mid", 3));
    QVERIFY((*writer)->writeHole(*file, 8 << 20));
    QVERIFY((*writer)->commit(*file));
    QVERIFY((*writer)->finish());
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(m_root + QStringLiteral("/old/sparse")).constData(), &st), 0);
    QCOMPARE(qint64(st.st_mtime), qint64(-1));
    QCOMPARE(qint64(st.st_size), qint64((1 << 20) + 3 + (8 << 20)));
    QVERIFY(qint64(st.st_blocks) * 512 < (1 << 20)); // the holes are holes on disk too
    const QByteArray content = readAll(m_root + QStringLiteral("/old/sparse"));
    QCOMPARE(content.mid(1 << 20, 3), QByteArray("mid"));
    QCOMPARE(content.count('\0'), content.size() - 3);
    QCOMPARE(::stat(QFile::encodeName(m_root + QStringLiteral("/old")).constData(), &st), 0);
    QCOMPARE(qint64(st.st_mtime), qint64(-86400 * 365));
}

void TestSafeWriter::permissions_data()
{
    QTest::addColumn<uint>("mode");
    QTest::addColumn<bool>("preserve");
    QTest::addColumn<uint>("expected");
    QTest::newRow("plain") << 0644u << false << 0644u;
    QTest::newRow("setuid dropped") << 04755u << false << 0755u;
    QTest::newRow("setgid dropped") << 02755u << false << 0755u;
    QTest::newRow("sticky on a file dropped") << 01777u << false << 0777u;
    QTest::newRow("setuid kept") << 04755u << true << 04755u;
    QTest::newRow("setgid kept") << 02755u << true << 02755u;
    QTest::newRow("read-only") << 0444u << false << 0444u;
    QTest::newRow("type bits ignored") << 0100644u << false << 0644u;
}

void TestSafeWriter::permissions()
{
    QFETCH(uint, mode);
    QFETCH(bool, preserve);
    QFETCH(uint, expected);
    SafeWriter::Options options;
    options.preservePermissions = preserve;
    auto writer = SafeWriter::open(m_root, options);
    QVERIFY(writer);
    auto file = (*writer)->beginFile(QStringLiteral("bin/x"), mode);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "#!/bin/sh\n", 10));
    QVERIFY((*writer)->commit(*file));
    QCOMPARE(modeOf(m_root + QStringLiteral("/bin/x")), quint32(expected));
}

void TestSafeWriter::directoriesGetModeAndMtimeAtFinish()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    QVERIFY((*writer)->makeDir(QStringLiteral("ro"), 0555, 1600000000));
    QVERIFY((*writer)->makeDir(QStringLiteral("ro/sub"), 0750, 1500000000));
    QVERIFY((*writer)->makeDir(QStringLiteral("tmp"), 01777, 1600000000));
    // A lower layer's copy of the same dir later: the first (visible) metadata wins.
    QVERIFY((*writer)->makeDir(QStringLiteral("ro"), 0700, 1));
    auto file = (*writer)->beginFile(QStringLiteral("ro/sub/file"), 0644, 1400000000);
    QVERIFY(file);
    QVERIFY((*writer)->write(*file, "x", 1));
    QVERIFY((*writer)->commit(*file));
    QVERIFY((*writer)->finish());
    QCOMPARE(modeOf(m_root + QStringLiteral("/ro")), 0555u);
    QCOMPARE(modeOf(m_root + QStringLiteral("/ro/sub")), 0750u);
    QCOMPARE(modeOf(m_root + QStringLiteral("/tmp")), 01777u); // a directory's sticky bit is kept (as tar does)
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/ro")).lastModified().toSecsSinceEpoch(), 1600000000);
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/ro/sub")).lastModified().toSecsSinceEpoch(), 1500000000);
    QCOMPARE(QFileInfo(m_root + QStringLiteral("/ro/sub/file")).lastModified().toSecsSinceEpoch(), 1400000000);
    QVERIFY((*writer)->finish()); // idempotent
    ::chmod(QFile::encodeName(m_root + QStringLiteral("/ro/sub")).constData(), 0755);
    ::chmod(QFile::encodeName(m_root + QStringLiteral("/ro")).constData(), 0755);
}

void TestSafeWriter::fileReplacesFileAndDirInTheWay()
{
    auto writer = SafeWriter::open(m_root);
    QVERIFY(writer);
    for (const char *content : { "one", "two" }) {
        auto file = (*writer)->beginFile(QStringLiteral("f"), 0644);
        QVERIFY(file);
        QVERIFY((*writer)->write(*file, content, 3));
        QVERIFY((*writer)->commit(*file));
    }
    QCOMPARE(readAll(m_root + QStringLiteral("/f")), QByteArray("two"));
    QVERIFY((*writer)->makeDir(QStringLiteral("d/sub")));
    auto file = (*writer)->beginFile(QStringLiteral("d"), 0644);
    QVERIFY(file);
    const ll::Status s = (*writer)->commit(*file);
    QVERIFY(!s);
    QCOMPARE(s.error().code, Error::Code::Io);
    QVERIFY(QFileInfo(m_root + QStringLiteral("/d/sub")).isDir());
    QCOMPARE(listTree(m_root), QStringList({ QStringLiteral("d"), QStringLiteral("d/sub"), QStringLiteral("f") }));
    // A file where a parent dir is needed.
    auto under = (*writer)->beginFile(QStringLiteral("f/x"), 0644);
    QVERIFY(!under);
    QCOMPARE(under.error().code, Error::Code::Io);
}

QTEST_APPLESS_MAIN(TestSafeWriter)
#include "TestSafeWriter.moc"
