#include "registry/CredentialStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using ll::Error;
using ll::registry::Credentials;
using ll::registry::CredentialStore;

namespace {

QString b64(const QString &userColonPass)
{
    return QString::fromLatin1(userColonPass.toUtf8().toBase64());
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int fileMode(const QString &path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// A real credential helper speaking the docker-credential-helpers protocol.
const char HelperScript[] = R"(#!/bin/sh
[ "$1" = get ] || { echo "unsupported action $1" >&2; exit 1; }
read -r url
printf '%s\n' "$url" >> "$LLTEST_HELPER_LOG"
case "$url" in
  helper.example:5000) printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helper:secret"}\n' "$url" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-refresh-token"}\n' "$url" ;;
  store.example) printf '{"ServerURL":"%s","Username":"storeuser","Secret":"storepass"}\n' "$url" ;;
  https://keyed.example:8443) printf '{"ServerURL":"%s","Username":"keyeduser","Secret":"keyedpass"}\n' "$url" ;;
  slow.example) exec sleep 5 ;;
  broken.example) echo "this is not json" ;;
  failing.example) echo "keychain is locked" >&2; exit 2 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
)";

} // namespace

class TestCredentialStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void dockerConfigAuths_data();
    void dockerConfigAuths();
    void dockerConfigFromEnvironment();
    void malformedConfigIgnored();
    void authJson_data();
    void authJson();
    void tokenFile();
    void defaultTokenFileDockerHubOnly();
    void credHelpers_data();
    void credHelpers();
    void credsStore();
    void helperTimeout();
    void precedence();
    void explicitAliases();
    void storeKeepsOtherKeys();
    void storeCreatesDirectoryAndRoundTrips();
    void storeRefusesMalformed();
    void hostKey_data();
    void hostKey();
    void neverLogsSecrets();

private:
    CredentialStore makeStore() const;
    QString configPath() const { return m_config.filePath(QStringLiteral("config.json")); }
    QStringList helperCalls() const;

    QTemporaryDir m_home;
    QTemporaryDir m_bin;
    QTemporaryDir m_config;
    QTemporaryDir m_work;
    QString m_helperLog;
    QByteArray m_originalPath;
    QString m_originalCwd;
};

