// layerslayer-cli --analyze and --diff end to end against the harness registry (lab/app:1.0 and lab/app:1.1,
// which share their three bottom layers): the JSON shapes scripts depend on, the figures, the exit code 9.
#include "CliRunner.h"
#include "Harness.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using ll::test::CliRunner;
using ll::test::Harness;

namespace {

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject())
            qFatal("not a JSON line: %s", line.constData());
        lines.append(doc.object());
    }
    return lines;
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toInteger();
}

QSet<QString> keys(const QJsonObject &o)
{
    const QStringList k = o.keys();
    return QSet<QString>(k.begin(), k.end());
}

QSet<QString> keySet(std::initializer_list<const char *> names)
{
    QSet<QString> out;
    for (const char *n : names)
        out.insert(QString::fromLatin1(n));
    return out;
}

bool isWhiteoutName(const QString &path)
{
    return path.section(QLatin1Char('/'), -1).startsWith(QLatin1String(".wh."));
}

/**
 * dive's arithmetic done independently from the fixture description: every non-directory entry of every
 * layer is a copy, every file the harness's own merged view records as deleted is an event of size 0.
 */
struct Expected {
    qint64 total = 0;
    qint64 wasted = 0;
    double efficiency = 1;
    QMap<QString, qint64> wastedPaths;
};

Expected expectedEfficiency(const QJsonObject &fx)
{
    QMap<QString, QList<qint64>> events;
    for (const auto &l : fx.value(QLatin1String("layers")).toArray()) {
        for (const auto &ev : l.toObject().value(QLatin1String("entries")).toArray()) {
            const QJsonObject e = ev.toObject();
            if (str(e, "type") == QLatin1String("dir") || isWhiteoutName(str(e, "path")))
                continue;
            events[str(e, "path")].append(num(e, "size"));
        }
    }
    for (const auto &dv : fx.value(QLatin1String("deleted")).toArray()) {
        const QJsonObject d = dv.toObject();
        if (str(d, "type") != QLatin1String("dir"))
            events[str(d, "path")].append(0);
    }
    Expected x;
    qint64 smallest = 0;
    for (auto it = events.cbegin(); it != events.cend(); ++it) {
        qint64 sum = 0;
        for (qint64 s : it.value())
            sum += s;
        x.total += sum;
        smallest += *std::min_element(it.value().begin(), it.value().end());
        if (it.value().size() >= 2) {
            x.wasted += sum;
            x.wastedPaths.insert(it.key(), sum);
        }
    }
    x.efficiency = x.total ? double(smallest) / double(x.total) : 1.0;
    return x;
}

} // namespace

class TestAnalyzeCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void analyzeJson();
    void analyzeHuman();
    void thresholds_data();
    void thresholds();
    void diffJsonMatchesMergedViews();
    void diffHuman();
    void diffFromLayerIndexes();

private:
    Harness *h = nullptr;
};

void TestAnalyzeCli::initTestCase()
{
    h = &Harness::instance();
    if (!h->available())
        QSKIP(qPrintable(h->unavailableReason()));
    QVERIFY2(CliRunner::available(), "LL_CLI does not name the layerslayer-cli executable");
}

