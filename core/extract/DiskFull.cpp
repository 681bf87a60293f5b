#include "extract/DiskFull.h"

#include "common/HumanSize.h"

#include <QCoreApplication>

#include <cerrno>
#include <cstring>

namespace ll::extract {

bool DiskFull::isDiskFull(int err)
{
    return err == ENOSPC || err == EDQUOT || err == EFBIG;
}

Error DiskFull::error(int err, const QString &dir, qint64 needed, const QString &what)
{
    const char *context = "DiskFull";
    QString where;
    if (err == EDQUOT)
        where = QCoreApplication::translate(context, "disk quota exceeded on %1").arg(dir);
    else if (err == EFBIG)
        where = QCoreApplication::translate(context, "file size limit reached on %1").arg(dir);
    else
        where = QCoreApplication::translate(context, "no space left on %1").arg(dir);
    QString message = where;
    if (needed >= 0)
        message += QCoreApplication::translate(context, ": %1 bytes (%2) needed for %3")
                       .arg(groupedNumber(needed), humanSize(needed), what);
    else
        message += QCoreApplication::translate(context, " while writing %1").arg(what);
    return Error(Error::Code::Io, message, QString::fromLocal8Bit(std::strerror(err)));
}

} // namespace ll::extract
