#pragma once

#include "common/Error.h"

namespace ll::cli {

/** Distinct exit codes for scripts; documented in the README and in --help. */
enum ExitCode {
    ExitOk = 0,
    ExitFailure = 1, // anything not listed below
    ExitUsage = 2, // bad flags or a malformed reference
    ExitNotFound = 3, // image, tag, blob or file not found
    ExitAuth = 4, // unauthorized / forbidden
    ExitNetwork = 5, // network, TLS, rate limit, protocol errors
    ExitIntegrity = 6, // digest mismatch, corrupt or malformed data
    ExitUnsafe = 7, // hostile archive entry or output path refused
    ExitIo = 8, // local file system error
    ExitThreshold = 9, // --analyze: over --max-wasted or under --min-efficiency
    ExitCancelled = 130, // SIGINT (Ctrl+C)
    ExitTerminated = 143, // SIGTERM: cancelled and cleaned up the same way
};

inline int exitCodeFor(const Error &error)
{
    using C = Error::Code;
    switch (error.code) {
    case C::None:
        return ExitOk;
    case C::Usage:
    case C::InvalidReference:
        return ExitUsage;
    case C::NotFound:
        return ExitNotFound;
    case C::Unauthorized:
    case C::Forbidden:
        return ExitAuth;
    case C::Network:
    case C::Tls:
    case C::RateLimited:
    case C::Protocol:
        return ExitNetwork;
    case C::DigestMismatch:
    case C::Corrupt:
    case C::Malformed:
    case C::Unsupported:
        return ExitIntegrity;
    case C::UnsafePath:
        return ExitUnsafe;
    case C::Io:
        return ExitIo;
    case C::Cancelled:
        return ExitCancelled;
    case C::Internal:
        return ExitFailure;
    }
    return ExitFailure;
}

} // namespace ll::cli
