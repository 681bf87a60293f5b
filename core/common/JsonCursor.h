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
 *
 * Streaming (setPartial()): the view holds the document as far as it has arrived. Running into the view's end
 * inside a value is then no error: the call fails, isStarved() says why, and every later call fails too, until
 * the caller resume()s from a mark() taken before that value with a view that reaches further (the start of
 * an unfinished value is re-read). A mark holds the nesting level it was taken at: resume only at marks taken
 * where the enclosing levels were not left since (e.g. before each element of an array).
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

    /** Where the cursor is, to resume() there over a longer view. */
    struct Mark {
        qint64 offset = 0; // in the document
        int depth = 0;
        bool hadElement = false;
    };
    /** Streaming: more of the document follows the view (see the class comment). */
    void setPartial(bool partial) { m_partial = partial; }
    /** The last call ran into the end of a partial view (not an error; failed() is true until resume()). */
    bool isStarved() const { return m_starved; }
    Mark mark() const { return { m_base + (m_p - m_begin), m_depth, m_hadElement[m_depth] }; }
    /**
     * Continues at mark over a new view of the document: data holds its bytes from offset base on (base <=
     * mark.offset <= base + size). Clears a starved state; an error stays.
     */
    void resume(const char *data, qint64 size, qint64 base, const Mark &mark);
    /** Offset in the document of the next byte to read. */
    qint64 offset() const { return m_base + (m_p - m_begin); }

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

    /** An error, or a starved partial view. */
    bool failed() const { return m_starved || !m_error.isEmpty(); }
    /** "... at byte N"; empty when no error. */
    QString error() const { return m_error; }

private:
    bool fail(const QString &what);
    /** At the end of the view: starved when partial, else an error. */
    bool truncated(const QString &what);
    void skipWhitespace();
    bool scanString(QByteArray *out); // out null: validate and skip
    bool scanNumber(qint64 *value); // value null: validate and skip
    bool scanLiteral(const char *word, int length);
    bool enter(char open);

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    qint64 m_base = 0; // document offset of m_begin
    QString m_error;
    bool m_partial = false;
    bool m_starved = false;
    int m_depth = 0;
    // per nesting level: true once the container has had an element (a ',' must precede the next)
    bool m_hadElement[MaxDepth + 1] = {};
};

} // namespace ll
