#include "registry/CredentialStore.h"

#include "common/Logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>

namespace ll::registry {

namespace {

const QString &dockerHubServerUrl()
{
    static const QString url = QStringLiteral("https://index.docker.io/v1/");
    return url;
}

constexpr qint64 MaxConfigBytes = 4 * 1024 * 1024;
constexpr qint64 MaxTokenBytes = 64 * 1024;

// Reads a JSON object file; an absent file is an empty object and not an error.
Result<QJsonObject> readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return QJsonObject();
    if (!file.open(QIODevice::ReadOnly))
        return Error(Error::Code::Io, QStringLiteral("cannot read %1").arg(path), file.errorString());
    if (file.size() > MaxConfigBytes)
        return Error(Error::Code::Malformed, QStringLiteral("%1 is too large").arg(path));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error(
            Error::Code::Malformed, QStringLiteral("%1 is not valid JSON").arg(path), parseError.errorString());
    if (!doc.isObject())
        return Error(Error::Code::Malformed, QStringLiteral("%1 is not a JSON object").arg(path));
    return doc.object();
}

// Finds the key of a JSON object that names the host; an exact key wins over a folded one.
QString findHostKey(const QJsonObject &object, const QString &host, bool allowPaths)
{
    QString folded;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString &key = it.key();
        if (!allowPaths) {
            // Podman allows per-namespace keys ("quay.io/ns"); lookups here are per host, so skip them.
            QString rest = key;
            if (rest.startsWith(QLatin1String("https://")))
                rest = rest.mid(8);
            else if (rest.startsWith(QLatin1String("http://")))
                rest = rest.mid(7);
            const qsizetype slash = rest.indexOf(QLatin1Char('/'));
            if (slash >= 0) {
                const QStringView path = QStringView(rest).mid(slash);
                if (path != QLatin1String("/") && path != QLatin1String("/v1/") && path != QLatin1String("/v1")
                    && path != QLatin1String("/v2/") && path != QLatin1String("/v2"))
                    continue;
            }
        }
        if (CredentialStore::hostKey(key) != host)
            continue;
        if (key.compare(host, Qt::CaseInsensitive) == 0)
            return key;
        if (folded.isEmpty())
            folded = key;
    }
    return folded;
}

bool isValidHelperName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    return re.match(name).hasMatch();
}

} // namespace

CredentialStore::CredentialStore() = default;

QString CredentialStore::hostKey(const QString &registryOrKey)
{
    QString s = registryOrKey.trimmed().toLower();
    if (s.startsWith(QLatin1String("https://")))
        s = s.mid(8);
    else if (s.startsWith(QLatin1String("http://")))
        s = s.mid(7);
    const qsizetype slash = s.indexOf(QLatin1Char('/'));
    if (slash >= 0)
        s.truncate(slash);
    if (s == QLatin1String("docker.io") || s == QLatin1String("index.docker.io")
        || s == QLatin1String("registry-1.docker.io"))
        return QStringLiteral("registry-1.docker.io");
    return s;
}

bool CredentialStore::isDockerHub(const QString &registry)
{
    return hostKey(registry) == QLatin1String("registry-1.docker.io");
}

void CredentialStore::setExplicit(const QString &registry, const Credentials &credentials)
{
    m_explicit.insert(hostKey(registry), credentials);
}

QString CredentialStore::dockerConfigPath() const
{
    QString dir = m_dockerConfigDir;
    if (dir.isEmpty())
        dir = qEnvironmentVariable("DOCKER_CONFIG");
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.docker");
    return QDir(dir).filePath(QStringLiteral("config.json"));
}

QStringList CredentialStore::authJsonPaths() const
{
    if (!m_authJsonPath.isEmpty())
        return { m_authJsonPath };
    const QString fromEnv = qEnvironmentVariable("REGISTRY_AUTH_FILE");
    if (!fromEnv.isEmpty())
        return { fromEnv };
    QStringList paths;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty())
        paths << QDir(runtime).filePath(QStringLiteral("containers/auth.json"));
    paths << QDir::homePath() + QStringLiteral("/.config/containers/auth.json");
    return paths;
}

