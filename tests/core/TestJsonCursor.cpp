#include "common/JsonCursor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>

using namespace ll;

namespace {

/** The whole document read through the cursor, as QJson values (numbers as qint64 converted to double). */
QJsonValue build(JsonCursor &c)
{
    switch (c.peek()) {
    case JsonCursor::Kind::Object: {
        c.enterObject();
        QJsonObject o;
        QByteArray key;
        while (c.nextKey(&key)) {
            const QString k = QString::fromUtf8(key);
            o.insert(k, build(c));
        }
        return o;
    }
    case JsonCursor::Kind::Array: {
        c.enterArray();
        QJsonArray a;
        while (c.nextElement())
            a.append(build(c));
        return a;
    }
    case JsonCursor::Kind::String: {
        QByteArray s;
        c.readString(&s);
        return QString::fromUtf8(s);
    }
    case JsonCursor::Kind::Number: {
        qint64 v = 0;
        c.readInt(&v);
        return double(v);
    }
    case JsonCursor::Kind::Bool:
    case JsonCursor::Kind::Null:
    case JsonCursor::Kind::Invalid:
        break;
    }
    // true / false / null (the cursor only skips them: the TOC needs none); an invalid value fails here.
    c.skip();
    return QJsonValue(QJsonValue::Null);
}

/** QJsonDocument's value with numbers truncated as the cursor reads them, booleans as null. */
QJsonValue normalized(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject o;
        const QJsonObject in = v.toObject();
        for (auto it = in.begin(); it != in.end(); ++it)
            o.insert(it.key(), normalized(it.value()));
        return o;
    }
    if (v.isArray()) {
        QJsonArray a;
        for (const QJsonValue &e : v.toArray())
            a.append(normalized(e));
        return a;
    }
    if (v.isDouble())
        return double(qint64(std::trunc(v.toDouble())));
    if (v.isBool())
        return QJsonValue(QJsonValue::Null);
    return v;
}

QJsonValue randomValue(QRandomGenerator &rng, int depth)
{
    const int kind = depth > 4 ? int(rng.bounded(4)) : int(rng.bounded(6));
    switch (kind) {
    case 0: {
        QString s;
        const int n = int(rng.bounded(12));
        for (int i = 0; i < n; ++i) {
            static const char32_t pool[] = { U'a', U'/', U'"', U'\\', U'\n', U'\t', U'\x01', U'é', U'€', U'😀', U' ' };
            const char32_t cp = pool[rng.bounded(int(sizeof pool / sizeof pool[0]))];
            s += QString::fromUcs4(&cp, 1);
        }
        return s;
    }
    case 1:
        return double(qint64(rng.generate64() >> rng.bounded(64)) * (rng.bounded(2) ? 1 : -1) / 1024);
    case 2:
        return rng.bounded(2) == 1;
    case 3:
        return QJsonValue(QJsonValue::Null);
    case 4: {
        QJsonArray a;
        const int n = int(rng.bounded(5));
        for (int i = 0; i < n; ++i)
            a.append(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        const int n = int(rng.bounded(5));
        for (int i = 0; i < n; ++i)
            o.insert(QStringLiteral("k%1\"é").arg(i), randomValue(rng, depth + 1));
        return o;
    }
    }
}

} // namespace

class TestJsonCursor : public QObject
{
    Q_OBJECT

private slots:
    void sameAsQJsonDocument_data();
    void sameAsQJsonDocument();
    void randomDocumentsAgree();
    void numbers_data();
    void numbers();
    void stringsViewedOrUnescaped();
    void hostileNesting();
    void partialViewsStarveThenResume_data() { sameAsQJsonDocument_data(); }
    void partialViewsStarveThenResume();
    void randomDocumentsInPieces();
};

