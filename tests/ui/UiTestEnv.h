#pragma once

// Shared by the widget tests: an isolated application identity (QSettings in QStandardPaths' test
// locations), a registry client with an isolated credential store, and fixture helpers.
#include "common/Sha256.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"
#include "support/Harness.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

namespace ll::test {

/** Call first in initTestCase(): settings go to a throw-away location and start empty. */
inline void isolateSettings(const char *testName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("layerslayer-tests"));
    QCoreApplication::setApplicationName(QString::fromLatin1(testName));
    QSettings().clear();
}

/** QNAM + CredentialStore + RegistryClient; credentials only from what the test sets. */
struct UiClientEnv {
    QTemporaryDir configDir; // empty docker config dir
    QNetworkAccessManager nam;
    registry::CredentialStore credentials;
    std::unique_ptr<registry::RegistryClient> client;

    UiClientEnv()
    {
        credentials.setUseDefaultTokenFile(false);
        credentials.setDockerConfigDir(configDir.path());
        credentials.setAuthJsonPath(configDir.filePath(QStringLiteral("no-auth.json")));
        client = std::make_unique<registry::RegistryClient>(&nam, &credentials);
        client->setRetryBaseDelay(50);
    }
};

/** sha256 hex of a file's bytes ("" when unreadable). */
inline QString fileSha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    Sha256 sha;
    while (!f.atEnd()) {
        const QByteArray chunk = f.read(1 << 16);
        sha.addData(chunk);
    }
    return QString::fromLatin1(sha.hexResult());
}

/** Relative paths of every file and symlink below dir (directories excluded), sorted. */
inline QStringList filesBelow(const QString &dir)
{
    QStringList out;
    QDirIterator it(
        dir, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

/** The fixture's merged entry for path (empty when absent). */
inline QJsonObject mergedEntry(const QJsonObject &fixture, const QString &path)
{
    for (const auto &v : fixture.value(QStringLiteral("merged")).toArray()) {
        if (v.toObject().value(QStringLiteral("path")).toString() == path)
            return v.toObject();
    }
    return {};
}

} // namespace ll::test