Credentials CredentialStore::lookup(const QString &registry) const
{
    const QString host = hostKey(registry);

    if (const auto it = m_explicit.constFind(host); it != m_explicit.constEnd() && !it->isEmpty()) {
        Credentials c = *it;
        if (c.source.isEmpty())
            c.source = QStringLiteral("explicit");
        qCDebug(llAuth) << "credentials for" << host << "from" << c.source;
        return c;
    }

    if (Credentials c = fromTokenFile(host); !c.isEmpty()) {
        qCDebug(llAuth) << "credentials for" << host << "from" << c.source;
        return c;
    }

    if (Credentials c = fromConfigFile(dockerConfigPath(), host, true); !c.isEmpty()) {
        qCDebug(llAuth) << "credentials for" << host << "from" << c.source;
        return c;
    }

    const QStringList authFiles = authJsonPaths();
    for (const QString &path : authFiles) {
        if (Credentials c = fromConfigFile(path, host, false); !c.isEmpty()) {
            qCDebug(llAuth) << "credentials for" << host << "from" << c.source;
            return c;
        }
    }

    qCDebug(llAuth) << "no stored credentials for" << host;
    return {};
}

Credentials CredentialStore::fromTokenFile(const QString &host) const
{
    QString path = m_tokenFile;
    if (path.isEmpty()) {
        // The original tool's ./token.txt held a Docker Hub token; do not send it anywhere else.
        if (!m_useDefaultTokenFile || host != QLatin1String("registry-1.docker.io"))
            return {};
        path = QDir::current().filePath(QStringLiteral("token.txt"));
        if (!QFileInfo::exists(path))
            return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(llAuth) << "cannot read token file" << path << file.errorString();
        return {};
    }
    if (file.size() > MaxTokenBytes) {
        qCWarning(llAuth) << "token file" << path << "is too large, ignored";
        return {};
    }
    Credentials c;
    c.bearerToken = QString::fromUtf8(file.readAll()).trimmed();
    if (c.bearerToken.isEmpty()) {
        qCWarning(llAuth) << "token file" << path << "is empty, ignored";
        return {};
    }
    c.source = m_tokenFile.isEmpty() ? QStringLiteral("token.txt") : QStringLiteral("token file %1").arg(path);
    return c;
}

Credentials CredentialStore::fromConfigFile(const QString &path, const QString &host, bool isDockerConfig) const
{
    Result<QJsonObject> config = readJsonObject(path);
    if (!config) {
        qCWarning(llAuth) << "ignoring" << config.error().toString();
        return {};
    }
    if (config->isEmpty())
        return {};
    const QString serverUrl = host == QLatin1String("registry-1.docker.io") ? dockerHubServerUrl() : host;

    const QJsonObject helpers = config->value(QLatin1String("credHelpers")).toObject();
    if (const QString key = findHostKey(helpers, host, isDockerConfig); !key.isEmpty()) {
        Credentials c = fromHelper(helpers.value(key).toString(), key);
        if (!c.isEmpty())
            c.source += QStringLiteral(" (%1)").arg(path);
        // Docker uses the configured helper only, with no fallback to "auths".
        return c;
    }

    const QJsonObject auths = config->value(QLatin1String("auths")).toObject();
    const QString authKey = findHostKey(auths, host, isDockerConfig);
    if (!authKey.isEmpty()) {
        Credentials c = fromAuthEntry(auths.value(authKey).toObject());
        if (!c.isEmpty()) {
            c.source = path;
            return c;
        }
    }

    const QString store = config->value(QLatin1String("credsStore")).toString();
    if (isDockerConfig && !store.isEmpty()) {
        // `docker login` stored the secret under the key it wrote into "auths" (an empty entry), if any.
        Credentials c = fromHelper(store, authKey.isEmpty() ? serverUrl : authKey);
        if (!c.isEmpty())
            c.source += QStringLiteral(" (%1)").arg(path);
        return c;
    }
    return {};
}

