#include "registry/RegistryCall.h"

#include "common/Logging.h"
#include "registry/AuthChallenge.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"
#include "registry/RetryBudget.h"
#include "registry/TokenCache.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace ll::registry {

namespace {

constexpr int MaxRedirects = 10;
constexpr int MaxErrorBody = 64 * 1024;

QString hostPort(const QUrl &url)
{
    const QString host
        = url.host().contains(QLatin1Char(':')) ? QLatin1Char('[') + url.host() + QLatin1Char(']') : url.host();
    return url.port() > 0 ? host + QLatin1Char(':') + QString::number(url.port()) : host;
}

QString seconds(qint64 ms)
{
    if (ms % 1000 == 0)
        return QString::number(ms / 1000);
    return QString::number(double(ms) / 1000.0, 'f', 1);
}

bool isRetriableNetworkError(QNetworkReply::NetworkError e)
{
    switch (e) {
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // transfer timeout (our own aborts are disconnected first)
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProtocolFailure:
        return true;
    default:
        return false;
    }
}

} // namespace

RegistryCall::RegistryCall(RegistryClient *client, const RegistryRequest &request)
    : QObject(nullptr)
    , m_client(client)
    , m_request(request)
    , m_retryTimer(new QTimer(this))
    , m_budget(request.retryBudget ? request.retryBudget : std::make_shared<RetryBudget>(client->maxRetries()))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &RegistryCall::sendCurrent);
}

RegistryCall::~RegistryCall()
{
    releaseReply();
}

