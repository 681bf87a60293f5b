#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace ll::ui {

/**
 * A JSON document as coloured HTML for the raw documents viewer: keys, strings, numbers and literals in their
 * colours, the served layout kept (a one-line document is indented), every sha256 digest a link
 * ("digest:sha256:..."). Text that is not JSON is shown escaped, uncoloured.
 */
class JsonHtml
{
public:
    static QString toHtml(const QByteArray &json);
    /** Digest -> the mediaType of the descriptor naming it (empty when the descriptor has none). */
    static QHash<QString, QString> digestMediaTypes(const QByteArray &json);
};

} // namespace ll::ui
