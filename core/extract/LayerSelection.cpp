#include "extract/LayerSelection.h"

#include <QCoreApplication>

#include <algorithm>

namespace ll::extract {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LayerSelection", text);
}

/** The 0-based index of layer number s (numbers start at base), or -1 when not a layer. */
int number(QStringView s, int layerCount, int base)
{
    bool ok = false;
    const int n = s.trimmed().toInt(&ok);
    if (!ok || n < base || n - base >= layerCount)
        return -1;
    return n - base;
}

Error usage(const QString &message, int layerCount, int base)
{
    const int last = layerCount - 1 + base;
    QString hint = layerCount == 1 ? tr("the image has 1 layer: %1 or \"all\"").arg(base)
                                   : tr("the image has %1 layers, %2 to %3: e.g. \"%2,%4-%3\" or \"all\"")
                                         .arg(layerCount)
                                         .arg(base)
                                         .arg(last)
                                         .arg(qMin(base + 2, last));
    if (base == 0)
        hint += tr(" (numbered from 0 as in the listing; --save-layers-1based takes the original tool's numbers)");
    return Error(Error::Code::Usage, message + QStringLiteral("; ") + hint);
}

} // namespace

Result<QList<int>> LayerSelection::parse(QStringView text, int layerCount, int base)
{
    const QStringView all = text.trimmed();
    if (all.isEmpty())
        return usage(tr("empty layer selection"), layerCount, base);
    if (layerCount <= 0)
        return Error(Error::Code::Usage, tr("the image has no layers to select"));
    if (all.compare(QLatin1String("a"), Qt::CaseInsensitive) == 0
        || all.compare(QLatin1String("all"), Qt::CaseInsensitive) == 0 || all == QLatin1String("*")) {
        QList<int> every;
        every.reserve(layerCount);
        for (int i = 0; i < layerCount; ++i)
            every.append(i);
        return every;
    }

    QList<int> out;
    for (QStringView item : all.split(QLatin1Char(','))) {
        item = item.trimmed();
        if (item.isEmpty())
            return usage(tr("empty item in layer selection \"%1\"").arg(all), layerCount, base);
        const qsizetype dash = item.indexOf(QLatin1Char('-'));
        if (dash < 0) {
            const int n = number(item, layerCount, base);
            if (n < 0)
                return usage(
                    tr("\"%1\" is not a layer number between %2 and %3").arg(item).arg(base).arg(layerCount - 1 + base),
                    layerCount, base);
            out.append(n);
            continue;
        }
        const int first = number(item.left(dash), layerCount, base);
        const int last = number(item.mid(dash + 1), layerCount, base);
        if (first < 0 || last < 0)
            return usage(
                tr("\"%1\" is not a range of layers between %2 and %3").arg(item).arg(base).arg(layerCount - 1 + base),
                layerCount, base);
        if (first > last)
            return usage(tr("reversed range \"%1\"").arg(item), layerCount, base);
        for (int n = first; n <= last; ++n)
            out.append(n);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

QString LayerSelection::format(const QList<int> &indices, int base)
{
    QList<int> sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    QStringList parts;
    for (int i = 0; i < sorted.size();) {
        int j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
            ++j;
        if (j == i)
            parts.append(QString::number(sorted[i] + base));
        else
            parts.append(QStringLiteral("%1-%2").arg(sorted[i] + base).arg(sorted[j] + base));
        i = j + 1;
    }
    return parts.join(QLatin1Char(','));
}

} // namespace ll::extract
