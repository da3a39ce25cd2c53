"""提出状況: the status board — every section × 状態 (未提出 / 提出済 / 差戻し中 / 受理), the accepted
revision and when it arrived — sortable by clicking a header, filterable by text and state; beside it
the sections still missing and a button that copies a reminder mail to the clipboard.

The board, its filtering and sorting and the mail text are ``dxdesk.central.status``; this screen asks
and shows. Enter or a double-click on a section opens its review; a section with a conflict waiting
offers 「競合を解決…」.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.errors import CentralError
from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.status import SectionState, StatusBoard, StatusRow, reminder_text
from ui.central.common import ERROR_COLOR, MUTED_COLOR, OK_COLOR, WARN_COLOR, CopyTable, html

__all__ = ["STATE_COLORS", "StatusPage"]

STATE_COLORS = {
    SectionState.MISSING: ERROR_COLOR,
    SectionState.SUBMITTED: "#1f5f8b",
    SectionState.RETURNED: WARN_COLOR,
    SectionState.ACCEPTED: OK_COLOR,
}
# header → sort key of status_board
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("コード", "section"),
    ("課所室", "name"),
    ("部局", "bureau"),
    ("状態", "state"),
    ("版", "revision"),
    ("受信日時", "received_at"),
    ("作成者", None),
    ("所属長確認", None),
    ("施策", None),
    ("受理", None),
    ("差戻し", None),
    ("競合", None),
)
ROLE_ROW = Qt.ItemDataRole.UserRole


def _labelled_line(layout: QVBoxLayout, label_text: str, name: str, placeholder: str) -> QLineEdit:
    """One line of the reminder's form: the label (its mnemonic focuses the box) and the text box."""
    row = QHBoxLayout()
    label = QLabel(label_text)
    edit = QLineEdit(objectName=name)
    edit.setPlaceholderText(placeholder)
    label.setBuddy(edit)
    row.addWidget(label)
    row.addWidget(edit, 1)
    layout.addLayout(row)
    return edit