void TestCredentialStore::initTestCase()
{
    QVERIFY(m_home.isValid() && m_bin.isValid());
    // Isolate from the real user's files.
    qputenv("HOME", QFile::encodeName(m_home.path()));
    qunsetenv("DOCKER_CONFIG");
    qunsetenv("REGISTRY_AUTH_FILE");
    qunsetenv("XDG_RUNTIME_DIR");

    const QString helper = m_bin.filePath(QStringLiteral("docker-credential-lltest"));
    QVERIFY(writeFile(helper, HelperScript));
    QVERIFY(QFile::setPermissions(helper, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    m_originalPath = qgetenv("PATH");
    qputenv("PATH", QFile::encodeName(m_bin.path()) + ':' + m_originalPath);
    m_helperLog = m_bin.filePath(QStringLiteral("calls.log"));
    qputenv("LLTEST_HELPER_LOG", QFile::encodeName(m_helperLog));
    m_originalCwd = QDir::currentPath();
}

void TestCredentialStore::init()
{
    QFile::remove(configPath());
    QFile::remove(m_helperLog);
    QDir(m_work.path()).removeRecursively();
    QDir().mkpath(m_work.path());
    qunsetenv("DOCKER_CONFIG");
    qunsetenv("REGISTRY_AUTH_FILE");
    qunsetenv("XDG_RUNTIME_DIR");
}

void TestCredentialStore::cleanup()
{
    QDir::setCurrent(m_originalCwd);
}

CredentialStore TestCredentialStore::makeStore() const
{
    CredentialStore store;
    store.setUseDefaultTokenFile(false);
    store.setDockerConfigDir(m_config.path());
    store.setAuthJsonPath(m_work.filePath(QStringLiteral("no-auth.json")));
    return store;
}

QStringList TestCredentialStore::helperCalls() const
{
    return QString::fromUtf8(readFile(m_helperLog)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void TestCredentialStore::dockerConfigAuths_data()
{
    QTest::addColumn<QByteArray>("auths"); // the "auths" object
    QTest::addColumn<QString>("registry");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("identityToken");
    QTest::addColumn<QString>("bearerToken");

    auto auth = [](const char *key, const QString &userPass) {
        return QStringLiteral("{\"%1\": {\"auth\": \"%2\"}}").arg(QLatin1String(key), b64(userPass)).toUtf8();
    };
    const QString none;
    const QString hub = QStringLiteral("registry-1.docker.io");
    const QString local = QStringLiteral("127.0.0.1:5000");

    QTest::newRow("host-key") << auth("127.0.0.1:5000", QStringLiteral("alice:pw")) << local << QStringLiteral("alice")
                              << QStringLiteral("pw") << none << none;
    QTest::newRow("password-with-colons") << auth("127.0.0.1:5000", QStringLiteral("alice:p:w::x")) << local
                                          << QStringLiteral("alice") << QStringLiteral("p:w::x") << none << none;
    QTest::newRow("https-key") << auth("https://127.0.0.1:5000", QStringLiteral("bob:pw")) << local
                               << QStringLiteral("bob") << QStringLiteral("pw") << none << none;
    QTest::newRow("http-key-v2") << auth("http://127.0.0.1:5000/v2/", QStringLiteral("bob:pw")) << local
                                 << QStringLiteral("bob") << QStringLiteral("pw") << none << none;
    QTest::newRow("upper-case-key") << auth("Registry.Example.com", QStringLiteral("u:p"))
                                    << QStringLiteral("registry.example.com") << QStringLiteral("u")
                                    << QStringLiteral("p") << none << none;
    QTest::newRow("hub-index-v1") << auth("https://index.docker.io/v1/", QStringLiteral("hubuser:hubpw")) << hub
                                  << QStringLiteral("hubuser") << QStringLiteral("hubpw") << none << none;
    QTest::newRow("hub-docker.io") << auth("docker.io", QStringLiteral("hubuser:hubpw")) << hub
                                   << QStringLiteral("hubuser") << QStringLiteral("hubpw") << none << none;
    QTest::newRow("hub-index.docker.io") << auth("index.docker.io", QStringLiteral("hubuser:hubpw")) << hub
                                         << QStringLiteral("hubuser") << QStringLiteral("hubpw") << none << none;
    QTest::newRow("hub-registry-1") << auth("registry-1.docker.io", QStringLiteral("hubuser:hubpw")) << hub
                                    << QStringLiteral("hubuser") << QStringLiteral("hubpw") << none << none;
    QTest::newRow("hub-looked-up-as-docker.io")
        << auth("https://index.docker.io/v1/", QStringLiteral("h:p")) << QStringLiteral("docker.io")
        << QStringLiteral("h") << QStringLiteral("p") << none << none;
    QTest::newRow("exact-key-wins") << QByteArray(R"({"https://127.0.0.1:5000": {"auth": ")")
            + b64(QStringLiteral("folded:x")).toUtf8() + QByteArray(R"("}, "127.0.0.1:5000": {"auth": ")")
            + b64(QStringLiteral("exact:y")).toUtf8() + QByteArray(R"("}})")
                                    << local << QStringLiteral("exact") << QStringLiteral("y") << none << none;
    QTest::newRow("identitytoken") << QByteArray(R"({"ghcr.io": {"auth": "", "identitytoken": "refresh-123"}})")
                                   << QStringLiteral("ghcr.io") << none << none << QStringLiteral("refresh-123")
                                   << none;
    QTest::newRow("registrytoken") << QByteArray(R"({"ghcr.io": {"registrytoken": "bearer-xyz"}})")
                                   << QStringLiteral("ghcr.io") << none << none << none << QStringLiteral("bearer-xyz");
    QTest::newRow("username-password-fields")
        << QByteArray(R"({"ghcr.io": {"username": "plain", "password": "text"}})") << QStringLiteral("ghcr.io")
        << QStringLiteral("plain") << QStringLiteral("text") << none << none;
    QTest::newRow("other-host") << auth("ghcr.io", QStringLiteral("u:p")) << QStringLiteral("quay.io") << none << none
                                << none << none;
    QTest::newRow("port-mismatch") << auth("127.0.0.1", QStringLiteral("u:p")) << local << none << none << none << none;
    QTest::newRow("hub-key-not-for-others") << auth("https://index.docker.io/v1/", QStringLiteral("u:p"))
                                            << QStringLiteral("ghcr.io") << none << none << none << none;
    QTest::newRow("bad-base64") << QByteArray(R"({"ghcr.io": {"auth": "!!!not base64"}})") << QStringLiteral("ghcr.io")
                                << none << none << none << none;
    QTest::newRow("no-colon") << auth("ghcr.io", QStringLiteral("justuser")) << QStringLiteral("ghcr.io") << none
                              << none << none << none;
    QTest::newRow("empty-entry") << QByteArray(R"({"ghcr.io": {}})") << QStringLiteral("ghcr.io") << none << none
                                 << none << none;
}

void TestCredentialStore::dockerConfigAuths()
{
    QFETCH(QByteArray, auths);
    QFETCH(QString, registry);
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, identityToken);
    QFETCH(QString, bearerToken);

    QVERIFY(writeFile(configPath(), QByteArray(R"({"auths": )") + auths + QByteArray(R"(, "psFormat": "x"})")));
    const Credentials c = makeStore().lookup(registry);
    QCOMPARE(c.username, username);
    QCOMPARE(c.password, password);
    QCOMPARE(c.identityToken, identityToken);
    QCOMPARE(c.bearerToken, bearerToken);
    if (!c.isEmpty())
        QCOMPARE(c.source, configPath());
}

void TestCredentialStore::dockerConfigFromEnvironment()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("config.json")),
        QStringLiteral(R"({"auths": {"env.example": {"auth": "%1"}}})")
            .arg(b64(QStringLiteral("envuser:envpw")))
            .toUtf8()));
    qputenv("DOCKER_CONFIG", QFile::encodeName(dir.path()));
    CredentialStore store;
    store.setUseDefaultTokenFile(false);
    QCOMPARE(store.dockerConfigPath(), dir.filePath(QStringLiteral("config.json")));
    QCOMPARE(store.lookup(QStringLiteral("env.example")).username, QStringLiteral("envuser"));

    // Without DOCKER_CONFIG: ~/.docker/config.json.
    qunsetenv("DOCKER_CONFIG");
    QCOMPARE(store.dockerConfigPath(), m_home.filePath(QStringLiteral(".docker/config.json")));
    QVERIFY(writeFile(store.dockerConfigPath(),
        QStringLiteral(R"({"auths": {"home.example": {"auth": "%1"}}})")
            .arg(b64(QStringLiteral("homeuser:pw")))
            .toUtf8()));
    QCOMPARE(store.lookup(QStringLiteral("home.example")).username, QStringLiteral("homeuser"));
    QVERIFY(store.lookup(QStringLiteral("env.example")).isEmpty());
    QFile::remove(store.dockerConfigPath());
}

