#include "oci/Descriptor.h"

#include "oci/JsonReader.h"

#include <QJsonArray>

namespace ll::oci {

namespace {

bool isLowerHex(QStringView s)
{
    for (const QChar c : s) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

bool isAlgorithmChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

bool isAlgorithmSeparator(QChar c)
{
    return c == QLatin1Char('+') || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-');
}

bool isEncodedChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('=') || c == QLatin1Char('_')
        || c == QLatin1Char('-');
}

} // namespace

bool Descriptor::isValidDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == digest.size() - 1)
        return false;
    const QStringView algorithm = QStringView(digest).left(colon);
    const QStringView encoded = QStringView(digest).mid(colon + 1);
    if (algorithm == QLatin1String("sha256"))
        return encoded.size() == 64 && isLowerHex(encoded);
    if (algorithm == QLatin1String("sha512"))
        return encoded.size() == 128 && isLowerHex(encoded);
    // algorithm-component ([+._-] algorithm-component)*
    bool previousWasSeparator = true;
    for (const QChar c : algorithm) {
        if (isAlgorithmSeparator(c)) {
            if (previousWasSeparator)
                return false;
            previousWasSeparator = true;
        } else if (isAlgorithmChar(c)) {
            previousWasSeparator = false;
        } else {
            return false;
        }
    }
    if (previousWasSeparator)
        return false;
    for (const QChar c : encoded) {
        if (!isEncodedChar(c))
            return false;
    }
    return true;
}

Result<Descriptor> Descriptor::fromJson(const QJsonObject &o, const QString &path)
{
    JsonReader r(o, path);
    Descriptor d;
    d.mediaType = r.string(QLatin1String("mediaType"));
    d.digest = r.string(QLatin1String("digest"), JsonReader::Required);
    d.size = r.integer(QLatin1String("size"), JsonReader::Required);
    d.urls = r.stringList(QLatin1String("urls"));
    d.annotations = r.stringMap(QLatin1String("annotations"));
    if (r.has(QLatin1String("platform"))) {
        JsonReader p(r.object(QLatin1String("platform")), r.pathOf(QLatin1String("platform")));
        p.string(QLatin1String("os"), JsonReader::Required);
        p.string(QLatin1String("architecture"), JsonReader::Required);
        p.string(QLatin1String("variant"));
        p.string(QLatin1String("os.version"));
        p.stringList(QLatin1String("os.features"));
        if (p.failed())
            r.fail(p.errorMessage());
        else
            d.platform = Platform::fromJson(o.value(QLatin1String("platform")).toObject());
    }
    if (r.failed())
        return r.error();
    if (!isValidDigest(d.digest))
        return Error(Error::Code::Malformed,
            r.pathOf(QLatin1String("digest")) + QStringLiteral(" \"%1\" is not a valid digest").arg(d.digest));
    if (d.size < 0)
        return Error(
            Error::Code::Malformed, r.pathOf(QLatin1String("size")) + QStringLiteral(" is negative (%1)").arg(d.size));
    return d;
}

QJsonObject Descriptor::toJson() const
{
    QJsonObject o;
    if (!mediaType.isEmpty())
        o.insert(QLatin1String("mediaType"), mediaType);
    o.insert(QLatin1String("digest"), digest);
    o.insert(QLatin1String("size"), size);
    if (!urls.isEmpty())
        o.insert(QLatin1String("urls"), QJsonArray::fromStringList(urls));
    if (!annotations.isEmpty()) {
        QJsonObject a;
        for (auto it = annotations.cbegin(); it != annotations.cend(); ++it)
            a.insert(it.key(), it.value());
        o.insert(QLatin1String("annotations"), a);
    }
    if (platform)
        o.insert(QLatin1String("platform"), platform->toJson());
    return o;
}

bool Descriptor::isAttestation() const
{
    if (platform && platform->isAttestation())
        return true;
    return annotations.value(QStringLiteral("vnd.docker.reference.type")) == QLatin1String("attestation-manifest");
}

} // namespace ll::oci
