#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringList>

namespace ll::oci {

/** os/architecture/variant as in OCI index entries and image configs. */
struct Platform {
    QString os;
    QString architecture;
    QString variant;
    QString osVersion;
    QStringList osFeatures;

    /** The platform of this machine, Go-style names (amd64, arm64, arm/v7, 386, ppc64le, s390x, riscv64). */
    static Platform host();
    /** "linux/arm64", "linux/arm64/v8", "linux/arm/v7"; clear error otherwise. */
    static Result<Platform> parse(const QString &text);
    /** "linux/arm64/v8" or "linux/amd64" */
    QString toString() const;
    bool isEmpty() const { return os.isEmpty() && architecture.isEmpty(); }
    /** Attestation/signature entries: os and architecture "unknown". Never chosen by default. */
    bool isAttestation() const { return os == QLatin1String("unknown") && architecture == QLatin1String("unknown"); }
    /**
     * Does this (an index entry's) platform satisfy `wanted`? os and architecture must be equal;
     * a wanted variant must match (arm64 treats empty and "v8" as equal; arm defaults to v7);
     * an empty wanted variant matches any.
     */
    bool satisfies(const Platform &wanted) const;

    bool operator==(const Platform &o) const
    {
        return os == o.os && architecture == o.architecture && variant == o.variant;
    }
};

} // namespace ll::oci
