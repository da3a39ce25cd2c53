"""事業費: fiscal years × 予算・決算・財源内訳・人件費, with the totals dxdesk computes (財源内訳計,
執行率, トータルコスト) and the check that the funding breakdown adds up to the settlement; below them
the year's texts of the plan's 事業費 part (``text_fields`` with part ``costs``: the Akita-style
事業費内訳's 主な内容 and 特定財源の内訳). Where the plan's sheet prints the 事業費内訳
(``cost_breakdown``), two small tables hold the year's lines: 費目別 (費目, 予算額, 決算額) and 財源別
(財源 chosen from the sources the printed table knows, 予算額, 決算額), with rows added and removed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.domain.cost_summary import CostSummary, summarize_cost
from dxdesk.domain.fields import COST_FIELDS, JumpTarget
from dxdesk.domain.fiscal import fy_short, years_up_to
from dxdesk.domain.settings import TextFieldSpec
from dxdesk.domain.sheet import CostData
from dxdesk.domain.values import format_decimal
from dxdesk.section_desk import FUNDING_CHOICES, EditableSheet
from ui.grid import COMPUTED_BG, ERROR_BG, ERROR_FG, FieldGridModel, SheetGrid
from ui.parts.base import PartHost, SheetPart, hint_label, page_layout, scrolling_page, wire_grid
from ui.widgets import CommitTextEdit, MessageLabel

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
YEARS_SHOWN = 5

# (row key, label); keys starting with "=" are computed totals
ROWS: tuple[tuple[str, str], ...] = (
    ("budget", "予算額"),
    ("settlement", "決算額"),
    ("=execution_rate", "執行率"),
    ("fund_general", "　一般財源"),
    ("fund_national", "　国庫支出金"),
    ("fund_prefecture", "　県支出金"),
    ("fund_bonds", "　地方債"),
    ("fund_other", "　その他"),
    ("=funding_total", "　財源内訳計"),
    ("personnel_cost", "人件費計"),
    ("=total_cost", "トータルコスト"),
    ("staff_ratio", "正職員従事割合（人）"),
    ("overtime_hours", "正職員時間外勤務（時間）"),
    ("part_time_staff", "会計年度任用職員（有・無）"),
)


class CostModel(FieldGridModel):
    def __init__(self, host: PartHost):
        super().__init__(host)
        self.sheet: EditableSheet | None = None
        self.years: list[int] = []

    def set_sheet(self, sheet: EditableSheet) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.years = years_up_to(sheet.fy, YEARS_SHOWN)
        self.keep_unread(sheet)
        self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(ROWS)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.years)

    def path_at(self, index: Index) -> str | None:
        if not index.isValid() or ROWS[index.row()][0].startswith("="):
            return None
        return f"costs[{self.years[index.column()]}].{ROWS[index.row()][0]}"

    def summary(self, fy: int) -> CostSummary:
        assert self.sheet is not None
        return summarize_cost(self.sheet.snapshot.costs.get(fy) or CostData(fiscal_year=fy))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return super().headerData(section, orientation, role)
        if orientation == Qt.Orientation.Horizontal:
            return fy_short(self.years[section])
        return ROWS[section][1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.sheet is None or not index.isValid():
            return None
        key = ROWS[index.row()][0]
        fy = self.years[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if key.startswith("="):
            s = self.summary(fy)
            mismatch = key == "=funding_total" and s.funding_matches is False
            if role == Qt.ItemDataRole.DisplayRole:
                if key == "=execution_rate":
                    return s.execution_rate_display
                value = s.funding_total if key == "=funding_total" else s.total_cost
                return "" if value is None else format_decimal(value)
            if role == Qt.ItemDataRole.BackgroundRole:
                return ERROR_BG if mismatch else COMPUTED_BG
            if role == Qt.ItemDataRole.ForegroundRole and mismatch:
                return ERROR_FG
            if role == Qt.ItemDataRole.ToolTipRole and mismatch:
                return s.message
            return None
        path = self.path_at(index)
        assert path is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.errors[path][0] if path in self.errors else self.sheet.display(path)
        if role == Qt.ItemDataRole.EditRole:
            return self.edit_text(index)
        return self.cell_style(index, role)


ITEM_COLUMNS = ("label", "budget", "settlement")
ITEM_TABLES = {"expense": ("費目別", "費目"), "funding": ("財源別", "財源")}


class CostItemModel(FieldGridModel):
    """One table of the year's 事業費内訳: the sheet's lines of one category (``expense``/``funding``)."""

    def __init__(self, host: PartHost, category: str):
        super().__init__(host)
        self.category = category
        self.sheet: EditableSheet | None = None
        self.rows: list[int] = []  # positions in sheet.cost_items

    def set_sheet(self, sheet: EditableSheet) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.rows = sheet.cost_item_rows(self.category)
        self.keep_unread(sheet)
        self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(ITEM_COLUMNS)

    def path_at(self, index: Index) -> str | None:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        return f"cost_items[{self.rows[index.row()]}].{ITEM_COLUMNS[index.column()]}"

    def row_of(self, position: int) -> int | None:
        return self.rows.index(position) if position in self.rows else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return super().headerData(section, orientation, role)
        if orientation == Qt.Orientation.Horizontal:
            return (ITEM_TABLES[self.category][1], "予算額", "決算額")[section]
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.sheet is None or not index.isValid():
            return None
        path = self.path_at(index)
        if path is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.DisplayRole:
            return self.errors[path][0] if path in self.errors else self.sheet.display(path)
        if role == Qt.ItemDataRole.EditRole:
            return self.edit_text(index)
        return self.cell_style(index, role)


class _FundingDelegate(QStyledItemDelegate):
    """財源 is chosen from the sources the printed 事業費内訳 knows (typing 「国」 also works: the list
    is editable and dxdesk reads what is typed)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(FUNDING_CHOICES)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText())


