#include "controllers/AuthController.h"

#include "dialogs/CredentialsDialog.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryClient.h"

#include <QWidget>

namespace ll::ui {

AuthController::AuthController(registry::RegistryClient *client, QWidget *dialogParent, QObject *parent)
    : QObject(parent), m_client(client), m_dialogParent(dialogParent)
{ }

void AuthController::ask(const QString &registry, const Error &error, std::function<void()> retry)
{
    if (m_dialog)
        m_dialog->reject();
    // The core's message may tell CLI users which flags to pass: the dialog says it in its own words.
    const bool refusedAgain = m_lastRegistry == registry;
    QString reason;
    if (refusedAgain)
        reason = tr("The registry refused these credentials. Check the user name and the password or token.");
    else if (error.code == Error::Code::Forbidden || error.httpStatus == 403)
        reason = tr("This account may not read the image; sign in with another one.");
    else
        reason = tr("The image is private: sign in with a user name and a password or access token.");
    auto *dialog = new CredentialsDialog(registry, reason, m_dialogParent);
    dialog->setObjectName(QStringLiteral("credentialsDialog"));
    // A refused password keeps the user name that was typed.
    dialog->setUsername(m_lastUsernames.value(registry));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog, registry, retry] {
        const registry::Credentials credentials = dialog->credentials();
        m_lastUsernames.insert(registry, credentials.username);
        registry::CredentialStore *store = m_client->credentialStore();
        if (store) {
            store->setExplicit(registry, credentials);
            if (dialog->remember()) {
                const Status s = store->storeInDockerConfig(registry, credentials);
                if (!s)
                    emit rememberFailed(s.error().message);
            }
        }
        m_client->invalidateCredentials(registry);
        m_lastRegistry = registry;
        if (retry)
            retry();
    });
    connect(dialog, &QDialog::rejected, this, [this, registry, error] {
        m_lastRegistry.clear();
        emit declined(registry, error);
    });
    dialog->open();
    emit asked(dialog);
}

} // namespace ll::ui
