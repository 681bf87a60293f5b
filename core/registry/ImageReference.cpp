#include "registry/ImageReference.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace ll::registry {

namespace {

// The grammar of distribution/reference (reference/regexp.go), anchored.
const QRegularExpression &domainRegexp()
{
    // host := domain-name | [ IPv6address ];  domain := host [':' port]
    static const QRegularExpression re(QStringLiteral("^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:"
                                                      "\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                                                      "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$"));
    return re;
}

const QRegularExpression &pathComponentRegexp()
{
    // alpha-numeric [separator alpha-numeric]*, separator := [_.] | __ | [-]+
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$"));
    return re;
}

const QRegularExpression &tagRegexp()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"));
    return re;
}

const QRegularExpression &digestRegexp()
{
    // algorithm ":" hex; algorithm components joined by [+._-]; hex at least 128 bits.
    static const QRegularExpression re(
        QStringLiteral("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$"));
    return re;
}

const QRegularExpression &identifierRegexp()
{
    static const QRegularExpression re(QStringLiteral("^[a-f0-9]{64}$"));
    return re;
}

constexpr int NameTotalLengthMax = 255;

Error invalid(const QString &text, const QString &reason)
{
    return Error(Error::Code::InvalidReference, QStringLiteral("invalid image reference \"%1\": %2").arg(text, reason));
}

bool isDockerHubDomain(const QString &domain)
{
    return domain == QLatin1String("docker.io") || domain == QLatin1String("index.docker.io")
        || domain == QLatin1String("registry-1.docker.io");
}

// go-digest: only registered algorithms, lower-case hex of the algorithm's exact length.
QString validateDigest(const QString &digest)
{
    if (!digestRegexp().match(digest).hasMatch())
        return QStringLiteral("malformed digest \"%1\" (expected algorithm:hex)").arg(digest);
    const qsizetype colon = digest.indexOf(QLatin1Char(':'));
    const QStringView algorithm = QStringView(digest).left(colon);
    const QStringView hex = QStringView(digest).mid(colon + 1);
    int expected = 0;
    if (algorithm == QLatin1String("sha256"))
        expected = 64;
    else if (algorithm == QLatin1String("sha384"))
        expected = 96;
    else if (algorithm == QLatin1String("sha512"))
        expected = 128;
    else
        return QStringLiteral("unsupported digest algorithm \"%1\"").arg(algorithm);
    if (hex.size() != expected)
        return QStringLiteral("%1 digest must have %2 hex characters, not %3")
            .arg(algorithm)
            .arg(expected)
            .arg(hex.size());
    for (const QChar c : hex) {
        if (c.isUpper())
            return QStringLiteral("digest hex must be lower-case");
    }
    return {};
}

} // namespace

Result<ImageReference> ImageReference::parse(const QString &text)
{
    if (text.isEmpty())
        return Error(Error::Code::InvalidReference, QStringLiteral("empty image reference"));
    for (const QChar c : text) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return invalid(text, QStringLiteral("must not contain white space or control characters"));
    }
    if (text.contains(QLatin1String("://")))
        return invalid(text, QStringLiteral("a reference has no URL scheme; write host[:port]/repository[:tag]"));
    if (identifierRegexp().match(text).hasMatch())
        return invalid(text, QStringLiteral("cannot specify 64-byte hexadecimal strings"));

    QString name = text;
    QString digest;
    const qsizetype at = name.indexOf(QLatin1Char('@'));
    if (at >= 0) {
        digest = name.mid(at + 1);
        name.truncate(at);
        if (digest.isEmpty())
            return invalid(text, QStringLiteral("empty digest after '@'"));
        if (const QString why = validateDigest(digest); !why.isEmpty())
            return invalid(text, why);
    }