void TestAnalyzeCli::analyzeJson()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const auto r = CliRunner::run(
        { QStringLiteral("-t"), str(fx, "reference"), QStringLiteral("--analyze"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 1); // one object
    const QJsonObject o = lines.constFirst();
    QCOMPARE(
        keys(o), keySet({ "image", "digest", "total_bytes", "wasted_bytes", "efficiency", "layers", "top_wasted" }));
    QCOMPARE(str(o, "digest"), str(fx, "digest"));
    QVERIFY2(str(o, "image").endsWith(QLatin1String("lab/app:1.0")), qPrintable(str(o, "image")));

    const Expected x = expectedEfficiency(fx);
    QVERIFY(x.wasted > 0);
    QCOMPARE(num(o, "total_bytes"), x.total);
    QCOMPARE(num(o, "wasted_bytes"), x.wasted);
    QCOMPARE(o.value(QLatin1String("efficiency")).toDouble(), x.efficiency);

    const QJsonArray fxLayers = fx.value(QLatin1String("layers")).toArray();
    const QJsonArray layers = o.value(QLatin1String("layers")).toArray();
    QCOMPARE(layers.size(), fxLayers.size());
    // Per layer, from the fixture's construction (tests/support/llharness/fixtures.py, app_layers):
    //   0: everything is added;
    //   1: etc/passwd and etc/group re-written (modified), opt/app and its config.yaml added (etc and opt are
    //      listed again unchanged: not changes);
    //   2: etc/motd whited out; var/cache/apt made opaque, which hides archives/, pkgcache.bin and
    //      srcpkgcache.bin (3 deletions at the top of what is hidden); fresh.bin added;
    //   3: usr/local, usr/local/bin, usr/local/bin/app and etc/app.conf added.
    const int added[] = { int(fxLayers.at(0).toObject().value(QLatin1String("entries")).toArray().size()), 2, 1, 4 };
    const int modified[] = { 0, 2, 0, 0 };
    const int deleted[] = { 0, 0, 4, 0 };
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonObject l = layers.at(i).toObject();
        const QJsonObject fl = fxLayers.at(i).toObject();
        QCOMPARE(keys(l), keySet({ "index", "digest", "added", "modified", "deleted", "added_bytes" }));
        QCOMPARE(num(l, "index"), qint64(i));
        QCOMPARE(str(l, "digest"), str(fl, "digest"));
        QCOMPARE(int(num(l, "added")), added[i]);
        QCOMPARE(int(num(l, "modified")), modified[i]);
        QCOMPARE(int(num(l, "deleted")), deleted[i]);
    }
    // Layer 0 adds every file it has.
    qint64 layer0Bytes = 0;
    for (const auto &e : fxLayers.at(0).toObject().value(QLatin1String("entries")).toArray())
        layer0Bytes += str(e.toObject(), "type") == QLatin1String("dir") ? 0 : num(e.toObject(), "size");
    QCOMPARE(num(layers.at(0).toObject(), "added_bytes"), layer0Bytes);

    const QJsonArray top = o.value(QLatin1String("top_wasted")).toArray();
    QCOMPARE(top.size(), x.wastedPaths.size());
    qint64 previous = std::numeric_limits<qint64>::max();
    for (const auto &tv : top) {
        const QJsonObject t = tv.toObject();
        QCOMPARE(keys(t), keySet({ "path", "bytes", "layers" }));
        QVERIFY2(x.wastedPaths.contains(str(t, "path")), qPrintable(str(t, "path")));
        QCOMPARE(num(t, "bytes"), x.wastedPaths.value(str(t, "path")));
        QVERIFY(num(t, "bytes") <= previous);
        previous = num(t, "bytes");
        QVERIFY(t.value(QLatin1String("layers")).toArray().size() >= 2);
    }
    // etc/passwd: written in layer 0, again in layer 1.
    for (const auto &tv : top) {
        if (str(tv.toObject(), "path") == QLatin1String("etc/passwd"))
            QCOMPARE(tv.toObject().value(QLatin1String("layers")).toArray(), (QJsonArray { 0, 1 }));
    }
}

void TestAnalyzeCli::analyzeHuman()
{
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const auto r = CliRunner::run({ QStringLiteral("-t"), str(fx, "reference"), QStringLiteral("--analyze") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QLatin1String("Wasted bytes:")), r.out.constData());
    QVERIFY2(out.contains(QLatin1String("Efficiency:")), r.out.constData());
    QVERIFY2(out.contains(QLatin1String("var/cache/apt/pkgcache.bin")), r.out.constData());
}

