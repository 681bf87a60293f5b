#pragma once

#include <QMetaType>
#include <QString>

namespace ll {

/**
 * The one typed error of core. No exceptions leave core; functions return Result<T>,
 * jobs expose error(). The CLI maps codes to exit codes, the GUI to inline messages.
 * message is one line for a user; detail is for logs and --verbose (never secrets).
 */
struct Error {
    enum class Code {
        None = 0,
        Usage, // bad arguments given by the caller
        InvalidReference, // malformed image reference
        Unauthorized, // 401 after auth was attempted, or no credentials
        Forbidden, // 403
        NotFound, // 404 manifest/blob/repository
        RateLimited, // 429 after the bounded backoff
        Network, // connection refused/reset/timeout, DNS
        Tls, // certificate errors
        Protocol, // a server answer that breaks the protocol (bad redirect, bad Content-Range, ...)
        Unsupported, // schema1 manifests, unknown media types, ...
        Malformed, // JSON/manifest/config that does not parse or validate
        DigestMismatch, // content does not hash to its digest
        Corrupt, // corrupt or truncated gzip/zstd/tar
        UnsafePath, // hostile archive entry or output path
        Io, // local file system error
        Cancelled, // the user cancelled; not a failure
        Internal,
    };

    Code code = Code::None;
    QString message;
    QString detail;
    int httpStatus = 0;

    Error() = default;
    Error(Code c, QString msg, QString det = {}, int status = 0)
        : code(c), message(std::move(msg)), detail(std::move(det)), httpStatus(status)
    { }

    bool isError() const { return code != Code::None; }
    explicit operator bool() const { return isError(); }

    /** Stable lower-case name of the code, e.g. "not_found" (JSON output, logs). */
    static QString codeName(Code code);
    QString codeName() const { return codeName(code); }
    /** "message (detail)" or just message. */
    QString toString() const;
};

} // namespace ll

Q_DECLARE_METATYPE(ll::Error)