void TestJsonCursor::sameAsQJsonDocument_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid"); // by RFC 8259
    QTest::addColumn<bool>("qtLenient"); // QJsonDocument accepts it all the same
    QTest::newRow("object") << QByteArray(R"({"a":1,"b":[1,2,{"c":"d"}],"e":{}})") << true << false;
    QTest::newRow("whitespace") << QByteArray(" \t\r\n{ \"a\" : [ ] , \"b\" : { } }\n") << true << false;
    QTest::newRow("escapes") << QByteArray(R"({"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00"})") << true << false;
    QTest::newRow("literals") << QByteArray(R"([true,false,null])") << true << false;
    QTest::newRow("numbers") << QByteArray(R"([0,-0,12,-34,1.9,-1.9,1e3,2E-2,123456789012])") << true << false;
    QTest::newRow("empty") << QByteArray("") << false << false;
    QTest::newRow("truncated object") << QByteArray(R"({"a":1)") << false << false;
    QTest::newRow("truncated string") << QByteArray(R"({"a":"bc)") << false << false;
    QTest::newRow("trailing comma object") << QByteArray(R"({"a":1,})") << false << false;
    QTest::newRow("trailing comma array") << QByteArray(R"([1,2,])") << false << false;
    QTest::newRow("missing comma") << QByteArray(R"([1 2])") << false << false;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << false << false;
    QTest::newRow("unquoted key") << QByteArray(R"({a:1})") << false << false;
    QTest::newRow("single quotes") << QByteArray(R"({'a':1})") << false << false;
    QTest::newRow("bad escape") << QByteArray(R"(["\x41"])") << false << true;
    QTest::newRow("bad unicode escape") << QByteArray(R"(["\u12G4"])") << false << false;
    QTest::newRow("raw control character") << QByteArray("[\"a\x01\"]") << false << true;
    QTest::newRow("leading zero") << QByteArray("[01]") << false << false;
    QTest::newRow("bare minus") << QByteArray("[-]") << false << false;
    QTest::newRow("dot without digits") << QByteArray("[1.]") << false << true;
    QTest::newRow("exponent without digits") << QByteArray("[1e]") << false << false;
    QTest::newRow("bad literal") << QByteArray("[tru]") << false << false;
    QTest::newRow("data after the document") << QByteArray(R"({"a":1} x)") << false << false;
    QTest::newRow("two documents") << QByteArray(R"({}{})") << false << false;
    QTest::newRow("unclosed array") << QByteArray(R"([[1])") << false << false;
    QTest::newRow("mismatched close") << QByteArray(R"([1})") << false << false;
}

void TestJsonCursor::sameAsQJsonDocument()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QFETCH(bool, qtLenient);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    // The reference agrees with the row (the row is about JSON, not about us); where Qt is more lenient than
    // the RFC (an unknown escape, a raw control character, "1."), the cursor keeps to the RFC.
    QCOMPARE(err.error == QJsonParseError::NoError, valid || qtLenient);

    JsonCursor c(json);
    const QJsonValue ours = build(c);
    const bool ok = c.finish();
    QVERIFY2(ok == valid, qPrintable(c.error()));
    if (!valid) {
        QVERIFY(c.error().contains(QLatin1String("at byte")));
        return;
    }
    const QJsonValue theirs = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    QCOMPARE(ours, normalized(theirs));
}

void TestJsonCursor::randomDocumentsAgree()
{
    QRandomGenerator rng(20261207);
    for (int round = 0; round < 500; ++round) {
        QJsonObject root;
        for (int i = 0; i < 4; ++i)
            root.insert(QStringLiteral("f%1").arg(i), randomValue(rng, 0));
        const QByteArray json
            = QJsonDocument(root).toJson(round % 2 ? QJsonDocument::Compact : QJsonDocument::Indented);
        JsonCursor c(json);
        const QJsonValue ours = build(c);
        QVERIFY2(c.finish(), qPrintable(c.error() + QLatin1Char('\n') + QString::fromUtf8(json)));
        QCOMPARE(ours, normalized(QJsonDocument::fromJson(json).object()));
        // Cut anywhere inside, the document is refused, never misread as complete.
        const int cut = int(rng.bounded(json.size()));
        JsonCursor t(json.constData(), cut);
        build(t);
        QVERIFY2(!t.finish() || json.left(cut).trimmed() == json.trimmed(), json.left(cut).constData());
    }
}

