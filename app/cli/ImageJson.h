#pragma once

#include <QJsonObject>

namespace ll::oci {
struct Image;
struct Platform;
} // namespace ll::oci

namespace ll::cli {

/** The --inspect --json document (schema in the README). */
QJsonObject imageToJson(const oci::Image &image);
QJsonObject platformToJson(const oci::Platform &platform);

} // namespace ll::cli
