#pragma once

#include "registry/Credentials.h"

#include <QHash>
#include <QString>
#include <QStringList>

class QJsonObject;

namespace ll::registry {

/**
 * Finds credentials for a registry host, in this order (the first source that has any wins):
 *  1. explicit ones (--username/--password-stdin, a GUI prompt) set with setExplicit();
 *  2. a bearer token file (the original tool's token.txt): the file given with setTokenFile() applies to every
 *     registry; without one, ./token.txt in the current directory (when present and setUseDefaultTokenFile(true),
 *     the default) applies to Docker Hub only, as in the original tool;
 *  3. the Docker config, $DOCKER_CONFIG/config.json else ~/.docker/config.json: credHelpers[host], then
 *     auths[host] (base64 "auth" = user:pass, the password may contain ':'; "identitytoken"; "registrytoken"),
 *     then credsStore;
 *  4. podman/skopeo auth.json (same "auths"/"credHelpers" format): $REGISTRY_AUTH_FILE when set, else
 *     $XDG_RUNTIME_DIR/containers/auth.json, then ~/.config/containers/auth.json.
 * Keys match by host: "host:port", "https://host:port", "http://host/v2/" all key "host:port" (Docker's
 * ConvertToHostname). Docker Hub is "https://index.docker.io/v1/", also "docker.io", "registry-1.docker.io",
 * "index.docker.io". In auth.json a key with a repository path ("quay.io/ns") is ignored (lookups are per host).
 * Credential helpers are run as `docker-credential-<name> get` with the server URL on stdin and answer
 * {"ServerURL","Username","Secret"}; Username "<token>" means Secret is an identity token; an exit with
 * "credentials not found" means none. A helper gets 10 s.
 * Never logs secrets, only where credentials came from (category ll.auth). Lookups are synchronous.
 */
class CredentialStore
{
public:
    CredentialStore();

    void setExplicit(const QString &registry, const Credentials &credentials);
    /** A file holding a bearer token (the original tool's token.txt); applies to every registry. */
    void setTokenFile(const QString &path) { m_tokenFile = path; }
    /** Whether ./token.txt is used for Docker Hub when no token file is set (default true; tests turn it off). */
    void setUseDefaultTokenFile(bool use) { m_useDefaultTokenFile = use; }
    /** Override locations (tests); default from the environment. */
    void setDockerConfigDir(const QString &dir) { m_dockerConfigDir = dir; }
    void setAuthJsonPath(const QString &path) { m_authJsonPath = path; }
    /** Milliseconds a credential helper may take (default 10000). */
    void setHelperTimeout(int ms) { m_helperTimeoutMs = ms; }

    /** Credentials for a registry host ("registry-1.docker.io", "127.0.0.1:5000"); empty when none. */
    Credentials lookup(const QString &registry) const;

    /**
     * Writes user/password (and an identity token when set) into the docker config "auths" (GUI "remember"),
     * keeping every other key; creates the directory (0700) and writes the file atomically with mode 0600.
     * Docker Hub is stored as "https://index.docker.io/v1/"; an existing key for the same host is reused.
     */
    Status storeInDockerConfig(const QString &registry, const Credentials &credentials) const;

    /** $DOCKER_CONFIG/config.json, ~/.docker/config.json, or the directory given with setDockerConfigDir(). */
    QString dockerConfigPath() const;
    /** The auth.json files searched, in order (only the one set with setAuthJsonPath() when set). */
    QStringList authJsonPaths() const;

    /**
     * The host a registry or a config key names, lower-case: scheme, path and Docker Hub aliases folded
     * ("https://index.docker.io/v1/" -> "registry-1.docker.io", "http://Host:5000/v2/" -> "host:5000").
     */
    static QString hostKey(const QString &registryOrKey);
    static bool isDockerHub(const QString &registry);

private:
    Credentials fromConfigFile(const QString &path, const QString &host, bool isDockerConfig) const;
    Credentials fromAuthEntry(const QJsonObject &entry) const;
    Credentials fromHelper(const QString &helper, const QString &serverUrl) const;
    Credentials fromTokenFile(const QString &registry) const;

    QHash<QString, Credentials> m_explicit;
    QString m_tokenFile;
    bool m_useDefaultTokenFile = true;
    QString m_dockerConfigDir;
    QString m_authJsonPath;
    int m_helperTimeoutMs = 10000;
};

} // namespace ll::registry