void TestJsonCursor::numbers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("value");
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("big exact") << QByteArray("9007199254740993") << qint64(9007199254740993LL); // a double cannot
    QTest::newRow("int64 max") << QByteArray("9223372036854775807") << std::numeric_limits<qint64>::max();
    QTest::newRow("negative") << QByteArray("-42") << qint64(-42);
    QTest::newRow("fraction truncated") << QByteArray("7.99") << qint64(7);
    QTest::newRow("negative fraction") << QByteArray("-7.99") << qint64(-7);
    QTest::newRow("exponent") << QByteArray("1.5e3") << qint64(1500);
    QTest::newRow("past int64 clamps") << QByteArray("1e300") << std::numeric_limits<qint64>::max();
    QTest::newRow("past int64 negative clamps") << QByteArray("-1e300") << std::numeric_limits<qint64>::min();
    QTest::newRow("20 digits clamps") << QByteArray("99999999999999999999") << std::numeric_limits<qint64>::max();
}

void TestJsonCursor::numbers()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, value);
    const QByteArray doc = "[" + json + "]";
    JsonCursor c(doc);
    QVERIFY(c.enterArray());
    QVERIFY(c.nextElement());
    qint64 v = 0;
    QVERIFY(c.readInt(&v));
    QCOMPARE(v, value);
    QVERIFY(!c.nextElement());
    QVERIFY2(c.finish(), qPrintable(c.error()));
}

void TestJsonCursor::stringsViewedOrUnescaped()
{
    const QByteArray doc = R"({"plain":"etc/passwd","escaped":"a\tb","number":5})";
    JsonCursor c(doc);
    QVERIFY(c.enterObject());
    QByteArray key, value;
    QVERIFY(c.nextKey(&key));
    QCOMPARE(key, QByteArray("plain"));
    QVERIFY(c.readString(&value));
    QCOMPARE(value, QByteArray("etc/passwd"));
    // No escape: a view into the document, nothing copied.
    QVERIFY(value.constData() >= doc.constData() && value.constData() < doc.constData() + doc.size());
    QVERIFY(c.nextKey(&key));
    QVERIFY(c.readString(&value));
    QCOMPARE(value, QByteArray("a\tb"));
    QVERIFY(c.nextKey(&key));
    // A number is not a string: no error, the caller skips it.
    QVERIFY(!c.readString(&value));
    QVERIFY(!c.failed());
    QVERIFY(c.skip());
    QVERIFY(!c.nextKey(&key));
    QVERIFY(c.finish());
    // A lone surrogate has no UTF-8 form: U+FFFD (QJsonDocument keeps it in its QString).
    const QByteArray lone = R"(["x\ud800y","\udc00"])";
    JsonCursor s(lone);
    QVERIFY(s.enterArray() && s.nextElement() && s.readString(&value));
    QCOMPARE(QString::fromUtf8(value), QStringLiteral("x\uFFFDy"));
    QVERIFY(s.nextElement() && s.readString(&value));
    QCOMPARE(QString::fromUtf8(value), QStringLiteral("\uFFFD"));
}

void TestJsonCursor::hostileNesting()
{
    // 100,000 nested arrays: refused at MaxDepth with a message, no stack overflow.
    const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
    JsonCursor c(deep);
    QVERIFY(!c.skip());
    QVERIFY(c.failed());
    QVERIFY2(c.error().contains(QLatin1String("deeper")), qPrintable(c.error()));
    // Within the limit it reads.
    const QByteArray ok = QByteArray(JsonCursor::MaxDepth, '[') + QByteArray(JsonCursor::MaxDepth, ']');
    JsonCursor d(ok);
    QVERIFY(d.skip());
    QVERIFY(d.finish());
}

