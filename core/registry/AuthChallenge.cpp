#include "registry/AuthChallenge.h"

namespace ll::registry {

namespace {

// RFC 7230 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

// RFC 7235 token68 characters (without the trailing '=' padding).
bool isToken68Char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~' || c == '+' || c == '/';
}

bool isWhite(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/**
 * A cursor over one header value. Grammar (RFC 7235 section 4.1):
 *   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 * The list is ambiguous at a comma: "token =" continues the current challenge, a bare token starts a new one.
 */
class Parser
{
public:
    explicit Parser(const QByteArray &value) : m_s(value) { }

    QList<AuthChallenge> run()
    {
        QList<AuthChallenge> out;
        while (true) {
            skipWhiteAndCommas();
            if (atEnd())
                break;
            const QByteArray scheme = token();
            if (scheme.isEmpty()) {
                skipToComma(); // garbage: skip this list element
                continue;
            }
            AuthChallenge challenge;
            challenge.scheme = QString::fromLatin1(scheme).toLower();
            if (!atEnd() && !isWhite(peek()) && peek() != ',') {
                skipToComma(); // "Bearer;x": not a scheme
                continue;
            }
            parseParams(challenge);
            out.append(challenge);
        }
        return out;
    }

private:
    bool atEnd() const { return m_pos >= m_s.size(); }
    char peek() const { return m_s.at(m_pos); }

    void skipWhite()
    {
        while (!atEnd() && isWhite(peek()))
            ++m_pos;
    }
    void skipWhiteAndCommas()
    {
        while (!atEnd() && (isWhite(peek()) || peek() == ','))
            ++m_pos;
    }
    void skipToComma()
    {
        bool quoted = false;
        while (!atEnd()) {
            const char c = peek();
            if (quoted && c == '\\') {
                m_pos += 2;
                continue;
            }
            if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
                return;
            ++m_pos;
        }
    }

    QByteArray token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isTokenChar(peek()))
            ++m_pos;
        return m_s.mid(start, m_pos - start);
    }

    // After the opening quote; false when unterminated.
    bool quotedString(QByteArray &out)
    {
        while (!atEnd()) {
            const char c = peek();
            ++m_pos;
            if (c == '"')
                return true;
            if (c == '\\') {
                if (atEnd())
                    return false;
                out.append(peek());
                ++m_pos;
                continue;
            }
            out.append(c);
        }
        return false;
    }

    // Parses the auth-params (or token68) after a scheme; stops before the next challenge's scheme.
    void parseParams(AuthChallenge &challenge)
    {
        skipWhite();
        if (atEnd())
            return;
        if (tryToken68())
            return;
        while (true) {
            skipWhiteAndCommas();
            if (atEnd())
                return;
            const qsizetype elementStart = m_pos;
            const QByteArray key = token();
            if (key.isEmpty()) {
                skipToComma();
                continue;
            }
            skipWhite();
            if (atEnd() || peek() != '=') {
                // A bare token: the scheme of the next challenge.
                m_pos = elementStart;
                return;
            }
            ++m_pos; // '='
            skipWhite();
            QByteArray value;
            if (!atEnd() && peek() == '"') {
                ++m_pos;
                if (!quotedString(value))
                    return; // unterminated: drop this parameter
            } else {
                value = token();
            }
            skipWhite();
            if (!atEnd() && peek() != ',') {
                skipToComma(); // junk after the value: drop this parameter
                continue;
            }
            const QString name = QString::fromLatin1(key).toLower();
            if (!challenge.params.contains(name)) // each name at most once; the first wins
                challenge.params.insert(name, QString::fromUtf8(value));
        }
    }

    // token68 ("Negotiate abc+/==") is accepted and ignored; false leaves the cursor unchanged.
    bool tryToken68()
    {
        qsizetype p = m_pos;
        while (p < m_s.size() && isToken68Char(m_s.at(p)))
            ++p;
        if (p == m_pos)
            return false;
        while (p < m_s.size() && m_s.at(p) == '=')
            ++p;
        qsizetype after = p;
        while (after < m_s.size() && isWhite(m_s.at(after)))
            ++after;
        const bool endsElement = after >= m_s.size() || m_s.at(after) == ',';
        if (!endsElement)
            return false;
        // "abc==" and also "realm=" with nothing after it end here: token68 (an auth-param needs a value).
        m_pos = after;
        return true;
    }

    const QByteArray &m_s;
    qsizetype m_pos = 0;
};

} // namespace

QStringList AuthChallenge::scopes() const
{
    return scope().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QList<AuthChallenge> AuthChallenge::parse(const QByteArray &headerValue)
{
    return Parser(headerValue).run();
}

QList<AuthChallenge> AuthChallenge::parseAll(const QList<QByteArray> &headerValues)
{
    QList<AuthChallenge> out;
    for (const QByteArray &value : headerValues)
        out += parse(value);
    return out;
}

const AuthChallenge *AuthChallenge::find(const QList<AuthChallenge> &challenges, QLatin1String scheme)
{
    for (const AuthChallenge &c : challenges) {
        if (c.scheme.compare(scheme, Qt::CaseInsensitive) == 0)
            return &c;
    }
    return nullptr;
}

} // namespace ll::registry
