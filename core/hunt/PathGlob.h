#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringList>
#include <QStringView>

namespace ll::hunt {

/**
 * A pattern over a whole image path: "etc/shadow", "**\/id_rsa", "etc/gshadow*", "*.pem", "home/?/.env[0-9]".
 * Paths and patterns are in normal form (no leading "/" or "./", no trailing "/"); parse() normalises the
 * pattern. Components are matched one by one:
 *   *      any run of characters inside one component (never "/");
 *   ?      one character (never "/");
 *   [...]  one character of a set: ranges "a-z", negation "[!...]" or "[^...]", "]" first is literal;
 *   **     as a whole component: any number of components, none included ("**\/.env" matches ".env");
 *   \c     the character c itself.
 * A pattern without any of these is exact: isExact(), and exactPath() is the path it names.
 */
class PathGlob
{
public:
    PathGlob() = default;
    /** Error::Usage for an empty pattern, "..", or an unterminated "[". */
    static Result<PathGlob> parse(const QString &pattern);

    /** As given. */
    const QString &pattern() const { return m_pattern; }
    bool isExact() const { return m_exact; }
    /** The normalised path of an exact pattern (escapes removed). */
    const QString &exactPath() const { return m_exactPath; }

    /** Does the whole path match? */
    bool matches(QStringView path) const;
    /** The same for a path of ASCII bytes read as Latin-1 (no decoding, no allocation: offline search). */
    bool matches(QLatin1StringView path) const;

    /** One component against one component pattern (no "**"): *, ?, [...], \c. */
    static bool matchComponent(QStringView pattern, QStringView name);

private:
    template<typename View> bool matchFrom(int part, View path) const;
    template<typename View> static bool matchComponentIn(QStringView pattern, View name);

    QString m_pattern;
    QStringList m_parts; // normalised components
    bool m_exact = false;
    QString m_exactPath;
};

} // namespace ll::hunt
