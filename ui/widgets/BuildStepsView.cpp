#include "widgets/BuildStepsView.h"

#include "models/BuildStepModel.h"

#include <QHeaderView>

namespace ll::ui {

BuildStepsView::BuildStepsView(BuildStepModel *model, QWidget *parent) : QTreeView(parent)
{
    setObjectName(QStringLiteral("stepsView"));
    setModel(model);
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    header()->resizeSection(BuildStepModel::IndexColumn, 36);
    header()->resizeSection(BuildStepModel::InstructionColumn, 320);
}

} // namespace ll::ui
