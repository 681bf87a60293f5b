#pragma once

#include <QTreeView>

namespace ll::ui {

class BuildStepModel;

/** The Build Steps dock's list: one row per history step of a BuildStepModel (index, instruction, ...). */
class BuildStepsView : public QTreeView
{
    Q_OBJECT
public:
    explicit BuildStepsView(BuildStepModel *model, QWidget *parent = nullptr);
};

} // namespace ll::ui
