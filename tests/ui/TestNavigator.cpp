// The registry navigator against the real registry harness: the catalog and the tags paged lazily through
// Link (registry 2.8 pages its catalog; the fault proxy pages tags/list), tags newest first across pages (a
// repository with 250 tags pushed by the test), what a tag names (digest, platforms with sizes, attestations
// hidden), and bad input: a Link loop, a page that repeats, a catalog refused (Docker Hub, a token registry),
// a repository that needs sign-in next to one that does not, a tag gone between listing and expand, a
// failure then a retry. Then the main window: a bare registry or a repository typed in the reference field
// opens in the navigator, a missing tag lists the tags that are there, a row opens in the main view, the
// images seen branch. Models under QAbstractItemModelTester.
#include "MainWindow.h"
#include "UiTestEnv.h"
#include "catalog/ImageCatalog.h"
#include "common/HumanSize.h"
#include "controllers/AuthController.h"
#include "controllers/ImageController.h"
#include "dialogs/CredentialsDialog.h"
#include "hunt/HuntWindow.h"
#include "index/IndexStore.h"
#include "navigator/NavigatorController.h"
#include "navigator/NavigatorNode.h"
#include "navigator/NavigatorPanel.h"
#include "navigator/RegistryTreeModel.h"
#include "oci/MediaTypes.h"
#include "widgets/JobsPanel.h"
#include "widgets/ReferenceBar.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDockWidget>
#include <QIdentityProxyModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTreeView>

#include <algorithm>

using ll::test::Harness;
using ll::ui::NavigatorNode;
using ll::ui::RegistryTreeModel;
using Kind = NavigatorNode::Kind;

namespace {

Kind kindOf(const QModelIndex &i)
{
    return Kind(i.data(RegistryTreeModel::KindRole).toInt());
}

QStringList childNames(const QAbstractItemModel &m, const QModelIndex &parent, Kind kind)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        if (kindOf(i) == kind)
            out << i.data().toString();
    }
    return out;
}

QStringList messages(const QAbstractItemModel &m, const QModelIndex &parent)
{
    return childNames(m, parent, Kind::Message);
}

bool isLoading(const QModelIndex &i)
{
    return i.data(RegistryTreeModel::LoadingRole).toBool();
}

/**
 * The model tester walks every row it sees and fetches whatever can be fetched: on a real registry that is the
 * whole registry (every repository's tags, every tag's manifests), however much another test or a benchmark
 * pushed there. The tester looks at the model through this identity proxy, which lets it fetch only the rows
 * allow() names (the model's own behaviour is unchanged: the proxy forwards rows and signals as they are).
 */
class FetchFence : public QIdentityProxyModel
{
public:
    FetchFence(QAbstractItemModel *source, std::function<bool(Kind)> allow) : m_allow(std::move(allow))
    {
        setSourceModel(source);
    }
    bool canFetchMore(const QModelIndex &parent) const override
    {
        return parent.isValid() && m_allow(kindOf(parent)) && QIdentityProxyModel::canFetchMore(parent);
    }
    void fetchMore(const QModelIndex &parent) override
    {
        if (canFetchMore(parent))
            QIdentityProxyModel::fetchMore(parent);
    }

private:
    std::function<bool(Kind)> m_allow;
};

/** Typed repositories' tags and their details; no catalog. */
bool notCatalogs(Kind k)
{
    return k != Kind::Registry;
}

} // namespace

class TestNavigator : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void catalogPagedLazily();
    void tagsNewestFirstAcrossPages();
    void tagDetails();
    void linkLoopAndRepeatedPage();
    void refusedCatalogs();
    void signInForSomeRepositories();
    void tagGoneAndRetry();
    void signInFromTheTree();
    void mainWindowRoutesTypedText();
    void cleanup();

