#include "navigator/RememberedRegistries.h"

#include "registry/ImageReference.h"

#include <QSettings>

namespace ll::ui {

namespace {
const QString Key = QStringLiteral("navigator/registries");
}

QStringList RememberedRegistries::load()
{
    QSettings s;
    if (!s.contains(Key))
        return { registry::ImageReference::dockerHubRegistry() };
    return s.value(Key).toStringList();
}

void RememberedRegistries::save(const QStringList &hosts)
{
    QSettings().setValue(Key, hosts);
}

} // namespace ll::ui