namespace {

/**
 * The document's top-level value read as a stream brings it: views growing by pieces of `step` bytes (the
 * last one not partial), resumed at a mark taken before the value and, inside a top-level array, before
 * each element. ok: finish() passed; error: the cursor's.
 */
struct Streamed {
    QJsonValue value;
    bool ok = false;
    QString error;
    int starved = 0;
};

Streamed readStreamed(const QByteArray &json, int step)
{
    Streamed out;
    JsonCursor c(json.constData(), 0);
    JsonCursor::Mark mark = c.mark();
    int seen = 0;
    QJsonArray elements;
    bool inArray = false;
    bool read = false; // the value is read; what follows is checked
    for (;;) {
        const bool last = seen >= json.size();
        c.setPartial(!last);
        c.resume(json.constData(), seen, 0, mark);
        if (read) {
            if (!c.finish() || last) {
                out.ok = !c.failed();
                out.error = c.error();
                return out;
            }
            mark = c.mark();
        } else {
            QJsonValue whole;
            bool done = false;
            if (!inArray) {
                if (c.peek() == JsonCursor::Kind::Array) {
                    c.enterArray();
                    inArray = true;
                    mark = c.mark();
                } else if (!c.isStarved()) {
                    whole = build(c);
                    done = !c.isStarved();
                }
            }
            if (inArray) {
                while (c.nextElement()) {
                    const QJsonValue v = build(c);
                    if (c.isStarved())
                        break;
                    elements.append(v);
                    mark = c.mark();
                }
                if (!c.isStarved()) {
                    whole = elements;
                    done = true;
                }
            }
            if (done && c.failed()) {
                out.error = c.error();
                return out;
            }
            if (done) {
                out.value = whole;
                read = true;
                mark = c.mark();
                continue; // the rest of this view, then the next ones
            }
            if (!c.isStarved() || last) {
                out.error = c.failed() ? c.error() : QStringLiteral("stuck");
                return out;
            }
        }
        ++out.starved;
        seen = qMin(int(json.size()), seen + step);
    }
}

} // namespace

void TestJsonCursor::partialViewsStarveThenResume()
{
    // Pieces of 1, 2, 3 and 5 bytes: the same values, the same verdict, the same error position as at once.
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    JsonCursor c(json);
    const QJsonValue once = build(c);
    const bool ok = c.finish();
    for (const int step : { 1, 2, 3, 5 }) {
        const Streamed s = readStreamed(json, step);
        QCOMPARE(s.ok, ok);
        QCOMPARE(s.ok, valid);
        if (ok)
            QCOMPARE(s.value, once);
        else
            QCOMPARE(s.error, c.error());
    }
}

void TestJsonCursor::randomDocumentsInPieces()
{
    QRandomGenerator rng(20261208);
    for (int round = 0; round < 300; ++round) {
        QJsonArray root;
        for (int i = 0; i < 6; ++i)
            root.append(randomValue(rng, 0));
        const QByteArray json
            = QJsonDocument(root).toJson(round % 2 ? QJsonDocument::Compact : QJsonDocument::Indented);
        const Streamed s = readStreamed(json, 1 + int(rng.bounded(40)));
        QVERIFY2(s.ok, qPrintable(s.error + QLatin1Char('\n') + QString::fromUtf8(json)));
        QVERIFY(s.starved > 0);
        QCOMPARE(s.value, normalized(root));
        // A prefix is never complete: starved, not an error, while the view is partial.
        const int cut = int(rng.bounded(json.size()));
        JsonCursor t(json.constData(), cut);
        t.setPartial(true);
        build(t);
        QVERIFY2(t.isStarved() || t.error().isEmpty(), qPrintable(t.error()));
        QVERIFY(!t.finish() || json.left(cut).trimmed() == json.trimmed());
    }
}

QTEST_GUILESS_MAIN(TestJsonCursor)
#include "TestJsonCursor.moc"