void TestAnalyzeCli::thresholds_data()
{
    const Expected x = expectedEfficiency(Harness::instance().fixture(QStringLiteral("lab/app:1.0")));
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("wasted over the limit")
        << QStringList { QStringLiteral("--max-wasted"), QString::number(x.wasted - 1) } << 9;
    QTest::newRow("wasted at the limit") << QStringList { QStringLiteral("--max-wasted"), QString::number(x.wasted) }
                                         << 0;
    QTest::newRow("efficiency under the limit")
        << QStringList { QStringLiteral("--min-efficiency"), QString::number(x.efficiency + 0.01) } << 9;
    QTest::newRow("efficiency over the limit")
        << QStringList { QStringLiteral("--min-efficiency"), QString::number(x.efficiency - 0.01) } << 0;
    QTest::newRow("both, one over") << QStringList { QStringLiteral("--min-efficiency"), QStringLiteral("0"),
        QStringLiteral("--max-wasted"), QStringLiteral("0") }
                                    << 9;
    QTest::newRow("efficiency above 1 is a usage error")
        << QStringList { QStringLiteral("--min-efficiency"), QStringLiteral("1.5") } << 2;
}

void TestAnalyzeCli::thresholds()
{
    QFETCH(QStringList, flags);
    QFETCH(int, exitCode);
    const QJsonObject fx = h->fixture(QStringLiteral("lab/app:1.0"));
    const auto r = CliRunner::run(QStringList { QStringLiteral("-t"), str(fx, "reference"), QStringLiteral("--analyze"),
                                      QStringLiteral("--json") }
        + flags);
    QVERIFY2(r.exitCode == exitCode, r.err.constData());
    if (exitCode == 9) {
        QCOMPARE(jsonLines(r.out).size(), 1); // the report comes first
        QVERIFY2(!r.err.isEmpty(), "no reason on stderr");
    }
}