private:
    /** fetchMore, then waits for the listing to end; false on timeout. */
    static bool fetchAndWait(RegistryTreeModel &m, const QModelIndex &i);
    QTemporaryDir m_idx;
    QString m_manyRepo = QStringLiteral("nav/many");
    QStringList m_manyTags; // as pushed, newest first by (major, minor)
};

void TestNavigator::initTestCase()
{
    ll::test::isolateSettings("TestNavigator");
    if (!Harness::instance().available())
        QSKIP(qPrintable(Harness::instance().unavailableReason()));
    qputenv("LL_INDEX_DIR", m_idx.path().toLocal8Bit());
    // A repository with 250 tags "M.m" (5 x 50), pushed in an order unrelated to version order.
    Harness &h = Harness::instance();
    const QByteArray config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
    const QString configDigest = h.pushBlob(m_manyRepo, config);
    QVERIFY(!configDigest.isEmpty());
    const QByteArray manifest = QJsonDocument(
        QJsonObject {
            { QStringLiteral("schemaVersion"), 2 },
            { QStringLiteral("mediaType"), QLatin1String(ll::oci::MediaType::OciManifest) },
            { QStringLiteral("config"),
                QJsonObject { { QStringLiteral("mediaType"), QLatin1String(ll::oci::MediaType::OciConfig) },
                    { QStringLiteral("digest"), configDigest }, { QStringLiteral("size"), config.size() } } },
            { QStringLiteral("layers"), QJsonArray() },
        })
                                    .toJson(QJsonDocument::Compact);
    QList<QPair<int, int>> versions;
    for (int i = 0; i < 250; ++i)
        versions.append({ i / 50, (i * 13) % 50 });
    for (const auto &v : std::as_const(versions))
        QVERIFY(!h.pushManifest(m_manyRepo, QStringLiteral("%1.%2").arg(v.first).arg(v.second),
                      ll::oci::MediaType::OciManifest, manifest)
                     .isEmpty());
    std::sort(versions.begin(), versions.end(), [](const auto &a, const auto &b) { return a > b; });
    versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
    for (const auto &v : std::as_const(versions))
        m_manyTags << QStringLiteral("%1.%2").arg(v.first).arg(v.second);
    QCOMPARE(m_manyTags.size(), 250);
}

void TestNavigator::cleanup()
{
    if (Harness::instance().available())
        Harness::instance().proxyReset();
}

bool TestNavigator::fetchAndWait(RegistryTreeModel &m, const QModelIndex &i)
{
    const QPersistentModelIndex p(i);
    m.fetchMore(p);
    QDeadlineTimer deadline(30000);
    while (isLoading(p) && !deadline.hasExpired())
        QTest::qWait(20);
    return !isLoading(p);
}

