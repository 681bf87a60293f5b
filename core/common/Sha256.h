#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

namespace ll {

/**
 * Incremental SHA-256 over OpenSSL's EVP (QCryptographicHash is ~10x slower here).
 * Also verifies OCI digests of the form "sha256:<64 hex>".
 */
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void reset();
    void addData(const char *data, qint64 size);
    void addData(const QByteArray &data) { addData(data.constData(), data.size()); }
    /** Lower-case hex of the digest; ends the computation (reset() to reuse). */
    QByteArray hexResult();
    /** "sha256:<hex>" */
    QString digestString() { return QStringLiteral("sha256:") + QString::fromLatin1(hexResult()); }

    static QString digestOf(const QByteArray &data);
    /** True for "sha256:" + 64 lower-case hex chars (the only algorithm registries use for content). */
    static bool isValidDigest(const QString &digest);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ll
