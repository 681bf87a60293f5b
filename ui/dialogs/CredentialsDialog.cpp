#include "dialogs/CredentialsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ll::ui {

CredentialsDialog::CredentialsDialog(const QString &registry, const QString &reason, QWidget *parent)
    : QDialog(parent), m_registry(registry)
{
    setWindowTitle(tr("Sign in to %1").arg(registry));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    intro->setText(reason.isEmpty()
            ? tr("%1 asks for credentials.").arg(registry.toHtmlEscaped())
            : tr("%1 asks for credentials:<br><i>%2</i>").arg(registry.toHtmlEscaped(), reason.toHtmlEscaped()));
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("username"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Username:"), m_user);
    form->addRow(tr("&Password or token:"), m_password);
    layout->addLayout(form);

    m_remember = new QCheckBox(tr("&Remember in the Docker config (~/.docker/config.json)"), this);
    m_remember->setObjectName(QStringLiteral("remember"));
    m_remember->setToolTip(tr("Stored base64-encoded (not encrypted), like `docker login` does without a "
                              "credential helper."));
    layout->addWidget(m_remember);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Sign in"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_user, &QLineEdit::textChanged, this, &CredentialsDialog::updateOk);
    connect(m_password, &QLineEdit::textChanged, this, &CredentialsDialog::updateOk);
    updateOk();
    m_user->setFocus();
}

QString CredentialsDialog::username() const
{
    return m_user->text().trimmed();
}

QString CredentialsDialog::password() const
{
    return m_password->text();
}

bool CredentialsDialog::remember() const
{
    return m_remember->isChecked();
}

registry::Credentials CredentialsDialog::credentials() const
{
    registry::Credentials c;
    c.username = username();
    c.password = password();
    c.source = QStringLiteral("sign-in dialog");
    return c;
}

void CredentialsDialog::setUsername(const QString &username)
{
    m_user->setText(username);
    if (!username.isEmpty())
        m_password->setFocus();
}

void CredentialsDialog::setPassword(const QString &password)
{
    m_password->setText(password);
}

void CredentialsDialog::setRemember(bool remember)
{
    m_remember->setChecked(remember);
}

void CredentialsDialog::updateOk()
{
    m_ok->setEnabled(!username().isEmpty() && !password().isEmpty());
}

} // namespace ll::ui