void TestCredentialStore::malformedConfigIgnored()
{
    QVERIFY(writeFile(configPath(), "{ this is not json"));
    QVERIFY(makeStore().lookup(QStringLiteral("ghcr.io")).isEmpty());
    QVERIFY(writeFile(configPath(), "[1, 2]"));
    QVERIFY(makeStore().lookup(QStringLiteral("ghcr.io")).isEmpty());
}

void TestCredentialStore::authJson_data()
{
    QTest::addColumn<QString>("location"); // env, xdg, home, explicit
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("registry");
    QTest::addColumn<bool>("found");

    QTest::newRow("env-host") << QStringLiteral("env") << QStringLiteral("127.0.0.1:5000")
                              << QStringLiteral("127.0.0.1:5000") << true;
    QTest::newRow("env-docker.io") << QStringLiteral("env") << QStringLiteral("docker.io")
                                   << QStringLiteral("registry-1.docker.io") << true;
    QTest::newRow("env-legacy-hub") << QStringLiteral("env") << QStringLiteral("https://index.docker.io/v1/")
                                    << QStringLiteral("registry-1.docker.io") << true;
    QTest::newRow("env-namespaced-ignored")
        << QStringLiteral("env") << QStringLiteral("quay.io/ns") << QStringLiteral("quay.io") << false;
    QTest::newRow("xdg") << QStringLiteral("xdg") << QStringLiteral("quay.io") << QStringLiteral("quay.io") << true;
    QTest::newRow("home") << QStringLiteral("home") << QStringLiteral("quay.io") << QStringLiteral("quay.io") << true;
    QTest::newRow("explicit-path") << QStringLiteral("explicit") << QStringLiteral("quay.io")
                                   << QStringLiteral("quay.io") << true;
}

