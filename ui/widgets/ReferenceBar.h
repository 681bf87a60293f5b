#pragma once

#include "oci/Platform.h"

#include <QToolBar>

class QAction;
class QComboBox;
class QLabel;
class QPushButton;

namespace ll::oci {
struct Image;
}

namespace ll::ui {

/**
 * The window's reference bar: an editable reference field completed from the history, the Open button and,
 * for a multi-arch image, a platform picker (attestations listed but disabled). It only asks: openRequested()
 * when the user presses Enter or Open, platformRequested() when another platform is picked.
 */
class ReferenceBar : public QToolBar
{
    Q_OBJECT
public:
    explicit ReferenceBar(QWidget *parent = nullptr);

    QComboBox *referenceCombo() const { return m_reference; }
    QComboBox *platformCombo() const { return m_platform; }

    QString text() const;
    void setText(const QString &text);
    /** Focuses the reference field with its text selected. */
    void focusReference(Qt::FocusReason reason = Qt::ShortcutFocusReason);

    /** Replaces the completion list (most recent first); showFirst: puts its first entry in the field. */
    void setHistory(const QStringList &references, bool showFirst = true);

    /** Offers image's platforms when it has an index with more than one manifest, else hides the picker. */
    void setPlatforms(const oci::Image &image);
    /** Whether the platform picker is offered (it may sit in the toolbar's overflow). */
    bool isPlatformPickerShown() const;

signals:
    void openRequested(const QString &text);
    /** The user picked a platform other than the one shown. */
    void platformRequested(const ll::oci::Platform &platform);

private:
    void requestOpen();
    void onPlatformActivated(int index);

    QComboBox *m_reference = nullptr;
    QPushButton *m_open = nullptr;
    QComboBox *m_platform = nullptr;
    QAction *m_platformLabelAction = nullptr;
    QAction *m_platformAction = nullptr;
    oci::Platform m_shownPlatform;
};

} // namespace ll::ui
