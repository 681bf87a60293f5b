#include "registry/RegistryClient.h"

#include "common/Logging.h"
#include "registry/AuthChallenge.h"
#include "registry/CredentialStore.h"
#include "registry/TokenCache.h"
#include "registry/TokenRequest.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>

namespace ll::registry {

RegistryClient::RegistryClient(QNetworkAccessManager *nam, CredentialStore *credentials, QObject *parent)
    : QObject(parent), m_nam(nam), m_credentials(credentials), m_tokens(new TokenCache)
{ }

RegistryClient::~RegistryClient()
{
    delete m_tokens;
}

bool RegistryClient::usesPlainHttp(const QString &registry) const
{
    if (m_plainHttp)
        return true;
    const QString host = QUrl(QStringLiteral("//") + registry).host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QUrl RegistryClient::baseUrl(const QString &registry) const
{
    return QUrl((usesPlainHttp(registry) ? QStringLiteral("http://") : QStringLiteral("https://")) + registry);
}

RegistryCall *RegistryClient::send(const RegistryRequest &request)
{
    auto *call = new RegistryCall(this, request);
    // Started on the next event loop turn, so that the caller connects first whatever happens.
    QTimer::singleShot(0, call, &RegistryCall::begin);
    return call;
}

void RegistryClient::invalidateCredentials(const QString &registry)
{
    if (registry.isEmpty()) {
        m_credentialCache.clear();
        m_rejectedFileTokens.clear();
    } else {
        m_credentialCache.remove(registry);
        m_rejectedFileTokens.remove(registry);
    }
}

Credentials RegistryClient::credentialsFor(const QString &registry)
{
    if (!m_credentials)
        return {};
    auto it = m_credentialCache.constFind(registry);
    if (it != m_credentialCache.cend())
        return *it;
    // Synchronous; a credential helper may take a moment, so once per registry and client.
    const Credentials c = m_credentials->lookup(registry);
    if (!c.isEmpty())
        qCDebug(llAuth) << "credentials for" << registry << "from" << c.source;
    m_credentialCache.insert(registry, c);
    return c;
}

qint64 RegistryClient::backoffDelay(int retry) const
{
    // Exponential with jitter (half to all of base x 2^retry), so clients failing together do not retry
    // together.
    const qint64 d = qMin<qint64>(qint64(m_retryBaseDelay) << qBound(0, retry, 20), m_maxRetryWait);
    return d / 2 + qint64(QRandomGenerator::global()->bounded(double(d / 2 + 1)));
}

qint64 RegistryClient::rateLimitWait(const QString &registry) const
{
    const auto it = m_rateLimits.constFind(registry);
    return it == m_rateLimits.cend() ? 0 : qMax<qint64>(0, it->until.remainingTime());
}

bool RegistryClient::admitCall(RegistryCall *call)
{
    const auto it = m_rateLimits.find(call->request().registry);
    if (it == m_rateLimits.end())
        return true;
    RateLimit &rl = *it;
    if (rl.probe == call)
        return true; // the probe's own redirects and auth round trips
    if (rl.until.hasExpired() && (!rl.probe || rl.probe->isFinished())) {
        rl.probe = call;
        return true;
    }
    if (!rl.waiting.contains(call))
        rl.waiting.append(call);
    return false;
}

void RegistryClient::callRateLimited(RegistryCall *call, qint64 waitMs)
{
    const QString registry = call->request().registry;
    RateLimit &rl = m_rateLimits[registry];
    if (rl.probe == call)
        rl.probe = nullptr;
    if (rl.until.remainingTime() < waitMs)
        rl.until = QDeadlineTimer(waitMs, Qt::PreciseTimer);
    QTimer::singleShot(int(qMax<qint64>(0, rl.until.remainingTime())), Qt::PreciseTimer, this,
        [this, registry]() { wakeRateLimited(registry, false); });
}

void RegistryClient::callAnswered(RegistryCall *call)
{
    // Anything but a 429 from the probe (or once the wait is over): the registry answers again, all go.
    const QString registry = call->request().registry;
    const auto it = m_rateLimits.constFind(registry);
    if (it != m_rateLimits.cend() && (it->probe == call || it->until.hasExpired()))
        wakeRateLimited(registry, true);
}

void RegistryClient::callEnded(RegistryCall *call)
{
    const QString registry = call->request().registry;
    const auto it = m_rateLimits.find(registry);
    if (it == m_rateLimits.end())
        return;
    it->waiting.removeAll(call);
    if (it->probe == call) {
        it->probe = nullptr;
        QTimer::singleShot(0, this, [this, registry]() { wakeRateLimited(registry, false); });
    }
}

void RegistryClient::wakeRateLimited(const QString &registry, bool all)
{
    const auto it = m_rateLimits.find(registry);
    if (it == m_rateLimits.end())
        return;
    QList<QPointer<RegistryCall>> go;
    if (all) {
        go = it->waiting;
        m_rateLimits.erase(it);
    } else {
        if (it->probe && !it->probe->isFinished())
            return; // its answer decides
        if (!it->until.hasExpired()) {
            QTimer::singleShot(int(qMax<qint64>(1, it->until.remainingTime())), Qt::PreciseTimer, this,
                [this, registry]() { wakeRateLimited(registry, false); });
            return;
        }
        while (!it->waiting.isEmpty() && go.isEmpty()) {
            const QPointer<RegistryCall> c = it->waiting.takeFirst();
            if (c && !c->isFinished()) {
                it->probe = c;
                go << c;
            }
        }
        if (go.isEmpty())
            return; // the calls refused are still on their own timers: the first one back is the probe
    }
    for (const QPointer<RegistryCall> &c : std::as_const(go)) {
        if (c && !c->isFinished()) {
            QTimer::singleShot(0, c.data(), [c]() {
                if (c)
                    c->sendCurrent();
            });
        }
    }
}

void RegistryClient::applyCommon(QNetworkRequest &request) const
{
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setRawHeader("User-Agent", m_userAgent);
    // Digests are over the raw bytes: never let Qt inflate a body.
    request.setRawHeader("Accept-Encoding", "identity");
    if (m_transferTimeout > 0)
        request.setTransferTimeout(m_transferTimeout);
}

QNetworkReply *RegistryClient::startReply(RegistryCall *call, const QUrl &url, const QByteArray &authorization)
{
    const RegistryRequest &r = call->request();
    QNetworkRequest request(url);
    applyCommon(request);
    if (!r.accept.isEmpty())
        request.setRawHeader("Accept", r.accept.join(", "));
    if (r.rangeStart >= 0) {
        QByteArray range = "bytes=" + QByteArray::number(r.rangeStart) + '-';
        if (r.rangeEnd >= 0)
            range += QByteArray::number(r.rangeEnd);
        request.setRawHeader("Range", range);
    }
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    ++m_requestCount;

    QNetworkReply *reply = r.method == "HEAD" ? m_nam->head(request) : m_nam->get(request);
    // Bounded in every case: Qt's network thread otherwise reads ahead without limit (a hostile endless body
    // would be buffered faster than the cap on it is checked). Qt 6.4 starts the request inside get(), so this
    // limit reaches the network thread a moment later: a loopback sender that always has more ready can hold
    // that thread in one read loop before it applies (it then reads until the process exits). Real links
    // drain the socket, the loop ends and the limit holds; the hostile-server tests pace their senders.
    reply->setReadBufferSize(r.streaming ? r.readBufferSize : qMin<qint64>(r.maxBodySize + 1, 1 << 20));
    const QUrl registryUrl = baseUrl(r.registry);
    if (m_insecure && keepAuthorizationOnRedirect(registryUrl, url)) {
        connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &errors) {
            qCWarning(llRegistry) << "ignoring TLS errors (--insecure) for" << reply->url().host() << errors;
            reply->ignoreSslErrors();
        });
    }
    return reply;
}