void TestCredentialStore::authJson()
{
    QFETCH(QString, location);
    QFETCH(QString, key);
    QFETCH(QString, registry);
    QFETCH(bool, found);

    QTemporaryDir dir;
    QString path;
    CredentialStore store;
    store.setUseDefaultTokenFile(false);
    store.setDockerConfigDir(m_config.path());
    if (location == QLatin1String("env")) {
        path = dir.filePath(QStringLiteral("my-auth.json"));
        qputenv("REGISTRY_AUTH_FILE", QFile::encodeName(path));
    } else if (location == QLatin1String("xdg")) {
        path = dir.filePath(QStringLiteral("containers/auth.json"));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(dir.path()));
    } else if (location == QLatin1String("home")) {
        path = m_home.filePath(QStringLiteral(".config/containers/auth.json"));
    } else {
        path = dir.filePath(QStringLiteral("custom.json"));
        store.setAuthJsonPath(path);
    }
    QVERIFY(store.authJsonPaths().contains(path));
    QVERIFY(writeFile(path,
        QStringLiteral(R"({"auths": {"%1": {"auth": "%2"}}})").arg(key, b64(QStringLiteral("podman:pw:1"))).toUtf8()));
    const Credentials c = store.lookup(registry);
    QFile::remove(path);
    if (!found) {
        QVERIFY(c.isEmpty());
        return;
    }
    QCOMPARE(c.username, QStringLiteral("podman"));
    QCOMPARE(c.password, QStringLiteral("pw:1"));
    QCOMPARE(c.source, path);
}

void TestCredentialStore::tokenFile()
{
    const QString path = m_work.filePath(QStringLiteral("my-token"));
    QVERIFY(writeFile(path, "\n  eyJhbGciOi.token.value \t\n"));
    CredentialStore store = makeStore();
    store.setTokenFile(path);
    // A token file given explicitly applies to every registry.
    for (const QString &registry : { QStringLiteral("registry-1.docker.io"), QStringLiteral("127.0.0.1:5000") }) {
        const Credentials c = store.lookup(registry);
        QCOMPARE(c.bearerToken, QStringLiteral("eyJhbGciOi.token.value"));
        QVERIFY(c.username.isEmpty());
        QVERIFY(c.source.contains(path));
    }

    QVERIFY(writeFile(path, " \n"));
    QVERIFY(store.lookup(QStringLiteral("ghcr.io")).isEmpty());

    store.setTokenFile(m_work.filePath(QStringLiteral("missing")));
    QVERIFY(store.lookup(QStringLiteral("ghcr.io")).isEmpty());
}

