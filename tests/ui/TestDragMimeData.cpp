// Drag-to-save: FileTreeModel::mimeData() gives a StagedFilesMimeData whose text/uri-list is produced lazily,
// once, by the stager callback (here: one that writes the files itself).

#include "TreeFixtures.h"
#include "fs/FileNode.h"
#include "fs/LayerTree.h"
#include "models/FileTreeModel.h"
#include "models/StagedFilesMimeData.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QTest>

#include <memory>

using namespace ll;
using namespace ll::test;
using ll::ui::FileTreeModel;
using ll::ui::StagedFilesMimeData;

namespace {

/** Content a test stager writes for a file node: derived from its path and size. */
QByteArray contentFor(const fs::FileNode *node)
{
    return node->path().toUtf8() + ':' + QByteArray::number(node->size);
}

/** Writes node (a file, or a directory with its files) under dir; returns the top path. */
QString writeNode(const QString &dir, const fs::FileNode *node)
{
    const QString target = dir + QLatin1Char('/') + node->name;
    if (node->isDir()) {
        QDir().mkpath(target);
        for (const fs::FileNode *c : node->children)
            writeNode(target, c);
    } else {
        QFile f(target);
        if (f.open(QIODevice::WriteOnly))
            f.write(contentFor(node));
    }
    return target;
}

struct CountingStager {
    int calls = 0;
    QList<QList<const fs::FileNode *>> requests;
    StagedFilesMimeData::Stager make()
    {
        return [this](const QList<const fs::FileNode *> &nodes) {
            ++calls;
            requests.append(nodes);
            const QString dir = StagedFilesMimeData::newStagingDirectory();
            QList<QUrl> urls;
            for (const fs::FileNode *n : nodes)
                urls.append(QUrl::fromLocalFile(writeNode(dir, n)));
            return urls;
        };
    }
};

} // namespace

class TestDragMimeData : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void filesAndDirectory();
    void stagedOnce();
    void selectionDeduplicated();
    void noStagerTextOnly();
    void whiteoutsNotDragged();
    void deletedWhileStaging();

private:
    fs::LayerTree m_tree { 2 };
};

void TestDragMimeData::initTestCase()
{
    addAll(m_tree,
        { fileEntry(QStringLiteral("etc/passwd"), 11), fileEntry(QStringLiteral("etc/group"), 7),
            fileEntry(QStringLiteral("usr/bin/tool"), 3000, 0755), fileEntry(QStringLiteral("usr/bin/.wh.gone")) });
    QVERIFY(QDir(StagedFilesMimeData::stagingRoot()).exists());
    QCOMPARE(StagedFilesMimeData::stagingRoot(), StagedFilesMimeData::stagingRoot());
    const QString a = StagedFilesMimeData::newStagingDirectory();
    const QString b = StagedFilesMimeData::newStagingDirectory();
    QVERIFY(!a.isEmpty());
    QVERIFY(a != b);
    QVERIFY(a.startsWith(StagedFilesMimeData::stagingRoot()));
}

void TestDragMimeData::filesAndDirectory()
{
    FileTreeModel model;
    CountingStager stager;
    model.setStager(stager.make());
    model.setLayerTree(&m_tree);
    QCOMPARE(model.mimeTypes(), QStringList({ QStringLiteral("text/uri-list"), QStringLiteral("text/plain") }));
    QCOMPARE(model.supportedDragActions(), Qt::CopyAction);
    const QModelIndex tool = model.indexForPath(QStringLiteral("usr/bin/tool"));
    const QModelIndex etc = model.indexForPath(QStringLiteral("etc"));
    QVERIFY(model.flags(tool) & Qt::ItemIsDragEnabled);
    QVERIFY(model.flags(etc) & Qt::ItemIsDragEnabled);

    std::unique_ptr<QMimeData> mime(model.mimeData({ tool, etc }));
    QVERIFY(mime);
    auto *staged = qobject_cast<StagedFilesMimeData *>(mime.get());
    QVERIFY(staged);
    QVERIFY(mime->hasUrls());
    QVERIFY(mime->hasText());
    QCOMPARE(stager.calls, 0); // nothing written yet: lazily, when the drop target asks
    QCOMPARE(mime->text(), QStringLiteral("usr/bin/tool\netc"));
    QCOMPARE(stager.calls, 0);

    const QList<QUrl> urls = mime->urls();
    QCOMPARE(stager.calls, 1);
    QCOMPARE(urls.size(), 2);
    for (const QUrl &u : urls)
        QVERIFY(u.isLocalFile());
    QFile toolFile(urls.at(0).toLocalFile());
    QVERIFY(toolFile.open(QIODevice::ReadOnly));
    QCOMPARE(toolFile.readAll(), contentFor(m_tree.find(QStringLiteral("usr/bin/tool"))));
    QCOMPARE(QFileInfo(urls.at(0).toLocalFile()).fileName(), QStringLiteral("tool"));
    const QString etcDir = urls.at(1).toLocalFile();
    QVERIFY(QFileInfo(etcDir).isDir());
    QFile passwd(etcDir + QStringLiteral("/passwd"));
    QVERIFY(passwd.open(QIODevice::ReadOnly));
    QCOMPARE(passwd.readAll(), contentFor(m_tree.find(QStringLiteral("etc/passwd"))));
    QVERIFY(QFileInfo::exists(etcDir + QStringLiteral("/group")));
    QVERIFY(etcDir.startsWith(StagedFilesMimeData::stagingRoot()));
}

