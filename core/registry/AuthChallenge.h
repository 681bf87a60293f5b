#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace ll::registry {

/**
 * One challenge from a WWW-Authenticate header (RFC 7235):
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"
 *   Basic realm="Registry Realm"
 * A header may carry several challenges; quoted values may contain commas and escaped quotes.
 */
struct AuthChallenge {
    QString scheme;               // lower-case: "bearer", "basic", ...
    QMap<QString, QString> params; // keys lower-case

    QString realm() const { return params.value(QStringLiteral("realm")); }
    QString service() const { return params.value(QStringLiteral("service")); }
    QString scope() const { return params.value(QStringLiteral("scope")); }
    QString error() const { return params.value(QStringLiteral("error")); }

    /** Parses every challenge in one header value; unparsable parts are skipped. */
    static QList<AuthChallenge> parse(const QByteArray &headerValue);
    /** Parses all WWW-Authenticate header values of a response. */
    static QList<AuthChallenge> parseAll(const QList<QByteArray> &headerValues);
};

} // namespace ll::registry
