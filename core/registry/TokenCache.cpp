#include "registry/TokenCache.h"

#include <QtGlobal>

#include <chrono>

namespace ll::registry {

TokenCache::TokenCache()
    : m_clock([] {
        using namespace std::chrono;
        return qint64(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
    })
{ }

QString TokenCache::key(const QString &registry, const QString &scope)
{
    return registry + QLatin1Char('\n') + scope;
}

qint64 TokenCache::refreshMargin(qint64 lifetimeMs)
{
    return qMin<qint64>(10000, lifetimeMs / 4);
}

QByteArray TokenCache::lookup(const QString &registry, const QString &scope) const
{
    const auto it = m_entries.constFind(key(registry, scope));
    if (it == m_entries.cend() || m_clock() >= it->useUntilMs)
        return {};
    return it->token;
}

void TokenCache::insert(const QString &registry, const QString &scope, const QByteArray &token, int expiresInSeconds)
{
    if (token.isEmpty())
        return;
    const qint64 lifetime = qint64(expiresInSeconds > 0 ? expiresInSeconds : DefaultExpiresIn) * 1000;
    m_entries.insert(key(registry, scope), Entry { token, m_clock() + lifetime - refreshMargin(lifetime) });
}

void TokenCache::remove(const QString &registry, const QString &scope)
{
    m_entries.remove(key(registry, scope));
}

} // namespace ll::registry