    // Docker's splitDockerDomain: the first component is a registry when it contains '.' or ':' or is "localhost".
    QString domain;
    QString remainder;
    const qsizetype slash = name.indexOf(QLatin1Char('/'));
    if (slash < 0) {
        domain = QStringLiteral("docker.io");
        remainder = name;
    } else {
        const QStringView first = QStringView(name).left(slash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':'))
            || first == QLatin1String("localhost")) {
            domain = first.toString();
            remainder = name.mid(slash + 1);
        } else {
            domain = QStringLiteral("docker.io");
            remainder = name;
        }
    }

    // The tag follows the last ':' of the path part (the domain is split off already).
    QString path = remainder;
    QString tag;
    const qsizetype colon = remainder.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        path = remainder.left(colon);
        tag = remainder.mid(colon + 1);
        if (tag.isEmpty())
            return invalid(text, QStringLiteral("empty tag after ':'"));
        if (!tagRegexp().match(tag).hasMatch())
            return invalid(
                text, QStringLiteral("invalid tag \"%1\" (letters, digits, '_', '.', '-'; at most 128)").arg(tag));
    }

    if (!domain.isEmpty() && !domainRegexp().match(domain).hasMatch())
        return invalid(text, QStringLiteral("invalid registry host \"%1\"").arg(domain));
    if (const qsizetype portColon = domain.lastIndexOf(QLatin1Char(':'));
        portColon >= 0 && !domain.endsWith(QLatin1Char(']'))) {
        bool ok = false;
        const int port = QStringView(domain).mid(portColon + 1).toInt(&ok);
        if (!ok || port <= 0 || port > 65535)
            return invalid(text, QStringLiteral("invalid port in \"%1\"").arg(domain));
    }

    if (path.isEmpty())
        return invalid(text, QStringLiteral("repository name must have at least one component"));
    if (path.toLower() != path)
        return invalid(text, QStringLiteral("repository name must be lowercase"));
    const QStringList components = path.split(QLatin1Char('/'));
    for (const QString &component : components) {
        if (component.isEmpty())
            return invalid(text, QStringLiteral("empty path component in repository name"));
        if (!pathComponentRegexp().match(component).hasMatch())
            return invalid(text,
                QStringLiteral("invalid repository name component \"%1\" (a-z, 0-9 and single '.', '_', "
                               "'__' or '-' separators)")
                    .arg(component));
    }

    // Docker Hub: docker.io and index.docker.io (and the API host itself) are one registry; single names are
    // official images under library/.
    if (isDockerHubDomain(domain) && components.size() == 1)
        path = QStringLiteral("library/") + path;
    // Docker measures the normalised name, in which Docker Hub is "docker.io".
    const qsizetype domainLength = isDockerHubDomain(domain) ? QLatin1String("docker.io").size() : domain.size();
    if (domainLength + 1 + path.size() > NameTotalLengthMax)
        return invalid(
            text, QStringLiteral("repository name must not be more than %1 characters").arg(NameTotalLengthMax));

    ImageReference ref;
    ref.m_registry = isDockerHubDomain(domain) ? dockerHubRegistry() : domain;
    ref.m_repository = path;
    ref.m_tag = tag.isEmpty() && digest.isEmpty() ? QStringLiteral("latest") : tag;
    ref.m_digest = digest;
    return ref;
}

QString ImageReference::host() const
{
    if (m_registry.startsWith(QLatin1Char('['))) {
        const qsizetype close = m_registry.indexOf(QLatin1Char(']'));
        return close > 0 ? m_registry.mid(1, close - 1) : m_registry;
    }
    const qsizetype colon = m_registry.lastIndexOf(QLatin1Char(':'));
    return colon >= 0 ? m_registry.left(colon) : m_registry;
}

int ImageReference::port() const
{
    const qsizetype colon = m_registry.lastIndexOf(QLatin1Char(':'));
    if (colon < 0 || m_registry.endsWith(QLatin1Char(']')))
        return -1;
    bool ok = false;
    const int p = QStringView(m_registry).mid(colon + 1).toInt(&ok);
    return ok ? p : -1;
}

bool ImageReference::isDockerHub() const
{
    return m_registry == dockerHubRegistry();
}

bool ImageReference::isLoopback() const
{
    const QString h = host();
    if (h.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress address;
    if (!address.setAddress(h))
        return false;
    return address.isLoopback();
}

QString ImageReference::toString() const
{
    if (m_repository.isEmpty())
        return {};
    QString out = m_registry + QLatin1Char('/') + m_repository;
    if (!m_tag.isEmpty())
        out += QLatin1Char(':') + m_tag;
    if (!m_digest.isEmpty())
        out += QLatin1Char('@') + m_digest;
    return out;
}

QString ImageReference::displayName() const
{
    if (m_repository.isEmpty())
        return {};
    QString out;
    if (isDockerHub()) {
        // Docker's FamiliarName: "library/" is dropped only for official single-component names.
        const QString library = QStringLiteral("library/");
        if (m_repository.startsWith(library) && m_repository.indexOf(QLatin1Char('/'), library.size()) < 0)
            out = m_repository.mid(library.size());
        else
            out = m_repository;
    } else {
        out = m_registry + QLatin1Char('/') + m_repository;
    }
    if (!m_tag.isEmpty())
        out += QLatin1Char(':') + m_tag;
    if (!m_digest.isEmpty())
        out += QLatin1Char('@') + m_digest;
    return out;
}

} // namespace ll::registry
