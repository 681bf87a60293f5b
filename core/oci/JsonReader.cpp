#include "oci/JsonReader.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace ll::oci {

JsonReader::JsonReader(const QJsonObject &object, const QString &path) : m_object(object), m_path(path)
{ }

Result<QJsonObject> JsonReader::parseObject(const QByteArray &body, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error(Error::Code::Malformed, what + QStringLiteral(" is not valid JSON"),
            QStringLiteral("%1 at offset %2 of %3 bytes")
                .arg(parseError.errorString())
                .arg(parseError.offset)
                .arg(body.size()));
    }
    if (!doc.isObject())
        return Error(Error::Code::Malformed, what + QStringLiteral(" is not a JSON object"));
    return doc.object();
}

bool JsonReader::has(QLatin1String key) const
{
    const QJsonValue v = m_object.value(key);
    return !v.isUndefined() && !v.isNull();
}

QString JsonReader::pathOf(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

QString JsonReader::pathOf(QLatin1String key) const
{
    return pathOf(QString(key));
}

void JsonReader::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

Error JsonReader::error(const QString &prefix) const
{
    return Error(Error::Code::Malformed, prefix + m_error);
}

QJsonValue JsonReader::fetch(QLatin1String key, Need need)
{
    if (failed())
        return QJsonValue(QJsonValue::Undefined);
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (need == Required)
            fail(pathOf(key) + QStringLiteral(" is missing"));
        return QJsonValue(QJsonValue::Undefined);
    }
    return v;
}

void JsonReader::typeError(QLatin1String key, const char *expected)
{
    fail(pathOf(key) + QStringLiteral(" must be ") + QLatin1String(expected));
}

QString JsonReader::string(QLatin1String key, Need need)
{
    const QJsonValue v = fetch(key, need);
    if (v.isUndefined())
        return {};
    if (!v.isString()) {
        typeError(key, "a string");
        return {};
    }
    return v.toString();
}

qint64 JsonReader::integer(QLatin1String key, Need need, qint64 fallback)
{
    const QJsonValue v = fetch(key, need);
    if (v.isUndefined())
        return fallback;
    // QJsonValue keeps integers exactly up to 2^53 (doubles beyond); refuse fractions and bigger values.
    constexpr double limit = 9007199254740992.0; // 2^53
    const double d = v.toDouble();
    if (!v.isDouble() || std::trunc(d) != d || std::fabs(d) > limit) {
        typeError(key, "an integer");
        return fallback;
    }
    return v.toInteger();
}

bool JsonReader::boolean(QLatin1String key, bool fallback)
{
    const QJsonValue v = fetch(key, Optional);
    if (v.isUndefined())
        return fallback;
    if (!v.isBool()) {
        typeError(key, "true or false");
        return fallback;
    }
    return v.toBool();
}

QStringList JsonReader::stringList(QLatin1String key, Need need, bool acceptString)
{
    const QJsonValue v = fetch(key, need);
    if (v.isUndefined())
        return {};
    if (acceptString && v.isString())
        return { v.toString() };
    if (!v.isArray()) {
        typeError(key, "an array of strings");
        return {};
    }
    const QJsonArray a = v.toArray();
    QStringList out;
    out.reserve(a.size());
    for (const QJsonValue &item : a) {
        if (!item.isString()) {
            typeError(key, "an array of strings");
            return {};
        }
        out.append(item.toString());
    }
    return out;
}

QStringList JsonReader::objectKeys(QLatin1String key)
{
    const QJsonValue v = fetch(key, Optional);
    if (v.isUndefined())
        return {};
    if (!v.isObject()) {
        typeError(key, "an object");
        return {};
    }
    return v.toObject().keys();
}

QMap<QString, QString> JsonReader::stringMap(QLatin1String key)
{
    const QJsonValue v = fetch(key, Optional);
    if (v.isUndefined())
        return {};
    if (!v.isObject()) {
        typeError(key, "an object of strings");
        return {};
    }
    const QJsonObject o = v.toObject();
    QMap<QString, QString> out;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            fail(pathOf(key) + QStringLiteral(".") + it.key() + QStringLiteral(" must be a string"));
            return {};
        }
        out.insert(it.key(), it.value().toString());
    }
    return out;
}

QJsonObject JsonReader::object(QLatin1String key, Need need)
{
    const QJsonValue v = fetch(key, need);
    if (v.isUndefined())
        return {};
    if (!v.isObject()) {
        typeError(key, "an object");
        return {};
    }
    return v.toObject();
}

QJsonArray JsonReader::array(QLatin1String key, Need need)
{
    const QJsonValue v = fetch(key, need);
    if (v.isUndefined())
        return {};
    if (!v.isArray()) {
        typeError(key, "an array");
        return {};
    }
    return v.toArray();
}

} // namespace ll::oci
