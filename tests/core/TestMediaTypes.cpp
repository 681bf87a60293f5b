#include "oci/MediaTypes.h"

#include <QTest>

using namespace ll::oci;
using MediaType::Compression;

class TestMediaTypes : public QObject
{
    Q_OBJECT
private slots:
    void acceptHeader();
    void essence_data();
    void essence();
    void classify_data();
    void classify();
    void layerCompression_data();
    void layerCompression();
};

void TestMediaTypes::acceptHeader()
{
    const QByteArray accept = MediaType::manifestAcceptHeader();
    QStringList types;
    for (const QByteArray &t : accept.split(','))
        types.append(QString::fromLatin1(t.trimmed()));
    QCOMPARE(types.size(), 4);
    QCOMPARE(types.first(), QLatin1String(MediaType::OciIndex));
    QVERIFY(types.contains(QLatin1String(MediaType::OciManifest)));
    QVERIFY(types.contains(QLatin1String(MediaType::DockerManifestList)));
    QVERIFY(types.contains(QLatin1String(MediaType::DockerManifest)));
    for (const QString &t : std::as_const(types))
        QVERIFY(MediaType::isIndex(t) || MediaType::isImageManifest(t));
}

void TestMediaTypes::essence_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << "application/vnd.oci.image.index.v1+json"
                           << "application/vnd.oci.image.index.v1+json";
    QTest::newRow("charset") << "application/vnd.oci.image.index.v1+json; charset=utf-8"
                             << "application/vnd.oci.image.index.v1+json";
    QTest::newRow("spaces and case") << "  Application/JSON ;charset=UTF-8"
                                     << "application/json";
    QTest::newRow("empty") << ""
                           << "";
}

void TestMediaTypes::essence()
{
    QFETCH(QString, contentType);
    QFETCH(QString, expected);
    QCOMPARE(MediaType::essence(contentType), expected);
}

void TestMediaTypes::classify_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<bool>("index");
    QTest::addColumn<bool>("manifest");
    QTest::addColumn<bool>("schema1");
    QTest::addColumn<bool>("config");
    QTest::newRow("oci index") << MediaType::OciIndex << true << false << false << false;
    QTest::newRow("docker list") << MediaType::DockerManifestList << true << false << false << false;
    QTest::newRow("oci manifest") << MediaType::OciManifest << false << true << false << false;
    QTest::newRow("docker manifest; charset")
        << "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8" << false << true << false << false;
    QTest::newRow("schema1") << MediaType::DockerSchema1 << false << false << true << false;
    QTest::newRow("schema1 signed") << MediaType::DockerSchema1Signed << false << false << true << false;
    QTest::newRow("docker config") << MediaType::DockerConfig << false << false << false << true;
    QTest::newRow("oci config") << MediaType::OciConfig << false << false << false << true;
    QTest::newRow("helm config") << "application/vnd.cncf.helm.config.v1+json" << false << false << false << false;
    QTest::newRow("json") << "application/json" << false << false << false << false;
}

void TestMediaTypes::classify()
{
    QFETCH(QString, type);
    QFETCH(bool, index);
    QFETCH(bool, manifest);
    QFETCH(bool, schema1);
    QFETCH(bool, config);
    QCOMPARE(MediaType::isIndex(type), index);
    QCOMPARE(MediaType::isImageManifest(type), manifest);
    QCOMPARE(MediaType::isSchema1(type), schema1);
    QCOMPARE(MediaType::isImageConfig(type), config);
}

void TestMediaTypes::layerCompression_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<Compression>("compression");
    QTest::addColumn<QString>("extension");
    QTest::newRow("docker gzip") << MediaType::DockerLayerGzip << Compression::Gzip << ".tar.gz";
    QTest::newRow("docker foreign") << MediaType::DockerForeignLayerGzip << Compression::Gzip << ".tar.gz";
    QTest::newRow("docker tar") << MediaType::DockerLayerTar << Compression::None << ".tar";
    QTest::newRow("oci tar") << MediaType::OciLayerTar << Compression::None << ".tar";
    QTest::newRow("oci gzip") << MediaType::OciLayerGzip << Compression::Gzip << ".tar.gz";
    QTest::newRow("oci zstd") << MediaType::OciLayerZstd << Compression::Zstd << ".tar.zst";
    QTest::newRow("oci nondist gzip") << MediaType::OciLayerNondistGzip << Compression::Gzip << ".tar.gz";
    QTest::newRow("oci nondist tar") << "application/vnd.oci.image.layer.nondistributable.v1.tar" << Compression::None
                                     << ".tar";
    QTest::newRow("encrypted") << "application/vnd.oci.image.layer.v1.tar+gzip+encrypted" << Compression::Unknown
                               << ".bin";
    QTest::newRow("helm chart") << "application/vnd.cncf.helm.chart.content.v1.tar+gzip" << Compression::Gzip
                                << ".tar.gz";
    QTest::newRow("empty") << "" << Compression::Unknown << ".bin";
    QTest::newRow("octet-stream") << "application/octet-stream" << Compression::Unknown << ".bin";
}

void TestMediaTypes::layerCompression()
{
    QFETCH(QString, type);
    QFETCH(Compression, compression);
    QFETCH(QString, extension);
    QCOMPARE(MediaType::layerCompression(type), compression);
    QCOMPARE(MediaType::layerFileExtension(type), extension);
}

QTEST_APPLESS_MAIN(TestMediaTypes)
#include "TestMediaTypes.moc"
