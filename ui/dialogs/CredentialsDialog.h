#pragma once

#include "registry/Credentials.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ll::ui {

/**
 * Asks for a registry's username and password after it refused access. "Remember" asks the caller to
 * store them in the user's docker config (only then is anything written).
 */
class CredentialsDialog : public QDialog
{
    Q_OBJECT
public:
    CredentialsDialog(const QString &registry, const QString &reason, QWidget *parent = nullptr);

    QString registry() const { return m_registry; }
    QString username() const;
    QString password() const;
    bool remember() const;
    registry::Credentials credentials() const;

    void setUsername(const QString &username);
    void setPassword(const QString &password);
    void setRemember(bool remember);

private:
    void updateOk();

    QString m_registry;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_remember = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace ll::ui
