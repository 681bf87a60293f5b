// Unit tests for PathBytes: names are bytes, carried as QString without loss.
#include "common/PathBytes.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

using namespace ll;

namespace {

/** "caf%E9" → "caf" + U+DCE9: how an escaped byte looks in the decoded QString (C++ cannot spell it). */
QString esc(const char *text)
{
    QString out = QString::fromUtf8(text);
    for (qsizetype i = out.indexOf(QLatin1Char('%')); i >= 0; i = out.indexOf(QLatin1Char('%'), i + 1))
        out.replace(i, 3, QChar(char16_t(0xDC00 + out.mid(i + 1, 2).toUInt(nullptr, 16))));
    return out;
}

} // namespace

class TestPathBytes : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("decoded");
        QTest::addColumn<QString>("shown");
        QTest::newRow("ascii") << QByteArray("etc/passwd") << QStringLiteral("etc/passwd")
                               << QStringLiteral("etc/passwd");
        QTest::newRow("utf8") << QByteArray("caf\xc3\xa9.txt") << QStringLiteral("caf\u00e9.txt")
                              << QStringLiteral("caf\u00e9.txt");
        QTest::newRow("latin1") << QByteArray("caf\xe9.txt") << esc("caf%E9.txt") << QStringLiteral("caf\\xE9.txt");
        QTest::newRow("astral") << QByteArray("\xf0\x9f\x98\x80") << QStringLiteral("\U0001F600")
                                << QStringLiteral("\U0001F600");
        QTest::newRow("truncated sequence")
            << QByteArray("a\xe2\x82") << esc("a%E2%82") << QStringLiteral("a\\xE2\\x82");
        QTest::newRow("encoded surrogate")
            << QByteArray("\xed\xb3\xa9") << esc("%ED%B3%A9") << QStringLiteral("\\xED\\xB3\\xA9");
        QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << esc("%C0%AF") << QStringLiteral("\\xC0\\xAF");
        QTest::newRow("backslash and newline")
            << QByteArray("a\\b\nc") << QStringLiteral("a\\b\nc") << QStringLiteral("a\\\\b\\x0Ac");
        QTest::newRow("replacement char is data")
            << QByteArray("\xef\xbf\xbd") << QStringLiteral("\ufffd") << QStringLiteral("\ufffd");
    }
    void roundTrip()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, decoded);
        QFETCH(QString, shown);
        QCOMPARE(PathBytes::decode(bytes), decoded);
        QCOMPARE(PathBytes::encode(decoded), bytes);
        QCOMPARE(PathBytes::display(decoded), shown);
        QCOMPARE(PathBytes::fromDisplay(shown), decoded);
        QCOMPARE(PathBytes::hasEscapes(decoded), shown.contains(QLatin1String("\\x")) && !bytes.contains('\n'));
    }

    // The bug this exists for: "caf\xe9" and "caf\xef" both became "caf\ufffd" and collapsed into one path.
    void distinctBytesStayDistinct()
    {
        QSet<QString> seen;
        for (int b = 0; b < 256; ++b)
            seen.insert(PathBytes::decode(QByteArray("caf").append(char(b))));
        QCOMPARE(seen.size(), 256);
    }

    void randomBytesRoundTrip()
    {
        QRandomGenerator rng(7);
        for (int i = 0; i < 20000; ++i) {
            QByteArray b(int(rng.bounded(1, 12)), Qt::Uninitialized);
            for (char &c : b)
                c = char(rng.bounded(256));
            const QString s = PathBytes::decode(b);
            QCOMPARE(PathBytes::encode(s), b);
            QCOMPARE(PathBytes::fromDisplay(PathBytes::display(s)), s);
        }
    }

    void malformedDisplay()
    {
        QVERIFY(PathBytes::fromDisplay(QStringLiteral("a\\q")).isNull());
        QVERIFY(PathBytes::fromDisplay(QStringLiteral("a\\x4")).isNull());
        QVERIFY(PathBytes::fromDisplay(QStringLiteral("a\\")).isNull());
    }
};

QTEST_APPLESS_MAIN(TestPathBytes)
#include "TestPathBytes.moc"
