"""The sheet editor: one measure's yearly sheet as tabs (one per sheet part the plan uses for the
measure's kind), with a header saying which sheet, which year and how far it is.

Every edit goes through :class:`~dxdesk.section_desk.EntrySession` (normalise, validate, remember for
undo, save in the background); the parts only show what the sheet holds. Parts are filled lazily — the
visible tab when a sheet is shown, the others when their tab is opened — so switching sheets stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from dxdesk.domain.enums import EntryStatus
from dxdesk.domain.evaluation import stage_label
from dxdesk.domain.fields import JumpTarget, jump_target
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.settings import SHEET_PARTS, PlanSettings
from dxdesk.section_desk import EditableSheet, EditError, EntrySession, FieldChange
from ui.parts.base import SheetPart
from ui.parts.basic import BasicPart
from ui.parts.costs import CostsPart
from ui.parts.evaluation import DirectionPart, EvaluationPart, PerspectivesPart
from ui.parts.indicators import IndicatorsPart
from ui.parts.preview import PreviewPart
from ui.parts.schedule import SchedulePart
from ui.parts.texts import text_parts
from ui.widgets import MessageLabel

STATUS_COLORS = {
    EntryStatus.EMPTY: "#666666",
    EntryStatus.IN_PROGRESS: "#8a5a00",
    EntryStatus.COMPLETE: "#2e7d32",
    EntryStatus.NEEDS_CHECK: "#b00020",
}


class SheetEditor(QWidget):
    sheet_changed = Signal(object)  # the EditableSheet after a change (to update the list)
    notice = Signal(str, str)  # text, kind: for the status bar

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry: EntrySession | None = None
        self.settings = PlanSettings.default()
        self._sheet: EditableSheet | None = None
        self.parts: list[SheetPart] = []
        self._loaded: set[int] = set()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        placeholder = QLabel("左の一覧から施策を選んでください。")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(placeholder)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(4, 0, 0, 0)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        self.title = QLabel(objectName="sheetTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel(objectName="sheetSubtitle")
        self.subtitle.setWordWrap(True)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        self.done_check = QCheckBox("入力完了(&M)", objectName="entryDoneCheck")
        self.done_check.setToolTip(
            "このシートの入力が終わったらチェックします。エラーが残っていると「要確認」になります。"
        )
        self.done_check.clicked.connect(self._done_clicked)
        head.addWidget(self.done_check, 0, Qt.AlignmentFlag.AlignTop)
        page_layout.addLayout(head)
        self.banner = MessageLabel(objectName="sheetBanner")
        page_layout.addWidget(self.banner)
        self.tabs = QTabWidget(objectName="sheetTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.currentChanged.connect(self._tab_changed)
        page_layout.addWidget(self.tabs, 1)
        self.stack.addWidget(page)
        layout.addWidget(self.stack)

    # --- setup --------------------------------------------------------------------------------------
    def set_session(self, entry: EntrySession, settings: PlanSettings) -> None:
        """Build the tabs for the plan's parts and text fields."""
        self.entry = entry
        self.settings = settings
        self._sheet = None
        self.tabs.blockSignals(True)
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            widget.deleteLater()
        parts: list[SheetPart] = [
            BasicPart(self),
            IndicatorsPart(self),
            SchedulePart(self),
            CostsPart(self),
            EvaluationPart(self),
            PerspectivesPart(self),
            DirectionPart(self),
        ]
        parts += text_parts(self, settings)
        order = list(SHEET_PARTS)
        parts.sort(key=lambda p: min((order.index(k) for k in p.keys if k in order), default=0))
        parts.append(PreviewPart(self))
        self.parts = parts
        for part in parts:
            self.tabs.addTab(part, part.title)
        self.tabs.blockSignals(False)
        self.stack.setCurrentIndex(0)

    @property
    def sheet(self) -> EditableSheet | None:
        return self._sheet

    def part_for(self, key: str) -> SheetPart | None:
        return next((p for p in self.parts if key in p.keys), None)

    def current_part(self) -> SheetPart | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, SheetPart) else None

    # --- showing ------------------------------------------------------------------------------------
    def show_sheet(self, sheet: EditableSheet | None) -> None:
        self.commit_pending()
        self._sheet = sheet
        self._loaded.clear()
        if sheet is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.tabs.blockSignals(True)
        for i, part in enumerate(self.parts):
            self.tabs.setTabVisible(i, part.shows(sheet.parts))
        if not self.tabs.isTabVisible(self.tabs.currentIndex()):
            self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self.banner.show_message(sheet.locked or "", "info")
        self._update_header()
        self._load_current()

    def _load_current(self) -> None:
        index = self.tabs.currentIndex()
        if self._sheet is not None and index >= 0 and index not in self._loaded:
            self.parts[index].load(self._sheet)
            self._loaded.add(index)

    def _tab_changed(self, _index: int) -> None:
        self._load_current()

    def _update_header(self) -> None:
        sheet = self._sheet
        if sheet is None:
            return
        ev = sheet.evaluate()
        snap = sheet.snapshot
        self.title.setText(f"{snap.code}　{snap.name}")
        stage = snap.sheet.stage
        grade = ev.grade_display or "—"
        grade_note = ("（変更）" if ev.is_override else "（算出）") if ev.grade is not None else ""
        counts = f"　エラー {ev.errors}件" if ev.errors else ""
        color = STATUS_COLORS[ev.status]
        self.subtitle.setText(
            f"{fy_label(sheet.fy)}　担当：{sheet.info.section_name}"
            + (f"　{stage_label(stage)}" if stage else "")
            + (f"　評価 {grade}{grade_note}" if ev.grades else "")
            + f"　<span style='color:{color}; font-weight:bold'>状態：{ev.status.label}</span>{counts}"
        )
        self.done_check.setChecked(sheet.get("entry_status") == EntryStatus.COMPLETE.value)
        self.done_check.setEnabled(sheet.editable("entry_status"))

    # --- edits (called by the parts) ------------------------------------------------------------------
    def commit(self, path: str, raw: object, *, coalesce: bool = False, final: bool = True) -> str | None:
        sheet = self._sheet
        if sheet is None or self.entry is None:
            return None
        try:
            change = self.entry.edit(sheet, path, raw, coalesce=coalesce)
        except EditError as exc:
            return str(exc)
        if final:
            self.entry.seal(sheet)
        if change is not None:
            self._changed()
        return None

    def commit_many(self, items: Iterable[tuple[str, object]]) -> tuple[int, list[tuple[str, str]]]:
        sheet = self._sheet
        if sheet is None or self.entry is None:
            return 0, []
        changes, errors = self.entry.edit_many(sheet, items)
        if changes:
            self._changed()
        return len(changes), errors

    def set_self_grade(self, grade: str | None, reason: str) -> str | None:
        sheet = self._sheet
        if sheet is None or self.entry is None:
            return None
        try:
            changes = self.entry.set_self_grade(sheet, grade, reason)
        except EditError as exc:
            return str(exc)
        if changes:
            self._changed()
        return None

    def commit_milestones(self, action: str, index: int = -1, delta: int = 0) -> str | None:
        sheet = self._sheet
        if sheet is None or self.entry is None:
            return None
        change: FieldChange | None
        try:
            if action == "add":
                change = sheet.add_milestone("新しいマイルストーン", sheet.fy)
            elif action == "remove":
                change = sheet.remove_milestone(index)
            elif action in ("add_expense", "add_funding"):  # 事業費内訳 lines (the 事業費 tab)
                change = sheet.add_cost_item(action.removeprefix("add_"))
            elif action == "remove_cost_item":
                change = sheet.remove_cost_item(index)
            else:
                change = sheet.move_milestone(index, delta)
        except EditError as exc:
            return str(exc)
        if change is not None:
            self.entry.commit(sheet, [change])
            self._changed()
        return None

    def notify(self, text: str, kind: str = "info") -> None:
        self.notice.emit(text, kind)

    def _done_clicked(self, checked: bool) -> None:
        error = self.commit("entry_status", "complete" if checked else "in_progress")
        if error:
            self.notify(error, "error")
        self._update_header()

    def _changed(self) -> None:
        sheet = self._sheet
        assert sheet is not None
        index = self.tabs.currentIndex()
        self._loaded = {index} if index in self._loaded else set()
        part = self.current_part()
        if part is not None and index in self._loaded:
            part.refresh(sheet)
        self._update_header()
        self.sheet_changed.emit(sheet)

    def commit_pending(self) -> None:
        """Commit what is being typed in any part (before switching sheets, undo, check, close)."""
        for i in list(self._loaded):
            if i < len(self.parts):
                self.parts[i].commit_pending()

    # --- undo / redo, jumping ------------------------------------------------------------------------
    def undo(self) -> None:
        self._replay(redo=False)

    def redo(self) -> None:
        self._replay(redo=True)

    def _replay(self, *, redo: bool) -> None:
        sheet = self._sheet
        if sheet is None or self.entry is None:
            return
        self.commit_pending()
        changes = self.entry.redo(sheet) if redo else self.entry.undo(sheet)
        if not changes:
            self.notify("やり直す操作はありません。" if redo else "元に戻す操作はありません。", "info")
            return
        self._loaded.clear()
        self.focus_target(jump_target(changes[0].path, sheet.fy, self.settings))
        self._update_header()
        self.sheet_changed.emit(sheet)
        label = changes[0].label if len(changes) == 1 else f"{changes[0].label} ほか"
        self.notify(f"{'やり直しました' if redo else '元に戻しました'}：{label}", "info")

    def focus_target(self, target: JumpTarget) -> None:
        """Open the tab of ``target.part`` and put the cursor on the field."""
        if self._sheet is None:
            return
        part = self.part_for(target.part) or self.parts[0]
        index = self.parts.index(part)
        if not self.tabs.isTabVisible(index):
            part, index = self.parts[0], 0
        if self.tabs.currentIndex() != index:
            self.tabs.setCurrentIndex(index)
        else:
            self._load_current()
        part.focus_target(target)

    def undo_state(self) -> tuple[str, str]:
        """Labels of the next undo and redo (empty when there is nothing)."""
        if self._sheet is None or self.entry is None:
            return "", ""
        h = self.entry.history(self._sheet)
        return h.undo_label, h.redo_label
