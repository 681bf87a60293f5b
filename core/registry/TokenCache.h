#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <functional>

namespace ll::registry {

/**
 * Bearer tokens in memory, per registry + scope ("repository:lab/app:pull", "registry:catalog:*").
 * An entry is used until shortly before it expires: 10 s early, or a quarter of its lifetime for
 * short-lived tokens. expires_in defaults to 60 s (the Docker token spec's default). Never persisted,
 * never logged.
 */
class TokenCache
{
public:
    TokenCache();

    /** The token, or empty when none or too close to expiry. */
    QByteArray lookup(const QString &registry, const QString &scope) const;
    /** expiresInSeconds <= 0: the spec's default of 60 s. */
    void insert(const QString &registry, const QString &scope, const QByteArray &token, int expiresInSeconds);
    void remove(const QString &registry, const QString &scope);
    void clear() { m_entries.clear(); }
    int size() const { return int(m_entries.size()); }

    /** Milliseconds before expiry at which a token of this lifetime is no longer handed out. */
    static qint64 refreshMargin(qint64 lifetimeMs);
    /** Monotonic clock in ms (tests inject one). */
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    static constexpr int DefaultExpiresIn = 60;

private:
    struct Entry {
        QByteArray token;
        qint64 useUntilMs = 0;
    };
    static QString key(const QString &registry, const QString &scope);

    QHash<QString, Entry> m_entries;
    std::function<qint64()> m_clock;
};

} // namespace ll::registry
