#pragma once

#include "common/Error.h"
#include "dialogs/CredentialsDialog.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

class QWidget;

namespace ll::registry {
class RegistryClient;
}

namespace ll::ui {

/**
 * Answers a registry's "who are you?": shows a CredentialsDialog (window-modal, not blocking), gives the
 * typed credentials to the CredentialStore for that registry, forgets cached ones, optionally remembers them
 * in the Docker config (only when the user ticks "remember"), then runs the retry. A second refusal for the
 * same registry says so in the dialog.
 */
class AuthController : public QObject
{
    Q_OBJECT
public:
    AuthController(registry::RegistryClient *client, QWidget *dialogParent, QObject *parent = nullptr);

    /** Asks for registry's credentials after error; retry runs after they were given. */
    void ask(const QString &registry, const Error &error, std::function<void()> retry);

    /** The credentials worked (the image opened): the next refusal is a fresh one. */
    void succeeded() { m_lastRegistry.clear(); }

    /** The dialog currently asking (nullptr when none). */
    CredentialsDialog *dialog() const { return m_dialog; }

signals:
    void asked(ll::ui::CredentialsDialog *dialog);
    /** The user cancelled the dialog (nothing was refused: the user chose not to sign in). */
    void declined(const QString &registry, const ll::Error &error);
    /** Remembering in the Docker config failed (the credentials are used anyway). */
    void rememberFailed(const QString &message);

private:
    registry::RegistryClient *m_client;
    QPointer<QWidget> m_dialogParent;
    QPointer<CredentialsDialog> m_dialog;
    QString m_lastRegistry;
    QHash<QString, QString> m_lastUsernames; // by registry: what was typed last (never the password)
};

} // namespace ll::ui
