#include "widgets/ImageConfigView.h"

#include "common/HumanSize.h"
#include "oci/Image.h"

#include <QHeaderView>

namespace ll::ui {

namespace {

/** ["sh", "-c", "echo hi"] -> `["sh", "-c", "echo hi"]` like docker inspect, empty -> "". */
QString execForm(const QStringList &args)
{
    if (args.isEmpty())
        return {};
    QStringList quoted;
    for (const QString &a : args)
        quoted << QLatin1Char('"') + QString(a).replace(QLatin1Char('"'), QLatin1String("\\\"")) + QLatin1Char('"');
    return QLatin1Char('[') + quoted.join(QLatin1String(", ")) + QLatin1Char(']');
}

} // namespace

ImageConfigView::ImageConfigView(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({ tr("Key"), tr("Value") });
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    header()->setSectionResizeMode(0, QHeaderView::Interactive);
    header()->resizeSection(0, 130);
    header()->setStretchLastSection(true);
}

QTreeWidgetItem *ImageConfigView::add(const QString &key, const QString &value)
{
    auto *item = new QTreeWidgetItem(this, { key, value });
    item->setToolTip(1, value);
    return item;
}

QTreeWidgetItem *ImageConfigView::addList(const QString &key, const QStringList &values)
{
    auto *item = add(key, values.isEmpty() ? tr("(none)") : tr("%n item(s)", nullptr, int(values.size())));
    if (values.isEmpty())
        item->setForeground(1, palette().brush(QPalette::Disabled, QPalette::Text));
    for (const QString &v : values) {
        auto *child = new QTreeWidgetItem(item, { QString(), v });
        child->setToolTip(1, v);
    }
    item->setExpanded(true);
    return item;
}

void ImageConfigView::setImage(const oci::Image &image)
{
    clear();
    const oci::ImageConfig &c = image.config;
    add(tr("Platform"), image.platform.isEmpty() ? c.platform.toString() : image.platform.toString());
    if (!c.created.isEmpty())
        add(tr("Created"), c.created);
    if (!c.author.isEmpty())
        add(tr("Author"), c.author);
    add(tr("User"), c.user.isEmpty() ? tr("(root)") : c.user);
    add(tr("Working dir"), c.workingDir.isEmpty() ? QStringLiteral("/") : c.workingDir);
    add(tr("Entrypoint"), execForm(c.entrypoint));
    add(tr("Cmd"), execForm(c.cmd));
    addList(tr("Env"), c.env);
    QStringList labels;
    for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it)
        labels << it.key() + QLatin1Char('=') + it.value();
    addList(tr("Labels"), labels);
    addList(tr("Ports"), c.exposedPorts);
    if (!c.volumes.isEmpty())
        addList(tr("Volumes"), c.volumes);
    if (!c.stopSignal.isEmpty())
        add(tr("Stop signal"), c.stopSignal);
    add(tr("Layers"), tr("%1 · %2").arg(image.manifest.layers.size()).arg(humanSize(image.totalLayerSize())));
    add(tr("Manifest"), image.manifestDigest);
    add(tr("Config"), image.configDigest);
    if (!image.indexDigest.isEmpty())
        add(tr("Index"), image.indexDigest);
}

void ImageConfigView::clearImage()
{
    clear();
}

QString ImageConfigView::value(const QString &key) const
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = topLevelItem(i);
        if (item->text(0) != key)
            continue;
        if (item->childCount() == 0)
            return item->text(1);
        QStringList values;
        for (int j = 0; j < item->childCount(); ++j)
            values << item->child(j)->text(1);
        return values.join(QLatin1Char('\n'));
    }
    return {};
}

} // namespace ll::ui