void TestNavigator::catalogPagedLazily()
{
    ll::test::UiClientEnv env;
    // No model tester yet: it walks (and so fetches) every row it sees, and this checks that nothing is read
    // before it is asked for.
    RegistryTreeModel m(env.client.get());
    QList<ll::Job *> tracked;
    m.setTracker([&tracked](ll::Job *job) { tracked << job; });
    m.setPageSize(5);

    const QString host = Harness::instance().anonRegistry();
    const QModelIndex reg = m.addRegistry(host);
    QVERIFY(reg.isValid());
    QCOMPARE(m.registries(), QStringList { host });
    QVERIFY(m.hasChildren(reg));
    QVERIFY(m.canFetchMore(reg));
    QCOMPARE(m.rowCount(reg), 0); // nothing read before an expand

    // One page per fetch: 5 names, then more on the next fetch (what a view does when scrolled to the end).
    QVERIFY(fetchAndWait(m, reg));
    QCOMPARE(m.rowCount(reg), 5);
    QVERIFY(m.canFetchMore(reg));
    QVERIFY(reg.siblingAtColumn(1).data().toString().contains(QLatin1String("more below")));
    QCOMPARE(tracked.size(), 1); // the Jobs panel sees each page
    while (m.canFetchMore(reg))
        QVERIFY(fetchAndWait(m, reg));
    // The whole catalog, in the registry's order, each once.
    const ll::test::HttpAnswer all = Harness::get(Harness::httpUrl(host, QStringLiteral("/v2/_catalog?n=1000")));
    QStringList expected;
    for (const QJsonValue &v : all.json().value(QStringLiteral("repositories")).toArray())
        expected << v.toString();
    QCOMPARE(childNames(m, reg, Kind::Repository), expected);
    QVERIFY(tracked.size() >= expected.size() / 5);
    QVERIFY(messages(m, reg).isEmpty());

    // The filter finds loaded names at any depth.
    QSortFilterProxyModel proxy;
    proxy.setRecursiveFilteringEnabled(true);
    proxy.setSourceModel(&m);
    proxy.setFilterFixedString(QStringLiteral("repo03"));
    QCOMPARE(proxy.rowCount(proxy.mapFromSource(reg)), 1);

    // The model tester now walks the tree, and expands lab/app and its tags itself.
    proxy.setFilterFixedString(QString());
    FetchFence fence(&m, [](Kind k) { return k != Kind::Repository; });
    QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FetchFence proxyFence(&proxy, [](Kind k) { return k != Kind::Repository; });
    QAbstractItemModelTester proxyTester(&proxyFence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex lab = m.childNamed(reg, QStringLiteral("lab/app"));
    m.fetchMore(lab);
    QTRY_VERIFY_WITH_TIMEOUT(m.childNamed(lab, QStringLiteral("1.1")).isValid(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(m.rowCount(m.childNamed(lab, QStringLiteral("1.1"))) == 1, 30000);
}

void TestNavigator::tagsNewestFirstAcrossPages()
{
    ll::test::UiClientEnv env;
    RegistryTreeModel m(env.client.get());
    m.setPageSize(100);
    // Through the proxy: it pages tags/list (registry 2.8 ignores n there) in name order, as Docker Hub does.
    const QModelIndex repo = m.addRepository(Harness::instance().proxy(), m_manyRepo);
    QVERIFY(repo.isValid());
    QVERIFY(fetchAndWait(m, repo));
    QCOMPARE(m.rowCount(repo), 100);
    QVERIFY(m.canFetchMore(repo));
    // The first page alone is ordered newest first.
    QStringList first = childNames(m, repo, Kind::Tag);
    QCOMPARE(first.first(), first.first()); // shown
    QStringList firstSorted = first;
    std::sort(firstSorted.begin(), firstSorted.end(),
        [this](const QString &a, const QString &b) { return m_manyTags.indexOf(a) < m_manyTags.indexOf(b); });
    QCOMPARE(first, firstSorted);
    FetchFence fence(&m, notCatalogs);
    QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // A row kept across the re-sort of a later page (persistent indexes follow their rows).
    const QPersistentModelIndex kept = m.index(42, 0, repo);
    const QString keptName = kept.data().toString();
    QSignalSpy layouts(&m, &QAbstractItemModel::layoutChanged);
    m.fetchAll(repo);
    QTRY_VERIFY_WITH_TIMEOUT(!m.canFetchMore(repo) && !isLoading(repo), 30000);
    QVERIFY(layouts.size() >= 2);
    QCOMPARE(kept.data().toString(), keptName);
    QCOMPARE(childNames(m, repo, Kind::Tag), m_manyTags);
    QCOMPARE(repo.siblingAtColumn(1).data().toString(), QStringLiteral("250 tags"));
}

void TestNavigator::tagDetails()
{
    ll::test::UiClientEnv env;
    RegistryTreeModel m(env.client.get());
    FetchFence fence(&m, notCatalogs);
    QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Harness &h = Harness::instance();
    const QString host = h.anonRegistry();

    // An OCI index: two platforms, the attestation manifest left out, each with its layers and size.
    const QJsonObject oci = h.fixture(QStringLiteral("lab/oci:1.0"));
    const QModelIndex ociRepo = m.addRepository(host, QStringLiteral("lab/oci"));
    QVERIFY(fetchAndWait(m, ociRepo));
    const QModelIndex ociTag = m.childNamed(ociRepo, QStringLiteral("1.0"));
    QVERIFY(ociTag.isValid());
    QCOMPARE(ociTag.data(RegistryTreeModel::ReferenceRole).toString(), host + QStringLiteral("/lab/oci:1.0"));
    QVERIFY(m.hasChildren(ociTag));
    QVERIFY(fetchAndWait(m, ociTag));
    QCOMPARE(ociTag.data(RegistryTreeModel::DigestRole).toString(), oci.value(QStringLiteral("digest")).toString());
    QCOMPARE(childNames(m, ociTag, Kind::Platform),
        QStringList({ QStringLiteral("linux/amd64"), QStringLiteral("linux/arm64/v8") }));
    QVERIFY(ociTag.siblingAtColumn(1).data().toString().contains(QLatin1String("1 attestation manifest hidden")));
    qint64 total = 0;
    const QJsonArray manifests = oci.value(QStringLiteral("manifests")).toArray();
    for (int r = 0; r < 2; ++r) {
        const QJsonObject entry = manifests.at(r).toObject();
        qint64 size = 0;
        const QJsonArray layers
            = entry.value(QStringLiteral("image")).toObject().value(QStringLiteral("layers")).toArray();
        for (const QJsonValue &l : layers)
            size += l.toObject().value(QStringLiteral("size")).toInteger();
        total += size;
        const QModelIndex p = m.index(r, 0, ociTag);
        QCOMPARE(p.data(RegistryTreeModel::DigestRole).toString(), entry.value(QStringLiteral("digest")).toString());
        QCOMPARE(p.data(RegistryTreeModel::PlatformRole).toString(), p.data().toString());
        QVERIFY2(p.siblingAtColumn(1).data().toString().startsWith(
                     QStringLiteral("%1 layers · %2").arg(layers.size()).arg(ll::humanSize(size))),
            qPrintable(p.siblingAtColumn(1).data().toString()));
    }
    QVERIFY(ociTag.siblingAtColumn(1).data().toString().contains(ll::humanSize(total)));
    QVERIFY(!m.document(ociTag).isEmpty());

    // A single manifest: one row, its layers and size.
    const QJsonObject app = h.fixture(QStringLiteral("lab/app:1.0"));
    const QModelIndex appRepo = m.addRepository(host, QStringLiteral("lab/app"));
    QVERIFY(fetchAndWait(m, appRepo));
    const QModelIndex appTag = m.childNamed(appRepo, QStringLiteral("1.0"));
    QVERIFY(fetchAndWait(m, appTag));
    QCOMPARE(m.rowCount(appTag), 1);
    // Named by the platform its config gives (was "image"), and opened at that platform.
    const QJsonObject pf = app.value(QStringLiteral("platform")).toObject();
    const QString platform = pf.value(QStringLiteral("os")).toString() + QLatin1Char('/')
        + pf.value(QStringLiteral("architecture")).toString();
    QVERIFY(!pf.contains(QStringLiteral("variant")));
    QCOMPARE(m.index(0, 0, appTag).data().toString(), platform);
    QCOMPARE(m.index(0, 0, appTag).data(RegistryTreeModel::PlatformRole).toString(), platform);
    qint64 appSize = 0;
    for (const QJsonValue &l : app.value(QStringLiteral("layers")).toArray())
        appSize += l.toObject().value(QStringLiteral("size")).toInteger();
    QVERIFY(m.index(0, 1, appTag)
                .data()
                .toString()
                .startsWith(QStringLiteral("4 layers · %1").arg(ll::humanSize(appSize))));
    QCOMPARE(appTag.data(RegistryTreeModel::DigestRole).toString(), app.value(QStringLiteral("digest")).toString());
}

void TestNavigator::linkLoopAndRepeatedPage()
{
    ll::test::UiClientEnv env;
    Harness &h = Harness::instance();
    {
        RegistryTreeModel m(env.client.get());
        FetchFence fence(&m, notCatalogs);
        QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setPageSize(10);
        // Every next link points back to the first page: the first page is shown, then the listing stops, said.
        h.proxyControl({ { QStringLiteral("faults"),
            QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("paginate_tags") },
                { QStringLiteral("link_loop"), true }, { QStringLiteral("count"), 0 } } } } });
        const QModelIndex repo = m.addRepository(h.proxy(), QStringLiteral("lab/tags"));
        m.fetchAll(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!isLoading(repo) && !messages(m, repo).isEmpty(), 30000);
        QCOMPARE(childNames(m, repo, Kind::Tag).size(), 10);
        QVERIFY2(
            messages(m, repo).first().contains(QLatin1String("points back")), qPrintable(messages(m, repo).first()));
        QVERIFY(!m.canFetchMore(repo));
    } // the tester's crawl of the rest stops with its model

    // Next links that move on to the same page again: stopped after the first repeat.
    h.proxyReset();
    h.proxyControl({ { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("paginate_tags") },
            { QStringLiteral("repeat_page"), true }, { QStringLiteral("count"), 0 } } } } });
    RegistryTreeModel m2(env.client.get()); // no tester: it would list every other repository too
    m2.setPageSize(10);
    const QModelIndex repo2 = m2.addRepository(h.proxy(), QStringLiteral("nav/many"));
    m2.fetchAll(repo2);
    QTRY_VERIFY_WITH_TIMEOUT(!isLoading(repo2) && !messages(m2, repo2).isEmpty(), 30000);
    QCOMPARE(childNames(m2, repo2, Kind::Tag).size(), 10);
    QVERIFY(messages(m2, repo2).first().contains(QLatin1String("repeats")));
    const int requests = h.proxyStats()
                             .value(QStringLiteral("paths"))
                             .toObject()
                             .value(QStringLiteral("/v2/nav/many/tags/list"))
                             .toObject()
                             .value(QStringLiteral("requests"))
                             .toInt();
    QCOMPARE(requests, 2); // the first page and its repeat, nothing after
}

