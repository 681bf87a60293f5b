#include "hunt/PathGlob.h"

namespace ll::hunt {

namespace {

bool isSpecial(QChar c)
{
    return c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') || c == QLatin1Char('\\');
}

/** Index just past the set that starts at p[i] == '[', or -1 when it is not terminated. */
qsizetype setEnd(QStringView p, qsizetype i)
{
    qsizetype j = i + 1;
    if (j < p.size() && (p[j] == QLatin1Char('!') || p[j] == QLatin1Char('^')))
        ++j;
    if (j < p.size() && p[j] == QLatin1Char(']'))
        ++j; // a leading ']' is literal
    for (; j < p.size(); ++j) {
        if (p[j] == QLatin1Char('\\'))
            ++j;
        else if (p[j] == QLatin1Char(']'))
            return j + 1;
    }
    return -1;
}

/** Does c belong to the set p[i, end) ("[...]")? */
bool inSet(QStringView p, qsizetype i, qsizetype end, QChar c)
{
    qsizetype j = i + 1;
    bool negate = false;
    if (p[j] == QLatin1Char('!') || p[j] == QLatin1Char('^')) {
        negate = true;
        ++j;
    }
    bool hit = false;
    bool first = true;
    const qsizetype last = end - 1; // the closing ']'
    while (j < last) {
        QChar lo = p[j];
        if (lo == QLatin1Char('\\') && j + 1 < last)
            lo = p[++j];
        else if (lo == QLatin1Char(']') && !first)
            break;
        first = false;
        ++j;
        QChar hi = lo;
        if (j + 1 < last && p[j] == QLatin1Char('-')) {
            hi = p[j + 1];
            if (hi == QLatin1Char('\\') && j + 2 < last) {
                hi = p[j + 2];
                ++j;
            }
            j += 2;
        }
        if (c >= lo && c <= hi)
            hit = true;
    }
    return hit != negate;
}

/** One pattern element at p[i] against c; *next: where the next element starts. */
bool matchOne(QStringView p, qsizetype i, QChar c, qsizetype *next)
{
    const QChar pc = p[i];
    if (pc == QLatin1Char('?')) {
        *next = i + 1;
        return true;
    }
    if (pc == QLatin1Char('[')) {
        const qsizetype end = setEnd(p, i);
        if (end > 0) {
            *next = end;
            return inSet(p, i, end, c);
        }
        *next = i + 1; // an unterminated '[' is refused by parse(); literal here
        return c == pc;
    }
    if (pc == QLatin1Char('\\') && i + 1 < p.size()) {
        *next = i + 2;
        return c == p[i + 1];
    }
    *next = i + 1;
    return c == pc;
}

QString unescape(const QString &s)
{
    QString out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s[i] == QLatin1Char('\\') && i + 1 < s.size())
            ++i;
        out += s[i];
    }
    return out;
}

} // namespace

bool PathGlob::matchComponent(QStringView p, QStringView s)
{
    return matchComponentIn(p, s);
}

template<typename View> bool PathGlob::matchComponentIn(QStringView p, View s)
{
    // Greedy with one backtrack point (the last '*'): linear for the usual patterns.
    qsizetype pi = 0, si = 0;
    qsizetype starP = -1, starS = -1;
    while (si < s.size()) {
        if (pi < p.size() && p[pi] == QLatin1Char('*')) {
            starP = ++pi;
            starS = si;
            continue;
        }
        qsizetype next = 0;
        if (pi < p.size() && matchOne(p, pi, s[si], &next)) {
            pi = next;
            ++si;
            continue;
        }
        if (starP < 0)
            return false;
        pi = starP;
        si = ++starS;
    }
    while (pi < p.size() && p[pi] == QLatin1Char('*'))
        ++pi;
    return pi == p.size();
}

Result<PathGlob> PathGlob::parse(const QString &pattern)
{
    PathGlob g;
    g.m_pattern = pattern;
    QStringList parts;
    for (const QString &c : pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (c == QLatin1String("."))
            continue;
        if (c == QLatin1String(".."))
            return Error(Error::Code::Usage, QStringLiteral("pattern %1: \"..\" is not allowed").arg(pattern));
        if (c == QLatin1String("**") && !parts.isEmpty() && parts.constLast() == QLatin1String("**"))
            continue; // "**/**" is "**"
        parts << c;
    }
    if (parts.isEmpty())
        return Error(Error::Code::Usage, QStringLiteral("empty pattern: %1").arg(pattern));
    bool exact = true;
    for (const QString &c : parts) {
        for (qsizetype i = 0; i < c.size(); ++i) {
            if (c[i] == QLatin1Char('[') && setEnd(c, i) < 0)
                return Error(Error::Code::Usage, QStringLiteral("pattern %1: unterminated [").arg(pattern));
            if (isSpecial(c[i]) && c[i] != QLatin1Char('\\'))
                exact = false;
            if (c[i] == QLatin1Char('\\'))
                ++i;
        }
    }
    g.m_parts = parts;
    g.m_exact = exact;
    if (exact) {
        for (QString &c : parts)
            c = unescape(c);
        g.m_exactPath = parts.join(QLatin1Char('/'));
    }
    return g;
}

bool PathGlob::matches(QStringView path) const
{
    if (m_exact)
        return path == m_exactPath;
    return matchFrom(0, path);
}

bool PathGlob::matches(QLatin1StringView path) const
{
    if (m_exact)
        return path == m_exactPath;
    return matchFrom(0, path);
}

template<typename View> bool PathGlob::matchFrom(int part, View path) const
{
    // path: the remaining components ("" when none are left).
    while (part < m_parts.size()) {
        const QString &p = m_parts[part];
        if (p == QLatin1String("**")) {
            if (part + 1 == m_parts.size())
                return !path.isEmpty(); // "**" last: anything below (not the dir itself)
            // Try the rest of the pattern at each component boundary.
            qsizetype from = 0;
            for (;;) {
                if (!path.isEmpty() && matchFrom(part + 1, path.mid(from)))
                    return true;
                const qsizetype slash = path.indexOf(QLatin1Char('/'), from);
                if (slash < 0)
                    return false;
                from = slash + 1;
            }
        }
        if (path.isEmpty())
            return false;
        const qsizetype slash = path.indexOf(QLatin1Char('/'));
        const View name = slash < 0 ? path : path.left(slash);
        if (!matchComponentIn(p, name))
            return false;
        path = slash < 0 ? View() : path.mid(slash + 1);
        ++part;
    }
    return path.isEmpty();
}

} // namespace ll::hunt
