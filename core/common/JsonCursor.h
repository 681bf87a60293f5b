#pragma once

#include <QByteArray>
#include <QString>

namespace ll {

/**
 * A strict JSON (RFC 8259) pull reader over a byte view, for documents too big for QJsonDocument to be cheap
 * (a 76,000-entry TOC is 25 MB of JSON: QJsonDocument builds ~150 MB of values before the first is read).
 * The caller walks the structure it expects and skips the rest; nothing is allocated for skipped values or
 * for strings without escapes (viewed in place). Any syntax error stops the reader: every later call fails and
 * error() says what and where. Nesting deeper than MaxDepth is an error (a hostile document cannot overflow
 * the stack).
 *
 *     JsonCursor c(json);
 *     if (c.enterObject()) { QByteArray key; while (c.nextKey(&key)) { if (key == "n") c.readInt(&n); else c.skip(); }
 * } c.finish();  // nothing but whitespace after the value
 */
class JsonCursor
{
public:
    enum class Kind { Object, Array, String, Number, Bool, Null, Invalid };
    static constexpr int MaxDepth = 128;

    explicit JsonCursor(const char *data, qint64 size);
    explicit JsonCursor(const QByteArray &data) : JsonCursor(data.constData(), data.size()) { }
    /** The cursor views the document: a temporary would be gone before the first read. */
    explicit JsonCursor(QByteArray &&) = delete;

    /** The kind of the next value (whitespace skipped); Invalid at the end or after an error. */
    Kind peek();
    /** Consumes '{'; false (no error) when the next value is not an object. */
    bool enterObject();
    /** Consumes '['; false (no error) when the next value is not an array. */
    bool enterArray();
    /** In an object: the next key (unescaped) and its ':'; false at '}' (consumed) or on an error. */
    bool nextKey(QByteArray *key);
    /** In an array: true when another value follows; false at ']' (consumed) or on an error. */
    bool nextElement();
    /** A string value, unescaped to UTF-8 bytes (a string without escapes is a view into the document, valid
        while it lives); false (no error) when the next value is not a string. */
    bool readString(QByteArray *utf8);
    /** A number: an integer in range exactly, any other number truncated toward zero as a double would be. */
    bool readInt(qint64 *value);
    /** Skips the next value whatever it is. */
    bool skip();
    /** The end of the document: only whitespace may follow the top-level value. */
    bool finish();

    bool failed() const { return !m_error.isEmpty(); }
    /** "... at byte N"; empty when no error. */
    QString error() const { return m_error; }

private:
    bool fail(const QString &what);
    void skipWhitespace();
    bool scanString(QByteArray *out); // out null: validate and skip
    bool scanNumber(qint64 *value); // value null: validate and skip
    bool scanLiteral(const char *word, int length);
    bool enter(char open);

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    QString m_error;
    int m_depth = 0;
    // per nesting level: true once the container has had an element (a ',' must precede the next)
    bool m_hadElement[MaxDepth + 1] = {};
};

} // namespace ll
