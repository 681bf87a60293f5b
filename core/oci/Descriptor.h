#pragma once

#include "common/Result.h"
#include "oci/Platform.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace ll::oci {

/** An OCI content descriptor (manifest config/layers, index entries). */
struct Descriptor {
    QString mediaType;
    QString digest;
    qint64 size = -1;
    std::optional<Platform> platform; // index entries only
    QMap<QString, QString> annotations;
    QStringList urls;

    /**
     * Validates digest syntax (isValidDigest) and size (an integer >= 0). Error::Malformed with a message
     * naming the field under `path`, e.g. "layers[2].digest \"sha256:12\" is not a valid digest".
     */
    static Result<Descriptor> fromJson(const QJsonObject &o, const QString &path = {});
    QJsonObject toJson() const;

    /**
     * OCI digest grammar "algorithm:encoded"; sha256 must be 64 and sha512 128 lower-case hex,
     * other registered-looking algorithms need [a-z0-9]+([+._-][a-z0-9]+)* : [a-zA-Z0-9=_-]+.
     */
    static bool isValidDigest(const QString &digest);

    /**
     * An attestation/signature entry of an index: platform unknown/unknown or the BuildKit annotation
     * vnd.docker.reference.type = attestation-manifest. Listed, never chosen.
     */
    bool isAttestation() const;
};

} // namespace ll::oci
