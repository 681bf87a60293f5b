#include "models/StagedFilesMimeData.h"

#include "models/ModelLogging.h"

#include <QDir>
#include <QPointer>
#include <QTemporaryDir>
#include <QVariant>

#include <atomic>
#include <memory>

namespace ll::ui {

namespace {

const QString &uriListType()
{
    static const QString s = QStringLiteral("text/uri-list");
    return s;
}

const QString &plainTextType()
{
    static const QString s = QStringLiteral("text/plain");
    return s;
}

} // namespace

StagedFilesMimeData::StagedFilesMimeData(
    QList<const fs::FileNode *> nodes, QStringList paths, Stager stager, const Prestager &prestager)
    : m_nodes(std::move(nodes)), m_paths(std::move(paths)), m_stager(std::move(stager))
{
    if (m_stager && prestager)
        m_abandon = prestager(m_nodes);
}

StagedFilesMimeData::~StagedFilesMimeData()
{
    if (m_abandon && m_stageCount == 0)
        m_abandon(); // the drag ended and no drop target asked for the files
}

QStringList StagedFilesMimeData::formats() const
{
    QStringList out;
    if (m_stager)
        out << uriListType();
    out << plainTextType();
    return out;
}

bool StagedFilesMimeData::hasFormat(const QString &mimeType) const
{
    return (mimeType == uriListType() && m_stager) || mimeType == plainTextType();
}

bool StagedFilesMimeData::stage() const
{
    if (m_staged || !m_stager)
        return true;
    // The stager spins an event loop (progress dialog) while it waits, during which the drag code may ask
    // again (pcmanfm asks while hovering, twice): such an inner ask waits for the same download (the
    // controller keys it by image, layer and paths) and answers with the same files; answering "nothing"
    // made the file manager refuse the drop.
    const bool outer = !m_staging;
    if (outer) {
        m_staging = true;
        ++m_stageCount;
    }
    // That event loop may also delete this object: a drop target that gives up waiting (Qt's waits 5 s) sends
    // XdndFinished, and QXcbDrag then deleteLater()s the finished drop's QDrag, which owns us; the nested loop
    // runs that deletion. So call copies (the std::function would die mid-call) and touch no member afterwards
    // unless we still live (this crashed for real with a slow registry, see tests/manual/README.md).
    const QPointer<const StagedFilesMimeData> alive(this);
    const Stager stager = m_stager;
    const QList<const fs::FileNode *> nodes = m_nodes;
    QList<QUrl> urls = stager(nodes);
    if (!alive) {
        qCDebug(llUiModel) << "drag data deleted while staging" << urls.size() << "item(s) (drop target gave up?)";
        return false;
    }
    if (outer || !m_staged) {
        m_urls = std::move(urls);
        m_staged = true;
    }
    if (outer)
        m_staging = false;
    qCDebug(llUiModel) << "staged" << m_urls.size() << "item(s) for a drag" << (outer ? "" : "(inner ask)");
    return true;
}

QVariant StagedFilesMimeData::retrieveData(const QString &mimeType, QMetaType type) const
{
    if (mimeType == plainTextType()) {
        const QString text = m_paths.join(QLatin1Char('\n'));
        if (type.id() == QMetaType::QByteArray)
            return text.toUtf8();
        return text;
    }
    if (mimeType != uriListType() || !m_stager)
        return QVariant();
    if (!stage())
        return QVariant(); // this object is gone
    if (type.id() == QMetaType::QByteArray) {
        // What a platform drag (XDND) asks for: RFC 2483, CRLF-separated.
        QByteArray bytes;
        for (const QUrl &url : std::as_const(m_urls)) {
            bytes += url.toEncoded();
            bytes += "\r\n";
        }
        return bytes;
    }
    QVariantList list;
    list.reserve(m_urls.size());
    for (const QUrl &url : std::as_const(m_urls))
        list.append(url);
    return list;
}

QString StagedFilesMimeData::stagingRoot()
{
    // Kept for the process lifetime: file managers copy after QDrag::exec() returned (QT-NOTES).
    static std::unique_ptr<QTemporaryDir> dir = [] {
        auto d = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/layerslayer-drag-XXXXXX"));
        if (!d->isValid())
            qCWarning(llUiModel) << "cannot create the drag staging directory:" << d->errorString();
        return d;
    }();
    return dir->isValid() ? dir->path() : QString();
}

QString StagedFilesMimeData::newStagingDirectory()
{
    static std::atomic<int> counter { 0 };
    const QString root = stagingRoot();
    if (root.isEmpty())
        return QString();
    QDir base(root);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const QString name = QStringLiteral("drag-%1").arg(++counter);
        if (!base.exists(name) && base.mkdir(name))
            return base.filePath(name);
    }
    return QString();
}

} // namespace ll::ui
