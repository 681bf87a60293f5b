// The archive corpus (tests/support/tar_corpus.py) pushed to the real registry, one image per writer ×
// compressor, and read back through layerslayer-cli as a user would: --peek-all lists what tar -x extracts
// (names shown escaped, sparse files with their real size), --extract writes what tar -x writes (bytes of names,
// holes, sticky directories, negative mtimes, the last copy of a path), -f takes a raw-byte name and carves a
// sparse file whole, and a carve from the layer's index takes the last copy of a path written twice.
#include "CliRunner.h"
#include "Harness.h"
#include "common/PathBytes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using ll::PathBytes;
using ll::test::CliRunner;
using ll::test::Harness;

namespace {

/** sha256 of a file named by raw bytes (QFile would pass the name through the locale). */
QByteArray sha256Of(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "<missing>";
    QCryptographicHash h(QCryptographicHash::Sha256);
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        h.addData(QByteArrayView(buf, n));
    ::close(fd);
    return h.result().toHex();
}

} // namespace

class TestTarCorpusCli : public QObject
{
    Q_OBJECT

private:
    Harness *h = nullptr;
    QTemporaryDir m_dir;
    QString m_script;
    QJsonArray m_cases;
    QHash<QString, QString> m_refs; // case → image reference

    QJsonObject byName(const QString &name) const
    {
        for (const QJsonValue &v : m_cases) {
            if (v.toObject().value(QStringLiteral("name")).toString() == name)
                return v.toObject();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        h = &Harness::instance();
        if (!h->available())
            QSKIP(qPrintable(h->unavailableReason()));
        QVERIFY(CliRunner::available());
        QVERIFY(m_dir.isValid());
        m_script = qEnvironmentVariable("LL_SOURCE_DIR") + QStringLiteral("/tests/support/tar_corpus.py");
        QProcess p;
        p.start(QStringLiteral("python3"), { m_script, QStringLiteral("build"), m_dir.path() });
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        p.start(QStringLiteral("python3"), { m_script, QStringLiteral("push"), m_dir.path(), h->anonRegistry() });
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() == 2)
                m_refs.insert(QString::fromUtf8(parts[1]), QString::fromUtf8(parts[0]));
        }
        QFile f(m_dir.filePath(QStringLiteral("corpus.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_cases = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("cases")).toArray();
        QCOMPARE(m_refs.size(), m_cases.size());
    }

    void peekAndExtractMatchTar_data()
    {
        QTest::addColumn<QString>("name");
        for (const QJsonValue &v : m_cases) {
            const QString name = v.toObject().value(QStringLiteral("name")).toString();
            QTest::newRow(qPrintable(name)) << name;
        }
    }
    void peekAndExtractMatchTar()
    {
        QFETCH(QString, name);
        const QJsonObject c = byName(name);
        const QString ref = m_refs.value(name);

        // --peek-all --json: every path tar -x made (shown escaped), a file's real size.
        const auto peek
            = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--peek-all"), QStringLiteral("--json") });
        QVERIFY2(peek.exitCode == 0, peek.err.constData());
        QHash<QString, QJsonObject> listed;
        for (const QByteArray &line : peek.out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.contains(QStringLiteral("path")))
                listed.insert(o.value(QStringLiteral("path")).toString(), o); // a later copy replaces an earlier
        }
        for (const QJsonValue &v : c.value(QStringLiteral("reference")).toArray()) {
            const QJsonObject want = v.toObject();
            const QString shown = PathBytes::display(
                PathBytes::decode(QByteArray::fromHex(want.value(QStringLiteral("path")).toString().toLatin1())));
            QVERIFY2(listed.contains(shown), qPrintable(shown));
            if (want.value(QStringLiteral("type")).toString() == QLatin1String("file")
                && listed.value(shown).value(QStringLiteral("type")).toString() == QLatin1String("file"))
                QCOMPARE(listed.value(shown).value(QStringLiteral("size")).toInteger(),
                    want.value(QStringLiteral("size")).toInteger());
        }

        // --extract t: the same tree as tar -x (compared by the corpus script: names, types, sizes, contents,
        // modes with the sticky bit, mtimes).
        QTemporaryDir out;
        const auto ex = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--extract"), QStringLiteral("t"),
            QStringLiteral("-o"), out.path() });
        QVERIFY2(ex.exitCode == 0, ex.err.constData());
        QProcess cmp;
        cmp.start(QStringLiteral("python3"), { m_script, QStringLiteral("compare"), m_dir.path(), name, out.path() });
        QVERIFY(cmp.waitForFinished(120000));
        QVERIFY2(cmp.exitCode() == 0, cmp.readAllStandardOutput().constData());
        QProcess::execute(QStringLiteral("rm"), { QStringLiteral("-rf"), out.path() + QStringLiteral("/t") });
    }

    // -f with a name that is not UTF-8, given as raw argv bytes; a sparse file carved whole (holes as zeros).
    void carveRawNameAndSparse()
    {
        const QString name = m_refs.contains(QStringLiteral("bsdtar+pzstd")) ? QStringLiteral("bsdtar+pzstd")
                                                                             : QStringLiteral("gnu-S");
        const QJsonObject c = byName(name);
        QHash<QByteArray, QByteArray> sha;
        for (const QJsonValue &v : c.value(QStringLiteral("reference")).toArray())
            sha.insert(QByteArray::fromHex(v.toObject().value(QStringLiteral("path")).toString().toLatin1()),
                v.toObject().value(QStringLiteral("sha256")).toString().toLatin1());
        QTemporaryDir out;
        // QProcess would pass the name through the locale; the shell's printf gives the CLI the byte itself.
        QProcess p;
        p.start(QStringLiteral("sh"),
            { QStringLiteral("-c"),
                QStringLiteral("\"$0\" -t \"$1\" -f \"$(printf 't/caf\\351.txt')\" -o \"$2\" --json"),
                CliRunner::cliPath(), m_refs.value(name), out.path() });
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(o.value(QStringLiteral("path")).toString(), QStringLiteral("t/caf\\xE9.txt"));
        QCOMPARE(sha256Of(QFile::encodeName(out.path()) + "/t/caf\xe9.txt"), sha.value("t/caf\xe9.txt"));

        const auto r = CliRunner::run({ QStringLiteral("-t"), m_refs.value(name), QStringLiteral("-f"),
            QStringLiteral("t/sparse.img"), QStringLiteral("-o"), out.path(), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("size")).toInteger(), 9 << 20);
        QCOMPARE(sha256Of(QFile::encodeName(out.path()) + "/t/sparse.img"), sha.value("t/sparse.img"));
        QVERIFY(
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("bytes_downloaded")).toInteger() < (1 << 20));
    }

    // A path written twice in one layer (tar -r): a carve from the layer's kept index takes the last copy.
    void carveFromIndexTakesLastCopy()
    {
        if (!m_refs.contains(QStringLiteral("gnu-append")))
            QSKIP("GNU tar missing");
        QTemporaryDir index, out;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LL_INDEX_DIR"), index.path());
        const QString ref = m_refs.value(QStringLiteral("gnu-append"));
        const auto peek = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("--peek-all") }, {}, 120000, env);
        QVERIFY2(peek.exitCode == 0, peek.err.constData());
        const auto r = CliRunner::run({ QStringLiteral("-t"), ref, QStringLiteral("-f"), QStringLiteral("t/dup.txt"),
                                          QStringLiteral("-o"), out.path(), QStringLiteral("--json") },
            {}, 120000, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("layers_from_index")).toInt(), 1);
        QFile f(out.filePath(QStringLiteral("t/dup.txt")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("second copy, the one that wins\n"));
    }

    // The same path twice in one layer, carved by streaming (no index): the last copy wins as tar -x gives it
    // (was: the first copy met). A small layer is read on to its end after the first copy (verified, index
    // kept); in a big one the carve stops at the first copy and says so (last_copy_checked false, the note
    // names --whole-layer) unless --whole-layer, which reads on whatever the size.
    void streamedCarveTakesLastCopy_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("wholeLayer");
        QTest::addColumn<bool>("lastCopy"); // the carve is expected to have checked for a later copy
        QTest::newRow("small layer") << "gnu-append" << false << true;
        QTest::newRow("6 MiB between the copies") << "gnu-append-far" << false << false;
        QTest::newRow("6 MiB between, --whole-layer") << "gnu-append-far" << true << true;
    }
    void streamedCarveTakesLastCopy()
    {
        QFETCH(QString, name);
        QFETCH(bool, wholeLayer);
        QFETCH(bool, lastCopy);
        if (!m_refs.contains(name))
            QSKIP("GNU tar missing");
        QTemporaryDir out;
        QStringList args { QStringLiteral("-t"), m_refs.value(name), QStringLiteral("-f"), QStringLiteral("t/dup.txt"),
            QStringLiteral("-o"), out.path(), QStringLiteral("--no-cache") };
        if (wholeLayer)
            args << QStringLiteral("--whole-layer");
        const auto r = CliRunner::run(args + QStringList { QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("last_copy_checked")).toBool(), lastCopy);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), lastCopy); // read to the end: the digest checked
        QFile f(out.filePath(QStringLiteral("t/dup.txt")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(),
            lastCopy ? QByteArray("second copy, the one that wins\n") : QByteArray("first copy\n"));
        f.close();
        const qint64 downloaded = o.value(QStringLiteral("bytes_downloaded")).toInteger();
        const qint64 layer = o.value(QStringLiteral("layer_size")).toInteger();
        qInfo("%s%s: %lld of %lld bytes downloaded", qPrintable(name), wholeLayer ? " --whole-layer" : "",
            downloaded, layer);
        if (!lastCopy) {
            QVERIFY(downloaded < layer / 2); // the early stop kept its economy
            const auto human = CliRunner::run(args);
            QVERIFY2(human.exitCode == 0, human.err.constData());
            QVERIFY2(human.err.contains("--whole-layer"), human.err.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestTarCorpusCli)
#include "TestTarCorpusCli.moc"