void TestAnalyzeCli::diffJsonMatchesMergedViews()
{
    const QJsonObject before = h->fixture(QStringLiteral("lab/app:1.0"));
    const QJsonObject after = h->fixture(QStringLiteral("lab/app:1.1"));
    const auto r = CliRunner::run({ QStringLiteral("-t"), str(before, "reference"), QStringLiteral("--diff"),
        str(after, "reference"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QList<QJsonObject> lines = jsonLines(r.out);
    QVERIFY(!lines.isEmpty());
    const QJsonObject summary = lines.takeLast();
    QCOMPARE(keys(summary), keySet({ "summary", "added", "removed", "changed", "shared_layers", "bytes_downloaded" }));
    QCOMPARE(summary.value(QLatin1String("summary")).toBool(), true);

    // What the harness's own merged views say differs (its files have one mtime: content differs with size).
    auto view = [](const QJsonObject &fx) {
        QMap<QString, QJsonObject> v;
        for (const auto &m : fx.value(QLatin1String("merged")).toArray())
            v.insert(str(m.toObject(), "path"), m.toObject());
        return v;
    };
    const auto vb = view(before), va = view(after);
    QMap<QString, QString> expected; // path -> change
    for (auto it = vb.cbegin(); it != vb.cend(); ++it) {
        if (!va.contains(it.key()))
            expected.insert(it.key(), QStringLiteral("removed"));
        else {
            const QJsonObject &b = it.value(), &a = va[it.key()];
            const bool dir = str(b, "type") == QLatin1String("dir");
            if (str(b, "type") != str(a, "type") || b.value(QLatin1String("mode")) != a.value(QLatin1String("mode"))
                || (!dir && (num(b, "size") != num(a, "size") || str(b, "link") != str(a, "link"))))
                expected.insert(it.key(), QStringLiteral("changed"));
        }
    }
    for (auto it = va.cbegin(); it != va.cend(); ++it) {
        if (!vb.contains(it.key()))
            expected.insert(it.key(), QStringLiteral("added"));
    }
    QVERIFY(expected.size() >= 4);

    QMap<QString, QString> got;
    QStringList order;
    int added = 0, removed = 0, changed = 0;
    for (const QJsonObject &o : lines) {
        QCOMPARE(
            keys(o), keySet({ "path", "change", "type", "size_before", "size_after", "layer_before", "layer_after" }));
        const QString change = str(o, "change");
        got.insert(str(o, "path"), change);
        order << str(o, "path");
        const QJsonObject b = vb.value(str(o, "path")), a = va.value(str(o, "path"));
        if (change == QLatin1String("added")) {
            ++added;
            QVERIFY(o.value(QLatin1String("size_before")).isNull());
            QVERIFY(o.value(QLatin1String("layer_before")).isNull());
            QCOMPARE(num(o, "layer_after"), num(a, "layer"));
        } else if (change == QLatin1String("removed")) {
            ++removed;
            QVERIFY(o.value(QLatin1String("size_after")).isNull());
            QVERIFY(o.value(QLatin1String("layer_after")).isNull());
            QCOMPARE(num(o, "layer_before"), num(b, "layer"));
            QCOMPARE(num(o, "size_before"), num(b, "size"));
        } else {
            ++changed;
            QCOMPARE(num(o, "size_before"), num(b, "size"));
            QCOMPARE(num(o, "size_after"), num(a, "size"));
            QCOMPARE(num(o, "layer_before"), num(b, "layer"));
            QCOMPARE(num(o, "layer_after"), num(a, "layer"));
        }
        QCOMPARE(str(o, "type"), str(change == QLatin1String("removed") ? b : a, "type"));
    }
    QCOMPARE(got, expected);
    QStringList sorted = order;
    sorted.sort();
    QCOMPARE(order, sorted); // path order
    QCOMPARE(int(num(summary, "added")), added);
    QCOMPARE(int(num(summary, "removed")), removed);
    QCOMPARE(int(num(summary, "changed")), changed);
    QCOMPARE(num(summary, "shared_layers"), qint64(3));
    // Indexes are off in the test environment: every distinct layer is downloaded once (3 shared + 1 + 1).
    qint64 distinct = 0;
    for (const auto &l : before.value(QLatin1String("layers")).toArray())
        distinct += num(l.toObject(), "size");
    distinct += num(after.value(QLatin1String("layers")).toArray().at(3).toObject(), "size");
    QCOMPARE(num(summary, "bytes_downloaded"), distinct);
}

void TestAnalyzeCli::diffHuman()
{
    const auto r = CliRunner::run({ QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0")),
        QStringLiteral("--diff"), h->reference(QStringLiteral("lab/app:1.1")) });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QLatin1String("- file")) && out.contains(QLatin1String("etc/hostname")), r.out.constData());
    QVERIFY2(
        out.contains(QLatin1String("+ file")) && out.contains(QLatin1String("usr/local/bin/tool")), r.out.constData());
    QVERIFY2(out.contains(QLatin1String("etc/app.conf  (size, content)")), r.out.constData());
    QVERIFY2(out.contains(QLatin1String("3 shared layer(s)")), r.out.constData());
}

void TestAnalyzeCli::diffFromLayerIndexes()
{
    // The second comparison lists every layer from the indexes the first one kept: no blob request at all,
    // bytes_downloaded 0, the same differences.
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LL_INDEX_DIR"), dir.path() + QStringLiteral("/idx"));
    const QStringList args { QStringLiteral("-t"), h->reference(QStringLiteral("lab/app:1.0"), h->proxy()),
        QStringLiteral("--diff"), h->reference(QStringLiteral("lab/app:1.1"), h->proxy()), QStringLiteral("--json") };
    h->proxyReset();
    const auto first = CliRunner::run(args, {}, 120000, env);
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QCOMPARE(h->proxyBlobRequests(), 5); // 4 layers of 1.0 and 1.1's own top layer; no config blob
    QVERIFY(num(jsonLines(first.out).constLast(), "bytes_downloaded") > 0);

    h->proxyReset();
    const auto second = CliRunner::run(args, {}, 120000, env);
    QVERIFY2(second.exitCode == 0, second.err.constData());
    QCOMPARE(h->proxyBlobRequests(), 0);
    QList<QJsonObject> a = jsonLines(first.out), b = jsonLines(second.out);
    QCOMPARE(num(b.takeLast(), "bytes_downloaded"), qint64(0));
    a.removeLast();
    QCOMPARE(b, a);
}

QTEST_GUILESS_MAIN(TestAnalyzeCli)
#include "TestAnalyzeCli.moc"
