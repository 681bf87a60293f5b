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
    QString reason = error.message;
    if (m_lastRegistry == registry)
        reason = tr("The registry refused these credentials (%1).").arg(error.message);
    auto *dialog = new CredentialsDialog(registry, reason, m_dialogParent);
    dialog->setObjectName(QStringLiteral("credentialsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog, registry, retry] {
        const registry::Credentials credentials = dialog->credentials();
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