void TestNavigator::refusedCatalogs()
{
    ll::test::UiClientEnv env;
    RegistryTreeModel m(env.client.get());
    // No model tester: it would expand the typed Docker Hub repository (no network to Docker Hub in tests).
    // Docker Hub has no catalog: said without a request, with a row to type a repository into.
    const QModelIndex hub = m.addRegistry(QStringLiteral("docker.io"));
    QCOMPARE(hub.data().toString(), QStringLiteral("Docker Hub"));
    QCOMPARE(hub.data(RegistryTreeModel::RegistryRole).toString(), QStringLiteral("registry-1.docker.io"));
    QVERIFY(fetchAndWait(m, hub));
    QVERIFY(messages(m, hub).first().contains(QLatin1String("Docker Hub does not list")));
    QModelIndex type;
    for (int r = 0; r < m.rowCount(hub); ++r) {
        if (kindOf(m.index(r, 0, hub)) == Kind::TypeRepository)
            type = m.index(r, 0, hub);
    }
    QVERIFY(type.isValid());
    QVERIFY(m.flags(type) & Qt::ItemIsEditable);
    QVERIFY(m.setData(type, QStringLiteral("debian")));
    const QModelIndex debian = m.childNamed(hub, QStringLiteral("library/debian"));
    QVERIFY(debian.isValid()); // normalised as docker does; listed when expanded (not here: no network in tests)
    QCOMPARE(debian.data(RegistryTreeModel::ReferenceRole).toString(),
        QStringLiteral("registry-1.docker.io/library/debian"));
    QVERIFY(!m.canFetchMore(hub));

    // A token registry lists its catalog to signed-in users only: said, and a repository can be typed.
    const QModelIndex tok = m.addRegistry(Harness::instance().tokenRegistry());
    QVERIFY(fetchAndWait(m, tok));
    QVERIFY2(messages(m, tok).first().contains(QLatin1String("signed-in users")), qPrintable(messages(m, tok).first()));
    QVERIFY(!childNames(m, tok, Kind::TypeRepository).isEmpty());

    // Persisted names, Docker Hub under its host.
    QCOMPARE(
        m.registries(), QStringList({ QStringLiteral("registry-1.docker.io"), Harness::instance().tokenRegistry() }));
    QVERIFY(m.removeRegistry(hub));
    QCOMPARE(m.registries(), QStringList { Harness::instance().tokenRegistry() });
}

