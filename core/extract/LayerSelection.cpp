#include "extract/LayerSelection.h"

#include <QCoreApplication>

#include <algorithm>

namespace ll::extract {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("LayerSelection", text);
}

/** A 1-based layer number in [1, layerCount], or -1. */
int number(QStringView s, int layerCount)
{
    bool ok = false;
    const int n = s.trimmed().toInt(&ok);
    if (!ok || n < 1 || n > layerCount)
        return -1;
    return n;
}

Error usage(const QString &message, int layerCount)
{
    return Error(Error::Code::Usage, message,
        layerCount == 1 ? tr("the image has 1 layer; use 1 or \"all\"")
                        : tr("the image has %1 layers; use e.g. \"1,3-%1\" or \"all\"").arg(layerCount));
}

} // namespace

Result<QList<int>> LayerSelection::parse(QStringView text, int layerCount)
{
    const QStringView all = text.trimmed();
    if (all.isEmpty())
        return usage(tr("empty layer selection"), layerCount);
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
            return usage(tr("empty item in layer selection \"%1\"").arg(all), layerCount);
        const qsizetype dash = item.indexOf(QLatin1Char('-'));
        if (dash < 0) {
            const int n = number(item, layerCount);
            if (n < 0)
                return usage(tr("\"%1\" is not a layer number between 1 and %2").arg(item).arg(layerCount), layerCount);
            out.append(n - 1);
            continue;
        }
        const int first = number(item.left(dash), layerCount);
        const int last = number(item.mid(dash + 1), layerCount);
        if (first < 0 || last < 0)
            return usage(tr("\"%1\" is not a range of layers between 1 and %2").arg(item).arg(layerCount), layerCount);
        if (first > last)
            return usage(tr("reversed range \"%1\"").arg(item), layerCount);
        for (int n = first; n <= last; ++n)
            out.append(n - 1);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

QString LayerSelection::format(const QList<int> &indices)
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
            parts.append(QString::number(sorted[i] + 1));
        else
            parts.append(QStringLiteral("%1-%2").arg(sorted[i] + 1).arg(sorted[j] + 1));
        i = j + 1;
    }
    return parts.join(QLatin1Char(','));
}

} // namespace ll::extract
