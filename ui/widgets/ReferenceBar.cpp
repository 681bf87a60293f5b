#include "widgets/ReferenceBar.h"

#include "oci/Image.h"

#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardItemModel>

namespace ll::ui {

ReferenceBar::ReferenceBar(QWidget *parent) : QToolBar(tr("Image"), parent)
{
    setObjectName(QStringLiteral("imageToolBar"));
    setMovable(false);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addWidget(new QLabel(tr(" Image: "), this));

    m_reference = new QComboBox(this);
    m_reference->setObjectName(QStringLiteral("reference"));
    m_reference->setEditable(true);
    m_reference->setInsertPolicy(QComboBox::NoInsert);
    m_reference->setMinimumWidth(300);
    m_reference->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_reference->lineEdit()->setPlaceholderText(tr("registry/repository:tag, e.g. 127.0.0.1:5000/lab/app:1.0"));
    m_reference->lineEdit()->setClearButtonEnabled(true);
    auto *completer = new QCompleter(m_reference->model(), m_reference);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    m_reference->setCompleter(completer);
    addWidget(m_reference);
    connect(m_reference->lineEdit(), &QLineEdit::returnPressed, this, &ReferenceBar::requestOpen);

    m_open = new QPushButton(tr("&Open"), this);
    m_open->setObjectName(QStringLiteral("open"));
    m_open->setDefault(true);
    connect(m_open, &QPushButton::clicked, this, &ReferenceBar::requestOpen);
    addWidget(m_open);

    m_platformLabelAction = addWidget(new QLabel(tr("  Platform: "), this));
    m_platform = new QComboBox(this);
    m_platform->setObjectName(QStringLiteral("platform"));
    m_platform->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_platform->setModel(new QStandardItemModel(m_platform));
    m_platformAction = addWidget(m_platform);
    m_platformLabelAction->setVisible(false);
    m_platformAction->setVisible(false);
    connect(m_platform, &QComboBox::activated, this, &ReferenceBar::onPlatformActivated);
}

QString ReferenceBar::text() const
{
    return m_reference->currentText();
}

void ReferenceBar::setText(const QString &text)
{
    if (m_reference->currentText() != text)
        m_reference->setEditText(text);
}

void ReferenceBar::focusReference(Qt::FocusReason reason)
{
    m_reference->setFocus(reason);
    m_reference->lineEdit()->selectAll();
}

void ReferenceBar::setHistory(const QStringList &references, bool showFirst)
{
    m_reference->blockSignals(true);
    m_reference->clear();
    m_reference->addItems(references);
    m_reference->setCurrentIndex(showFirst && !references.isEmpty() ? 0 : -1);
    if (!showFirst)
        m_reference->setEditText(QString());
    m_reference->blockSignals(false);
}

void ReferenceBar::requestOpen()
{
    const QString text = m_reference->currentText().trimmed();
    if (!text.isEmpty())
        emit openRequested(text);
}

void ReferenceBar::setPlatforms(const oci::Image &image)
{
    m_shownPlatform = image.platform;
    auto *model = static_cast<QStandardItemModel *>(m_platform->model());
    model->clear();
    const bool multi = image.index.has_value() && image.index->manifests.size() > 1;
    m_platformLabelAction->setVisible(multi);
    m_platformAction->setVisible(multi);
    if (!multi)
        return;
    int current = -1;
    for (const oci::Descriptor &d : image.index->manifests) {
        const oci::Platform p = d.platform.value_or(oci::Platform());
        auto *item = new QStandardItem;
        if (d.isAttestation()) {
            const QString ref = d.annotations.value(QStringLiteral("vnd.docker.reference.digest"));
            item->setText(tr("attestation%1").arg(ref.isEmpty() ? QString() : tr(" for %1").arg(ref.mid(7, 12))));
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            item->setToolTip(tr("Build attestation (SBOM/provenance): not an image to browse"));
        } else {
            item->setText(p.toString());
            item->setData(p.toString(), Qt::UserRole);
            if (d.digest == image.manifestDigest)
                current = model->rowCount();
        }
        item->setData(d.digest, Qt::UserRole + 1);
        model->appendRow(item);
    }
    m_platform->setCurrentIndex(current);
}

void ReferenceBar::onPlatformActivated(int index)
{
    const QString text = m_platform->itemData(index, Qt::UserRole).toString();
    const auto platform = oci::Platform::parse(text);
    if (text.isEmpty() || !platform || *platform == m_shownPlatform)
        return;
    emit platformRequested(*platform);
}

bool ReferenceBar::isPlatformPickerShown() const
{
    return m_platformAction->isVisible();
}

} // namespace ll::ui
