#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace ll::catalog {

/** One image the app has opened: enough to say where a cached layer came from and to reopen it. */
struct SeenImage {
    QString reference; // canonical ("host/repo:tag", "host/repo@sha256:...")
    QString manifestDigest;
    QString platform; // "linux/amd64"
    QStringList layers; // layer digests, bottom-up
    qint64 size = 0; // compressed bytes of the layers
    QDateTime when; // last seen (UTC)

    bool operator==(const SeenImage &o) const
    {
        return reference == o.reference && manifestDigest == o.manifestDigest && platform == o.platform
            && layers == o.layers && size == o.size && when == o.when;
    }
};

} // namespace ll::catalog