void RegistryClient::requestToken(RegistryCall *call, const AuthChallenge &challenge, const QString &scope)
{
    const QString registry = call->request().registry;
    const QString key = registry + QLatin1Char('\n') + scope;
    auto &waiters = m_tokenWaiters[key];
    waiters.append(call);
    if (waiters.size() > 1)
        return; // a request for this token is already on its way

    TokenRequest::Params params;
    params.realm = QUrl(challenge.realm());
    params.service = challenge.service();
    params.scopes = challenge.scopes();
    if (params.scopes.isEmpty() && !scope.isEmpty())
        params.scopes = QStringList { scope };
    params.credentials = credentialsFor(registry);
    params.credentials.bearerToken.clear(); // never sent to a token endpoint
    const QString scheme = params.realm.scheme();
    if (!params.realm.isValid() || params.realm.host().isEmpty()
        || (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
        const Error error(
            Error::Code::Protocol, tr("%1 sent an unusable token realm").arg(registry), challenge.realm());
        QTimer::singleShot(0, this, [this, key, error] { tokenDone(key, error); });
        return;
    }

    auto *request = new TokenRequest(this, params, this);
    connect(request, &TokenRequest::finished, this, [this, request, registry, scope, key] {
        request->deleteLater();
        if (request->error()) {
            tokenDone(key, request->error());
            return;
        }
        m_tokens->insert(registry, scope, request->token(), request->expiresIn());
        qCDebug(llAuth) << "got a token for" << registry << scope << "expires in" << request->expiresIn() << "s";
        tokenDone(key, request->token());
    });
    request->start();
}

void RegistryClient::tokenDone(const QString &key, const Result<QByteArray> &token)
{
    const QList<QPointer<RegistryCall>> waiters = m_tokenWaiters.take(key);
    for (const QPointer<RegistryCall> &call : waiters) {
        if (call && !call->isFinished())
            call->onToken(token);
    }
}

bool RegistryClient::keepAuthorizationOnRedirect(const QUrl &from, const QUrl &to)
{
    const QString scheme = from.scheme().toLower();
    if (scheme != to.scheme().toLower())
        return false;
    const int defaultPort = scheme == QLatin1String("https") ? 443 : scheme == QLatin1String("http") ? 80 : -1;
    return from.host().compare(to.host(), Qt::CaseInsensitive) == 0 && from.port(defaultPort) == to.port(defaultPort)
        && !to.host().isEmpty();
}

bool RegistryClient::isRedirectAllowed(const QUrl &from, const QUrl &to)
{
    const QString toScheme = to.scheme().toLower();
    if (toScheme != QLatin1String("https") && toScheme != QLatin1String("http"))
        return false;
    if (to.host().isEmpty())
        return false;
    return !(from.scheme().toLower() == QLatin1String("https") && toScheme == QLatin1String("http"));
}

qint64 RegistryClient::parseRetryAfter(const QByteArray &value, const QDateTime &now)
{
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = v.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : qMin<qint64>(seconds, qint64(1) << 40) * 1000;
    // HTTP-date (IMF-fixdate): "Wed, 21 Oct 2015 07:28:00 GMT". Qt's RFC 2822 parser wants a numeric zone.
    QString text = QString::fromLatin1(v);
    static const QRegularExpression zone(
        QStringLiteral("\\s+(GMT|UTC|UT|Z)$"), QRegularExpression::CaseInsensitiveOption);
    text.replace(zone, QStringLiteral(" +0000"));
    const QDateTime when = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!when.isValid())
        return -1;
    return qMax<qint64>(0, now.msecsTo(when));
}

