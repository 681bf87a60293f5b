#include "registry/TokenRequest.h"

#include "common/Logging.h"
#include "registry/RegistryClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>

namespace ll::registry {

namespace {

QString hostOf(const QUrl &url)
{
    return url.port() > 0 ? url.host() + QLatin1Char(':') + QString::number(url.port()) : url.host();
}

QString mib(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'g', 3);
}

} // namespace

TokenRequest::TokenRequest(RegistryClient *client, Params params, QObject *parent)
    : QObject(parent), m_client(client), m_params(std::move(params)), m_retryTimer(new QTimer(this))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &TokenRequest::send);
}

TokenRequest::~TokenRequest()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void TokenRequest::start()
{
    send();
}

void TokenRequest::send()
{
    const Credentials &c = m_params.credentials;
    QUrl url = m_params.realm;
    QNetworkRequest request;
    QNetworkReply *reply = nullptr;
    m_client->m_tokenRequestCount++;
    if (!c.identityToken.isEmpty()) {
        // OAuth2 refresh-token grant, as docker does with an identity token from `docker login`.
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("refresh_token"));
        form.addQueryItem(QStringLiteral("refresh_token"), c.identityToken);
        form.addQueryItem(QStringLiteral("service"), m_params.service);
        form.addQueryItem(QStringLiteral("scope"), m_params.scopes.join(QLatin1Char(' ')));
        form.addQueryItem(QStringLiteral("client_id"), QStringLiteral("layerslayer"));
        request.setUrl(url);
        m_client->applyCommon(request);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        qCDebug(llAuth) << "token request (identity token, OAuth2 POST) to" << hostOf(url) << "scopes"
                        << m_params.scopes;
        reply = m_client->m_nam->post(request, form.query(QUrl::FullyEncoded).toUtf8());
    } else {
        QUrlQuery query(url);
        if (!m_params.service.isEmpty())
            query.addQueryItem(QStringLiteral("service"), m_params.service);
        for (const QString &scope : m_params.scopes)
            query.addQueryItem(QStringLiteral("scope"), scope);
        url.setQuery(query);
        request.setUrl(url);
        m_client->applyCommon(request);
        if (c.hasBasic()) {
            const QByteArray basic = (c.username + QLatin1Char(':') + c.password).toUtf8().toBase64();
            request.setRawHeader("Authorization", QByteArrayLiteral("Basic ") + basic);
        }
        qCDebug(llAuth) << "token request to" << hostOf(url) << "scopes" << m_params.scopes
                        << (c.hasBasic() ? "as user" : "anonymous") << (c.hasBasic() ? c.username : QString());
        reply = m_client->m_nam->get(request);
    }
    reply->setReadBufferSize(64 * 1024); // no read-ahead beyond what the cap allows
    m_reply = reply;
    m_body.clear();
    m_tooLarge = false;
    connect(reply, &QNetworkReply::metaDataChanged, this, &TokenRequest::onMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &TokenRequest::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &TokenRequest::onFinished);
}

void TokenRequest::onMetaData()
{
    QNetworkReply *reply = m_reply;
    bool ok = false;
    const qint64 length = reply ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok) : 0;
    if (ok && length > MaxAnswerSize)
        refuseTooLarge(reply, length);
}

void TokenRequest::onReadyRead()
{
    if (m_reply)
        readSome(m_reply);
}

void TokenRequest::readSome(QNetworkReply *reply)
{
    // Whatever realm a registry names, its answer is a small JSON document: read in pieces, capped.
    if (m_tooLarge)
        return;
    m_body += reply->read(MaxAnswerSize + 1 - m_body.size());
    if (m_body.size() > MaxAnswerSize)
        refuseTooLarge(reply, -1);
}

void TokenRequest::refuseTooLarge(QNetworkReply *reply, qint64 announced)
{
    if (m_tooLarge)
        return;
    m_tooLarge = true;
    m_body.clear();
    m_error = Error(Error::Code::Protocol,
        tr("token service %1 sent an answer larger than %2; refusing it").arg(hostOf(reply->url()), mib(MaxAnswerSize)),
        announced >= 0 ? tr("Content-Length: %1").arg(announced) : QString());
    qCDebug(llAuth).noquote() << m_error.toString();
    if (reply->isRunning())
        reply->abort(); // stop reading now; onFinished() reports m_error
}

void TokenRequest::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->disconnect(this);
    reply->deleteLater();
    if (m_tooLarge) {
        emit finished();
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    readSome(reply);
    if (m_tooLarge) {
        emit finished();
        return;
    }
    const QByteArray body = m_body;
    const QString host = hostOf(reply->url());

    const bool transient = (status == 0 && reply->error() != QNetworkReply::ConnectionRefusedError
                               && reply->error() != QNetworkReply::HostNotFoundError)
        || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    if (transient && m_retries < m_client->maxRetries()) {
        qint64 wait = RegistryClient::parseRetryAfter(reply->rawHeader("Retry-After"));
        if (wait < 0)
            wait = m_client->backoffDelay(m_retries);
        if (wait <= m_client->m_maxRetryWait) {
            ++m_retries;
            qCDebug(llAuth) << "token endpoint" << host << "answered" << status << reply->errorString()
                            << "- retrying in" << wait << "ms";
            m_retryTimer->start(int(wait));
            return;
        }
    }

    if (status == 0) {
        m_error = Error(Error::Code::Network, tr("cannot get a token from %1: %2").arg(host, reply->errorString()));
    } else if (status == 401 || status == 403) {
        m_error = Error(Error::Code::Unauthorized, tr("token service %1 refused the credentials").arg(host),
            QString::fromUtf8(body.left(300)).simplified(), status);
    } else if (status == 429) {
        m_error = Error(
            Error::Code::RateLimited, tr("rate limit reached on %1; try later or log in").arg(host), {}, status);
    } else if (status < 200 || status > 299) {
        m_error = Error(Error::Code::Protocol, tr("token service %1 answered HTTP %2").arg(host).arg(status),
            QString::fromUtf8(body.left(300)).simplified(), status);
    } else {
        m_error = parseResponse(body, &m_token, &m_expiresIn);
        if (m_error)
            m_error.message = tr("token service %1: %2").arg(host, m_error.message);
    }
    emit finished();
}

Error TokenRequest::parseResponse(const QByteArray &body, QByteArray *token, int *expiresIn)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error(Error::Code::Malformed, tr("token response is not a JSON object"), pe.errorString());
    const QJsonObject o = doc.object();
    QString t = o.value(QLatin1String("token")).toString();
    if (t.isEmpty())
        t = o.value(QLatin1String("access_token")).toString();
    if (t.isEmpty())
        return Error(Error::Code::Malformed, tr("token response has no token"));
    *token = t.toUtf8();
    *expiresIn = o.value(QLatin1String("expires_in")).toInt(0);
    return {};
}

} // namespace ll::registry