Credentials CredentialStore::fromAuthEntry(const QJsonObject &entry) const
{
    Credentials c;
    const QString auth = entry.value(QLatin1String("auth")).toString();
    if (!auth.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(auth.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
        if (colon > 0) {
            c.username = QString::fromUtf8(decoded.decoded.left(colon));
            c.password = QString::fromUtf8(decoded.decoded.mid(colon + 1));
        } else {
            qCWarning(llAuth) << "ignoring an \"auth\" entry that is not base64 of user:password";
        }
    } else {
        c.username = entry.value(QLatin1String("username")).toString();
        c.password = entry.value(QLatin1String("password")).toString();
    }
    c.identityToken = entry.value(QLatin1String("identitytoken")).toString();
    c.bearerToken = entry.value(QLatin1String("registrytoken")).toString();
    return c;
}

Credentials CredentialStore::fromHelper(const QString &helper, const QString &serverUrl) const
{
    if (!isValidHelperName(helper)) {
        qCWarning(llAuth) << "ignoring credential helper with an invalid name" << helper;
        return {};
    }
    const QString program = QStringLiteral("docker-credential-") + helper;
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(program, { QStringLiteral("get") });
    if (!process.waitForStarted(m_helperTimeoutMs)) {
        qCWarning(llAuth) << "cannot run credential helper" << program << process.errorString();
        return {};
    }
    process.write(serverUrl.toUtf8());
    process.closeWriteChannel();
    if (!process.waitForFinished(m_helperTimeoutMs)) {
        qCWarning(llAuth) << "credential helper" << program << "timed out";
        process.kill();
        process.waitForFinished(1000);
        return {};
    }
    const QByteArray out = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        const QByteArray err = process.readAllStandardError();
        if (out.contains("credentials not found") || err.contains("credentials not found")) {
            qCDebug(llAuth) << "credential helper" << program << "has no credentials for" << serverUrl;
            return {};
        }
        // The helper's own message names the failure; it is not a secret (unlike its stdout on success).
        qCWarning(llAuth) << "credential helper" << program << "failed with exit code" << process.exitCode()
                          << QString::fromUtf8(err.left(200)).trimmed();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &parseError);
    if (!doc.isObject()) {
        qCWarning(llAuth) << "credential helper" << program << "answered no JSON object";
        return {};
    }
    const QJsonObject answer = doc.object();
    Credentials c;
    const QString username = answer.value(QLatin1String("Username")).toString();
    const QString secret = answer.value(QLatin1String("Secret")).toString();
    if (username == QLatin1String("<token>"))
        c.identityToken = secret;
    else {
        c.username = username;
        c.password = secret;
    }
    if (!c.isEmpty())
        c.source = QStringLiteral("credential helper ") + helper;
    return c;
}

Status CredentialStore::storeInDockerConfig(const QString &registry, const Credentials &credentials) const
{
    if (!credentials.hasBasic() && credentials.identityToken.isEmpty())
        return Error(Error::Code::Usage, QStringLiteral("no username and password to store"));

    const QString path = dockerConfigPath();
    Result<QJsonObject> config = readJsonObject(path);
    if (!config)
        return config.error(); // never overwrite a file we cannot understand

    const QString host = hostKey(registry);
    QJsonObject auths = config->value(QLatin1String("auths")).toObject();
    QString key = findHostKey(auths, host, true);
    if (key.isEmpty())
        key = host == QLatin1String("registry-1.docker.io") ? dockerHubServerUrl() : host;
    QJsonObject entry = auths.value(key).toObject();
    entry.remove(QLatin1String("auth"));
    entry.remove(QLatin1String("identitytoken"));
    entry.remove(QLatin1String("username"));
    entry.remove(QLatin1String("password"));
    if (credentials.hasBasic())
        entry.insert(QLatin1String("auth"),
            QString::fromLatin1((credentials.username + QLatin1Char(':') + credentials.password).toUtf8().toBase64()));
    if (!credentials.identityToken.isEmpty())
        entry.insert(QLatin1String("identitytoken"), credentials.identityToken);
    auths.insert(key, entry);
    config->insert(QLatin1String("auths"), auths);

    const QString dir = QFileInfo(path).absolutePath();
    if (!QFileInfo::exists(dir)) {
        if (!QDir().mkpath(dir))
            return Error(Error::Code::Io, QStringLiteral("cannot create %1").arg(dir));
        // A fresh ~/.docker is private, as `docker login` makes it.
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(Error::Code::Io, QStringLiteral("cannot write %1").arg(path), file.errorString());
    // Restrict the temporary file before any secret is written to it.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray json = QJsonDocument(*config).toJson(QJsonDocument::Indented);
    if (file.write(json) != json.size() || !file.commit())
        return Error(Error::Code::Io, QStringLiteral("cannot write %1").arg(path), file.errorString());
    if (!QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return Error(Error::Code::Io, QStringLiteral("cannot restrict permissions of %1").arg(path));
    qCDebug(llAuth) << "stored credentials for" << host << "in" << path;
    return {};
}

} // namespace ll::registry