qint64 RegistryClient::parseRateLimitReset(const QByteArray &value, const QDateTime &now)
{
    bool ok = false;
    const qint64 n = value.trimmed().split(';').value(0).trimmed().toLongLong(&ok);
    if (!ok || n < 0)
        return -1;
    // Delta seconds (the IETF draft, Docker Hub) or, as some registries send, an epoch timestamp.
    if (n > 1000000000)
        return qMax<qint64>(0, (n - now.toSecsSinceEpoch()) * 1000);
    return n * 1000;
}

qint64 RegistryClient::parseRateLimitCount(const QByteArray &value)
{
    bool ok = false;
    const qint64 n = value.trimmed().split(';').value(0).trimmed().toLongLong(&ok);
    return ok ? n : -1;
}

QString RegistryClient::registryErrorText(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return {};
    QStringList parts;
    const QJsonArray errors = doc.object().value(QLatin1String("errors")).toArray();
    for (const QJsonValue &e : errors) {
        const QJsonObject o = e.toObject();
        const QString code = o.value(QLatin1String("code")).toString();
        const QString message = o.value(QLatin1String("message")).toString();
        if (message.isEmpty() && code.isEmpty())
            continue;
        parts.append(code.isEmpty() ? message
                : message.isEmpty() ? code
                                    : message + QStringLiteral(" (") + code + QLatin1Char(')'));
    }
    if (parts.isEmpty()) {
        // auth.docker.io style {"details": "..."}
        const QString details = doc.object().value(QLatin1String("details")).toString();
        if (!details.isEmpty())
            parts.append(details);
    }
    return parts.join(QStringLiteral("; "));
}

QString RegistryClient::nextLink(const QByteArray &linkHeader)
{
    // Link: <url>; rel="next", <url2>; rel="prev"  (a header may hold several links)
    const QString text = QString::fromLatin1(linkHeader);
    int pos = 0;
    while (pos < text.size()) {
        const int open = text.indexOf(QLatin1Char('<'), pos);
        if (open < 0)
            break;
        const int close = text.indexOf(QLatin1Char('>'), open + 1);
        if (close < 0)
            break;
        const QString url = text.mid(open + 1, close - open - 1).trimmed();
        int end = text.indexOf(QLatin1Char('<'), close + 1);
        if (end < 0)
            end = text.size();
        const QString params = text.mid(close + 1, end - close - 1);
        static const QRegularExpression relRe(
            QStringLiteral("rel\\s*=\\s*\"?([^\";,]*)\"?"), QRegularExpression::CaseInsensitiveOption);
        const auto m = relRe.match(params);
        if (m.hasMatch()) {
            const QStringList rels = m.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            for (const QString &rel : rels) {
                if (rel.compare(QLatin1String("next"), Qt::CaseInsensitive) == 0)
                    return url;
            }
        }
        pos = end;
    }
    return {};
}

} // namespace ll::registry
