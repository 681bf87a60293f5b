#include "common/PathBytes.h"

namespace ll {

namespace {

constexpr char16_t EscapeBase = 0xDC00;

bool isEscape(char16_t c)
{
    return c >= 0xDC80 && c <= 0xDCFF;
}

/** Length of the valid UTF-8 sequence starting at p (at most end - p bytes), 0 when invalid there. */
int validSequence(const unsigned char *p, const unsigned char *end, char32_t *out)
{
    const unsigned char b0 = p[0];
    int len;
    char32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
    } else {
        return 0; // 0x80..0xC1 (continuation or overlong lead), 0xF5..0xFF
    }
    if (end - p < len)
        return 0;
    for (int i = 1; i < len; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out = cp;
    return len;
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= '0' && u <= '9')
        return u - '0';
    if (u >= 'a' && u <= 'f')
        return u - 'a' + 10;
    if (u >= 'A' && u <= 'F')
        return u - 'A' + 10;
    return -1;
}

} // namespace

QString PathBytes::decode(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    QString out;
    out.reserve(bytes.size());
    while (p < end) {
        if (*p < 0x80) {
            out += QChar(char16_t(*p++));
            continue;
        }
        char32_t cp = 0;
        const int len = validSequence(p, end, &cp);
        if (len == 0) {
            out += QChar(char16_t(EscapeBase + *p++));
            continue;
        }
        if (cp >= 0x10000) {
            out += QChar(QChar::highSurrogate(cp));
            out += QChar(QChar::lowSurrogate(cp));
        } else {
            out += QChar(char16_t(cp));
        }
        p += len;
    }
    return out;
}

QByteArray PathBytes::encode(QStringView name)
{
    QByteArray out;
    out.reserve(name.size());
    const qsizetype n = name.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = name[i].unicode();
        char32_t cp = c;
        if (c < 0x80) {
            out += char(c);
            continue;
        }
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(name[i + 1].unicode())) {
            cp = QChar::surrogateToUcs4(c, name[i + 1].unicode());
            ++i;
        } else if (isEscape(c)) {
            out += char(c - EscapeBase);
            continue;
        } else if (QChar::isSurrogate(c)) {
            cp = 0xFFFD;
        }
        if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
        }
        out += char(0x80 | (cp & 0x3F));
    }
    return out;
}

bool PathBytes::hasEscapes(QStringView name)
{
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < name.size() && QChar::isLowSurrogate(name[i + 1].unicode()))
            ++i;
        else if (isEscape(c))
            return true;
    }
    return false;
}

QString PathBytes::display(QStringView name)
{
    auto needsEscape = [](char16_t c) { return c < 0x20 || c == 0x7F || c == '\\' || isEscape(c); };
    qsizetype first = 0;
    const qsizetype n = name.size();
    for (; first < n; ++first) {
        const char16_t c = name[first].unicode();
        if (QChar::isHighSurrogate(c) && first + 1 < n && QChar::isLowSurrogate(name[first + 1].unicode()))
            ++first;
        else if (needsEscape(c))
            break;
    }
    if (first == n)
        return name.toString();
    QString out = name.first(first).toString();
    static const char hex[] = "0123456789ABCDEF";
    for (qsizetype i = first; i < n; ++i) {
        const char16_t c = name[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(name[i + 1].unicode())) {
            out += name[i];
            out += name[++i];
        } else if (c == '\\') {
            out += QLatin1String("\\\\");
        } else if (needsEscape(c)) {
            const unsigned byte = isEscape(c) ? unsigned(c - EscapeBase) : unsigned(c);
            out += QLatin1String("\\x");
            out += QLatin1Char(hex[byte >> 4]);
            out += QLatin1Char(hex[byte & 0xF]);
        } else {
            out += name[i];
        }
    }
    return out;
}

QString PathBytes::fromDisplay(QStringView shown)
{
    if (!shown.contains(QLatin1Char('\\')))
        return shown.toString();
    // Work in bytes so that "\xC3\xA9" (a valid sequence written escaped) decodes to "é", as the bytes would.
    QByteArray bytes;
    const qsizetype n = shown.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (shown[i] != QLatin1Char('\\')) {
            qsizetype j = i + 1;
            if (shown[i].isHighSurrogate() && j < n && shown[j].isLowSurrogate())
                ++j;
            bytes += encode(shown.sliced(i, j - i));
            i = j - 1;
            continue;
        }
        if (i + 1 < n && shown[i + 1] == QLatin1Char('\\')) {
            bytes += '\\';
            ++i;
            continue;
        }
        if (i + 3 < n && shown[i + 1] == QLatin1Char('x')) {
            const int hi = hexValue(shown[i + 2]), lo = hexValue(shown[i + 3]);
            if (hi >= 0 && lo >= 0) {
                bytes += char(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        return QString();
    }
    return decode(bytes);
}

} // namespace ll
