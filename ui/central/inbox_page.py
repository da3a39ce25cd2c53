"""受信箱: the files sections sent — choose files or a folder, or drop them here — verified and merged
with a progress bar in a worker thread, then one line per file: 受理 / 重複 / 旧版 / 競合 / 不受理 with
the reason.

The merge is ``dxdesk.central.merge.merge_paths`` (each file in its own transaction; 中止 stops between
files and keeps what was merged). A 競合 line opens the conflict dialog (double-click or Enter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.errors import CentralError
from dxdesk.central.merge import FileResult, MergeReport, Outcome
from dxdesk.central.office import CentralOffice, Database
from dxdesk.domain.fiscal import fy_label
from ui.central.common import (
    ERROR_COLOR,
    MUTED_COLOR,
    OK_COLOR,
    WARN_COLOR,
    CopyTable,
    error_label,
    html,
    start_dir,
)
from ui.people import person
from ui.tasks import Task

__all__ = ["OUTCOME_COLORS", "InboxPage"]

OUTCOME_COLORS = {
    Outcome.ACCEPTED: OK_COLOR,
    Outcome.DUPLICATE: MUTED_COLOR,
    Outcome.STALE: WARN_COLOR,
    Outcome.CONFLICT: "#6a1b9a",
    Outcome.REJECTED: ERROR_COLOR,
}
ROLE_RESULT = Qt.ItemDataRole.UserRole


class DropArea(QFrame):
    """The dashed box files and folders are dropped on."""

    dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dropArea")
        self.setAcceptDrops(True)
        self.setMinimumHeight(84)
        self._idle_style = (
            "QFrame#dropArea { border: 2px dashed #9fb3cc; border-radius: 6px; background: #f7f9fc; }"
        )
        self._hover_style = (
            "QFrame#dropArea { border: 2px dashed #1f5f8b; border-radius: 6px; background: #e3eefa; }"
        )
        self.setStyleSheet(self._idle_style)
        layout = QVBoxLayout(self)
        self.label = QLabel(
            "ここに提出ファイル（.xlsx）やフォルダをドラッグ＆ドロップすると、検証して取り込みます。"
        )
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            self.setStyleSheet(self._hover_style)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:
        self.setStyleSheet(self._idle_style)

    def dropEvent(self, event: QDropEvent) -> None:
        self.setStyleSheet(self._idle_style)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.dropped.emit(paths)


class InboxPage(QWidget):
    merged = Signal(object)  # MergeReport
    conflict_requested = Signal(int)  # the conflicting submission's id
    status = Signal(str, str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.fiscal_year: int | None = None
        self.report: MergeReport | None = None
        self._task: Task | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.drop = DropArea()
        layout.addWidget(self.drop)
        row = QHBoxLayout()
        self.files_button = QPushButton("ファイルを選ぶ(&O)…", objectName="chooseFiles")
        self.folder_button = QPushButton("フォルダを選ぶ(&D)…", objectName="chooseFolder")
        row.addWidget(self.files_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        filter_label = QLabel("絞り込み(&L)")
        self.filter = QComboBox(objectName="outcomeFilter")
        self.filter.addItem("すべて", "")
        for o in Outcome:
            self.filter.addItem(o.label, o.value)
        filter_label.setBuddy(self.filter)
        row.addWidget(filter_label)
        row.addWidget(self.filter)
        layout.addLayout(row)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar(objectName="mergeProgress")
        self.cancel_button = QPushButton("中止", objectName="cancelMerge")
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.setVisible(False)
        layout.addWidget(self.progress_box)
        self.summary = QLabel(
            "まだ取り込んでいません。取り込んだ結果（受理・重複・旧版・競合・不受理）はここに1ファイル1行で表示されます。",
            objectName="mergeSummary",
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.error = error_label()
        layout.addWidget(self.error)
        self.table = CopyTable(["結果", "ファイル", "課所室", "年度", "版", "内容"])
        self.table.setObjectName("mergeResults")
        for c, w in enumerate((64, 300, 150, 90, 54)):
            self.table.setColumnWidth(c, w)
        layout.addWidget(self.table, 1)
        self.detail = QLabel(objectName="resultDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)

        self.drop.dropped.connect(self.merge)
        self.files_button.clicked.connect(self._choose_files)
        self.folder_button.clicked.connect(self._choose_folder)
        self.cancel_button.clicked.connect(self.cancel)
        self.filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.table.itemActivated.connect(lambda item: self._activate(item.row()))
        self.setAcceptDrops(True)

    # the whole page takes drops, not only the box
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.drop.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop.dropEvent(event)

    def _start_dir(self) -> str:
        return start_dir(self.db, "central.inbox_dir")

    def _choose_files(self) -> None:
        names, _f = QFileDialog.getOpenFileNames(
            self, "提出ファイルを選ぶ", self._start_dir(), "Excel ブック (*.xlsx);;すべてのファイル (*)"
        )
        if names:
            self.merge([Path(n) for n in names])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "提出ファイルのフォルダを選ぶ", self._start_dir())
        if folder:
            self.merge([Path(folder)])

    # --- merging -----------------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def merge(self, paths: Sequence[Path]) -> None:
        """Verify and merge ``paths`` (files and folders) in a worker thread."""
        if self.busy() or not paths:
            return
        first = Path(paths[0])
        CentralOffice(self.db).set_setting(
            "central.inbox_dir", str(first if first.is_dir() else first.parent)
        )
        self.error.clear()
        self.detail.clear()
        self.progress_box.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        for b in (self.files_button, self.folder_button):
            b.setEnabled(False)
        self.summary.setText("ファイルを確認しています…")
        user = person("reviewer")
        fy = self.fiscal_year
        merge = CentralOffice(self.db).merge_paths
        self._task = Task(
            lambda report, cancelled: merge(list(paths), report, cancelled, fiscal_year=fy, user=user),
            self,
        )
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._done)
        self._task.failed.connect(self._failed)
        self._task.start()

    def cancel(self) -> None:
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.summary.setText("中止しています（取り込み中のファイルが終わるまでお待ちください）…")

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.summary.setText(html(message))

    def _end_task(self) -> None:
        if self._task is not None:
            self._task.wait()
        self.progress_box.setVisible(False)
        for b in (self.files_button, self.folder_button):
            b.setEnabled(True)

    def _done(self, report: MergeReport) -> None:
        self._end_task()
        self.report = report
        self.show_report(report)
        self.merged.emit(report)
        kind = "error" if report.count(Outcome.REJECTED) or report.count(Outcome.CONFLICT) else "ok"
        self.status.emit(f"提出ファイルを取り込みました：{self._counts_text(report)}", kind)

    def _failed(self, exc: Exception) -> None:
        self._end_task()
        self.summary.clear()
        if isinstance(exc, CentralError):
            self.error.setText(str(exc))
        else:
            self.error.setText(
                f"取り込めませんでした（{type(exc).__name__}: {exc}）。取り込み済みの内容はそのままです。"
            )

    @staticmethod
    def _counts_text(report: MergeReport) -> str:
        return "・".join(f"{o.label} {report.count(o)}件" for o in Outcome if report.count(o))

    def show_report(self, report: MergeReport) -> None:
        at = datetime.now().strftime("%H:%M")
        parts = [
            f'<span style="color:{OUTCOME_COLORS[o]}"><b>{o.label}</b> {report.count(o)}件</span>'
            for o in Outcome
        ]
        head = f"{at}　{len(report.files)}件のファイルを確認しました（{report.seconds:.1f}秒）："
        tail = "　<b>中止しました。</b>残りのファイルは取り込んでいません。" if report.cancelled else ""
        if report.count(Outcome.CONFLICT):
            tail += "　競合の行をダブルクリックすると、どちらを採用するか選べます。"
        self.summary.setText(head + "　".join(parts) + tail)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        for r in report.files:
            section = f"{r.section_code}　{r.section_name or ''}".strip() if r.section_code else ""
            self.table.add_row(
                [
                    r.outcome.label,
                    r.path.name,
                    section,
                    fy_label(r.fiscal_year) if r.fiscal_year else "",
                    f"第{r.revision}版" if r.revision else "",
                    r.message,
                ],
                color=OUTCOME_COLORS[r.outcome],
                data=r,
            )
        self.table.setSortingEnabled(True)
        self._apply_filter()
        if self.table.rowCount():
            self.table.selectRow(
                next((i for i in range(self.table.rowCount()) if not self.table.isRowHidden(i)), 0)
            )

    def _result(self, row: int) -> FileResult | None:
        item = self.table.item(row, 0)
        return item.data(ROLE_RESULT) if item is not None else None

    def _apply_filter(self) -> None:
        wanted = self.filter.currentData() or ""
        for row in range(self.table.rowCount()):
            r = self._result(row)
            self.table.setRowHidden(row, bool(wanted) and (r is None or r.outcome.value != wanted))

    def _show_detail(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        r = self._result(rows[0]) if rows else None
        if r is None:
            self.detail.clear()
            return
        self.detail.setText(f"<b>{html(r.outcome.label)}</b>　{html(r.path)}<br>{html(r.message)}")

    def _activate(self, row: int) -> None:
        r = self._result(row)
        if r is not None and r.outcome is Outcome.CONFLICT and r.submission_id is not None:
            self.conflict_requested.emit(r.submission_id)

    def shutdown(self) -> None:
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self._task.wait()
