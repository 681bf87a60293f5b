#include "common/Error.h"

namespace ll {

QString Error::codeName(Code code)
{
    switch (code) {
    case Code::None:
        return QStringLiteral("none");
    case Code::Usage:
        return QStringLiteral("usage");
    case Code::InvalidReference:
        return QStringLiteral("invalid_reference");
    case Code::Unauthorized:
        return QStringLiteral("unauthorized");
    case Code::Forbidden:
        return QStringLiteral("forbidden");
    case Code::NotFound:
        return QStringLiteral("not_found");
    case Code::RateLimited:
        return QStringLiteral("rate_limited");
    case Code::Network:
        return QStringLiteral("network");
    case Code::Tls:
        return QStringLiteral("tls");
    case Code::Protocol:
        return QStringLiteral("protocol");
    case Code::Unsupported:
        return QStringLiteral("unsupported");
    case Code::Malformed:
        return QStringLiteral("malformed");
    case Code::DigestMismatch:
        return QStringLiteral("digest_mismatch");
    case Code::Corrupt:
        return QStringLiteral("corrupt");
    case Code::UnsafePath:
        return QStringLiteral("unsafe_path");
    case Code::Io:
        return QStringLiteral("io");
    case Code::Cancelled:
        return QStringLiteral("cancelled");
    case Code::Internal:
        return QStringLiteral("internal");
    }
    return QStringLiteral("unknown");
}

QString Error::toString() const
{
    if (detail.isEmpty())
        return message;
    return message + QStringLiteral(" (") + detail + QLatin1Char(')');
}

} // namespace ll
