#include "common/JsonCursor.h"

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ll {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void appendUtf8(QByteArray *out, char32_t cp)
{
    if (cp < 0x80) {
        out->append(char(cp));
    } else if (cp < 0x800) {
        out->append(char(0xC0 | (cp >> 6)));
        out->append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out->append(char(0xE0 | (cp >> 12)));
        out->append(char(0x80 | ((cp >> 6) & 0x3F)));
        out->append(char(0x80 | (cp & 0x3F)));
    } else {
        out->append(char(0xF0 | (cp >> 18)));
        out->append(char(0x80 | ((cp >> 12) & 0x3F)));
        out->append(char(0x80 | ((cp >> 6) & 0x3F)));
        out->append(char(0x80 | (cp & 0x3F)));
    }
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/** The first byte from p on that ends a plain run of string bytes ('"', '\\' or a control character), or end.
    16 bytes at a time where SSE2 is there (digests and paths make most of a TOC). */
const char *plainRun(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            _mm_cmpeq_epi8(_mm_min_epu8(v, control), v)); // v <= 0x1f
        const int mask = _mm_movemask_epi8(hit);
        if (mask != 0)
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && quint8(*p) >= 0x20)
        ++p;
    return p;
}

} // namespace

JsonCursor::JsonCursor(const char *data, qint64 size) : m_begin(data), m_p(data), m_end(data + size)
{ }

bool JsonCursor::fail(const QString &what)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1 at byte %2").arg(what).arg(offset());
    m_p = m_end;
    return false;
}

bool JsonCursor::truncated(const QString &what)
{
    if (!m_partial)
        return fail(what);
    m_starved = true;
    m_p = m_end;
    return false;
}

void JsonCursor::resume(const char *data, qint64 size, qint64 base, const Mark &mark)
{
    m_begin = data;
    m_end = data + size;
    m_base = base;
    m_p = data + qBound<qint64>(0, mark.offset - base, size);
    m_starved = false;
    if (!m_error.isEmpty()) {
        m_p = m_end;
        return;
    }
    m_depth = qBound(0, mark.depth, MaxDepth);
    m_hadElement[m_depth] = mark.hadElement;
}

inline void JsonCursor::skipWhitespace()
{
    // Most calls find a token at once (compact JSON).
    if (m_p < m_end && quint8(*m_p) > ' ')
        return;
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
        ++m_p;
}

JsonCursor::Kind JsonCursor::peek()
{
    if (failed())
        return Kind::Invalid;
    skipWhitespace();
    if (m_p >= m_end) {
        if (m_partial)
            truncated(QString());
        return Kind::Invalid;
    }
    switch (*m_p) {
    case '{':
        return Kind::Object;
    case '[':
        return Kind::Array;
    case '"':
        return Kind::String;
    case 't':
    case 'f':
        return Kind::Bool;
    case 'n':
        return Kind::Null;
    default:
        return *m_p == '-' || isDigit(*m_p) ? Kind::Number : Kind::Invalid;
    }
}

bool JsonCursor::enter(char open)
{
    if (failed())
        return false;
    skipWhitespace();
    if (m_p >= m_end)
        return m_partial ? truncated(QString()) : false;
    if (*m_p != open)
        return false;
    if (m_depth >= MaxDepth)
        return fail(QStringLiteral("JSON nested deeper than %1 levels").arg(MaxDepth));
    ++m_p;
    m_hadElement[++m_depth] = false;
    return true;
}

bool JsonCursor::enterObject()
{
    return enter('{');
}

bool JsonCursor::enterArray()
{
    return enter('[');
}

