#pragma once

#include "common/Result.h"

#include <QString>

namespace ll::registry {

/**
 * An image reference resolved exactly as Docker (distribution/reference) does:
 *   "ubuntu"                   -> registry-1.docker.io / library/ubuntu : latest
 *   "user/repo:1.2.3"          -> registry-1.docker.io / user/repo : 1.2.3
 *   "ghcr.io/o/r@sha256:..."   -> ghcr.io / o/r @ digest
 *   "localhost:5000/x"         -> localhost:5000 / x : latest
 *   "[::1]:5000/x"             -> [::1]:5000 / x : latest
 *   "docker.io/x", "index.docker.io/x" -> registry-1.docker.io / library/x
 * A first component is a registry when it contains '.' or ':' or is "localhost" (so "UPPER/x" is a
 * Docker Hub name and fails with "repository name must be lowercase", as in Docker before 2023).
 * Grammar of distribution/reference: path components [a-z0-9]+ joined by '.', '_', '__' or '-'+;
 * tag [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digest sha256/sha384/sha512 with lower-case hex of the exact
 * length; the normalised name ("docker.io/library/x") at most 255 characters.
 * Deviations from Docker, on purpose: "registry-1.docker.io/x" is Docker Hub too (so toString() round-trips);
 * a port must be 1..65535. A reference without tag and digest gets "latest"; a digest-only one has no tag.
 * Tag and digest together are kept; the digest wins when fetching.
 */
class ImageReference
{
public:
    ImageReference() = default;

    /** Parses and normalises; Error::InvalidReference with a one-line reason when malformed. */
    static Result<ImageReference> parse(const QString &text);

    /** Host as used in URLs, with port, e.g. "registry-1.docker.io", "127.0.0.1:5000", "[::1]:5000". */
    QString registry() const { return m_registry; }
    /** Host without port and without IPv6 brackets. */
    QString host() const;
    int port() const; // -1 when none
    QString repository() const { return m_repository; }
    QString tag() const { return m_tag; }
    QString digest() const { return m_digest; }
    /** digest when set, else tag ("latest" by default). What goes into /v2/<repo>/manifests/<ref>. */
    QString manifestReference() const { return m_digest.isEmpty() ? m_tag : m_digest; }

    bool isDockerHub() const;
    /** Loopback registries (localhost, 127.0.0.0/8, ::1) default to plain http. */
    bool isLoopback() const;

    /** Canonical form: "registry/repo:tag", "registry/repo@digest", "registry/repo:tag@digest". */
    QString toString() const;
    /** As a user would write it: Docker Hub and library/ omitted ("ubuntu:latest", "lab/app:1.0"). */
    QString displayName() const;

    void setTag(const QString &tag) { m_tag = tag; }
    void setDigest(const QString &digest) { m_digest = digest; }

    bool operator==(const ImageReference &o) const
    {
        return m_registry == o.m_registry && m_repository == o.m_repository && m_tag == o.m_tag
            && m_digest == o.m_digest;
    }

    static QString dockerHubRegistry() { return QStringLiteral("registry-1.docker.io"); }

private:
    QString m_registry;
    QString m_repository;
    QString m_tag;
    QString m_digest;
};

} // namespace ll::registry
