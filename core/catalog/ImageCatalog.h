#pragma once

#include "catalog/SeenImage.h"
#include "common/Result.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace ll::oci {
struct Image;
}
namespace ll::index {
class IndexStore;
}

namespace ll::catalog {

/**
 * The images seen before: a small local catalogue beside the layer indexes ("images.catalog" in the index
 * store's directory), under the same rules: the file is 0600 in a 0700 directory, written whole or not at
 * all (a temporary file renamed into place), and bounded (the maxImages most recently seen; default 5000).
 * One record per (reference, platform); seeing an image again refreshes it. A damaged file reads as empty
 * and is replaced at the next record. Cheap to construct; every call reads the file afresh, so several
 * processes (CLI, GUI) share it (the last writer wins).
 *
 * Uses: the GUI's "images seen before" and History, --search's "which images hold this layer".
 */
class ImageCatalog
{
public:
    ImageCatalog() = default; // disabled
    explicit ImageCatalog(const QString &file) : m_file(file) { }
    /** The catalogue beside store's indexes; disabled when the store is. */
    static ImageCatalog forIndexStore(const index::IndexStore &store);

    static constexpr int DefaultMaxImages = 5000;

    bool isEnabled() const { return !m_file.isEmpty(); }
    const QString &fileName() const { return m_file; }
    int maxImages() const { return m_max; }
    void setMaxImages(int n) { m_max = qMax(1, n); }

    /** A record of a resolved image, seen now. */
    static SeenImage fromImage(const oci::Image &image);

    /** Adds or refreshes images (one write for all). Disabled: does nothing. */
    Status record(const QVector<SeenImage> &images) const;
    Status record(const oci::Image &image) const { return record(QVector<SeenImage> { fromImage(image) }); }

    /** Newest first; at most limit (-1: all). */
    QVector<SeenImage> recent(int limit = -1) const;
    /** Layer digest -> indexes into images (the recent() order) of the images that have it. */
    static QHash<QString, QVector<int>> byLayer(const QVector<SeenImage> &images);

    /** Serialised form (tests; the file is this). */
    static QByteArray toBytes(const QVector<SeenImage> &images);
    static Result<QVector<SeenImage>> fromBytes(const QByteArray &bytes);

private:
    QString m_file;
    int m_max = DefaultMaxImages;
};

} // namespace ll::catalog