bool JsonCursor::nextKey(QByteArray *key)
{
    if (failed())
        return false;
    skipWhitespace();
    if (m_p >= m_end)
        return truncated(QStringLiteral("JSON object not closed"));
    if (*m_p == '}') {
        ++m_p;
        --m_depth;
        return false;
    }
    if (m_hadElement[m_depth]) {
        if (*m_p != ',')
            return fail(QStringLiteral("',' or '}' expected in a JSON object"));
        ++m_p;
        skipWhitespace();
    }
    if (m_p >= m_end)
        return truncated(QStringLiteral("a JSON object key expected"));
    if (*m_p != '"')
        return fail(QStringLiteral("a JSON object key expected"));
    if (!scanString(key))
        return false;
    skipWhitespace();
    if (m_p >= m_end)
        return truncated(QStringLiteral("':' expected after a JSON object key"));
    if (*m_p != ':')
        return fail(QStringLiteral("':' expected after a JSON object key"));
    ++m_p;
    m_hadElement[m_depth] = true;
    return true;
}

bool JsonCursor::nextElement()
{
    if (failed())
        return false;
    skipWhitespace();
    if (m_p >= m_end)
        return truncated(QStringLiteral("JSON array not closed"));
    if (*m_p == ']') {
        ++m_p;
        --m_depth;
        return false;
    }
    if (m_hadElement[m_depth]) {
        if (*m_p != ',')
            return fail(QStringLiteral("',' or ']' expected in a JSON array"));
        ++m_p;
        skipWhitespace();
        if (m_p < m_end && *m_p == ']')
            return fail(QStringLiteral("a JSON value expected after ','"));
    }
    m_hadElement[m_depth] = true;
    return true;
}

bool JsonCursor::readString(QByteArray *utf8)
{
    if (peek() != Kind::String)
        return false;
    return scanString(utf8);
}

bool JsonCursor::readInt(qint64 *value)
{
    if (peek() != Kind::Number)
        return false;
    return scanNumber(value);
}

bool JsonCursor::scanLiteral(const char *word, int length)
{
    if (m_end - m_p < length) {
        if (std::memcmp(m_p, word, size_t(m_end - m_p)) == 0)
            return truncated(QStringLiteral("invalid JSON value"));
        return fail(QStringLiteral("invalid JSON value"));
    }
    if (std::memcmp(m_p, word, size_t(length)) != 0)
        return fail(QStringLiteral("invalid JSON value"));
    m_p += length;
    return true;
}

bool JsonCursor::skip()
{
    switch (peek()) {
    case Kind::Object: {
        enterObject();
        while (nextKey(nullptr))
            skip();
        return !failed();
    }
    case Kind::Array:
        enterArray();
        while (nextElement())
            skip();
        return !failed();
    case Kind::String:
        return scanString(nullptr);
    case Kind::Number:
        return scanNumber(nullptr);
    case Kind::Bool:
        return *m_p == 't' ? scanLiteral("true", 4) : scanLiteral("false", 5);
    case Kind::Null:
        return scanLiteral("null", 4);
    case Kind::Invalid:
        break;
    }
    if (failed())
        return false;
    return fail(
        m_p >= m_end ? QStringLiteral("JSON value expected, document ended") : QStringLiteral("invalid JSON value"));
}

