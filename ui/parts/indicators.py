"""指標: one row per indicator, 目標 and 実績 per fiscal year (past years read-only, the survey year
editable), unit and direction, and 達成率 of the survey year computed live by dxdesk. Below the grid,
the selected indicator's baseline, final target, rationale and why it counts as it does for the
suggested grade."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
)

from dxdesk.domain.enums import Direction
from dxdesk.domain.fields import JumpTarget
from dxdesk.domain.fiscal import fy_short, years_up_to
from dxdesk.section_desk import EditableSheet
from ui.grid import COMPUTED_BG, FieldGridModel, SheetGrid
from ui.parts.base import PartHost, SheetPart, hint_label, page_layout, wire_grid
from ui.widgets import CommitLineEdit, MessageLabel

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()

FIXED = ("指標", "単位", "方向")
ARROWS = {Direction.UP: "増加↑", Direction.DOWN: "減少↓", Direction.KEEP: "維持→"}
ACHIEVED_FG = QBrush(QColor("#2e7d32"))
MISSED_FG = QBrush(QColor("#b00020"))
DOUBT_BG = QBrush(QColor("#fff3cd"))  # a value that looks like a wrong unit (AUD-PLAUSIBLE-*)
PLAUSIBILITY_CHECKS = ("AUD-PLAUSIBLE-RANGE", "AUD-PLAUSIBLE-JUMP")


class IndicatorModel(FieldGridModel):
    def __init__(self, host: PartHost):
        super().__init__(host)
        self.sheet: EditableSheet | None = None
        self.years: list[int] = []

    def set_sheet(self, sheet: EditableSheet) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.years = years_up_to(sheet.fy, sheet.settings.display_years)
        self.keep_unread(sheet)
        self.endResetModel()

    # --- shape --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() or self.sheet is None else len(self.sheet.indicators)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(FIXED) + 2 * len(self.years) + 1

    @property
    def rate_column(self) -> int:
        return len(FIXED) + 2 * len(self.years)

    def column_of(self, role: str, fy: int) -> int:
        return len(FIXED) + 2 * self.years.index(fy) + (0 if role == "target" else 1)

    def path_at(self, index: Index) -> str | None:
        col = index.column() - len(FIXED)
        if not index.isValid() or col < 0 or col >= 2 * len(self.years):
            return None
        role = "target" if col % 2 == 0 else "actual"
        return f"indicators[{index.row()}].{role}@{self.years[col // 2]}"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return super().headerData(section, orientation, role)
        if section < len(FIXED):
            return FIXED[section]
        if section == self.rate_column:
            return f"達成率\n{fy_short(self.years[-1])}" if self.years else "達成率"
        col = section - len(FIXED)
        return f"{fy_short(self.years[col // 2])}\n{'目標' if col % 2 == 0 else '実績'}"

    # --- cells --------------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        sheet = self.sheet
        if sheet is None or not index.isValid():
            return None
        row, col = index.row(), index.column()
        ind = sheet.indicators[row]
        if col < len(FIXED):
            if role == Qt.ItemDataRole.DisplayRole:
                return (ind.name, ind.unit, ARROWS[ind.direction])[col]
            if role == Qt.ItemDataRole.ToolTipRole:
                extra = "・累計" if ind.cumulative else ""
                return f"{ind.name}\n{ind.kind.label}・{ind.direction.label}{extra}"
            if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
                return Qt.AlignmentFlag.AlignCenter
            return None
        if col == self.rate_column:
            rate = sheet.rate(row)
            if role == Qt.ItemDataRole.DisplayRole:
                if rate.rate is None and rate.achieved is not None:
                    return "達成" if rate.achieved else "未達成"
                return rate.display
            if role == Qt.ItemDataRole.ToolTipRole:
                return sheet.assessment(row).explanation
            if role == Qt.ItemDataRole.ForegroundRole and rate.achieved is not None:
                return ACHIEVED_FG if rate.achieved else MISSED_FG
            if role == Qt.ItemDataRole.BackgroundRole:
                return COMPUTED_BG
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return None
        path = self.path_at(index)
        assert path is not None
        if role == Qt.ItemDataRole.DisplayRole:
            if path in self.errors:
                return self.errors[path][0]
            return sheet.display(path)
        if role == Qt.ItemDataRole.EditRole:
            return self.edit_text(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole) and path not in self.errors:
            doubt = self.doubt(row, path)
            if doubt:
                return doubt if role == Qt.ItemDataRole.ToolTipRole else DOUBT_BG
        return self.cell_style(index, role)

    def doubt(self, row: int, path: str) -> str:
        """The plausibility warning about this cell (the evaluated year's target or actual), if any."""
        sheet = self.sheet
        if sheet is None or not path.endswith(f"@{sheet.fy}"):
            return ""
        field = path.rsplit("@", 1)[0]
        return "\n".join(
            f.message
            for f in sheet.evaluate().findings
            if f.check_id in PLAUSIBILITY_CHECKS and f.field == field
        )


class IndicatorsPart(SheetPart):
    keys = ("indicators",)
    title = "指標"

    def __init__(self, host: PartHost):
        super().__init__(host)
        layout = page_layout(self)
        self.hint = hint_label(layout, "indicatorHint")
        self.model = IndicatorModel(host)
        # the indicator names stay in view while the year columns scroll (like Excel's freeze panes)
        self.names = QTableView(objectName="indicatorNames")
        self.names.setModel(self.model)
        self.names.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.names.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.names.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.names.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.names.verticalHeader().setVisible(False)
        self.names.setWordWrap(True)
        self.names.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.names.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.names.clicked.connect(self._name_clicked)
        self.grid = SheetGrid(host)
        self.grid.setObjectName("indicatorGrid")
        self.grid.setModel(self.model)
        self.grid.setWordWrap(True)
        for view in (self.names, self.grid):
            view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            view.horizontalHeader().setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 12)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 10)
        self.grid.verticalScrollBar().valueChanged.connect(self.names.verticalScrollBar().setValue)
        self.names.verticalScrollBar().valueChanged.connect(self.grid.verticalScrollBar().setValue)
        wire_grid(self.grid, self.model, self._after_commit, lambda: self.message)
        panes = QHBoxLayout()
        panes.setSpacing(0)
        panes.addWidget(self.names)
        panes.addWidget(self.grid, 1)
        layout.addLayout(panes, 3)
        self.message = MessageLabel(objectName="gridMessage")
        layout.addWidget(self.message)

        box = QGroupBox("選択した指標")
        form = QFormLayout(box)
        self.detail = QLabel(objectName="indicatorDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.detail)
        self.note = CommitLineEdit()
        self.note.setObjectName("indicatorNote")
        self.note.committed.connect(self._note_committed)
        self.note_label = QLabel("備考(&N)")
        self.note_label.setBuddy(self.note)
        form.addRow(self.note_label, self.note)
        layout.addWidget(box, 2)
        self.grid.selectionModel().currentChanged.connect(lambda cur, _prev: self._current_changed(cur.row()))

    def load(self, sheet: EditableSheet) -> None:
        self.message.clear_message()
        self.model.set_sheet(sheet)
        fy = fy_short(sheet.fy)
        if sheet.locked:
            self.hint.setText(sheet.locked)
        else:
            self.hint.setText(
                f"{fy}の目標・実績を入力します（過去の年度は参照のみ）。該当しない欄は「—」、"
                "全角数字や「1,234」もそのまま入力できます。Excelからコピーした範囲は Ctrl+V で貼り付けられます。"
            )
        self._size_columns()
        if self.model.rowCount():
            self.grid.setCurrentIndex(self.model.index(0, self.model.column_of("actual", sheet.fy)))
            self.grid.scrollTo(self.model.index(0, self.model.rate_column))
            self._show_detail(0)
        else:
            self.detail.setText("この施策には指標が登録されていません。")
            self.note.setEnabled(False)

    def refresh(self, sheet: EditableSheet) -> None:
        self.model.changed_all()
        self._show_detail(self.grid.currentIndex().row())

    def _size_columns(self) -> None:
        fm = self.grid.fontMetrics()
        fixed = len(FIXED)
        widths = [
            fm.horizontalAdvance("あ") * 10 + 12,
            max(fm.horizontalAdvance("単位"), *(fm.horizontalAdvance(i.unit) for i in self._inds())) + 14,
            fm.horizontalAdvance("減少↓") + 14,
        ]
        value_w = fm.horizontalAdvance("88,888.8") + 16
        for col in range(self.model.columnCount()):
            self.names.setColumnHidden(col, col >= fixed)
            self.grid.setColumnHidden(col, col < fixed)
            self.names.setColumnWidth(col, widths[col] if col < fixed else 0)
            if col >= fixed:
                self.grid.setColumnWidth(col, value_w)
        self.names.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.names.setFixedWidth(sum(widths) + 2 * self.names.frameWidth())

    def _inds(self) -> list[Any]:
        return list(self.model.sheet.indicators) if self.model.sheet else []

    def _current_changed(self, row: int) -> None:
        if row >= 0:
            self.names.selectRow(row)
        self._show_detail(row)

    def _name_clicked(self, index: QModelIndex) -> None:
        current = self.grid.currentIndex()
        sheet = self.model.sheet
        col = (
            current.column()
            if current.isValid()
            else (self.model.column_of("actual", sheet.fy) if sheet else 3)
        )
        self.grid.setCurrentIndex(self.model.index(index.row(), col))
        self.grid.setFocus()

    def _after_commit(self) -> None:
        row = self.grid.currentIndex().row()
        error = self.model.last_error
        sheet = self.model.sheet
        # a value that looks like a wrong unit is said at once, under the grid (and stays in F8)
        doubtful = (
            [
                f.message
                for f in sheet.evaluate().findings
                if f.check_id in PLAUSIBILITY_CHECKS and f.field.startswith(f"indicators[{row}].")
            ]
            if sheet is not None and row >= 0
            else []
        )
        if error:
            self.message.show_message(error, "error")
        elif doubtful:
            self.message.show_message("\n".join(doubtful), "warning")
        else:
            self.message.clear_message()
        self._show_detail(row)

    def _show_detail(self, row: int) -> None:
        sheet = self.model.sheet
        if sheet is None or not 0 <= row < len(sheet.indicators):
            return
        ind = sheet.indicators[row]
        meta = [ind.kind.label, ind.direction.label]
        if ind.unit:
            meta.append(f"単位：{ind.unit}")
        if ind.cumulative:
            meta.append("累計値")
        if ind.reference_only:
            meta.append("参考指標")
        lines = [f"<b>{escape(ind.name)}</b>　<span style='color:#555'>{escape('・'.join(meta))}</span>"]
        facts = []
        if ind.baseline.is_entered:
            year = f"（{fy_short(ind.baseline_fy)}）" if ind.baseline_fy else ""
            facts.append(f"基準値 {escape(ind.baseline.display(ind.unit))}{year}")
        if ind.final_target.is_entered:
            year = f"（{fy_short(ind.final_target_fy)}）" if ind.final_target_fy else ""
            facts.append(f"最終目標 {escape(ind.final_target.display(ind.unit))}{year}")
        if facts:
            lines.append("　".join(facts))
        rate = sheet.rate(row)
        lines.append(
            f"{fy_short(sheet.fy)}の達成率 <b>{escape(rate.display)}</b>　{escape(sheet.assessment(row).explanation)}"
        )
        if ind.rationale:
            lines.append(f"算出式・設定根拠：{escape(ind.rationale)}")
        if ind.note:
            lines.append(f"指標の概要：{escape(ind.note)}")
        findings = [f for f in sheet.evaluate().findings if f.field.startswith(f"indicators[{row}]")]
        for f in findings:
            color = {"error": "#b00020", "warning": "#8a5a00"}.get(f.severity.value, "#1f5f8b")
            lines.append(f"<span style='color:{color}'>【{f.severity.label}】{escape(f.message)}</span>")
        self.detail.setText("<br>".join(lines))
        path = f"indicators[{row}].note@{sheet.fy}"
        self.note.load(sheet.display(path))
        self.note.setEnabled(sheet.editable(path))
        self.note_label.setText(f"{fy_short(sheet.fy)}の備考(&N)")

    def _note_committed(self, text: str) -> None:
        row = self.grid.currentIndex().row()
        sheet = self.model.sheet
        if sheet is None or row < 0:
            return
        error = self.host.commit(f"indicators[{row}].note@{sheet.fy}", text)
        if error:
            self.message.show_message(error)

    def commit_pending(self) -> None:
        self.grid.commit_pending()
        self.note.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        sheet = self.model.sheet
        if sheet is None:
            return False
        row = target.indicator if target.indicator is not None else 0
        if not 0 <= row < self.model.rowCount():
            self.grid.setFocus()
            return True
        col = self.model.column_of("actual", sheet.fy)
        if target.path and ".target@" in target.path:
            col = self.model.column_of("target", sheet.fy)
        index = self.model.index(row, col)
        self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(index)
        self.grid.setFocus()
        return True
