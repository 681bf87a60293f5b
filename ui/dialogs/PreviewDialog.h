#pragma once

#include <QDialog>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace ll::ui {

/**
 * Shows one file of an image: as text when it decodes (a BOM names UTF-8/UTF-16/UTF-32; else valid UTF-8
 * without NUL bytes), else as a hex dump. Only the first maxBytes() are shown. The bytes come from a carve
 * the caller runs (PreviewDialog does no I/O); until then it shows "Fetching…".
 */
class PreviewDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreviewDialog(const QString &imagePath, QWidget *parent = nullptr);

    /** Bytes shown at most (1 MiB). */
    static constexpr qint64 maxBytes() { return 1024 * 1024; }

    /** data: the first bytes of the file (at most maxBytes()); fileSize: its full size. */
    void setContent(const QByteArray &data, qint64 fileSize);
    void setStatus(const QString &text);
    void setError(const QString &text);

    bool isText() const { return m_isText; }
    QString encodingName() const { return m_encoding; }
    QString text() const;
    QString hexText() const;

    /**
     * Text of data when it is text: the encoding from a BOM, else UTF-8 if valid and without NUL bytes
     * (an incomplete sequence at the very end, from the size cap, is tolerated when truncated).
     * encoding receives "UTF-8", "UTF-16LE", ...
     */
    static std::optional<QString> decodeText(const QByteArray &data, bool truncated, QString *encoding = nullptr);
    /** "00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|" lines. */
    static QString hexDump(const QByteArray &data);

private:
    QString m_path;
    QLabel *m_info = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPlainTextEdit *m_hex = nullptr;
    bool m_isText = false;
    QString m_encoding;
};

} // namespace ll::ui
