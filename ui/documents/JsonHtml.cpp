#include "documents/JsonHtml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace ll::ui {

namespace {

const QString KeyColour = QStringLiteral("#1f5fa8");
const QString StringColour = QStringLiteral("#2e7d32");
const QString NumberColour = QStringLiteral("#b35c00");
const QString LiteralColour = QStringLiteral("#8e24aa");

QString span(const QString &colour, const QString &text)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, text);
}

void collect(const QJsonValue &v, QHash<QString, QString> &out)
{
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            collect(e, out);
        return;
    }
    if (!v.isObject())
        return;
    const QJsonObject o = v.toObject();
    const QString digest = o.value(QLatin1String("digest")).toString();
    if (!digest.isEmpty() && !out.contains(digest))
        out.insert(digest, o.value(QLatin1String("mediaType")).toString());
    for (auto it = o.begin(); it != o.end(); ++it)
        collect(it.value(), out);
}

} // namespace

QHash<QString, QString> JsonHtml::digestMediaTypes(const QByteArray &json)
{
    QHash<QString, QString> out;
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    collect(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()), out);
    return out;
}

QString JsonHtml::toHtml(const QByteArray &json)
{
    static const QRegularExpression digestRe(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    const QString text = QString::fromUtf8(json);
    const bool reindent = !text.trimmed().contains(QLatin1Char('\n'));
    QString html = QStringLiteral("<pre style=\"font-family:monospace\">");
    int depth = 0;
    const auto newline = [&] { html += QLatin1Char('\n') + QString(depth * 2, QLatin1Char(' ')); };
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            while (j < n && text.at(j) != QLatin1Char('"'))
                j += text.at(j) == QLatin1Char('\\') ? 2 : 1;
            j = qMin(j + 1, n);
            const QString token = text.mid(i, j - i);
            qsizetype k = j;
            while (k < n && text.at(k).isSpace())
                ++k;
            const bool isKey = k < n && text.at(k) == QLatin1Char(':');
            const QString inner = token.mid(1, token.size() - 2);
            if (!isKey && digestRe.match(inner).hasMatch()) {
                html += QStringLiteral("\"<a href=\"digest:%1\">%1</a>\"").arg(inner);
            } else {
                html += span(isKey ? KeyColour : StringColour, token.toHtmlEscaped());
            }
            i = j;
            continue;
        }
        if (c.isDigit() || c == QLatin1Char('-')) {
            qsizetype j = i + 1;
            while (j < n && (text.at(j).isDigit() || QStringLiteral(".eE+-").contains(text.at(j))))
                ++j;
            html += span(NumberColour, text.mid(i, j - i));
            i = j;
            continue;
        }
        if (c.isLetter()) {
            qsizetype j = i + 1;
            while (j < n && text.at(j).isLetter())
                ++j;
            html += span(LiteralColour, text.mid(i, j - i).toHtmlEscaped());
            i = j;
            continue;
        }
        if (reindent) {
            if (c.isSpace()) {
                ++i;
                continue;
            }
            if (c == QLatin1Char('{') || c == QLatin1Char('[')) {
                html += c;
                ++depth;
                // An empty object or array stays on its line.
                qsizetype k = i + 1;
                while (k < n && text.at(k).isSpace())
                    ++k;
                if (k < n && (text.at(k) == QLatin1Char('}') || text.at(k) == QLatin1Char(']'))) {
                    --depth;
                    html += text.at(k);
                    i = k + 1;
                    continue;
                }
                newline();
            } else if (c == QLatin1Char('}') || c == QLatin1Char(']')) {
                depth = qMax(0, depth - 1);
                newline();
                html += c;
            } else if (c == QLatin1Char(',')) {
                html += c;
                newline();
            } else if (c == QLatin1Char(':')) {
                html += QStringLiteral(": ");
            } else {
                html += QString(c).toHtmlEscaped();
            }
            ++i;
            continue;
        }
        html += QString(c).toHtmlEscaped();
        ++i;
    }
    html += QStringLiteral("</pre>");
    return html;
}

} // namespace ll::ui
