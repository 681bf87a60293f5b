#pragma once

#include <QStringList>

namespace ll::ui {

/** The navigator's registries, kept in QSettings ("navigator/registries"); Docker Hub until the user says otherwise. */
class RememberedRegistries
{
public:
    static QStringList load();
    static void save(const QStringList &hosts);
};

} // namespace ll::ui