void TestCredentialStore::defaultTokenFileDockerHubOnly()
{
    QVERIFY(writeFile(m_work.filePath(QStringLiteral("token.txt")), "hub-token\n"));
    QVERIFY(QDir::setCurrent(m_work.path()));

    CredentialStore store = makeStore();
    store.setUseDefaultTokenFile(true);
    const Credentials hub = store.lookup(QStringLiteral("registry-1.docker.io"));
    QCOMPARE(hub.bearerToken, QStringLiteral("hub-token"));
    QCOMPARE(hub.source, QStringLiteral("token.txt"));
    QCOMPARE(store.lookup(QStringLiteral("docker.io")).bearerToken, QStringLiteral("hub-token"));
    // The original tool's token.txt is a Docker Hub token: never sent to another registry.
    QVERIFY(store.lookup(QStringLiteral("127.0.0.1:5000")).isEmpty());

    store.setUseDefaultTokenFile(false);
    QVERIFY(store.lookup(QStringLiteral("registry-1.docker.io")).isEmpty());

    QVERIFY(QFile::remove(m_work.filePath(QStringLiteral("token.txt"))));
    store.setUseDefaultTokenFile(true);
    QVERIFY(store.lookup(QStringLiteral("registry-1.docker.io")).isEmpty());
}

void TestCredentialStore::credHelpers_data()
{
    QTest::addColumn<QString>("helperKey");
    QTest::addColumn<QString>("registry");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("identityToken");
    QTest::addColumn<QString>("sentUrl");
    QTest::addColumn<QString>("warning"); // a warning that must be logged, as a regular expression

    const QString none;
    QTest::newRow("host") << QStringLiteral("helper.example:5000") << QStringLiteral("helper.example:5000")
                          << QStringLiteral("helperuser") << QStringLiteral("helper:secret") << none
                          << QStringLiteral("helper.example:5000") << none;
    QTest::newRow("hub-identity-token") << QStringLiteral("https://index.docker.io/v1/")
                                        << QStringLiteral("registry-1.docker.io") << none << none
                                        << QStringLiteral("hub-refresh-token")
                                        << QStringLiteral("https://index.docker.io/v1/") << none;
    QTest::newRow("url-key-sent-as-is") << QStringLiteral("https://keyed.example:8443")
                                        << QStringLiteral("keyed.example:8443") << QStringLiteral("keyeduser")
                                        << QStringLiteral("keyedpass") << none
                                        << QStringLiteral("https://keyed.example:8443") << none;
    QTest::newRow("not-found") << QStringLiteral("unknown.example") << QStringLiteral("unknown.example") << none << none
                               << none << QStringLiteral("unknown.example") << none;
    QTest::newRow("helper-fails") << QStringLiteral("failing.example") << QStringLiteral("failing.example") << none
                                  << none << none << QStringLiteral("failing.example")
                                  << QStringLiteral("failed with exit code 2.*keychain is locked");
    QTest::newRow("not-json") << QStringLiteral("broken.example") << QStringLiteral("broken.example") << none << none
                              << none << QStringLiteral("broken.example") << QStringLiteral("answered no JSON object");
}

void TestCredentialStore::credHelpers()
{
    QFETCH(QString, helperKey);
    QFETCH(QString, registry);
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, identityToken);
    QFETCH(QString, sentUrl);
    QFETCH(QString, warning);

    if (!warning.isEmpty())
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(warning));
    // An "auths" entry for the same host must not be used when a helper is configured for it (as in Docker).
    QVERIFY(writeFile(configPath(),
        QStringLiteral(R"({"credHelpers": {"%1": "lltest", "other.example": "missing-helper"}, )"
                       R"("auths": {"%1": {"auth": "%2"}}})")
            .arg(helperKey, b64(QStringLiteral("fileuser:filepw")))
            .toUtf8()));
    const Credentials c = makeStore().lookup(registry);
    QCOMPARE(c.username, username);
    QCOMPARE(c.password, password);
    QCOMPARE(c.identityToken, identityToken);
    QVERIFY(c.bearerToken.isEmpty());
    if (!c.isEmpty())
        QVERIFY2(c.source.startsWith(QLatin1String("credential helper lltest")), qPrintable(c.source));
    QCOMPARE(helperCalls(), QStringList { sentUrl });
}