void TestDragMimeData::stagedOnce()
{
    FileTreeModel model;
    CountingStager stager;
    model.setStager(stager.make());
    model.setLayerTree(&m_tree);
    std::unique_ptr<QMimeData> mime(model.mimeData({ model.indexForPath(QStringLiteral("etc/passwd")) }));
    QVERIFY(mime);
    // A file manager may ask while hovering, then again on drop, in either representation.
    const QByteArray raw = mime->data(QStringLiteral("text/uri-list"));
    const QList<QUrl> first = mime->urls();
    const QList<QUrl> second = mime->urls();
    const QByteArray rawAgain = mime->data(QStringLiteral("text/uri-list"));
    QCOMPARE(stager.calls, 1);
    QCOMPARE(first, second);
    QCOMPARE(raw, rawAgain);
    QCOMPARE(raw, first.at(0).toEncoded() + "\r\n");
    QVERIFY(QFileInfo::exists(first.at(0).toLocalFile()));
    auto *staged = qobject_cast<StagedFilesMimeData *>(mime.get());
    QVERIFY(staged->isStaged());
    QCOMPARE(staged->stageCount(), 1);
}

void TestDragMimeData::selectionDeduplicated()
{
    FileTreeModel model;
    CountingStager stager;
    model.setStager(stager.make());
    model.setLayerTree(&m_tree);
    const QModelIndex etc = model.indexForPath(QStringLiteral("etc"));
    const QModelIndex passwd = model.indexForPath(QStringLiteral("etc/passwd"));
    // A view passes every selected column; a selected dir covers its selected children.
    std::unique_ptr<QMimeData> mime(model.mimeData({ passwd, passwd.siblingAtColumn(1), etc, etc.siblingAtColumn(2) }));
    auto *staged = qobject_cast<StagedFilesMimeData *>(mime.get());
    QVERIFY(staged);
    QCOMPARE(staged->paths(), QStringList({ QStringLiteral("etc") }));
    QCOMPARE(staged->nodes().size(), 1);
    QCOMPARE(staged->nodes().at(0), m_tree.find(QStringLiteral("etc")));
    QCOMPARE(mime->urls().size(), 1);
    QCOMPARE(stager.requests.at(0).size(), 1);
}

void TestDragMimeData::noStagerTextOnly()
{
    FileTreeModel model;
    model.setLayerTree(&m_tree);
    QCOMPARE(model.mimeTypes(), QStringList({ QStringLiteral("text/plain") }));
    std::unique_ptr<QMimeData> mime(model.mimeData({ model.indexForPath(QStringLiteral("etc/group")) }));
    QVERIFY(mime);
    QVERIFY(!mime->hasUrls());
    QCOMPARE(mime->formats(), QStringList({ QStringLiteral("text/plain") }));
    QCOMPARE(mime->text(), QStringLiteral("etc/group"));
    QVERIFY(mime->urls().isEmpty());
}

void TestDragMimeData::whiteoutsNotDragged()
{
    FileTreeModel model;
    CountingStager stager;
    model.setStager(stager.make());
    model.setLayerTree(&m_tree);
    const QModelIndex gone = model.indexForPath(QStringLiteral("usr/bin/gone"));
    QVERIFY(gone.isValid());
    QVERIFY(!(model.flags(gone) & Qt::ItemIsDragEnabled));
    QVERIFY(!model.mimeData({ gone }));
    std::unique_ptr<QMimeData> mime(model.mimeData({ gone, model.indexForPath(QStringLiteral("usr/bin/tool")) }));
    QCOMPARE(mime->text(), QStringLiteral("usr/bin/tool"));
}

void TestDragMimeData::deletedWhileStaging()
{
    // The real stager spins an event loop; when a drop target gives up waiting, the platform drag deletes its
    // QDrag (and so this mime data) inside that loop. retrieveData() must then return without touching the dead
    // object (it crashed in a real XDND drag; ASan flags a regression here as a heap-use-after-free).
    FileTreeModel model;
    int calls = 0;
    QMimeData *mime = nullptr;
    QString stagedFile;
    model.setStager([&](const QList<const fs::FileNode *> &nodes) {
        ++calls;
        const QString dir = StagedFilesMimeData::newStagingDirectory();
        QList<QUrl> urls;
        for (const fs::FileNode *n : nodes)
            urls.append(QUrl::fromLocalFile(writeNode(dir, n)));
        stagedFile = urls.value(0).toLocalFile();
        delete mime; // what QXcbDrag's deleteLater() of the finished drop's QDrag does meanwhile
        return urls;
    });
    model.setLayerTree(&m_tree);
    mime = model.mimeData({ model.indexForPath(QStringLiteral("etc/passwd")) });
    QVERIFY(mime);
    QPointer<QMimeData> guard(mime);
    const QByteArray data = mime->data(QStringLiteral("text/uri-list"));
    QVERIFY(guard.isNull());
    QCOMPARE(calls, 1);
    QVERIFY(data.isEmpty());
    QVERIFY(QFileInfo::exists(stagedFile)); // written, just nobody to hand it to
}

QTEST_MAIN(TestDragMimeData)
#include "TestDragMimeData.moc"
