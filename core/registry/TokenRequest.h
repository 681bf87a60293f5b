#pragma once

#include "common/Error.h"
#include "registry/Credentials.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

class QNetworkReply;
class QTimer;

namespace ll::registry {

class RegistryClient;

/**
 * One round trip to a token endpoint (the realm of a Bearer challenge), as in Docker's token auth spec:
 * GET realm?service=..&scope=.. (Basic auth when a username/password is known), or, with an identity token,
 * the OAuth2 form POST (grant_type=refresh_token, client_id=layerslayer). Accepts "token" or "access_token"
 * and "expires_in". Answers over MaxAnswerSize are refused. Network errors and 5xx are retried with the client's
 * backoff. Credentials go only to the realm host; no registry token is ever sent here. Made and owned by
 * RegistryClient.
 */
class TokenRequest : public QObject
{
    Q_OBJECT
public:
    struct Params {
        QUrl realm;
        QString service;
        QStringList scopes;
        Credentials credentials;
    };

    /** A longer answer is refused (Error::Protocol) and its download stopped as soon as that is known. */
    static constexpr qint64 MaxAnswerSize = qint64(1) << 20;

    TokenRequest(RegistryClient *client, Params params, QObject *parent = nullptr);
    ~TokenRequest() override;

    void start();

    QByteArray token() const { return m_token; }
    int expiresIn() const { return m_expiresIn; }
    /** Unauthorized (httpStatus 401/403 from the endpoint), Network, Protocol or Malformed. */
    const Error &error() const { return m_error; }

    /** Parses a token endpoint answer: "token" or "access_token", "expires_in". */
    static Error parseResponse(const QByteArray &body, QByteArray *token, int *expiresIn);

signals:
    void finished();

private:
    void send();
    void onMetaData();
    void onReadyRead();
    void readSome(QNetworkReply *reply);
    void refuseTooLarge(QNetworkReply *reply, qint64 announced);
    void onFinished();

    RegistryClient *m_client;
    Params m_params;
    QPointer<QNetworkReply> m_reply;
    QTimer *m_retryTimer;
    QByteArray m_token;
    int m_expiresIn = 0;
    int m_retries = 0;
    QByteArray m_body;
    bool m_tooLarge = false;
    Error m_error;
};

} // namespace ll::registry