class CostItemsBox(QWidget):
    """The two 事業費内訳 tables side by side, each with its add and remove buttons."""

    def __init__(self, part: CostsPart):
        super().__init__()
        self.part = part
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.models: dict[str, CostItemModel] = {}
        self.grids: dict[str, SheetGrid] = {}
        self.buttons: list[QPushButton] = []
        keys = {
            "expense": ("費目を追加(&I)", "費目の行を削除"),
            "funding": ("財源を追加(&Z)", "財源の行を削除"),
        }
        for category, (table, _name) in ITEM_TABLES.items():
            box = QGroupBox(f"事業費内訳（{table}）")
            inner = QVBoxLayout(box)
            inner.setContentsMargins(6, 4, 6, 4)
            model = CostItemModel(part.host, category)
            grid = SheetGrid(part.host)
            grid.setObjectName(f"costItems_{category}")
            grid.setAccessibleName(f"事業費内訳（{table}）")
            grid.setModel(model)
            if category == "funding":
                grid.setItemDelegateForColumn(0, _FundingDelegate(grid))
            grid.verticalHeader().setVisible(True)
            grid.verticalHeader().setDefaultSectionSize(grid.fontMetrics().height() + 6)
            header = grid.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for col in (1, 2):
                grid.setColumnWidth(col, grid.fontMetrics().horizontalAdvance("99,999,999") + 16)
            grid.setFixedHeight(
                grid.verticalHeader().defaultSectionSize() * 4
                + grid.horizontalHeader().sizeHint().height()
                + 2 * grid.frameWidth()
                + 2
            )
            wire_grid(grid, model, lambda m=model: part._after_commit(m), lambda: part.message)
            inner.addWidget(grid, 1)
            buttons = QHBoxLayout()
            add = QPushButton(keys[category][0], objectName=f"addCostItem_{category}")
            remove = QPushButton(keys[category][1], objectName=f"removeCostItem_{category}")
            add.clicked.connect(lambda _c=False, cat=category: self._add(cat))
            remove.clicked.connect(lambda _c=False, cat=category: self._remove(cat))
            buttons.addWidget(add)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            inner.addLayout(buttons)
            self.buttons += [add, remove]
            row.addWidget(box, 3 if category == "expense" else 2)  # 費目 are long, 財源 short
            self.models[category] = model
            self.grids[category] = grid

    def load(self, sheet: EditableSheet) -> None:
        for model in self.models.values():
            model.set_sheet(sheet)
        editable = sheet.editable("cost_items")
        for b in self.buttons:
            b.setEnabled(editable)

    def refresh(self, sheet: EditableSheet) -> None:
        for category, model in self.models.items():
            grid = self.grids[category]
            current = grid.currentIndex()
            if sheet.cost_item_rows(category) != model.rows:
                model.set_sheet(sheet)  # a line added, removed or put back by undo
                if current.isValid() and model.rowCount():
                    row = min(current.row(), model.rowCount() - 1)
                    grid.setCurrentIndex(model.index(row, current.column()))
            else:
                model.keep_unread(sheet)
                model.changed_all()

    def _add(self, category: str) -> None:
        error = self.part.host.commit_milestones(f"add_{category}")
        if error:
            self.part.message.show_message(error)
            return
        model, grid = self.models[category], self.grids[category]
        sheet = self.part.sheet
        if sheet is not None and model.rows != sheet.cost_item_rows(category):
            model.set_sheet(sheet)  # the editor did not refresh this part (not its current tab)
        index = model.index(model.rowCount() - 1, 0)
        grid.setCurrentIndex(index)
        grid.setFocus()
        grid.edit(index)

    def _remove(self, category: str) -> None:
        model, grid = self.models[category], self.grids[category]
        row = grid.currentIndex().row()
        if not 0 <= row < model.rowCount():
            table = ITEM_TABLES[category][0]
            self.part.message.show_message(f"削除する{table}の行を選んでください。", "info")
            return
        error = self.part.host.commit_milestones("remove_cost_item", model.rows[row])
        if error:
            self.part.message.show_message(error)
            return
        if self.part.sheet is not None:
            self.refresh(self.part.sheet)
        grid.setFocus()

    def commit_pending(self) -> None:
        for grid in self.grids.values():
            grid.commit_pending()

    def focus(self, position: int, column: str) -> bool:
        for category, model in self.models.items():
            row = model.row_of(position)
            if row is not None:
                grid = self.grids[category]
                grid.setCurrentIndex(model.index(row, ITEM_COLUMNS.index(column)))
                grid.setFocus()
                return True
        return False


