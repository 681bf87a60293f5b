#pragma once

#include "common/Result.h"

#include <QJsonObject>
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

    /**
     * The platform of this machine, Go-style names (amd64, arm64, arm/v7, 386, ppc64le, s390x, riscv64).
     * os is always "linux": the tool inspects Linux images whatever the host runs.
     */
    static Platform host();
    /**
     * Maps a QSysInfo::currentCpuArchitecture()-style name (or a uname -m / Debian name: x86_64, aarch64,
     * armhf, ppc64le, ...) to a linux Platform with the Go architecture and variant. Unknown names pass
     * through lower-cased.
     */
    static Platform forCpuArchitecture(const QString &cpuArchitecture);
    /**
     * "linux/arm64", "linux/arm64/v8", "linux/arm/v7"; a bare architecture ("arm64") means linux.
     * Case-insensitive; architecture aliases are normalised (x86_64 -> amd64, aarch64 -> arm64).
     * Error::Usage with a clear message otherwise.
     */
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
    /** The variant with the architecture's default filled in: "v8" for arm64, "v7" for arm, else as is. */
    QString normalizedVariant() const;

    /** From an index entry's "platform" object or an image config's top level (os.version, os.features too). */
    static Platform fromJson(const QJsonObject &o);
    /** {"architecture", "os", ["variant", "os.version", "os.features"]} */
    QJsonObject toJson() const;

    bool operator==(const Platform &o) const
    {
        return os == o.os && architecture == o.architecture && variant == o.variant;
    }
    bool operator!=(const Platform &o) const { return !(*this == o); }
};

} // namespace ll::oci