void TestNavigator::signInForSomeRepositories()
{
    ll::test::UiClientEnv env;
    RegistryTreeModel m(env.client.get());
    FetchFence fence(&m, notCatalogs);
    QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString host = Harness::instance().tokenRegistry();
    // public/* is readable anonymously, private/* is not: each says so on its own row.
    const QModelIndex pub = m.addRepository(host, QStringLiteral("public/hello"));
    const QModelIndex priv = m.addRepository(host, QStringLiteral("private/secret"));
    QVERIFY(fetchAndWait(m, pub));
    QVERIFY(fetchAndWait(m, priv));
    QCOMPARE(childNames(m, pub, Kind::Tag), QStringList { QStringLiteral("1.0") });
    QVERIFY(childNames(m, priv, Kind::Tag).isEmpty());
    QVERIFY2(messages(m, priv).first().contains(QLatin1String("needs sign-in")), qPrintable(messages(m, priv).first()));
    // An unknown repository.
    const QModelIndex none = m.addRepository(Harness::instance().anonRegistry(), QStringLiteral("nav/nothing-here"));
    QVERIFY(fetchAndWait(m, none));
    QVERIFY(messages(m, none).first().contains(QLatin1String("is not on")));
}

void TestNavigator::signInFromTheTree()
{
    // A repository that refuses anonymous listing says "double-click to sign in"; doing so asks with the main
    // view's credentials dialog and lists the tags with what was typed (a wrong password: asked again).
    ll::test::UiClientEnv env;
    ll::ui::MainWindow w(env.client.get());
    Harness &h = Harness::instance();
    RegistryTreeModel *m = w.navigator()->model();
    const QModelIndex priv = m->addRepository(h.tokenRegistry(), QStringLiteral("private/secret"));
    QVERIFY(fetchAndWait(*m, priv));
    QCOMPARE(m->rowCount(priv), 1);
    QPersistentModelIndex message = m->index(0, 0, priv);
    QVERIFY(message.data(RegistryTreeModel::NeedsSignInRole).toBool());
    QVERIFY2(message.data().toString().contains(QLatin1String("sign in")), qPrintable(message.data().toString()));
    QCOMPARE(m->refusal(message).code, ll::Error::Code::Unauthorized);
    QMenu *menu = w.navigator()->panel()->contextMenuFor(message);
    QStringList actions;
    for (const QAction *a : menu->actions())
        actions << a->text();
    delete menu;
    QVERIFY2(actions.contains(QStringLiteral("&Sign In…")), qPrintable(actions.join(QLatin1Char(','))));

    w.navigator()->panel()->activate(message);
    QTRY_VERIFY(w.authController()->dialog());
    w.authController()->dialog()->setUsername(h.username(QStringLiteral("token")));
    w.authController()->dialog()->setPassword(QStringLiteral("not-the-password"));
    w.authController()->dialog()->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!priv.data(RegistryTreeModel::LoadingRole).toBool() && m->rowCount(priv) == 1
            && m->index(0, 0, priv).data(RegistryTreeModel::NeedsSignInRole).toBool(),
        20000);
    message = m->index(0, 0, priv);
    w.navigator()->panel()->activate(message);
    QTRY_VERIFY(w.authController()->dialog());
    w.authController()->dialog()->setUsername(h.username(QStringLiteral("token")));
    w.authController()->dialog()->setPassword(h.password(QStringLiteral("token")));
    w.authController()->dialog()->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!childNames(*m, priv, Kind::Tag).isEmpty(), 20000);
    QVERIFY(childNames(*m, priv, Kind::Tag).contains(QStringLiteral("1.0")));
    QVERIFY(messages(*m, priv).isEmpty());
}