QByteArray RegistryCall::rawHeader(const QByteArray &name) const
{
    for (const auto &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

qint64 RegistryCall::bytesAvailable() const
{
    return m_finalResponse && m_reply ? m_reply->bytesAvailable() : 0;
}

qint64 RegistryCall::read(char *data, qint64 maxSize)
{
    if (!m_finalResponse || !m_reply)
        return 0;
    const qint64 n = m_reply->read(data, maxSize);
    if (n > 0)
        m_bodyHandedOut = true;
    return qMax<qint64>(0, n);
}

QByteArray RegistryCall::read(qint64 maxSize)
{
    if (!m_finalResponse || !m_reply)
        return {};
    // Never more than is there: QIODevice allocates maxSize up front (and a queue of over-allocated chunks
    // costs memory); and when that is exactly its buffered chunk, it hands the chunk out without a copy.
    QByteArray out = m_reply->read(qMin(maxSize, m_reply->bytesAvailable()));
    if (!out.isEmpty())
        m_bodyHandedOut = true;
    return out;
}

void RegistryCall::setReadBufferSize(qint64 bytes)
{
    m_request.readBufferSize = bytes;
    if (m_request.streaming && m_reply)
        m_reply->setReadBufferSize(bytes);
}

void RegistryCall::abort()
{
    if (m_finished)
        return;
    finishWith(Error(Error::Code::Cancelled, tr("Cancelled")));
}

QString RegistryCall::target() const
{
    if (m_request.repository.isEmpty())
        return m_request.registry;
    return m_request.registry + QLatin1Char('/') + m_request.repository;
}

bool RegistryCall::isRegistryOrigin(const QUrl &url) const
{
    return RegistryClient::keepAuthorizationOnRedirect(m_client->baseUrl(m_request.registry), url);
}

void RegistryCall::begin()
{
    if (m_finished)
        return;
    const QString &registry = m_request.registry;
    if (!m_request.repository.isEmpty())
        m_scope = QStringLiteral("repository:%1:pull").arg(m_request.repository);
    const QUrl base = m_client->baseUrl(registry);
    if (m_request.absoluteUrl.isValid()) {
        if (!isRegistryOrigin(m_request.absoluteUrl)) {
            finishWith(Error(Error::Code::Protocol, tr("%1 pointed to another host").arg(registry),
                hostPort(m_request.absoluteUrl)));
            return;
        }
        m_url = m_request.absoluteUrl;
    } else {
        m_url = base.resolved(QUrl(m_request.path));
    }
    if (m_scope.isEmpty() && m_url.path().startsWith(QLatin1String("/v2/_catalog")))
        m_scope = QStringLiteral("registry:catalog:*");

    const Credentials creds = m_client->credentialsFor(registry);
    if (!creds.bearerToken.isEmpty() && !m_client->m_rejectedFileTokens.contains(registry)) {
        m_authorization = QByteArrayLiteral("Bearer ") + creds.bearerToken.toUtf8();
        m_authKind = AuthKind::FileToken;
    } else if (const QByteArray token = m_client->m_tokens->lookup(registry, m_scope); !token.isEmpty()) {
        m_authorization = QByteArrayLiteral("Bearer ") + token;
        m_authKind = AuthKind::CachedToken;
    } else if (m_client->m_basicRegistries.contains(registry) && creds.hasBasic()) {
        m_authorization
            = QByteArrayLiteral("Basic ") + (creds.username + QLatin1Char(':') + creds.password).toUtf8().toBase64();
        m_authKind = AuthKind::Basic;
    } else if (const auto known = m_client->m_bearerChallenges.constFind(registry);
               known != m_client->m_bearerChallenges.cend() && !m_scope.isEmpty()) {
        // The registry's realm is known from an earlier challenge: get the token first, saving a 401 round trip.
        AuthChallenge challenge = *known;
        challenge.params.insert(QStringLiteral("scope"), m_scope);
        m_waitingForToken = true;
        m_tokenWasPrefetched = true;
        m_client->requestToken(this, challenge, m_scope);
        return;
    }
    sendCurrent();
}

void RegistryCall::sendCurrent()
{
    if (m_finished)
        return;
    // The registry's shared rate limit: wait for it with every other request to that registry.
    if (const qint64 limited = m_client->rateLimitWait(m_request.registry); limited > m_client->m_maxRetryWait) {
        finishWith(Error(Error::Code::RateLimited,
            tr("rate limit reached on %1 (retry after %2 s); try later or log in")
                .arg(m_request.registry, seconds(limited))));
        return;
    }
    if (!m_client->admitCall(this)) {
        qCDebug(llRegistry).noquote() << "waiting for the rate limit of" << m_request.registry << "to end:" << target();
        return;
    }
    releaseReply();
    m_finalResponse = false;
    m_errorBody.clear();
    m_errorBodyCut = false;
    if (!m_request.streaming)
        m_body.clear();
    ++m_requests;
    const QByteArray authorization = m_authDropped ? QByteArray() : m_authorization;
    if (isRegistryOrigin(m_url))
        qCDebug(llRegistry).noquote() << m_request.method << m_url.toDisplayString(QUrl::RemoveUserInfo)
                                      << (authorization.isEmpty() ? "" : "(authorized)");
    else
        qCDebug(llRegistry).noquote() << m_request.method << "to" << hostPort(m_url) << "(redirected)";

    QNetworkReply *reply = m_client->startReply(this, m_url, authorization);
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, &RegistryCall::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &RegistryCall::onReplyReadyRead);
    connect(reply, &QNetworkReply::finished, this, &RegistryCall::onReplyFinished);
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (reply == m_reply && m_finalResponse)
            m_bytesReceived = received;
    });
}

void RegistryCall::onMetaDataChanged()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finalResponse)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status < 200 || status > 299)
        return;
    m_finalResponse = true;
    m_status = status;
    m_finalUrl = reply->url();
    m_headers = reply->rawHeaderPairs();
    if (!m_request.streaming) {
        bool ok = false;
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
        if (ok && length > m_request.maxBodySize) {
            finishWith(Error(Error::Code::Protocol,
                tr("%1 sent %2 bytes where at most %3 were expected")
                    .arg(target())
                    .arg(length)
                    .arg(m_request.maxBodySize),
                {}, status));
            return;
        }
        m_body.reserve(ok ? int(length) : 0);
    }
    if (!m_responseStarted) {
        m_responseStarted = true;
        emit responseStarted();
    }
}

