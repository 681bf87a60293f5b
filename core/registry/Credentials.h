#pragma once

#include "common/Result.h"

#include <QString>

namespace ll::registry {

/** What a user gave us, or what a store held, for one registry. */
struct Credentials {
    QString username;
    QString password; // or a registry token used as a password
    QString identityToken; // docker config "identitytoken": an OAuth refresh token for the token endpoint
    QString bearerToken; // a ready bearer token (the original tool's token.txt, --token-file)
    QString source; // "command line", "~/.docker/config.json", "credential helper pass", "token.txt", ...

    bool isEmpty() const
    {
        return username.isEmpty() && password.isEmpty() && identityToken.isEmpty() && bearerToken.isEmpty();
    }
    bool hasBasic() const { return !username.isEmpty() && !password.isEmpty(); }
};

} // namespace ll::registry