void TestNavigator::tagGoneAndRetry()
{
    ll::test::UiClientEnv env;
    RegistryTreeModel m(env.client.get());
    // No model tester: it would expand t07 before it is gone.
    Harness &h = Harness::instance();
    const QModelIndex repo = m.addRepository(h.proxy(), QStringLiteral("lab/tags"));
    QVERIFY(fetchAndWait(m, repo));
    // t07 disappears between the listing and the expand (the registry answers 404 for it from now on).
    h.proxyControl({ { QStringLiteral("faults"),
        QJsonArray {
            QJsonObject { { QStringLiteral("type"), QStringLiteral("status") }, { QStringLiteral("status"), 404 },
                { QStringLiteral("path"), QStringLiteral("/manifests/t07$") }, { QStringLiteral("count"), 0 } } } } });
    const QModelIndex t07 = m.childNamed(repo, QStringLiteral("t07"));
    QVERIFY(fetchAndWait(m, t07));
    QCOMPARE(t07.siblingAtColumn(1).data().toString(), QStringLiteral("gone"));
    QVERIFY(messages(m, t07).first().contains(QLatin1String("not on the registry any more")));
    QCOMPARE(t07.data(RegistryTreeModel::DigestRole).toString(), QString());

    // A listing that fails (the registry keeps answering 500): said with a retry; once it answers, retry lists.
    h.proxyReset();
    h.proxyControl({ { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("status") },
            { QStringLiteral("status"), 500 }, { QStringLiteral("path"), QStringLiteral("/catalog/repo01/tags/list") },
            { QStringLiteral("count"), 0 } } } } });
    env.client->setMaxRetries(1);
    const QModelIndex r1 = m.addRepository(h.proxy(), QStringLiteral("catalog/repo01"));
    QVERIFY(fetchAndWait(m, r1));
    QVERIFY(messages(m, r1).first().contains(QLatin1String("retry")));
    QVERIFY(!m.canFetchMore(r1)); // no retry loop from views asking for more
    h.proxyReset();
    m.retry(m.index(0, 0, r1));
    QTRY_VERIFY_WITH_TIMEOUT(
        !isLoading(r1) && childNames(m, r1, Kind::Tag) == QStringList { QStringLiteral("1.0") }, 30000);
    QVERIFY(messages(m, r1).isEmpty());
}