void RegistryCall::onReplyReadyRead()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finished)
        return;
    if (!m_finalResponse) {
        // Redirect, auth or error body: keep the start (JSON errors); a longer one is cut off (the connection
        // is closed, nothing more is downloaded) and the answer handled by its status.
        const qint64 room = MaxErrorBody - m_errorBody.size();
        if (room > 0)
            m_errorBody += reply->read(room);
        if (reply->bytesAvailable() > 0 && !m_errorBodyCut) {
            qCDebug(llRegistry) << "an error body longer than" << MaxErrorBody << "bytes from" << hostPort(reply->url())
                                << "- closing the connection";
            m_errorBodyCut = true;
            reply->abort(); // finished() follows: onReplyFinished() goes by the status
        }
        return;
    }
    if (m_request.streaming) {
        emit readyRead();
        return;
    }
    // Non-streaming answers are small documents (manifests, configs, tag lists), capped.
    m_body += reply->readAll();
    if (m_body.size() > m_request.maxBodySize) {
        finishWith(Error(Error::Code::Protocol,
            tr("%1 sent more than %2 bytes").arg(target()).arg(m_request.maxBodySize), {}, m_status));
    }
}

void RegistryCall::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finished)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError netError = reply->error();
    const bool transportFailure
        = netError != QNetworkReply::NoError && (status == 0 || int(netError) < 100) && !m_errorBodyCut;
    if (transportFailure) {
        if (!m_bodyHandedOut && m_budget->canRetry()
            && (isRetriableNetworkError(netError)
                || (netError == QNetworkReply::ConnectionRefusedError && m_requests > 1))) {
            const qint64 wait = m_client->backoffDelay(m_budget->retriesUsed());
            retryLater(wait, tr("%1 (%2)").arg(reply->errorString(), hostPort(reply->url())));
            return;
        }
        finishWith(networkError(reply));
        return;
    }

    if (status != 429)
        m_client->callAnswered(this);
    if (status >= 200 && status <= 299) {
        if (!m_finalResponse)
            onMetaDataChanged();
        if (m_finished)
            return;
        if (!m_request.streaming) {
            m_body += reply->readAll();
            if (m_body.size() > m_request.maxBodySize) {
                finishWith(Error(Error::Code::Protocol,
                    tr("%1 sent more than %2 bytes").arg(target()).arg(m_request.maxBodySize), {}, m_status));
                return;
            }
        }
        finishOk();
        return;
    }

    if (reply->bytesAvailable() > 0)
        onReplyReadyRead();
    switch (status) {
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        handleRedirect(reply);
        return;
    case 401:
        handleUnauthorized(reply);
        return;
    case 429: {
        qint64 wait = RegistryClient::parseRetryAfter(reply->rawHeader("Retry-After"));
        if (wait < 0)
            wait = RegistryClient::parseRateLimitReset(reply->rawHeader("ratelimit-reset"));
        if (wait < 0)
            wait = m_client->backoffDelay(m_budget->retriesUsed());
        m_client->callRateLimited(this, wait); // every request to this registry waits as long
        const qint64 remaining = RegistryClient::parseRateLimitCount(reply->rawHeader("ratelimit-remaining"));
        const qint64 limit = RegistryClient::parseRateLimitCount(reply->rawHeader("ratelimit-limit"));
        QString info;
        if (remaining >= 0 && limit >= 0)
            info = tr("%1 of %2 requests left").arg(remaining).arg(limit);
        else if (remaining >= 0)
            info = tr("%1 requests left").arg(remaining);
        const QString host = hostPort(reply->url());
        const QString hostInfo = info.isEmpty() ? host : tr("%1 (%2)").arg(host, info);
        if (m_budget->canRetry() && wait <= m_client->m_maxRetryWait) {
            emit m_client->notice(tr("rate limited by %1, retrying in %2 s").arg(hostInfo, seconds(wait)));
            retryLater(wait, tr("rate limited by %1").arg(host));
            return;
        }
        const QString retryAfter = wait > 0 ? tr("retry after %1 s").arg(seconds(wait)) : QString();
        QStringList what;
        if (!info.isEmpty())
            what << info;
        if (!retryAfter.isEmpty())
            what << retryAfter;
        finishWith(Error(Error::Code::RateLimited,
            what.isEmpty()
                ? tr("rate limit reached on %1; try later or log in").arg(host)
                : tr("rate limit reached on %1 (%2); try later or log in").arg(host, what.join(QStringLiteral(", "))),
            RegistryClient::registryErrorText(m_errorBody), status));
        return;
    }
    case 500:
    case 502:
    case 503:
    case 504:
        if (m_budget->canRetry()) {
            qint64 wait = RegistryClient::parseRetryAfter(reply->rawHeader("Retry-After"));
            if (wait < 0)
                wait = m_client->backoffDelay(m_budget->retriesUsed());
            if (wait <= m_client->m_maxRetryWait) {
                retryLater(wait, tr("HTTP %1 from %2").arg(status).arg(hostPort(reply->url())));
                return;
            }
        }
        break;
    default:
        break;
    }
    finishWith(httpError(reply, status));
}