void TestCredentialStore::credsStore()
{
    QVERIFY(writeFile(configPath(),
        QStringLiteral(R"({"credsStore": "lltest", "auths": {"https://keyed.example:8443": {}, )"
                       R"("file.example": {"auth": "%1"}}})")
            .arg(b64(QStringLiteral("fileuser:filepw")))
            .toUtf8()));
    CredentialStore store = makeStore();

    Credentials c = store.lookup(QStringLiteral("store.example"));
    QCOMPARE(c.username, QStringLiteral("storeuser"));
    QCOMPARE(c.password, QStringLiteral("storepass"));
    QCOMPARE(helperCalls(), QStringList { QStringLiteral("store.example") });

    // The key `docker login` wrote into "auths" is the server URL the store knows.
    c = store.lookup(QStringLiteral("keyed.example:8443"));
    QCOMPARE(c.username, QStringLiteral("keyeduser"));

    // Docker Hub goes to the store as https://index.docker.io/v1/.
    c = store.lookup(QStringLiteral("docker.io"));
    QCOMPARE(c.identityToken, QStringLiteral("hub-refresh-token"));

    // An "auths" entry with credentials is used without asking the store.
    QFile::remove(m_helperLog);
    c = store.lookup(QStringLiteral("file.example"));
    QCOMPARE(c.username, QStringLiteral("fileuser"));
    QVERIFY(helperCalls().isEmpty());

    // Unknown to the store: none, and not an error.
    QVERIFY(store.lookup(QStringLiteral("nowhere.example")).isEmpty());
    QCOMPARE(helperCalls(), QStringList { QStringLiteral("nowhere.example") });
}

void TestCredentialStore::helperTimeout()
{
    QVERIFY(writeFile(configPath(), R"({"credHelpers": {"slow.example": "lltest", "bad.example": "../../bin/sh"}})"));
    CredentialStore store = makeStore();
    store.setHelperTimeout(300);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("docker-credential-lltest.* timed out")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("invalid name.*\\.\\./\\.\\./bin/sh")));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(store.lookup(QStringLiteral("slow.example")).isEmpty());
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    // A helper name that is not a plain name is never run.
    QVERIFY(store.lookup(QStringLiteral("bad.example")).isEmpty());
}