bool JsonCursor::scanString(QByteArray *out)
{
    ++m_p; // the opening quote
    const char *start = m_p;
    // Fast path: no escape, viewed in place.
    m_p = plainRun(m_p, m_end);
    if (m_p >= m_end)
        return truncated(QStringLiteral("JSON string not closed"));
    if (*m_p == '"') {
        if (out)
            *out = QByteArray::fromRawData(start, int(m_p - start));
        ++m_p;
        return true;
    }
    QByteArray buffer;
    QByteArray *o = out ? &buffer : nullptr;
    if (o)
        o->append(start, int(m_p - start));
    while (m_p < m_end) {
        const char c = *m_p;
        if (c == '"') {
            ++m_p;
            if (out)
                *out = buffer;
            return true;
        }
        if (quint8(c) < 0x20)
            return fail(QStringLiteral("control character in a JSON string"));
        if (c != '\\') {
            const char *run = m_p;
            m_p = plainRun(m_p, m_end);
            if (o)
                o->append(run, int(m_p - run));
            continue;
        }
        if (m_end - m_p < 2)
            return truncated(QStringLiteral("JSON string not closed"));
        const char e = m_p[1];
        m_p += 2;
        char plain = 0;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            plain = e;
            break;
        case 'b':
            plain = '\b';
            break;
        case 'f':
            plain = '\f';
            break;
        case 'n':
            plain = '\n';
            break;
        case 'r':
            plain = '\r';
            break;
        case 't':
            plain = '\t';
            break;
        case 'u': {
            // A view ending inside the escape (or before a high surrogate's low half) cannot tell yet.
            if (m_partial && m_end - m_p < 10)
                return truncated(QString());
            const auto hex4 = [this](char32_t *v) {
                if (m_end - m_p < 4)
                    return false;
                char32_t r = 0;
                for (int i = 0; i < 4; ++i) {
                    const int h = hexValue(m_p[i]);
                    if (h < 0)
                        return false;
                    r = (r << 4) | char32_t(h);
                }
                m_p += 4;
                *v = r;
                return true;
            };
            char32_t cp = 0;
            if (!hex4(&cp))
                return fail(QStringLiteral("bad \\u escape in a JSON string"));
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                char32_t low = 0;
                if (m_end - m_p >= 6 && m_p[0] == '\\' && m_p[1] == 'u') {
                    m_p += 2;
                    if (!hex4(&low))
                        return fail(QStringLiteral("bad \\u escape in a JSON string"));
                }
                cp = low >= 0xDC00 && low <= 0xDFFF ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD; // a lone low surrogate
            }
            if (o)
                appendUtf8(o, cp);
            continue;
        }
        default:
            return fail(QStringLiteral("bad escape in a JSON string"));
        }
        if (o)
            o->append(plain);
    }
    return truncated(QStringLiteral("JSON string not closed"));
}

bool JsonCursor::scanNumber(qint64 *value)
{
    const char *start = m_p;
    bool negative = false;
    if (*m_p == '-') {
        negative = true;
        ++m_p;
    }
    if (m_p >= m_end)
        return truncated(QStringLiteral("invalid JSON number"));
    if (!isDigit(*m_p))
        return fail(QStringLiteral("invalid JSON number"));
    quint64 magnitude = 0;
    bool exact = true;
    if (*m_p == '0') {
        ++m_p;
    } else {
        while (m_p < m_end && isDigit(*m_p)) {
            const quint64 next = magnitude * 10 + quint64(*m_p - '0');
            if (magnitude > (std::numeric_limits<quint64>::max() - 9) / 10)
                exact = false;
            magnitude = next;
            ++m_p;
        }
    }
    if (m_p < m_end && *m_p == '.') {
        exact = false;
        ++m_p;
        if (m_p >= m_end)
            return truncated(QStringLiteral("invalid JSON number"));
        if (!isDigit(*m_p))
            return fail(QStringLiteral("invalid JSON number"));
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
        exact = false;
        ++m_p;
        if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
            ++m_p;
        if (m_p >= m_end)
            return truncated(QStringLiteral("invalid JSON number"));
        if (!isDigit(*m_p))
            return fail(QStringLiteral("invalid JSON number"));
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p >= m_end && m_partial)
        return truncated(QString()); // more digits may follow
    if (!value)
        return true;
    constexpr quint64 limit = quint64(std::numeric_limits<qint64>::max());
    if (exact && magnitude <= limit) {
        *value = negative ? -qint64(magnitude) : qint64(magnitude);
        return true;
    }
    // Fractions, exponents, huge integers: as a double would hold them, truncated, clamped to qint64.
    const double d = QByteArray(start, int(m_p - start)).toDouble(); // not strtod: that follows the locale
    if (!std::isfinite(d) || d >= 9.2233720368547758e18)
        *value = d < 0 ? std::numeric_limits<qint64>::min() : std::numeric_limits<qint64>::max();
    else if (d <= -9.2233720368547758e18)
        *value = std::numeric_limits<qint64>::min();
    else
        *value = qint64(d);
    return true;
}

bool JsonCursor::finish()
{
    if (failed())
        return false;
    if (m_depth != 0)
        return fail(QStringLiteral("JSON document not closed"));
    skipWhitespace();
    if (m_p != m_end)
        return fail(QStringLiteral("data after the JSON document"));
    return true;
}

} // namespace ll
