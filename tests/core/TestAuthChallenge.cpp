#include "registry/AuthChallenge.h"

#include <QTest>

using ll::registry::AuthChallenge;

namespace {

// "scheme key=<value> key=<value> | scheme ..." with keys in map (sorted) order.
QString describe(const QList<AuthChallenge> &challenges)
{
    QStringList parts;
    for (const AuthChallenge &c : challenges) {
        QString s = c.scheme;
        for (auto it = c.params.cbegin(); it != c.params.cend(); ++it)
            s += QLatin1Char(' ') + it.key() + QStringLiteral("=<") + it.value() + QLatin1Char('>');
        parts << s;
    }
    return parts.join(QStringLiteral(" | "));
}

} // namespace

class TestAuthChallenge : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void accessors();
    void parseAll();
    void find();
};

void TestAuthChallenge::parse_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("expected");

    QTest::newRow("docker-hub") << QByteArray(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull")")
                                << QStringLiteral("bearer realm=<https://auth.docker.io/token> "
                                                  "scope=<repository:library/ubuntu:pull> "
                                                  "service=<registry.docker.io>");
    QTest::newRow("comma-in-quotes") << QByteArray(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull,push")")
                                     << QStringLiteral("bearer realm=<https://auth.docker.io/token> "
                                                       "scope=<repository:library/ubuntu:pull,push> "
                                                       "service=<registry.docker.io>");
    QTest::newRow("basic-then-bearer") << QByteArray(R"(Basic realm="Registry Realm", Bearer realm="x")")
                                       << QStringLiteral("basic realm=<Registry Realm> | bearer realm=<x>");
    QTest::newRow("bearer-then-basic-no-space") << QByteArray(R"(Bearer realm="x",service="y",Basic realm="z")")
                                                << QStringLiteral("bearer realm=<x> service=<y> | basic realm=<z>");
    QTest::newRow("insufficient-scope") << QByteArray(
        R"(Bearer realm="https://r/token",error="insufficient_scope",scope="repository:a/b:pull repository:c/d:pull")")
                                        << QStringLiteral("bearer error=<insufficient_scope> realm=<https://r/token> "
                                                          "scope=<repository:a/b:pull repository:c/d:pull>");
    QTest::newRow("escaped-quote") << QByteArray(R"(Basic realm="say \"hi\", \\ ok")")
                                   << QStringLiteral(R"(basic realm=<say "hi", \ ok>)");
    QTest::newRow("case-insensitive") << QByteArray(R"(BEARER Realm="R",SERVICE="S")")
                                      << QStringLiteral("bearer realm=<R> service=<S>");
    QTest::newRow("whitespace") << QByteArray("  Bearer   realm = \"a\" ,\t service=\"b\" ,  ")
                                << QStringLiteral("bearer realm=<a> service=<b>");
    QTest::newRow("token-values") << QByteArray("Bearer realm=\"r\", error=invalid_token, scope=x")
                                  << QStringLiteral("bearer error=<invalid_token> realm=<r> scope=<x>");
    QTest::newRow("unquoted-first") << QByteArray("Bearer error=invalid_token")
                                    << QStringLiteral("bearer error=<invalid_token>");
    QTest::newRow("scheme-only") << QByteArray("Basic") << QStringLiteral("basic");
    QTest::newRow("two-bare-schemes") << QByteArray("Negotiate, Basic realm=\"x\"")
                                      << QStringLiteral("negotiate | basic realm=<x>");
    QTest::newRow("token68-ignored") << QByteArray("Negotiate abc+/def==, Bearer realm=\"r\"")
                                     << QStringLiteral("negotiate | bearer realm=<r>");
    QTest::newRow("token68-single-pad") << QByteArray("Custom abc=") << QStringLiteral("custom");
    QTest::newRow("duplicate-param-first-wins")
        << QByteArray(R"(Bearer realm="a", realm="b")") << QStringLiteral("bearer realm=<a>");
    QTest::newRow("empty-commas") << QByteArray(",,Basic realm=\"x\",,,") << QStringLiteral("basic realm=<x>");
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("only-spaces") << QByteArray("   ") << QString();
    QTest::newRow("empty-quoted") << QByteArray(R"(Bearer realm="",service="s")")
                                  << QStringLiteral("bearer realm=<> service=<s>");
    // The quote closes at service=", leaving junk after the value: the malformed parameter is dropped.
    QTest::newRow("junk-after-quoted") << QByteArray(R"(Bearer realm="abc, service="s)") << QStringLiteral("bearer");
    QTest::newRow("unterminated-quote") << QByteArray(R"(Bearer service="s", realm="abc)")
                                        << QStringLiteral("bearer service=<s>");
    QTest::newRow("garbage-skipped") << QByteArray(R"(=junk, Basic realm="x")") << QStringLiteral("basic realm=<x>");
    QTest::newRow("utf8-value") << QByteArray("Basic realm=\"caf\xc3\xa9\"")
                                << QStringLiteral("basic realm=<caf\u00e9>");
    QTest::newRow("three-challenges")
        << QByteArray(R"(Bearer realm="a", Basic realm="b", Digest realm="c", nonce="n,1", qop="auth")")
        << QStringLiteral("bearer realm=<a> | basic realm=<b> | digest nonce=<n,1> qop=<auth> realm=<c>");
}

void TestAuthChallenge::parse()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, expected);
    QCOMPARE(describe(AuthChallenge::parse(header)), expected);
}

void TestAuthChallenge::accessors()
{
    const QList<AuthChallenge> list = AuthChallenge::parse(
        R"(Bearer realm="https://r/token",service="reg",scope="repository:a/b:pull  repository:c/d:pull,push",error="insufficient_scope")");
    QCOMPARE(list.size(), 1);
    const AuthChallenge &c = list.first();
    QVERIFY(c.isBearer());
    QVERIFY(!c.isBasic());
    QCOMPARE(c.realm(), QStringLiteral("https://r/token"));
    QCOMPARE(c.service(), QStringLiteral("reg"));
    QCOMPARE(c.error(), QStringLiteral("insufficient_scope"));
    QCOMPARE(c.scopes(),
        (QStringList { QStringLiteral("repository:a/b:pull"), QStringLiteral("repository:c/d:pull,push") }));
}

void TestAuthChallenge::parseAll()
{
    const QList<AuthChallenge> list
        = AuthChallenge::parseAll({ QByteArray(R"(Basic realm="b")"), QByteArray(R"(Bearer realm="r", Negotiate)") });
    QCOMPARE(describe(list), QStringLiteral("basic realm=<b> | bearer realm=<r> | negotiate"));
}

void TestAuthChallenge::find()
{
    const QList<AuthChallenge> list = AuthChallenge::parse(R"(Basic realm="b", BEARER realm="r")");
    const AuthChallenge *bearer = AuthChallenge::find(list, QLatin1String("Bearer"));
    QVERIFY(bearer);
    QCOMPARE(bearer->realm(), QStringLiteral("r"));
    const AuthChallenge *basic = AuthChallenge::find(list, QLatin1String("basic"));
    QVERIFY(basic);
    QCOMPARE(basic->realm(), QStringLiteral("b"));
    QVERIFY(!AuthChallenge::find(list, QLatin1String("digest")));
}

QTEST_APPLESS_MAIN(TestAuthChallenge)
#include "TestAuthChallenge.moc"
