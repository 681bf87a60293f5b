#pragma once

#include "oci/Platform.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace ll::oci {

/** An OCI content descriptor. */
struct Descriptor {
    QString mediaType;
    QString digest;
    qint64 size = -1;
    std::optional<Platform> platform; // index entries only
    QMap<QString, QString> annotations;
    QStringList urls;

    /** Validates digest syntax and size >= 0. */
    static Result<Descriptor> fromJson(const QJsonObject &o);
    QJsonObject toJson() const;
};

} // namespace ll::oci
