#include "hunt/HuntAnswer.h"

namespace ll::hunt {

QString HuntAnswer::statusName(Status status)
{
    switch (status) {
    case Status::Found:
        return QStringLiteral("found");
    case Status::Deleted:
        return QStringLiteral("deleted");
    case Status::NotFound:
        return QStringLiteral("not_found");
    case Status::Error:
        break;
    }
    return QStringLiteral("error");
}

} // namespace ll::hunt
