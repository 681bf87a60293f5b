#pragma once

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace ll::ui {

/** A read-only table of rows over model: whole rows selected, no row header, compact rows, no word wrap, the
    last column stretched (the panels' result tables). */
QTableView *makeRowTable(QAbstractItemModel *model, QWidget *parent);

} // namespace ll::ui
