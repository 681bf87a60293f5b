// catalog::ImageCatalog: the images seen (what the GUI's history and --search read): newest first, one record
// per reference and platform, bounded, private, written whole; a damaged file reads as empty and is replaced.
#include "catalog/ImageCatalog.h"
#include "index/IndexStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using ll::catalog::ImageCatalog;
using ll::catalog::SeenImage;

namespace {

SeenImage seen(const QString &ref, const QString &platform, int secondsAgo, const QStringList &layers = {})
{
    SeenImage s;
    s.reference = ref;
    s.platform = platform;
    s.manifestDigest = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    s.layers = layers;
    s.size = 42;
    s.when = QDateTime::currentDateTimeUtc().addSecs(-secondsAgo);
    s.when = s.when.addMSecs(-s.when.time().msec()); // stored with ms; compare equal
    return s;
}

} // namespace

class TestImageCatalog : public QObject
{
    Q_OBJECT

private slots:
    void recordAndRecent();
    void bounded();
    void damagedFileIsReplaced();
    void byLayer();
    void disabledWithTheStore();
    void platformlessRecordIsTheSameImage();
};

void TestImageCatalog::recordAndRecent()
{
    QTemporaryDir dir;
    const ImageCatalog c = ImageCatalog::forIndexStore(ll::index::IndexStore(dir.filePath(QStringLiteral("idx"))));
    QVERIFY(c.isEnabled());
    QVERIFY(c.recent().isEmpty()); // nothing yet
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QStringLiteral("linux/amd64"), 30),
                         seen(QStringLiteral("r/b:1"), QString(), 20) })
                .ok());
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QStringLiteral("linux/arm64"), 10) }).ok()); // another platform
    QVector<SeenImage> r = c.recent();
    QCOMPARE(r.size(), 3);
    QCOMPARE(r.at(0).platform, QStringLiteral("linux/arm64"));
    QCOMPARE(r.at(1).reference, QStringLiteral("r/b:1"));
    // Seeing an image again refreshes its record (no duplicate).
    SeenImage again = seen(QStringLiteral("r/b:1"), QString(), 0, { QStringLiteral("sha256:1") });
    QVERIFY(c.record({ again }).ok());
    r = c.recent();
    QCOMPARE(r.size(), 3);
    QCOMPARE(r.at(0), again);
    QCOMPARE(c.recent(1).size(), 1);
    // Private, in a private directory, no temporary file left.
    const QFileInfo f(c.fileName());
    QCOMPARE(f.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
        QFile::Permissions());
    QCOMPARE(QDir(f.absolutePath()).entryList(QDir::Files | QDir::Hidden), QStringList { f.fileName() });
}

void TestImageCatalog::bounded()
{
    QTemporaryDir dir;
    ImageCatalog c(dir.filePath(QStringLiteral("images.catalog")));
    c.setMaxImages(10);
    QVector<SeenImage> many;
    for (int i = 0; i < 25; ++i)
        many << seen(QStringLiteral("r/img:%1").arg(i), QString(), 100 - i);
    QVERIFY(c.record(many).ok());
    const QVector<SeenImage> r = c.recent();
    QCOMPARE(r.size(), 10);
    QCOMPARE(r.constFirst().reference, QStringLiteral("r/img:24")); // the most recent ones are kept
    QCOMPARE(r.constLast().reference, QStringLiteral("r/img:15"));
}

void TestImageCatalog::damagedFileIsReplaced()
{
    QTemporaryDir dir;
    const ImageCatalog c(dir.filePath(QStringLiteral("images.catalog")));
    QFile f(c.fileName());
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"version\": 1, \"images\": [{\"refer");
    f.close();
    QVERIFY(c.recent().isEmpty());
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QString(), 0) }).ok());
    QCOMPARE(c.recent().size(), 1);
    QVERIFY(!ImageCatalog::fromBytes("{\"version\": 99, \"images\": []}").ok());
}

void TestImageCatalog::byLayer()
{
    const QVector<SeenImage> images { seen(QStringLiteral("a"), QString(), 0,
                                          { QStringLiteral("L0"), QStringLiteral("L1") }),
        seen(QStringLiteral("b"), QString(), 0, { QStringLiteral("L0"), QStringLiteral("L2"), QStringLiteral("L2") }) };
    const QHash<QString, QVector<int>> m = ImageCatalog::byLayer(images);
    QCOMPARE(m.value(QStringLiteral("L0")), (QVector<int> { 0, 1 }));
    QCOMPARE(m.value(QStringLiteral("L1")), (QVector<int> { 0 }));
    QCOMPARE(m.value(QStringLiteral("L2")), (QVector<int> { 1 })); // an empty layer twice in one image: once
}

void TestImageCatalog::disabledWithTheStore()
{
    const ImageCatalog c = ImageCatalog::forIndexStore(ll::index::IndexStore());
    QVERIFY(!c.isEnabled());
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QString(), 0) }).ok());
    QVERIFY(c.recent().isEmpty());
}

void TestImageCatalog::platformlessRecordIsTheSameImage()
{
    // A hunt records an image without its platform (it skips the config), the main window with it: one record.
    QTemporaryDir dir;
    const ImageCatalog c = ImageCatalog::forIndexStore(ll::index::IndexStore(dir.filePath(QStringLiteral("idx"))));
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QString(), 30) }).ok());
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QStringLiteral("linux/amd64"), 20) }).ok());
    QVector<SeenImage> r = c.recent();
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.at(0).platform, QStringLiteral("linux/amd64"));
    // Seen again by a hunt: refreshed, keeping the platform it is known by.
    QVERIFY(c.record({ seen(QStringLiteral("r/a:1"), QString(), 10) }).ok());
    r = c.recent();
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.at(0).platform, QStringLiteral("linux/amd64"));
    // Another manifest under the same tag (pushed again) is another image.
    SeenImage pushedAgain = seen(QStringLiteral("r/a:1"), QString(), 0);
    pushedAgain.manifestDigest = QStringLiteral("sha256:") + QString(64, QLatin1Char('b'));
    QVERIFY(c.record({ pushedAgain }).ok());
    QCOMPARE(c.recent().size(), 2);
}

QTEST_APPLESS_MAIN(TestImageCatalog)
#include "TestImageCatalog.moc"
