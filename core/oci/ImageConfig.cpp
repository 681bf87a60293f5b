#include "oci/ImageConfig.h"

#include "common/Logging.h"
#include "oci/Descriptor.h"
#include "oci/JsonReader.h"

#include <QJsonArray>

#include <algorithm>

namespace ll::oci {

namespace {

/** "8080/tcp" < "53/udp"? No: by port number, then protocol; non-numeric keys last, by text. */
bool portLessThan(const QString &a, const QString &b)
{
    bool okA = false;
    bool okB = false;
    const int portA = a.section(QLatin1Char('/'), 0, 0).toInt(&okA);
    const int portB = b.section(QLatin1Char('/'), 0, 0).toInt(&okB);
    if (okA != okB)
        return okA;
    if (okA && portA != portB)
        return portA < portB;
    return a < b;
}

} // namespace

QString HistoryEntry::displayText() const
{
    QString text = createdBy;
    text.replace(QLatin1Char('\t'), QLatin1Char(' '));
    for (const QLatin1String prefix : { QLatin1String("/bin/sh -c #(nop) "), QLatin1String("cmd /S /C #(nop) ") }) {
        if (text.startsWith(prefix)) {
            text.remove(0, prefix.size());
            break;
        }
    }
    return text.trimmed();
}

Result<ImageConfig> ImageConfig::parse(const QByteArray &body)
{
    const QString prefix = QStringLiteral("invalid image config: ");
    Result<QJsonObject> parsed = JsonReader::parseObject(body, QStringLiteral("the image config"));
    if (!parsed)
        return parsed.error();

    JsonReader r(*parsed);
    ImageConfig c;
    c.platform.architecture = r.string(QLatin1String("architecture"));
    c.platform.os = r.string(QLatin1String("os"));
    c.platform.variant = r.string(QLatin1String("variant"));
    c.platform.osVersion = r.string(QLatin1String("os.version"));
    c.platform.osFeatures = r.stringList(QLatin1String("os.features"));
    c.created = r.string(QLatin1String("created"));
    c.author = r.string(QLatin1String("author"));

    JsonReader cfg(r.object(QLatin1String("config")), QStringLiteral("config"));
    // Docker accepts a lone string for Entrypoint/Cmd (strslice); configs written by old tools carry one.
    c.env = cfg.stringList(QLatin1String("Env"));
    c.entrypoint = cfg.stringList(QLatin1String("Entrypoint"), JsonReader::Optional, true);
    c.cmd = cfg.stringList(QLatin1String("Cmd"), JsonReader::Optional, true);
    c.workingDir = cfg.string(QLatin1String("WorkingDir"));
    c.user = cfg.string(QLatin1String("User"));
    c.stopSignal = cfg.string(QLatin1String("StopSignal"));
    c.labels = cfg.stringMap(QLatin1String("Labels"));
    c.exposedPorts = cfg.objectKeys(QLatin1String("ExposedPorts"));
    std::sort(c.exposedPorts.begin(), c.exposedPorts.end(), portLessThan);
    c.volumes = cfg.objectKeys(QLatin1String("Volumes"));
    if (cfg.failed())
        r.fail(cfg.errorMessage());

    JsonReader rootfs(r.object(QLatin1String("rootfs")), QStringLiteral("rootfs"));
    c.diffIds = rootfs.stringList(QLatin1String("diff_ids"));
    if (rootfs.failed())
        r.fail(rootfs.errorMessage());

    const QJsonArray history = r.array(QLatin1String("history"));
    if (r.failed())
        return r.error(prefix);

    for (qsizetype i = 0; i < c.diffIds.size(); ++i) {
        if (!Descriptor::isValidDigest(c.diffIds.at(i))) {
            return Error(Error::Code::Malformed,
                prefix
                    + QStringLiteral("rootfs.diff_ids[%1] \"%2\" is not a valid digest")
                          .arg(i)
                          .arg(c.diffIds.at(i).left(100)));
        }
    }

    c.history.reserve(history.size());
    for (qsizetype i = 0; i < history.size(); ++i) {
        const QString path = QStringLiteral("history[%1]").arg(i);
        const QJsonValue v = history.at(i);
        if (!v.isObject())
            return Error(Error::Code::Malformed, prefix + path + QStringLiteral(" must be an object"));
        JsonReader h(v.toObject(), path);
        HistoryEntry e;
        e.created = h.string(QLatin1String("created"));
        e.createdBy = h.string(QLatin1String("created_by"));
        e.author = h.string(QLatin1String("author"));
        e.comment = h.string(QLatin1String("comment"));
        e.emptyLayer = h.boolean(QLatin1String("empty_layer"));
        if (h.failed())
            return h.error(prefix);
        c.history.append(std::move(e));
    }
    qCDebug(llOci) << "parsed config" << c.platform.toString() << c.diffIds.size() << "diff_ids" << c.history.size()
                   << "history entries";
    return c;
}

bool ImageConfig::mapHistoryToLayers(int layerCount)
{
    int next = 0;
    int nonEmpty = 0;
    for (HistoryEntry &e : history) {
        e.layerIndex = -1;
        if (e.emptyLayer)
            continue;
        ++nonEmpty;
        if (next < layerCount)
            e.layerIndex = next++;
    }
    if (nonEmpty != layerCount) {
        qCDebug(llOci) << "history has" << nonEmpty << "layer-creating steps for" << layerCount << "layers";
        return false;
    }
    return true;
}

int ImageConfig::historyIndexForLayer(int layer) const
{
    if (layer < 0)
        return -1;
    for (qsizetype i = 0; i < history.size(); ++i) {
        if (history.at(i).layerIndex == layer)
            return int(i);
    }
    return -1;
}

} // namespace ll::oci