class CostsPart(SheetPart):
    keys = ("costs",)
    title = "事業費"

    def __init__(self, host: PartHost):
        super().__init__(host)
        content = QWidget()
        layout = page_layout(content)
        self.hint = hint_label(layout, "costHint")
        self.model = CostModel(host)
        self.grid = SheetGrid(host)
        self.grid.setObjectName("costGrid")
        self.grid.setModel(self.model)
        self.grid.verticalHeader().setVisible(True)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.verticalHeader().setDefaultSectionSize(self.grid.fontMetrics().height() + 6)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        wire_grid(self.grid, self.model, self._after_commit, lambda: self.message)
        # every row shown: the tab scrolls as a whole when the 事業費内訳 and the texts need the room
        self.grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.grid)
        self.items = CostItemsBox(self)
        self.items.setVisible(False)
        layout.addWidget(self.items)
        self.message = MessageLabel(objectName="costMessage")
        layout.addWidget(self.message)
        self.check = MessageLabel(objectName="costCheck")
        layout.addWidget(self.check)
        self.note_title = QLabel(COST_FIELDS["execution_note"] + "（不用額が生じた理由など）(&J)")
        layout.addWidget(self.note_title)
        self.note = CommitTextEdit(lines=2)
        self.note.setObjectName("executionNote")
        self.note_title.setBuddy(self.note)
        self.note.committed.connect(self._note_committed)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + 12)
        layout.addWidget(self.note)
        self.texts_box = QVBoxLayout()
        layout.addLayout(self.texts_box)
        layout.addStretch(1)
        self.area = scrolling_page(self, content)
        self.texts: dict[str, CommitTextEdit] = {}
        self._text_widgets: list[QWidget] = []

    def _build_texts(self, specs: list[TextFieldSpec]) -> None:
        """One box per text field of the 事業費 part, rebuilt when the plan's fields change."""
        if [s.key for s in specs] == list(self.texts):
            return
        for w in self._text_widgets:
            w.deleteLater()
        self._text_widgets.clear()
        self.texts.clear()
        for spec in specs:
            title = QLabel(spec.label + ("　（必須）" if spec.required else ""))
            edit = CommitTextEdit(lines=2)
            edit.setObjectName(f"text_{spec.key}")
            # two lines high: the cost table above keeps the room (a longer text scrolls)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 12)
            edit.setAccessibleName(spec.label)
            title.setBuddy(edit)
            edit.committed.connect(lambda text, final, key=spec.key: self._text_committed(key, text, final))
            self.texts_box.addWidget(title)
            self.texts_box.addWidget(edit)
            self._text_widgets += [title, edit]
            title.show()  # added to a part already on screen: shown now, not after the next event
            edit.show()
            self.texts[spec.key] = edit

    def load(self, sheet: EditableSheet) -> None:
        self.message.clear_message()
        self.model.set_sheet(sheet)
        unit = sheet.settings.cost_unit
        self.hint.setText(
            sheet.locked
            or f"単位：{unit}。入力できるのは{fy_short(sheet.fy)}の列です。財源内訳の合計は決算額と一致させてください。"
        )
        path = f"costs[{sheet.fy}].execution_note"
        self.note.load(sheet.display(path))
        self.note.setReadOnly(not sheet.editable(path))
        self._build_texts([f for f in sheet.settings.text_fields if f.part == "costs"])
        for key, edit in self.texts.items():
            edit.load(sheet.display(f"texts.{key}"))
            edit.setReadOnly(not sheet.editable(f"texts.{key}"))
        self.items.setVisible("cost_breakdown" in sheet.settings.parts_for(sheet.snapshot.kind))
        self.items.load(sheet)
        self._fit_grid()
        col = self.model.years.index(sheet.fy)
        self.grid.setCurrentIndex(self.model.index(0, col))
        self.refresh(sheet)

    def _fit_grid(self) -> None:
        """The cost table as tall as its rows (the tab scrolls instead)."""
        header = max(self.grid.horizontalHeader().height(), self.grid.horizontalHeader().sizeHint().height())
        rows = sum(self.grid.rowHeight(r) for r in range(self.model.rowCount()))
        self.grid.setFixedHeight(rows + header + 2 * self.grid.frameWidth() + 2)

    def refresh(self, sheet: EditableSheet) -> None:
        self.model.changed_all()
        self.items.refresh(sheet)
        lines = [self.model.summary(fy).message for fy in self.model.years if self.model.summary(fy).message]
        lines += [
            f.message for f in sheet.evaluate().findings if f.field.startswith(("costs[", "cost_items"))
        ]
        self.check.show_message("\n".join(dict.fromkeys(lines)), "warning")

    def _after_commit(self, model: FieldGridModel | None = None) -> None:
        error = (model or self.model).last_error
        if error:
            self.message.show_message(error)
        else:
            self.message.clear_message()
        if self.sheet is not None:
            self.refresh(self.sheet)

    def _note_committed(self, text: str, final: bool) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        error = self.host.commit(f"costs[{sheet.fy}].execution_note", text, coalesce=True, final=final)
        if error:
            self.message.show_message(error)
            self.note.mark_unsaved()
        else:
            self.refresh(sheet)

    def _text_committed(self, key: str, text: str, final: bool) -> None:
        error = self.host.commit(f"texts.{key}", text, coalesce=True, final=final)
        if error:
            self.message.show_message(error)
            self.texts[key].mark_unsaved()

    def commit_pending(self) -> None:
        self.grid.commit_pending()
        self.items.commit_pending()
        self.note.commit_pending()
        for edit in self.texts.values():
            edit.commit_pending()

    def focus_target(self, target: JumpTarget) -> bool:
        path = target.path or ""
        if path.startswith("cost_items[") and not self.items.isHidden():
            position, column = path[len("cost_items[") :].split("].")
            if self.items.focus(int(position), column):
                self.area.ensureWidgetVisible(self.items)
                return True
        year = target.cost_year
        if year is None or year not in self.model.years:
            self.grid.setFocus()
            return True
        self.grid.setCurrentIndex(self.model.index(1, self.model.years.index(year)))
        self.grid.setFocus()
        return True
