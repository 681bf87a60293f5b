#pragma once

#include "common/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace ll::oci {

/**
 * Typed field access for the OCI parsers (internal to core/oci). Missing and null fields read as empty;
 * a required field that is missing, or any field of the wrong type, records the first error (later reads
 * are no-ops) with the field's path, e.g. "layers[2].size must be an integer". Check failed() once.
 */
class JsonReader
{
public:
    enum Need { Optional, Required };

    /** path: where `object` sits, e.g. "layers[2]" (empty at the top level). */
    explicit JsonReader(const QJsonObject &object, const QString &path = {});

    /** Parses a JSON document that must be an object; Error::Malformed "<what>: not valid JSON" + offset. */
    static Result<QJsonObject> parseObject(const QByteArray &body, const QString &what);

    bool has(QLatin1String key) const;
    QString string(QLatin1String key, Need need = Optional);
    /** An integral JSON number (no fraction, within +-2^53); `fallback` when missing. */
    qint64 integer(QLatin1String key, Need need = Optional, qint64 fallback = -1);
    bool boolean(QLatin1String key, bool fallback = false);
    /** An array of strings; with acceptString a lone string reads as one element (Docker's strslice). */
    QStringList stringList(QLatin1String key, Need need = Optional, bool acceptString = false);
    /** An object's keys (ExposedPorts, Volumes), in JSON key order (sorted). */
    QStringList objectKeys(QLatin1String key);
    /** An object of string values (labels, annotations). */
    QMap<QString, QString> stringMap(QLatin1String key);
    QJsonObject object(QLatin1String key, Need need = Optional);
    QJsonArray array(QLatin1String key, Need need = Optional);

    /** "layers[2].digest" */
    QString pathOf(QLatin1String key) const;
    QString pathOf(const QString &key) const;
    const QString &path() const { return m_path; }

    void fail(const QString &message);
    bool failed() const { return !m_error.isEmpty(); }
    const QString &errorMessage() const { return m_error; }
    /** Error::Malformed with `prefix` + the first error message. */
    Error error(const QString &prefix = {}) const;

private:
    QJsonValue fetch(QLatin1String key, Need need);
    void typeError(QLatin1String key, const char *expected);

    QJsonObject m_object;
    QString m_path;
    QString m_error;
};

} // namespace ll::oci