void TestCredentialStore::precedence()
{
    const QString hub = QStringLiteral("registry-1.docker.io");
    const QString tokenPath = m_work.filePath(QStringLiteral("tok"));
    const QString authJson = m_work.filePath(QStringLiteral("auth.json"));
    QVERIFY(writeFile(tokenPath, "file-token"));
    QVERIFY(writeFile(configPath(),
        QStringLiteral(R"({"auths": {"https://index.docker.io/v1/": {"auth": "%1"}}})")
            .arg(b64(QStringLiteral("config:pw")))
            .toUtf8()));
    QVERIFY(writeFile(authJson,
        QStringLiteral(R"({"auths": {"docker.io": {"auth": "%1"}}})").arg(b64(QStringLiteral("podman:pw"))).toUtf8()));

    CredentialStore store = makeStore();
    store.setAuthJsonPath(authJson);
    store.setTokenFile(tokenPath);
    Credentials given;
    given.username = QStringLiteral("explicit");
    given.password = QStringLiteral("pw");
    given.source = QStringLiteral("command line");
    store.setExplicit(QStringLiteral("docker.io"), given);

    Credentials c = store.lookup(hub);
    QCOMPARE(c.username, QStringLiteral("explicit"));
    QCOMPARE(c.source, QStringLiteral("command line"));

    store.setExplicit(QStringLiteral("docker.io"), Credentials());
    c = store.lookup(hub);
    QCOMPARE(c.bearerToken, QStringLiteral("file-token"));

    store.setTokenFile(QString());
    c = store.lookup(hub);
    QCOMPARE(c.username, QStringLiteral("config"));
    QCOMPARE(c.source, configPath());

    QVERIFY(QFile::remove(configPath()));
    c = store.lookup(hub);
    QCOMPARE(c.username, QStringLiteral("podman"));
    QCOMPARE(c.source, authJson);

    QVERIFY(QFile::remove(authJson));
    QVERIFY(store.lookup(hub).isEmpty());
}

void TestCredentialStore::explicitAliases()
{
    CredentialStore store = makeStore();
    Credentials given;
    given.username = QStringLiteral("u");
    given.password = QStringLiteral("p");
    store.setExplicit(QStringLiteral("https://index.docker.io/v1/"), given);
    store.setExplicit(QStringLiteral("127.0.0.1:5000"), given);
    QCOMPARE(store.lookup(QStringLiteral("registry-1.docker.io")).username, QStringLiteral("u"));
    QCOMPARE(store.lookup(QStringLiteral("docker.io")).username, QStringLiteral("u"));
    QCOMPARE(store.lookup(QStringLiteral("127.0.0.1:5000")).source, QStringLiteral("explicit"));
    QVERIFY(store.lookup(QStringLiteral("127.0.0.1:5001")).isEmpty());
}

void TestCredentialStore::storeKeepsOtherKeys()
{
    const QByteArray before = R"({
        "auths": {"other.io": {"auth": "b3RoZXI6cHc=", "email": "x@y"},
                  "https://127.0.0.1:5000": {"auth": "b2xkOm9sZA==", "email": "keep@me"}},
        "psFormat": "table {{.ID}}",
        "HttpHeaders": {"User-Agent": "test"},
        "currentContext": "default"
    })";
    QVERIFY(writeFile(configPath(), before));
    QVERIFY(QFile::setPermissions(configPath(),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));

    CredentialStore store = makeStore();
    Credentials c;
    c.username = QStringLiteral("new");
    c.password = QStringLiteral("pa:ss");
    QVERIFY(store.storeInDockerConfig(QStringLiteral("127.0.0.1:5000"), c).ok());
    c.username = QStringLiteral("hubuser");
    QVERIFY(store.storeInDockerConfig(QStringLiteral("docker.io"), c).ok());

    QCOMPARE(fileMode(configPath()), 0600);
    const QJsonObject after = QJsonDocument::fromJson(readFile(configPath())).object();
    QCOMPARE(after.value(QLatin1String("psFormat")).toString(), QStringLiteral("table {{.ID}}"));
    QCOMPARE(after.value(QLatin1String("currentContext")).toString(), QStringLiteral("default"));
    QCOMPARE(after.value(QLatin1String("HttpHeaders")).toObject().value(QLatin1String("User-Agent")).toString(),
        QStringLiteral("test"));
    const QJsonObject auths = after.value(QLatin1String("auths")).toObject();
    QCOMPARE(auths.size(), 3);
    QCOMPARE(auths.value(QLatin1String("other.io")).toObject().value(QLatin1String("auth")).toString(),
        QStringLiteral("b3RoZXI6cHc="));
    // The existing key for the host is reused, its other fields kept.
    const QJsonObject local = auths.value(QLatin1String("https://127.0.0.1:5000")).toObject();
    QCOMPARE(local.value(QLatin1String("auth")).toString(), b64(QStringLiteral("new:pa:ss")));
    QCOMPARE(local.value(QLatin1String("email")).toString(), QStringLiteral("keep@me"));
    QCOMPARE(
        auths.value(QLatin1String("https://index.docker.io/v1/")).toObject().value(QLatin1String("auth")).toString(),
        b64(QStringLiteral("hubuser:pa:ss")));

    const Credentials back = store.lookup(QStringLiteral("127.0.0.1:5000"));
    QCOMPARE(back.username, QStringLiteral("new"));
    QCOMPARE(back.password, QStringLiteral("pa:ss"));
}