bool RegistryCall::retryLater(qint64 waitMs, const QString &why)
{
    m_budget->take();
    ++m_retries;
    qCDebug(llRegistry).noquote() << "retry" << m_budget->retriesUsed() << "of" << m_budget->maxRetries() << "in"
                                  << waitMs << "ms:" << why;
    releaseReply();
    m_finalResponse = false;
    m_body.clear();
    m_errorBody.clear();
    m_retryTimer->start(int(qMax<qint64>(0, waitMs)));
    return true;
}

void RegistryCall::handleRedirect(QNetworkReply *reply)
{
    const QUrl from = reply->url();
    if (++m_redirects > MaxRedirects) {
        finishWith(Error(
            Error::Code::Protocol, tr("too many redirects (more than %1) for %2").arg(MaxRedirects).arg(target())));
        return;
    }
    QUrl location = reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
    if (location.isEmpty())
        location = QUrl::fromEncoded(reply->rawHeader("Location"));
    if (location.isEmpty()) {
        finishWith(Error(Error::Code::Protocol, tr("%1 sent a redirect without a location").arg(hostPort(from))));
        return;
    }
    const QUrl to = from.resolved(location);
    if (!RegistryClient::isRedirectAllowed(from, to)) {
        finishWith(Error(Error::Code::Protocol,
            tr("refusing a redirect from %1://%2 to %3://%4")
                .arg(from.scheme(), hostPort(from), to.scheme(), hostPort(to))));
        return;
    }
    if (!m_authDropped && !RegistryClient::keepAuthorizationOnRedirect(from, to)) {
        m_authDropped = true;
        if (!m_authorization.isEmpty())
            qCDebug(llAuth) << "not forwarding Authorization to" << hostPort(to);
    }
    qCDebug(llRegistry).noquote() << "redirect" << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt()
                                  << "from" << hostPort(from) << "to" << hostPort(to);
    m_url = to;
    sendCurrent();
}

