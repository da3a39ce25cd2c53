"""スケジュール: the year's milestones with due year, month and status; add, remove, reorder."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from dxdesk.domain.enums import GradingRule, MilestoneStatus
from dxdesk.domain.fields import JumpTarget
from dxdesk.domain.fiscal import fy_label
from dxdesk.section_desk import EditableSheet
from ui.grid import FieldGridModel, SheetGrid
from ui.parts.base import PartHost, SheetPart, hint_label, page_layout, wire_grid
from ui.widgets import MessageLabel

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
COLUMNS = (("text", "マイルストーン"), ("due_fy", "予定年度"), ("due_month", "予定月"), ("status", "状況"))


class MilestoneModel(FieldGridModel):
    def __init__(self, host: PartHost):
        super().__init__(host)
        self.sheet: EditableSheet | None = None

    def set_sheet(self, sheet: EditableSheet) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.keep_unread(sheet)  # a year or month that could not be read stays as typed, red
        self.endResetModel()

    def reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() or self.sheet is None else len(self.sheet.milestones)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def path_at(self, index: Index) -> str | None:
        if not index.isValid():
            return None
        return f"milestones[{index.row()}].{COLUMNS[index.column()][0]}"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.sheet is None or not index.isValid():
            return None
        path = self.path_at(index)
        assert path is not None
        name = COLUMNS[index.column()][0]
        stored = self.sheet.get(path)
        if role == Qt.ItemDataRole.DisplayRole:
            if path in self.errors:
                return self.errors[path][0]
            if name == "due_fy":
                return fy_label(int(stored)) if stored else ""
            if name == "due_month":
                return f"{stored}月" if stored else ""
            if name == "status":
                return MilestoneStatus(stored or "not_started").label
            return stored or ""
        if role == Qt.ItemDataRole.EditRole:
            if name == "status":
                return stored or "not_started"
            return self.edit_text(index) if name == "text" else (self.data(index) or "")
        return self.cell_style(index, role)


class _StatusDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for status in MilestoneStatus:
            combo.addItem(status.label, status.value)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData())


class SchedulePart(SheetPart):
    keys = ("schedule",)
    title = "スケジュール"

    def __init__(self, host: PartHost):
        super().__init__(host)
        layout = page_layout(self)
        self.summary = hint_label(layout, "scheduleSummary")
        self.model = MilestoneModel(host)
        self.grid = SheetGrid(host)
        self.grid.setObjectName("milestoneGrid")
        self.grid.setModel(self.model)
        self.grid.setItemDelegateForColumn(3, _StatusDelegate(self.grid))
        self.grid.setWordWrap(True)
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fm = self.grid.fontMetrics()
        for col, sample in ((1, "令和10年度"), (2, "12月"), (3, "実施中▼")):
            self.grid.setColumnWidth(col, fm.horizontalAdvance(sample) + 24)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        wire_grid(self.grid, self.model, self._after_commit, lambda: self.message)
        layout.addWidget(self.grid, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("マイルストーンを追加(&A)", objectName="addMilestone")
        self.remove_button = QPushButton("削除(&X)", objectName="removeMilestone")
        self.up_button = QPushButton("上へ(&U)")
        self.down_button = QPushButton("下へ(&W)")
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = MessageLabel(objectName="scheduleMessage")
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(lambda: self._change("remove"))
        self.up_button.clicked.connect(lambda: self._change("move", -1))
        self.down_button.clicked.connect(lambda: self._change("move", +1))

    def load(self, sheet: EditableSheet) -> None:
        self.message.clear_message()
        self.model.set_sheet(sheet)
        editable = sheet.editable("milestones")
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            b.setEnabled(editable)
        self.refresh(sheet)

    def refresh(self, sheet: EditableSheet) -> None:
        self.model.reset()
        ev = sheet.evaluate()
        lines = []
        if ev.suggestion.rule is GradingRule.SCHEDULE:
            lines.append(f"スケジュールによる評価：{ev.suggestion.explanation}")
        lines += [
            f"【{f.severity.label}】{f.message}" for f in ev.findings if f.field.startswith("milestones")
        ]
        if not sheet.milestones:
            lines.append(f"{fy_label(sheet.fy)}のマイルストーンは登録されていません。")
        self.summary.setText("\n".join(lines))

    def _after_commit(self) -> None:
        if self.model.last_error:
            self.message.show_message(self.model.last_error)
        else:
            self.message.clear_message()
        if self.sheet is not None:
            self.refresh(self.sheet)

    def _add(self) -> None:
        error = self.host.commit_milestones("add")
        if error:
            self.message.show_message(error)
            return
        row = self.model.rowCount() - 1
        index = self.model.index(row, 0)
        self.grid.setCurrentIndex(index)
        self.grid.setFocus()
        self.grid.edit(index)

    def _change(self, action: str, delta: int = 0) -> None:
        row = self.grid.currentIndex().row()
        if row < 0:
            self.message.show_message("対象のマイルストーンを選んでください。", "info")
            return
        error = self.host.commit_milestones(action, row, delta)
        if error:
            self.message.show_message(error)
            return
        if action == "move":
            target = row + delta
            if 0 <= target < self.model.rowCount():
                self.grid.setCurrentIndex(self.model.index(target, self.grid.currentIndex().column()))

    def commit_pending(self) -> None:
        self.grid.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        self.grid.setFocus()
        if self.model.rowCount():
            self.grid.setCurrentIndex(self.model.index(0, 3))
        else:
            self.add_button.setFocus()
        return True
