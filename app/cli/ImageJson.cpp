#include "cli/ImageJson.h"

#include "oci/Image.h"

#include <QJsonArray>

namespace ll::cli {

namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject toObject(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

} // namespace

QJsonObject platformToJson(const oci::Platform &platform)
{
    QJsonObject o { { QStringLiteral("os"), platform.os }, { QStringLiteral("architecture"), platform.architecture } };
    o.insert(QStringLiteral("variant"), platform.variant.isEmpty() ? QJsonValue() : QJsonValue(platform.variant));
    return o;
}

QJsonObject imageToJson(const oci::Image &image)
{
    QJsonObject root;
    root.insert(QStringLiteral("reference"), image.reference);
    root.insert(QStringLiteral("registry"), image.registry);
    root.insert(QStringLiteral("repository"), image.repository);
    root.insert(QStringLiteral("tag"), image.tag.isEmpty() ? QJsonValue() : QJsonValue(image.tag));
    root.insert(QStringLiteral("digest"), image.manifestDigest);
    root.insert(QStringLiteral("mediaType"), image.manifestMediaType);
    root.insert(QStringLiteral("platform"), platformToJson(image.platform));
    if (image.index) {
        root.insert(QStringLiteral("indexDigest"), image.indexDigest);
        root.insert(QStringLiteral("indexMediaType"), image.indexMediaType);
        QJsonArray platforms;
        for (const auto &d : image.index->manifests) {
            QJsonObject p = platformToJson(d.platform.value_or(oci::Platform {}));
            p.insert(QStringLiteral("digest"), d.digest);
            p.insert(QStringLiteral("mediaType"), d.mediaType);
            p.insert(QStringLiteral("size"), d.size);
            p.insert(QStringLiteral("attestation"), d.platform && d.platform->isAttestation());
            platforms.append(p);
        }
        root.insert(QStringLiteral("platforms"), platforms);
    } else {
        root.insert(QStringLiteral("platforms"), QJsonArray());
    }

    const oci::ImageConfig &c = image.config;
    QJsonObject config;
    config.insert(QStringLiteral("digest"), image.configDigest);
    config.insert(QStringLiteral("created"), c.created);
    config.insert(QStringLiteral("env"), toArray(c.env));
    config.insert(QStringLiteral("entrypoint"), toArray(c.entrypoint));
    config.insert(QStringLiteral("cmd"), toArray(c.cmd));
    config.insert(QStringLiteral("workingDir"), c.workingDir);
    config.insert(QStringLiteral("user"), c.user);
    config.insert(QStringLiteral("labels"), toObject(c.labels));
    config.insert(QStringLiteral("exposedPorts"), toArray(c.exposedPorts));
    config.insert(QStringLiteral("volumes"), toArray(c.volumes));
    config.insert(QStringLiteral("stopSignal"), c.stopSignal);
    config.insert(QStringLiteral("diffIds"), toArray(c.diffIds));
    root.insert(QStringLiteral("config"), config);

    QJsonArray layers;
    for (int i = 0; i < image.manifest.layers.size(); ++i) {
        const auto &l = image.manifest.layers.at(i);
        QJsonObject o { { QStringLiteral("index"), i }, { QStringLiteral("digest"), l.digest },
            { QStringLiteral("size"), l.size }, { QStringLiteral("mediaType"), l.mediaType } };
        const int step = c.historyIndexForLayer(i);
        o.insert(QStringLiteral("step"), step >= 0 ? QJsonValue(step) : QJsonValue());
        layers.append(o);
    }
    root.insert(QStringLiteral("layers"), layers);
    root.insert(QStringLiteral("totalSize"), image.totalLayerSize());

    QJsonArray history;
    for (const auto &h : c.history) {
        QJsonObject o { { QStringLiteral("created_by"), h.createdBy }, { QStringLiteral("created"), h.created },
            { QStringLiteral("empty_layer"), h.emptyLayer } };
        if (!h.comment.isEmpty())
            o.insert(QStringLiteral("comment"), h.comment);
        o.insert(QStringLiteral("layer"), h.layerIndex >= 0 ? QJsonValue(h.layerIndex) : QJsonValue());
        history.append(o);
    }
    root.insert(QStringLiteral("history"), history);
    return root;
}

} // namespace ll::cli
