#pragma once

#include <QTreeWidget>

namespace ll::oci {
struct Image;
}

namespace ll::ui {

/**
 * The image config panel: platform, created, user, working dir, entrypoint, cmd, env, labels, exposed
 * ports, volumes and the digests, as a two-column key/value tree (lists become child rows).
 */
class ImageConfigView : public QTreeWidget
{
    Q_OBJECT
public:
    explicit ImageConfigView(QWidget *parent = nullptr);

    void setImage(const oci::Image &image);
    void clearImage();
    /** Value shown for a top-level key ("User", "Cmd", ...); children joined by '\n'. */
    QString value(const QString &key) const;

private:
    QTreeWidgetItem *add(const QString &key, const QString &value);
    QTreeWidgetItem *addList(const QString &key, const QStringList &values);
};

} // namespace ll::ui
