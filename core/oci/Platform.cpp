#include "oci/Platform.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSysInfo>

namespace ll::oci {

namespace {

struct ArchVariant {
    QString architecture;
    QString variant;
    bool known = true;
};

/** Go architecture (+ variant when the alias implies one) for a Qt / uname / Debian / Go name. */
ArchVariant normalizeArchitecture(const QString &name)
{
    const QString a = name.trimmed().toLower();
    if (a == QLatin1String("x86_64") || a == QLatin1String("x86-64") || a == QLatin1String("amd64"))
        return { QStringLiteral("amd64"), {} };
    if (a == QLatin1String("i386") || a == QLatin1String("i486") || a == QLatin1String("i586")
        || a == QLatin1String("i686") || a == QLatin1String("x86") || a == QLatin1String("386"))
        return { QStringLiteral("386"), {} };
    if (a == QLatin1String("arm64") || a == QLatin1String("aarch64"))
        return { QStringLiteral("arm64"), {} };
    if (a == QLatin1String("armhf") || a == QLatin1String("armv7l") || a == QLatin1String("armv7"))
        return { QStringLiteral("arm"), QStringLiteral("v7") };
    if (a == QLatin1String("armel") || a == QLatin1String("armv6l") || a == QLatin1String("armv6"))
        return { QStringLiteral("arm"), QStringLiteral("v6") };
    if (a == QLatin1String("armv5l") || a == QLatin1String("armv5tel") || a == QLatin1String("armv5"))
        return { QStringLiteral("arm"), QStringLiteral("v5") };
    if (a == QLatin1String("arm"))
        return { QStringLiteral("arm"), {} };
    if (a == QLatin1String("ppc64le") || a == QLatin1String("ppc64el") || a == QLatin1String("power64le"))
        return { QStringLiteral("ppc64le"), {} };
    if (a == QLatin1String("ppc64") || a == QLatin1String("power64") || a == QLatin1String("power64be"))
        return { QStringLiteral("ppc64"), {} };
    if (a == QLatin1String("s390x"))
        return { QStringLiteral("s390x"), {} };
    if (a == QLatin1String("riscv64"))
        return { QStringLiteral("riscv64"), {} };
    if (a == QLatin1String("mips64el") || a == QLatin1String("mips64le"))
        return { QStringLiteral("mips64le"), {} };
    if (a == QLatin1String("loongarch64") || a == QLatin1String("loong64"))
        return { QStringLiteral("loong64"), {} };
    return { a, {}, false };
}

bool isValidComponent(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9_.-]+$"));
    return re.match(s).hasMatch();
}

} // namespace

Platform Platform::forCpuArchitecture(const QString &cpuArchitecture)
{
    ArchVariant av = normalizeArchitecture(cpuArchitecture);
    QString arch = av.architecture;
    // Qt reports "power64" for both endiannesses; the build's byte order decides.
    if (arch == QLatin1String("ppc64") && cpuArchitecture.compare(QLatin1String("power64"), Qt::CaseInsensitive) == 0
        && QSysInfo::ByteOrder == QSysInfo::LittleEndian)
        arch = QStringLiteral("ppc64le");
    Platform p;
    p.os = QStringLiteral("linux");
    p.architecture = arch;
    p.variant = av.variant;
    // A plain 32-bit arm host: assume v7 (armhf), the only arm flavour Debian and most images still ship.
    if (arch == QLatin1String("arm") && p.variant.isEmpty())
        p.variant = QStringLiteral("v7");
    return p;
}

Platform Platform::host()
{
    return forCpuArchitecture(QSysInfo::currentCpuArchitecture());
}

Result<Platform> Platform::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    const auto fail = [&text](const QString &why) {
        return Error(Error::Code::Usage,
            QStringLiteral("invalid platform \"%1\": %2 (expected os/arch[/variant], e.g. linux/arm64/v8)")
                .arg(text, why));
    };
    if (t.isEmpty())
        return fail(QStringLiteral("empty"));
    const QStringList parts = t.split(QLatin1Char('/'));
    if (parts.size() > 3)
        return fail(QStringLiteral("too many components"));
    for (const QString &part : parts) {
        if (part.isEmpty())
            return fail(QStringLiteral("empty component"));
        if (!isValidComponent(part))
            return fail(QStringLiteral("invalid character in \"%1\"").arg(part));
    }

    Platform p;
    QString arch;
    if (parts.size() == 1) {
        // A bare name must be an architecture we know; "linux" alone says nothing about the CPU.
        const ArchVariant av = normalizeArchitecture(parts[0]);
        if (!av.known)
            return fail(QStringLiteral("missing architecture"));
        p.os = QStringLiteral("linux");
        p.architecture = av.architecture;
        p.variant = av.variant;
        return p;
    }
    const ArchVariant av = normalizeArchitecture(parts[1]);
    p.os = parts[0];
    p.architecture = av.architecture;
    p.variant = parts.size() == 3 ? parts[2] : av.variant;
    if (!av.variant.isEmpty() && parts.size() == 3 && parts[2] != av.variant)
        return fail(QStringLiteral("\"%1\" implies variant %2").arg(parts[1], av.variant));
    return p;
}

QString Platform::toString() const
{
    QString s = os + QLatin1Char('/') + architecture;
    if (!variant.isEmpty())
        s += QLatin1Char('/') + variant;
    return s;
}

QString Platform::normalizedVariant() const
{
    if (variant.isEmpty()) {
        if (architecture == QLatin1String("arm64"))
            return QStringLiteral("v8");
        if (architecture == QLatin1String("arm"))
            return QStringLiteral("v7");
    }
    return variant;
}

bool Platform::satisfies(const Platform &wanted) const
{
    if (os != wanted.os || architecture != wanted.architecture)
        return false;
    if (wanted.variant.isEmpty())
        return true;
    return normalizedVariant() == wanted.normalizedVariant();
}

Platform Platform::fromJson(const QJsonObject &o)
{
    Platform p;
    p.os = o.value(QLatin1String("os")).toString();
    p.architecture = o.value(QLatin1String("architecture")).toString();
    p.variant = o.value(QLatin1String("variant")).toString();
    p.osVersion = o.value(QLatin1String("os.version")).toString();
    const QJsonArray features = o.value(QLatin1String("os.features")).toArray();
    for (const QJsonValue &f : features) {
        if (f.isString())
            p.osFeatures.append(f.toString());
    }
    return p;
}

QJsonObject Platform::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("architecture"), architecture);
    o.insert(QLatin1String("os"), os);
    if (!variant.isEmpty())
        o.insert(QLatin1String("variant"), variant);
    if (!osVersion.isEmpty())
        o.insert(QLatin1String("os.version"), osVersion);
    if (!osFeatures.isEmpty())
        o.insert(QLatin1String("os.features"), QJsonArray::fromStringList(osFeatures));
    return o;
}

} // namespace ll::oci