void RegistryCall::handleUnauthorized(QNetworkReply *reply)
{
    const QString registry = m_request.registry;
    const Credentials creds = m_client->credentialsFor(registry);
    const bool hasLogin = creds.hasBasic() || !creds.identityToken.isEmpty();
    const QString user = creds.username.isEmpty() || creds.username == QLatin1String("<token>")
        ? tr("the given credentials")
        : tr("user %1").arg(creds.username);
    const QString registryText = RegistryClient::registryErrorText(m_errorBody);

    if (m_authDropped || !isRegistryOrigin(reply->url())) {
        finishWith(Error(Error::Code::Unauthorized,
            tr("%1 asked for credentials after a redirect from %2; they are not sent to another host")
                .arg(hostPort(reply->url()), registry),
            registryText, 401));
        return;
    }

    QList<QByteArray> values;
    const auto pairs = reply->rawHeaderPairs();
    for (const auto &h : pairs) {
        if (h.first.compare("WWW-Authenticate", Qt::CaseInsensitive) == 0)
            values.append(h.second);
    }
    const QList<AuthChallenge> challenges = AuthChallenge::parseAll(values);
    const Error denied = hasLogin
        ? Error(Error::Code::Unauthorized, tr("access denied for %1 on %2").arg(user, target()), registryText, 401)
        : Error(Error::Code::Unauthorized,
            tr("authentication required for %1: use --username/--password-stdin or docker login").arg(target()),
            registryText, 401);

    switch (m_authKind) {
    case AuthKind::FileToken:
        qCDebug(llAuth) << "the bearer token from" << creds.source << "was refused by" << registry
                        << "- trying the challenge";
        m_client->m_rejectedFileTokens.insert(registry);
        break;
    case AuthKind::CachedToken:
        // Expired or revoked early: fetch once more.
        qCDebug(llAuth) << "cached token for" << registry << m_scope << "refused; fetching a new one";
        m_client->m_tokens->remove(registry, m_scope);
        break;
    case AuthKind::FreshToken: {
        // A token fetched up front (from a remembered challenge) may lack a scope this answer asks for:
        // follow this challenge once. Otherwise the credentials simply do not give access.
        const AuthChallenge *b = AuthChallenge::find(challenges, QLatin1String("bearer"));
        const QStringList wanted = b ? b->scopes() : QStringList();
        if (m_tokenWasPrefetched && !m_challengeRetried && !wanted.isEmpty() && wanted != QStringList { m_scope }) {
            m_challengeRetried = true;
            break;
        }
        finishWith(denied);
        return;
    }
    case AuthKind::Basic:
        finishWith(Error(Error::Code::Unauthorized, tr("invalid username or password for %1 (%2)").arg(registry, user),
            registryText, 401));
        return;
    case AuthKind::None:
        break;
    }
    m_authorization.clear();
    m_authKind = AuthKind::None;

    const AuthChallenge *bearer = AuthChallenge::find(challenges, QLatin1String("bearer"));
    if (bearer && !bearer->realm().isEmpty()) {
        AuthChallenge remembered = *bearer;
        remembered.params.remove(QStringLiteral("scope"));
        remembered.params.remove(QStringLiteral("error"));
        m_client->m_bearerChallenges.insert(registry, remembered);
        m_tokenWasPrefetched = false;
        m_waitingForToken = true;
        m_client->requestToken(this, *bearer, m_scope);
        return;
    }
    if (AuthChallenge::find(challenges, QLatin1String("basic"))) {
        if (creds.hasBasic()) {
            m_client->m_basicRegistries.insert(registry);
            m_authorization = QByteArrayLiteral("Basic ")
                + (creds.username + QLatin1Char(':') + creds.password).toUtf8().toBase64();
            m_authKind = AuthKind::Basic;
            sendCurrent();
            return;
        }
        finishWith(denied);
        return;
    }
    finishWith(
        Error(Error::Code::Unauthorized, tr("%1 requires authentication but sent no usable challenge").arg(registry),
            registryText.isEmpty() ? QString::fromLatin1(values.join(", ")) : registryText, 401));
}

void RegistryCall::onToken(const Result<QByteArray> &token)
{
    m_waitingForToken = false;
    if (m_finished)
        return;
    if (!token) {
        Error e = token.error();
        if (e.code == Error::Code::Unauthorized) {
            const Credentials creds = m_client->credentialsFor(m_request.registry);
            if (creds.hasBasic())
                e.message = tr("invalid username or password for %1 (user %2)").arg(m_request.registry, creds.username);
            else if (!creds.identityToken.isEmpty())
                e.message = tr("the stored identity token for %1 was refused; log in again").arg(m_request.registry);
            else
                e.message = tr("authentication required for %1: use --username/--password-stdin or docker login")
                                .arg(target());
        }
        finishWith(e);
        return;
    }
    m_authorization = QByteArrayLiteral("Bearer ") + *token;
    m_authKind = AuthKind::FreshToken;
    sendCurrent();
}