class StatusPage(QWidget):
    review_requested = Signal(str)  # section code
    conflict_requested = Signal(int)  # the conflicting submission's id
    status = Signal(str, str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.fiscal_year: int | None = None
        self.board: StatusBoard | None = None
        self.full_board: StatusBoard | None = None  # unfiltered: the reminder lists every missing section
        self.sort_key = "section"
        self.descending = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.counts = QLabel(objectName="stateCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.counts)
        row = QHBoxLayout()
        search_label = QLabel("絞り込み(&S)")
        self.search = QLineEdit(objectName="statusSearch")
        self.search.setPlaceholderText("課所室コード・課所室名・部局名")
        self.search.setClearButtonEnabled(True)
        search_label.setBuddy(self.search)
        self.state = QComboBox(objectName="stateFilter")
        self.state.addItem("すべての状態", "")
        for st in SectionState:
            self.state.addItem(st.label, st.value)
        row.addWidget(search_label)
        row.addWidget(self.search, 1)
        row.addWidget(self.state)
        self.review_button = QPushButton("審査する(&R)", objectName="openReview")
        self.conflict_button = QPushButton("競合を解決(&C)…", objectName="resolveConflict")
        row.addWidget(self.review_button)
        row.addWidget(self.conflict_button)
        layout.addLayout(row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = CopyTable([h for h, _k in COLUMNS])
        self.table.setObjectName("statusTable")
        for c, w in enumerate((60, 118, 104, 64, 48, 122, 78, 78, 40, 40, 48, 40)):
            self.table.setColumnWidth(c, w)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        splitter.addWidget(self.table)

        side = QGroupBox("未提出の課所室", objectName="missingBox")
        side_layout = QVBoxLayout(side)
        self.missing_label = QLabel(objectName="missingCount")
        side_layout.addWidget(self.missing_label)
        self.missing = QListWidget(objectName="missingList")
        side_layout.addWidget(self.missing, 2)
        self.deadline = _labelled_line(side_layout, "提出期限(&D)", "reminderDeadline", "例：5月31日（金）")
        self.sender = _labelled_line(
            side_layout, "差出人(&N)", "reminderSender", "例：DX推進課 山田（内線1234）"
        )
        self.preview = QPlainTextEdit(objectName="reminderPreview")
        self.preview.setReadOnly(True)
        side_layout.addWidget(self.preview, 3)
        self.copy_button = QPushButton("督促メールの文面をコピー(&M)", objectName="copyReminder")
        side_layout.addWidget(self.copy_button)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 300])
        layout.addWidget(splitter, 1)

        self.search.textChanged.connect(lambda _t: self.refresh())
        self.state.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemActivated.connect(lambda item: self._open_review(item.row()))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.review_button.clicked.connect(lambda: self._open_review(self.table.currentRow()))
        self.conflict_button.clicked.connect(self._resolve)
        self.copy_button.clicked.connect(self.copy_reminder)
        self.deadline.textChanged.connect(lambda _t: self._update_preview())
        self.sender.textChanged.connect(lambda _t: self._update_preview())
        self.deadline.editingFinished.connect(self._save_reminder_fields)
        self.sender.editingFinished.connect(self._save_reminder_fields)
        office = CentralOffice(self.db)
        self.deadline.setText(office.setting("central.reminder_deadline") or "")
        self.sender.setText(office.setting("central.reminder_sender") or "")

    def set_fiscal_year(self, fy: int | None) -> None:
        self.fiscal_year = fy
        self.refresh()

    # --- data ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.fiscal_year is None:
            return
        states = [self.state.currentData()] if self.state.currentData() else None
        try:
            self.full_board, self.board = CentralOffice(self.db).status_boards(
                self.fiscal_year,
                states=states,
                text=self.search.text().strip() or None,
                sort=self.sort_key,
                descending=self.descending,
            )
        except CentralError as exc:
            self.counts.setText(f'<span style="color:{ERROR_COLOR}">{html(exc)}</span>')
            return
        selected = self.current_row()
        self.table.setRowCount(0)
        for r in self.board.rows:
            self.table.add_row(
                [
                    r.section_code,
                    r.section_name,
                    r.bureau_name,
                    r.state.label,
                    f"第{r.revision}版" if r.revision else "",
                    r.received_at_text,
                    r.author,
                    r.chief,
                    r.measures,
                    r.reviewed_accepted,
                    r.reviewed_returned,
                    r.conflicts or "",
                ],
                data=r,
            )
            item = self.table.item(self.table.rowCount() - 1, 3)
            item.setForeground(QColor(STATE_COLORS[r.state]))
            if r.conflicts:
                self.table.item(self.table.rowCount() - 1, 11).setForeground(QColor(ERROR_COLOR))
        self._fit_columns()
        column = next((i for i, (_h, k) in enumerate(COLUMNS) if k == self.sort_key), -1)
        self.table.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder
        )
        if selected is not None:
            self.select_section(selected.section_code)
        self._update_counts()
        self._update_missing()
        self._selection_changed()

    def _fit_columns(self) -> None:
        """Every column as wide as its longest text (受信日時 whole, at any scaling); a long section or
        bureau name is cut at 14 characters with … and shown whole in its tooltip."""
        table = self.table
        table.resizeColumnsToContents()
        em = table.fontMetrics().horizontalAdvance("あ")
        fm, hm = table.fontMetrics(), table.horizontalHeader().fontMetrics()
        for c, (head, key) in enumerate(COLUMNS):
            if key is None:  # not sortable: no room for a sort arrow needed beside the header text
                cells = (table.item(r, c).text() for r in range(table.rowCount()) if table.item(r, c))
                table.setColumnWidth(
                    c, max([hm.horizontalAdvance(head), *(fm.horizontalAdvance(t) for t in cells)]) + em
                )
        for c in (1, 2):
            table.setColumnWidth(c, min(table.columnWidth(c), em * 14))
        # still wider than the table: the bureau, then the section name give way (whole in the tooltip)
        excess = sum(table.columnWidth(c) for c in range(table.columnCount())) - table.viewport().width()
        for c in (2, 1):
            if excess <= 0:
                break
            give = min(excess, table.columnWidth(c) - em * 4)
            if give > 0:
                table.setColumnWidth(c, table.columnWidth(c) - give)
                excess -= give

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.table.rowCount():  # once the layout has given the table its new width
            QTimer.singleShot(0, self._fit_columns)

    def _update_counts(self) -> None:
        full = self.full_board
        if full is None:
            return
        counts = full.counts()
        chips = "　".join(
            f'<span style="color:{STATE_COLORS[st]}"><b>{st.label}</b> {counts[st]}</span>'
            for st in SectionState
        )
        shown = len(self.board.rows) if self.board else 0
        filtered = (
            f'　<span style="color:{MUTED_COLOR}">（表示 {shown}件）</span>'
            if shown != len(full.rows)
            else ""
        )
        self.counts.setText(f"課所室 {len(full.rows)}　{chips}{filtered}")

    def _update_missing(self) -> None:
        self.missing.clear()
        missing = self.full_board.missing() if self.full_board else []
        for r in missing:
            bureau = f"（{r.bureau_name}）" if r.bureau_name else ""
            self.missing.addItem(f"{r.section_code}　{r.section_name}{bureau}")
        self.missing_label.setText(
            f"{len(missing)}課所室がまだ提出していません。"
            if missing
            else "すべての課所室から提出がありました。"
        )
        self.copy_button.setEnabled(bool(missing))
        self._update_preview()

    def reminder(self) -> str:
        if self.full_board is None:
            return ""
        return reminder_text(
            self.full_board, deadline=self.deadline.text().strip(), sender=self.sender.text().strip()
        )

    def _update_preview(self) -> None:
        self.preview.setPlainText(self.reminder())

    def _save_reminder_fields(self) -> None:
        CentralOffice(self.db).set_settings(
            {
                "central.reminder_deadline": self.deadline.text().strip(),
                "central.reminder_sender": self.sender.text().strip(),
            }
        )

    def copy_reminder(self) -> None:
        text = self.reminder()
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        n = len(self.full_board.missing()) if self.full_board else 0
        self.status.emit(
            f"督促メールの文面をコピーしました（未提出 {n}課所室）。メールに貼り付けてください。", "ok"
        )

    # --- selection and actions -------------------------------------------------------------------------
    def _header_clicked(self, column: int) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        self.descending = not self.descending if key == self.sort_key else False
        self.sort_key = key
        self.refresh()

    def _row(self, row: int) -> StatusRow | None:
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(ROLE_ROW) if item is not None else None

    def current_row(self) -> StatusRow | None:
        return self._row(self.table.currentRow())

    def select_section(self, code: str) -> bool:
        for row in range(self.table.rowCount()):
            r = self._row(row)
            if r is not None and r.section_code == code:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self) -> None:
        r = self.current_row()
        self.review_button.setEnabled(r is not None and r.state is not SectionState.MISSING)
        self.conflict_button.setEnabled(r is not None and r.conflicts > 0)

    def _open_review(self, row: int) -> None:
        r = self._row(row)
        if r is not None and r.state is not SectionState.MISSING:
            self.review_requested.emit(r.section_code)

    def _resolve(self) -> None:
        r = self.current_row()
        if r is None or not r.conflicts:
            return
        conflicts = CentralOffice(self.db).conflicts(self.fiscal_year, r.section_code)
        if conflicts:
            self.conflict_requested.emit(conflicts[0].id)

    def print_selection(self) -> tuple[str | None, list[int]]:
        r = self.current_row()
        return (r.section_code if r else None), []
