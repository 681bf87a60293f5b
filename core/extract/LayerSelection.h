#pragma once

#include "common/Result.h"

#include <QList>
#include <QStringView>

namespace ll::extract {

/**
 * The original tool's layer selection syntax (--save-layers, interactive prompts), 1-based:
 *   "1,3-5"   layers 1, 3, 4 and 5      (spaces around items are allowed: "1, 3 - 5")
 *   "a", "all" (any case), "*"          every layer
 * parse() returns sorted, unique, 0-based indices, or Error::Usage naming the bad item
 * (not a number, 0, past layerCount, a reversed range "5-3", an empty item or an empty selection).
 */
class LayerSelection
{
public:
    LayerSelection() = delete;

    static Result<QList<int>> parse(QStringView text, int layerCount);

    /** The inverse for messages: 0-based indices -> "1,3-5" (ranges collapsed). */
    static QString format(const QList<int> &indices);
};

} // namespace ll::extract