void TestCredentialStore::storeCreatesDirectoryAndRoundTrips()
{
    QTemporaryDir root;
    const QString dir = root.filePath(QStringLiteral("fresh/.docker"));
    CredentialStore store = makeStore();
    store.setDockerConfigDir(dir);
    Credentials c;
    c.username = QStringLiteral("u");
    c.identityToken = QStringLiteral("refresh");
    QVERIFY(store.storeInDockerConfig(QStringLiteral("ghcr.io"), c).ok());
    QCOMPARE(fileMode(store.dockerConfigPath()), 0600);
    QCOMPARE(fileMode(dir), 0700);
    const Credentials back = store.lookup(QStringLiteral("ghcr.io"));
    QCOMPARE(back.identityToken, QStringLiteral("refresh"));
    QVERIFY(back.password.isEmpty());

    // Nothing to store is a usage error.
    const auto status = store.storeInDockerConfig(QStringLiteral("ghcr.io"), Credentials());
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, Error::Code::Usage);
}

void TestCredentialStore::storeRefusesMalformed()
{
    const QByteArray broken = "{ \"auths\": oops";
    QVERIFY(writeFile(configPath(), broken));
    Credentials c;
    c.username = QStringLiteral("u");
    c.password = QStringLiteral("p");
    const auto status = makeStore().storeInDockerConfig(QStringLiteral("ghcr.io"), c);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, Error::Code::Malformed);
    QCOMPARE(readFile(configPath()), broken);
}

void TestCredentialStore::hostKey_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("hub-url") << QStringLiteral("https://index.docker.io/v1/") << QStringLiteral("registry-1.docker.io");
    QTest::newRow("docker.io") << QStringLiteral("docker.io") << QStringLiteral("registry-1.docker.io");
    QTest::newRow("index") << QStringLiteral("index.docker.io") << QStringLiteral("registry-1.docker.io");
    QTest::newRow("http-v2") << QStringLiteral("http://Host:5000/v2/") << QStringLiteral("host:5000");
    QTest::newRow("plain") << QStringLiteral("127.0.0.1:5000") << QStringLiteral("127.0.0.1:5000");
    QTest::newRow("ipv6") << QStringLiteral("[::1]:5000") << QStringLiteral("[::1]:5000");
    QTest::newRow("path") << QStringLiteral("quay.io/ns/repo") << QStringLiteral("quay.io");
}

void TestCredentialStore::hostKey()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(CredentialStore::hostKey(input), expected);
}

namespace {
QStringList g_messages;
void captureMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_messages << message;
}
} // namespace

void TestCredentialStore::neverLogsSecrets()
{
    const QString tokenPath = m_work.filePath(QStringLiteral("tok"));
    QVERIFY(writeFile(tokenPath, "SECRET-TOKEN-1"));
    QVERIFY(writeFile(configPath(),
        QStringLiteral(R"({"credHelpers": {"helper.example:5000": "lltest"}, )"
                       R"("auths": {"a.example": {"auth": "%1", "identitytoken": "SECRET-ID-3"}, )"
                       R"("bad.example": {"auth": "%2"}}})")
            .arg(b64(QStringLiteral("user:SECRET-PW-2")), b64(QStringLiteral("SECRET-NOCOLON-4")))
            .toUtf8()));
    QLoggingCategory::setFilterRules(QStringLiteral("ll.auth.debug=true"));
    g_messages.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);

    CredentialStore store = makeStore();
    const bool gotHelper = !store.lookup(QStringLiteral("helper.example:5000")).isEmpty();
    const bool gotAuths = !store.lookup(QStringLiteral("a.example")).isEmpty();
    store.lookup(QStringLiteral("bad.example"));
    Credentials c;
    c.username = QStringLiteral("u");
    c.password = QStringLiteral("SECRET-PW-5");
    const bool stored = store.storeInDockerConfig(QStringLiteral("b.example"), c).ok();
    store.setTokenFile(tokenPath);
    const bool gotToken = !store.lookup(QStringLiteral("a.example")).isEmpty();

    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(gotHelper && gotAuths && stored && gotToken);
    QVERIFY(!g_messages.isEmpty()); // the sources were logged
    const QString all = g_messages.join(QLatin1Char('\n'));
    QVERIFY2(!all.contains(QLatin1String("SECRET")), qPrintable(all));
    QVERIFY2(!all.contains(QLatin1String("helper:secret")), qPrintable(all));
}

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "TestCredentialStore.moc"
