#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace ll::registry {

/**
 * One challenge from a WWW-Authenticate header (RFC 7235):
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"
 *   Basic realm="Registry Realm"
 * A header may carry several challenges; quoted values may contain commas and escaped quotes (\").
 * Scheme and parameter names are case-insensitive (stored lower-case); values keep their case.
 * A token68 credential ("Negotiate abc==") is accepted and ignored; a repeated parameter keeps its first value.
 */
struct AuthChallenge {
    QString scheme; // lower-case: "bearer", "basic", ...
    QMap<QString, QString> params; // keys lower-case

    QString realm() const { return params.value(QStringLiteral("realm")); }
    QString service() const { return params.value(QStringLiteral("service")); }
    QString scope() const { return params.value(QStringLiteral("scope")); }
    QString error() const { return params.value(QStringLiteral("error")); }
    /** The space-separated scopes of "scope" ("repository:a/b:pull repository:c/d:pull"). */
    QStringList scopes() const;

    bool isBearer() const { return scheme == QLatin1String("bearer"); }
    bool isBasic() const { return scheme == QLatin1String("basic"); }

    /** Parses every challenge in one header value; unparsable parts are skipped. */
    static QList<AuthChallenge> parse(const QByteArray &headerValue);
    /** Parses all WWW-Authenticate header values of a response. */
    static QList<AuthChallenge> parseAll(const QList<QByteArray> &headerValues);
    /** The first challenge of a scheme (case-insensitive, e.g. "bearer"), or nullptr. Points into challenges. */
    static const AuthChallenge *find(const QList<AuthChallenge> &challenges, QLatin1String scheme);
};

} // namespace ll::registry
