#pragma once

#include "common/Result.h"

#include <QList>
#include <QStringView>

namespace ll::extract {

/**
 * The layer selection syntax of --save-layers and the interactive prompts. Layers are numbered from base:
 * 0 (the default, as in every listing, --layer and the JSON) or 1 (the original tool's numbering,
 * --save-layers-1based):
 *   "0,2-4"   layers 0, 2, 3 and 4      (spaces around items are allowed: "0, 2 - 4")
 *   "a", "all" (any case), "*"          every layer
 * parse() returns sorted, unique, 0-based indices, or Error::Usage naming the bad item
 * (not a number, below base, past the last layer, a reversed range "5-3", an empty item or an empty selection).
 */
class LayerSelection
{
public:
    LayerSelection() = delete;

    static Result<QList<int>> parse(QStringView text, int layerCount, int base = 0);

    /** The inverse for messages: 0-based indices -> "0,2-4" with base 0 (ranges collapsed). */
    static QString format(const QList<int> &indices, int base = 0);
};

} // namespace ll::extract