void TestNavigator::mainWindowRoutesTypedText()
{
    ll::test::UiClientEnv env;
    ll::ui::MainWindow w(env.client.get());
    // The window's catalogue is beside its indexes (the app gives it LL_INDEX_DIR's): here another directory
    // than LL_INDEX_DIR's, so a second record made elsewhere would show as a second catalogue file.
    QTemporaryDir windowIdx;
    w.imageController()->setIndexStore(ll::index::IndexStore(windowIdx.path()));
    w.resize(1024, 700);
    w.show();
    ll::ui::NavigatorController *nav = w.navigator();
    RegistryTreeModel *m = nav->model();
    FetchFence fence(nav->panel()->proxy(), [](Kind k) { return k == Kind::Tag; });
    QAbstractItemModelTester tester(&fence, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString host = Harness::instance().anonRegistry();

    // A bare registry typed in the reference field: shown, expanded and listed in the navigator.
    QComboBox *field = w.referenceCombo();
    field->setCurrentText(host);
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(w.navigatorDock()->isVisible());
    const QModelIndex reg = m->registryIndex(host);
    QVERIFY(reg.isValid());
    QTRY_VERIFY_WITH_TIMEOUT(m->rowCount(reg) > 0, 30000);
    QVERIFY(nav->panel()->view()->isExpanded(nav->panel()->proxy()->mapFromSource(reg)));
    QCOMPARE(w.imageController()->reference().repository(), QString()); // nothing was opened
    QVERIFY(w.jobsPanel()->rowCount() >= 1); // the listing showed in the Jobs panel

    // A repository without a tag: its tags, not ":latest".
    field->setCurrentText(host + QStringLiteral("/lab/tags"));
    QTest::keyClick(field, Qt::Key_Return);
    const QModelIndex tags = m->childNamed(reg, QStringLiteral("lab/tags"));
    QVERIFY(tags.isValid());
    QTRY_VERIFY_WITH_TIMEOUT(m->rowCount(tags) > 0, 30000);
    QCOMPARE(nav->panel()->currentSourceIndex(), tags);

    // Activating a tag row opens it in the main view; the image joins the images seen.
    const QModelIndex t03 = m->childNamed(tags, QStringLiteral("t03"));
    QVERIFY(t03.isValid());
    QSignalSpy resolved(w.imageController(), &ll::ui::ImageController::imageResolved);
    nav->panel()->activate(t03);
    QVERIFY(resolved.wait(30000));
    QCOMPARE(w.imageController()->reference().toString(), host + QStringLiteral("/lab/tags:t03"));
    const QModelIndex seen = m->seenRoot();
    QTRY_VERIFY(m->rowCount(seen) >= 1);
    QCOMPARE(
        m->index(0, 0, seen).data(RegistryTreeModel::ReferenceRole).toString(), host + QStringLiteral("/lab/tags:t03"));
    // Recorded once, in the window's catalogue (the navigator recorded it a second time in LL_INDEX_DIR's).
    const ll::catalog::ImageCatalog windowCatalog
        = ll::catalog::ImageCatalog::forIndexStore(ll::index::IndexStore(windowIdx.path()));
    QCOMPARE(windowCatalog.recent().size(), 1);
    QVERIFY(
        !QFile::exists(ll::catalog::ImageCatalog::forIndexStore(ll::index::IndexStore::fromEnvironment()).fileName()));

    // A tag that is not there: the error, and the repository's tags listed in the navigator with a notice.
    field->setCurrentText(host + QStringLiteral("/lab/tags:t99"));
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(nav->panel()->noticeLabel()->isVisible(), 30000);
    QVERIFY(nav->panel()->noticeLabel()->text().contains(QLatin1String("no tag \"t99\"")));
    QTRY_VERIFY_WITH_TIMEOUT(!m->canFetchMore(tags) && childNames(*m, tags, Kind::Tag).size() == 25, 30000);
    QVERIFY(!w.errorText().isEmpty());

    // The context menu: hunt here fills the Hunt window.
    QMenu *menu = nav->panel()->contextMenuFor(tags);
    QAction *hunt = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->text().startsWith(QLatin1String("&Hunt Here")))
            hunt = a;
    }
    QVERIFY(hunt);
    hunt->trigger();
    ll::ui::HuntWindow *hw = w.openHunt();
    QCOMPARE(hw->targetsEdit()->toPlainText(), host + QStringLiteral("/lab/tags"));
    QVERIFY(hw->allTagsBox()->isChecked());
    delete menu;

    // To look at it: LL_NAV_SCREENSHOT=/tmp/nav.png
    if (const QByteArray shot = qgetenv("LL_NAV_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(w.grab().save(QString::fromLocal8Bit(shot)));
}

QTEST_MAIN(TestNavigator)
#include "TestNavigator.moc"
