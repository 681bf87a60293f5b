#include "dialogs/PreviewDialog.h"

#include "common/HumanSize.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QStringDecoder>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ll::ui {

PreviewDialog::PreviewDialog(const QString &imagePath, QWidget *parent) : QDialog(parent), m_path(imagePath)
{
    setWindowTitle(tr("Preview — %1").arg(imagePath));
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    m_info = new QLabel(tr("Fetching %1…").arg(imagePath), this);
    m_info->setObjectName(QStringLiteral("info"));
    m_info->setWordWrap(true);
    layout->addWidget(m_info);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_tabs = new QTabWidget(this);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("text"));
    m_text->setReadOnly(true);
    m_text->setFont(mono);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hex = new QPlainTextEdit(this);
    m_hex->setObjectName(QStringLiteral("hex"));
    m_hex->setReadOnly(true);
    m_hex->setFont(mono);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(m_hex, tr("Hex"));
    m_tabs->setEnabled(false);
    layout->addWidget(m_tabs, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(820, 600);
}

void PreviewDialog::setContent(const QByteArray &data, qint64 fileSize)
{
    const bool truncated = fileSize > data.size();
    const auto text = decodeText(data, truncated, &m_encoding);
    m_isText = text.has_value();
    m_tabs->setEnabled(true);
    m_text->setPlainText(text.value_or(QString()));
    m_hex->setPlainText(hexDump(data));
    m_tabs->setTabEnabled(0, m_isText);
    m_tabs->setCurrentIndex(m_isText ? 0 : 1);
    QString info = m_isText ? tr("%1 · %2 · %3").arg(m_path, humanSize(fileSize), m_encoding)
                            : tr("%1 · %2 · binary").arg(m_path, humanSize(fileSize));
    if (truncated)
        info += tr(" · first %1 shown").arg(humanSize(data.size()));
    m_info->setText(info);
}

void PreviewDialog::setStatus(const QString &text)
{
    m_info->setText(text);
}

void PreviewDialog::setError(const QString &text)
{
    m_info->setText(tr("Cannot preview %1: %2").arg(m_path, text));
    m_info->setStyleSheet(QStringLiteral("color: #b00020;"));
}

QString PreviewDialog::text() const
{
    return m_text->toPlainText();
}

QString PreviewDialog::hexText() const
{
    return m_hex->toPlainText();
}

std::optional<QString> PreviewDialog::decodeText(const QByteArray &data, bool truncated, QString *encoding)
{
    if (data.isEmpty()) {
        if (encoding)
            *encoding = QStringLiteral("UTF-8");
        return QString();
    }
    const auto bom = QStringConverter::encodingForData(data);
    if (bom) {
        QStringDecoder decoder(*bom);
        QString s = decoder.decode(data);
        if (encoding)
            *encoding = QString::fromLatin1(QStringConverter::nameForEncoding(*bom));
        if (!s.isEmpty() && s.at(0) == QChar(0xFEFF))
            s.remove(0, 1);
        return s;
    }
    if (data.contains('\0'))
        return std::nullopt;
    QByteArrayView view(data);
    if (truncated) {
        // The cap may split a multi-byte sequence: drop an incomplete one at the end.
        qsizetype i = view.size() - 1;
        int back = 0;
        while (i >= 0 && back < 4 && (uchar(view[i]) & 0xC0) == 0x80) {
            --i;
            ++back;
        }
        if (i >= 0 && uchar(view[i]) >= 0xC0) {
            const uchar lead = uchar(view[i]);
            const int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
            if (back < need)
                view = view.first(i);
        }
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString s = decoder.decode(view);
    if (decoder.hasError())
        return std::nullopt;
    // Mostly control characters is not text either.
    qsizetype controls = 0;
    for (QChar c : std::as_const(s)) {
        const ushort u = c.unicode();
        if (u < 0x20 && u != '\n' && u != '\r' && u != '\t' && u != '\f' && u != 0x1b)
            ++controls;
    }
    if (controls * 10 > s.size())
        return std::nullopt;
    if (encoding)
        *encoding = QStringLiteral("UTF-8");
    return s;
}

QString PreviewDialog::hexDump(const QByteArray &data)
{
    static const char digits[] = "0123456789abcdef";
    QString out;
    out.reserve((data.size() / 16 + 1) * 80);
    for (qsizetype off = 0; off < data.size(); off += 16) {
        const qsizetype n = qMin<qsizetype>(16, data.size() - off);
        out += QStringLiteral("%1  ").arg(off, 8, 16, QLatin1Char('0'));
        for (int i = 0; i < 16; ++i) {
            if (i < n) {
                const uchar b = uchar(data[off + i]);
                out += QLatin1Char(digits[b >> 4]);
                out += QLatin1Char(digits[b & 15]);
                out += QLatin1Char(' ');
            } else {
                out += QLatin1String("   ");
            }
            if (i == 7)
                out += QLatin1Char(' ');
        }
        out += QLatin1String(" |");
        for (int i = 0; i < n; ++i) {
            const uchar b = uchar(data[off + i]);
            out += (b >= 0x20 && b < 0x7f) ? QLatin1Char(char(b)) : QLatin1Char('.');
        }
        out += QLatin1String("|\n");
    }
    return out;
}

} // namespace ll::ui
