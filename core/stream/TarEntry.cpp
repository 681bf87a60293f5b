#include "stream/TarEntry.h"

namespace ll::stream {

qint64 TarEntry::storedSize() const
{
    if (sparse.isEmpty())
        return size;
    qint64 total = 0;
    for (const SparseRegion &r : sparse)
        total += r.length;
    return total;
}

QString TarEntry::typeName(Type type)
{
    switch (type) {
    case Type::File:
        return QStringLiteral("file");
    case Type::Directory:
        return QStringLiteral("dir");
    case Type::Symlink:
        return QStringLiteral("symlink");
    case Type::Hardlink:
        return QStringLiteral("hardlink");
    case Type::CharDevice:
        return QStringLiteral("char");
    case Type::BlockDevice:
        return QStringLiteral("block");
    case Type::Fifo:
        return QStringLiteral("fifo");
    case Type::Other:
        break;
    }
    return QStringLiteral("other");
}

QString TarEntry::modeString() const
{
    QString s(10, QLatin1Char('-'));
    switch (type) {
    case Type::File:
        break;
    case Type::Directory:
        s[0] = QLatin1Char('d');
        break;
    case Type::Symlink:
        s[0] = QLatin1Char('l');
        break;
    case Type::Hardlink:
        s[0] = QLatin1Char('h');
        break;
    case Type::CharDevice:
        s[0] = QLatin1Char('c');
        break;
    case Type::BlockDevice:
        s[0] = QLatin1Char('b');
        break;
    case Type::Fifo:
        s[0] = QLatin1Char('p');
        break;
    case Type::Other:
        s[0] = QLatin1Char('?');
        break;
    }
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i) {
        if (mode & (0400u >> i))
            s[i + 1] = QLatin1Char(rwx[i]);
    }
    // The execute slot of owner/group/other carries setuid/setgid/sticky: lower case when also executable.
    auto special = [&](int index, quint32 bit, quint32 execBit, char set, char setNoExec) {
        if (mode & bit)
            s[index] = QLatin1Char((mode & execBit) ? set : setNoExec);
    };
    special(3, 04000, 0100, 's', 'S');
    special(6, 02000, 0010, 's', 'S');
    special(9, 01000, 0001, 't', 'T');
    return s;
}

QString TarEntry::normalizePath(QStringView raw)
{
    QString out;
    out.reserve(raw.size());
    qsizetype i = 0;
    const qsizetype n = raw.size();
    while (i < n) {
        qsizetype j = i;
        while (j < n && raw[j] != QLatin1Char('/'))
            ++j;
        const QStringView component = raw.mid(i, j - i);
        if (!component.isEmpty() && component != QLatin1String(".")) {
            if (!out.isEmpty())
                out += QLatin1Char('/');
            out += component;
        }
        i = j + 1;
    }
    if (out.isEmpty())
        out = QStringLiteral(".");
    return out;
}

} // namespace ll::stream
