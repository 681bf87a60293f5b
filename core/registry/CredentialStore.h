#pragma once

#include "registry/Credentials.h"

#include <QHash>
#include <QString>

namespace ll::registry {

/**
 * Finds credentials for a registry host, in this order:
 *  1. explicit ones (--username/--password-stdin, a GUI prompt) set with setExplicit();
 *  2. a bearer token file (--token-file, or ./token.txt when present) for Docker Hub-style use;
 *  3. ~/.docker/config.json ($DOCKER_CONFIG/config.json): credHelpers[host], then auths[host]
 *     (base64 "auth" = user:pass, "identitytoken"), then credsStore;
 *     credential helpers are run as `docker-credential-<name> get` with the server URL on stdin
 *     and answer {"ServerURL","Username","Secret"} (Username "<token>" means Secret is an identity token);
 *  4. podman/skopeo auth.json: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 *     ~/.config/containers/auth.json.
 * Docker Hub is keyed as "https://index.docker.io/v1/" (and "docker.io", "registry-1.docker.io", "index.docker.io").
 * Never logs secrets. Lookups are synchronous (helpers are short-lived processes with a timeout).
 */
class CredentialStore
{
public:
    CredentialStore();

    void setExplicit(const QString &registry, const Credentials &credentials);
    /** A file holding a bearer token (the original tool's token.txt). Empty: look for ./token.txt. */
    void setTokenFile(const QString &path) { m_tokenFile = path; }
    /** Disable implicit ./token.txt lookup (tests). */
    void setUseDefaultTokenFile(bool use) { m_useDefaultTokenFile = use; }
    /** Override locations (tests); default from the environment. */
    void setDockerConfigDir(const QString &dir) { m_dockerConfigDir = dir; }
    void setAuthJsonPath(const QString &path) { m_authJsonPath = path; }

    /** Credentials for a registry host ("registry-1.docker.io", "127.0.0.1:5000"); empty when none. */
    Credentials lookup(const QString &registry) const;

    /** Writes user/password into the docker config "auths" (GUI "remember"); file mode 0600. */
    Status storeInDockerConfig(const QString &registry, const Credentials &credentials) const;

    QString dockerConfigPath() const;

private:
    Credentials fromDockerConfig(const QString &registry) const;
    Credentials fromAuthJson(const QString &registry) const;
    Credentials fromHelper(const QString &helper, const QString &serverUrl) const;
    Credentials fromTokenFile() const;

    QHash<QString, Credentials> m_explicit;
    QString m_tokenFile;
    bool m_useDefaultTokenFile = true;
    QString m_dockerConfigDir;
    QString m_authJsonPath;
};

} // namespace ll::registry
