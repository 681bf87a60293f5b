#include "common/Sha256.h"

#include <openssl/evp.h>

namespace ll {

struct Sha256::Private {
    EVP_MD_CTX *ctx = nullptr;
};

Sha256::Sha256() : d(std::make_unique<Private>())
{
    d->ctx = EVP_MD_CTX_new();
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(d->ctx);
}

void Sha256::reset()
{
    EVP_DigestInit_ex(d->ctx, EVP_sha256(), nullptr);
}

void Sha256::addData(const char *data, qint64 size)
{
    if (size > 0)
        EVP_DigestUpdate(d->ctx, data, size_t(size));
}

QByteArray Sha256::hexResult()
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(d->ctx, md, &len);
    return QByteArray(reinterpret_cast<const char *>(md), int(len)).toHex();
}

QString Sha256::digestOf(const QByteArray &data)
{
    Sha256 h;
    h.addData(data);
    return h.digestString();
}

bool Sha256::isValidDigest(const QString &digest)
{
    if (digest.size() != 7 + 64 || !digest.startsWith(QLatin1String("sha256:")))
        return false;
    for (int i = 7; i < digest.size(); ++i) {
        const QChar c = digest.at(i);
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

} // namespace ll