Error RegistryCall::httpError(QNetworkReply *reply, int status) const
{
    const QString text = RegistryClient::registryErrorText(m_errorBody);
    const QString host = isRegistryOrigin(reply->url()) ? m_request.registry : hostPort(reply->url());
    const QString where = QString::fromLatin1(m_request.method) + QLatin1Char(' ')
        + (isRegistryOrigin(reply->url()) ? reply->url().path() : host);
    switch (status) {
    case 404:
        return Error(
            Error::Code::NotFound, tr("%1: %2").arg(target(), text.isEmpty() ? tr("not found") : text), where, status);
    case 403:
        return Error(Error::Code::Forbidden,
            tr("access to %1 is forbidden%2").arg(target(), text.isEmpty() ? QString() : tr(": ") + text), where,
            status);
    case 401:
        return Error(Error::Code::Unauthorized, tr("%1 requires authentication").arg(host), text, status);
    default:
        break;
    }
    if (status >= 500) {
        return Error(Error::Code::Network, tr("%1 failed with HTTP %2%3").arg(host).arg(status).arg(attemptsText()),
            text.isEmpty() ? where : text + QStringLiteral("; ") + where, status);
    }
    return Error(Error::Code::Protocol,
        tr("%1 answered HTTP %2%3").arg(host).arg(status).arg(text.isEmpty() ? QString() : tr(": ") + text), where,
        status);
}

Error RegistryCall::networkError(QNetworkReply *reply) const
{
    const QString host = hostPort(reply->url());
    const QString detail = reply->errorString();
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return Error(
            Error::Code::Network, tr("cannot connect to %1: connection refused%2").arg(host, attemptsText()), detail);
    case QNetworkReply::HostNotFoundError:
        return Error(Error::Code::Network, tr("cannot resolve %1").arg(reply->url().host()), detail);
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return Error(Error::Code::Network, tr("%1 did not answer in time%2").arg(host, attemptsText()), detail);
    case QNetworkReply::RemoteHostClosedError:
        if (m_bodyHandedOut)
            return Error(Error::Code::Network,
                tr("%1 closed the connection after %2 bytes%3")
                    .arg(host)
                    .arg(m_bytesReceived)
                    .arg(m_budget->attempts() > 1 ? tr(" (%1 attempts)").arg(m_budget->attempts()) : QString()),
                detail);
        return Error(Error::Code::Network, tr("%1 closed the connection%2").arg(host, attemptsText()), detail);
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
        if (reply->error() == QNetworkReply::SslHandshakeFailedError)
            return Error(Error::Code::Tls,
                tr("TLS error with %1 (--insecure accepts a self-signed certificate)").arg(host), detail);
        break;
    default:
        break;
    }
    return Error(Error::Code::Network, tr("network error talking to %1%2").arg(host, attemptsText()), detail);
}

QString RegistryCall::attemptsText() const
{
    // The truth about the whole operation: its budget counts the retries of every request it made.
    const int attempts = m_budget->attempts();
    return attempts > 1 ? tr(" after %1 attempts").arg(attempts) : QString();
}

void RegistryCall::releaseReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

void RegistryCall::finishWith(const Error &error)
{
    if (m_finished)
        return;
    m_error = error;
    m_retryTimer->stop();
    releaseReply();
    m_finalResponse = false;
    if (error.code == Error::Code::Unauthorized) {
        // Let the next attempt look credentials up again (the user may have typed new ones).
        m_client->invalidateCredentials(m_request.registry);
    }
    if (error.code != Error::Code::Cancelled)
        qCDebug(llRegistry).noquote() << "failed:" << error.toString();
    m_finished = true;
    m_client->callEnded(this);
    emit finished();
}

void RegistryCall::finishOk()
{
    if (m_finished)
        return;
    if (!m_request.streaming)
        releaseReply();
    m_finished = true;
    m_client->callEnded(this);
    emit finished();
}

} // namespace ll::registry
