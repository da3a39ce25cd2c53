"""印刷 / PDF出力: the dialog that makes a PDF of the current sheet, a selection, a section's booklet or
the organisation report, with a progress bar and 中止, and opens it in the system's PDF viewer.

The PDF is made by :func:`dxdesk.report.documents.make_pdf` in a worker thread (the window stays
responsive; 中止 stops between pages and leaves any previous file untouched, since the file is written
atomically). File names, page counts and fonts come from ``dxdesk.report``; this module only asks and
shows. People print from their PDF viewer, which every LGWAN PC has.

Both windows call :func:`open_print_dialog` from their menus: the current sheet is one id, a selection
several, a section is ``section_code`` with no ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.desk import Database, Desk
from dxdesk.domain.fiscal import fy_label
from dxdesk.report.documents import PrintJob, PrintResult, default_file_name, describe_selection
from dxdesk.report.errors import FontError, PrintCancelled, PrintError
from dxdesk.report.fonts import SETTING_KEY, PrintFont, find_font, load_font
from ui.notice import notify
from ui.tasks import Progress, Task, error_message

log = logging.getLogger(__name__)

__all__ = ["PrintDialog", "open_print_dialog"]

SCOPE_SHEET = "sheet"
SCOPE_SELECTION = "selection"
SCOPE_SECTION = "section"
SCOPE_REPORT = "report"


def _print_work(desk: Desk, out: Path, job: PrintJob):  # type: ignore[no-untyped-def]
    """The PDF as work for a :class:`ui.tasks.Task`: 中止 stops before the next page."""

    def work(report: Progress, cancelled: Callable[[], bool]) -> PrintResult:
        def step(done: int, total: int, message: str) -> None:
            if cancelled():
                raise PrintCancelled()
            report(done, total, message)

        return desk.make_pdf(out, job, progress=step)

    return work


class PrintDialog(QDialog):
    """Choose what to print and where; make the PDF with progress; open it."""

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        fiscal_year: int,
        section_code: str | None,
        measure_ids: list[int],
    ):
        super().__init__(parent)
        self.setWindowTitle("印刷 / PDF出力")
        self.setObjectName("printDialog")
        self.db = db
        self.fiscal_year = fiscal_year
        self.section_code = section_code
        self.measure_ids = list(measure_ids)
        self.last_result: PrintResult | None = None
        self.opened: Path | None = None
        self._task: Task | None = None
        self._last_name = ""
        self._build()
        self._refresh_font()
        self._scope_changed()

    # --- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        scope_box = QGroupBox("印刷する範囲")
        scope_layout = QVBoxLayout(scope_box)
        self.scopes = QButtonGroup(self)
        self.scope_buttons: dict[str, QRadioButton] = {}
        choices: list[tuple[str, str]] = []
        if len(self.measure_ids) == 1:
            info = self._describe(PrintJob(fiscal_year=self.fiscal_year, measure_ids=tuple(self.measure_ids)))
            name = f"（{info.first_code}　{info.first_name}）" if info else ""
            choices.append((SCOPE_SHEET, f"表示中のシート{name}"))
        elif len(self.measure_ids) > 1:
            choices.append((SCOPE_SELECTION, f"選択した施策のシート（{len(self.measure_ids)}件）"))
        if self.section_code:
            info = self._describe(PrintJob(fiscal_year=self.fiscal_year, section_code=self.section_code))
            section = f"：{info.section_name}（{info.count}件）" if info else ""
            choices.append((SCOPE_SECTION, f"課所室の冊子（表紙・目次付き）{section}"))
        info = self._describe(PrintJob(fiscal_year=self.fiscal_year))
        total = f"（全{info.count}件）" if info else ""
        choices.append((SCOPE_REPORT, f"全庁の評価結果報告書（分布・一覧・指摘とすべてのシート）{total}"))
        for i, (key, text) in enumerate(choices):
            button = QRadioButton(text)
            button.setObjectName(f"scope_{key}")
            self.scopes.addButton(button, i)
            self.scope_buttons[key] = button
            scope_layout.addWidget(button)
        next(iter(self.scope_buttons.values())).setChecked(True)
        self.scopes.buttonToggled.connect(lambda _b, checked: checked and self._scope_changed())
        layout.addWidget(scope_box)

        form = QFormLayout()
        form.addRow("年度", QLabel(fy_label(self.fiscal_year)))
        path_row = QHBoxLayout()
        self.path_edit = QLineEdit(objectName="pathEdit")
        self.path_edit.setMinimumWidth(420)
        browse = QPushButton("参照…", objectName="browseButton")
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form.addRow("保存先", path_row)
        font_row = QHBoxLayout()
        self.font_label = QLabel(objectName="fontLabel")
        font_button = QPushButton("フォントを選ぶ…", objectName="fontButton")
        font_button.clicked.connect(self._choose_font)
        font_row.addWidget(self.font_label, 1)
        font_row.addWidget(font_button)
        form.addRow("フォント", font_row)
        layout.addLayout(form)

        self.open_after = QCheckBox("作成したPDFを開く（印刷はPDFの画面から）", objectName="openAfter")
        self.open_after.setChecked(True)
        layout.addWidget(self.open_after)

        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        layout.addWidget(self.progress)
        self.status = QLabel(objectName="statusLabel")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton("PDFを作成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        self.create_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)

    def _describe(self, job: PrintJob):  # type: ignore[no-untyped-def]
        try:
            return describe_selection(self.db, job)
        except PrintError:
            return None

    # --- choices ------------------------------------------------------------------------------
    def scope(self) -> str:
        for key, button in self.scope_buttons.items():
            if button.isChecked():
                return key
        return SCOPE_REPORT

    def job(self) -> PrintJob:
        scope = self.scope()
        fy = self.fiscal_year
        if scope in (SCOPE_SHEET, SCOPE_SELECTION):
            return PrintJob(kind="sheets", fiscal_year=fy, measure_ids=tuple(self.measure_ids))
        if scope == SCOPE_SECTION:
            return PrintJob(kind="booklet", fiscal_year=fy, section_code=self.section_code)
        return PrintJob(kind="report", fiscal_year=fy)

    def _default_folder(self) -> Path:
        current = self.path_edit.text().strip()
        if current:
            return Path(current).expanduser().parent
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(docs) if docs else Path.home()

    def _scope_changed(self) -> None:
        try:
            name = default_file_name(self.db, self.job())
        except PrintError as exc:
            self.status.setText(str(exc))
            return
        current = self.path_edit.text().strip()
        # keep a path the person typed; replace one we suggested
        if not current or Path(current).name == self._last_name:
            self.path_edit.setText(str(self._default_folder() / name))
        self._last_name = name

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "PDFの保存先", self.path_edit.text(), "PDF (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.path_edit.setText(path)

    # --- font ---------------------------------------------------------------------------------
    def _stored_font(self) -> str | None:
        return Desk(self.db).setting(SETTING_KEY) or None

    def _refresh_font(self) -> PrintFont | None:
        try:
            font = find_font(self._stored_font())
        except FontError as exc:
            self.font_label.setText("使える日本語フォントがありません（右のボタンで選んでください）")
            self.font_label.setToolTip(str(exc))
            self.font_label.setStyleSheet("color: #b00020;")
            self.status.setText(str(exc))
            return None
        self.font_label.setText(f"{font.label}（{font.path.name}）")
        self.font_label.setToolTip(str(font.path))
        self.font_label.setStyleSheet("")
        if self.status.styleSheet() == "" and "フォント" in self.status.text():
            self.status.setText("")
        return font

    def _choose_font(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "日本語フォントを選ぶ",
            str(Path.home()),
            "TrueTypeフォント (*.ttf *.ttc);;すべてのファイル (*)",
        )
        if path:
            self.set_font_path(path)

    def set_font_path(self, path: str) -> bool:
        """Check the font and keep it as the print font of this database (``print_font_path``)."""
        try:
            load_font(path)
        except FontError as exc:
            QMessageBox.warning(self, "フォント", str(exc))
            return False
        Desk(self.db).set_setting(SETTING_KEY, path)
        self._refresh_font()
        return True

    # --- making the PDF -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None

    def target(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            QMessageBox.warning(self, "保存先", "保存先のファイル名を入力してください。")
            return None
        path = Path(text).expanduser()
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
            self.path_edit.setText(str(path))
        if path.is_dir():
            QMessageBox.warning(self, "保存先", "保存先にはフォルダではなくファイル名を指定してください。")
            return None
        return path

    def start(self) -> None:
        if self.running:
            return
        out = self.target()
        if out is None:
            return
        if out.exists() and not self.confirm_overwrite(out):
            return
        self.last_result = None
        self.progress.setRange(0, 0)  # busy until the first page is done
        self.status.setText("PDFを作成しています…")
        self.create_button.setEnabled(False)
        self.cancel_button.setText("中止")
        for b in self.scope_buttons.values():
            b.setEnabled(False)
        self._task = Task(_print_work(Desk(self.db), out, self.job()), self)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_finished)
        self._task.failed.connect(self._on_error)
        self._task.start()

    def confirm_overwrite(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self, "上書きの確認", f"「{path.name}」は既にあります。上書きしますか？"
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{message}　{done} / {total}")

    def _stop_thread(self) -> None:
        if self._task is not None:
            self._task.wait()  # run() is returning; never destroy a running thread
        self._task = None
        self.create_button.setEnabled(True)
        self.cancel_button.setText("閉じる")
        for b in self.scope_buttons.values():
            b.setEnabled(True)

    def _on_finished(self, result: PrintResult) -> None:
        self._stop_thread()
        self.last_result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        notes = "\n".join(result.notes)
        self.status.setText(
            f"作成しました：{result.path}（{result.pages}ページ、{result.sheets}件）"
            + (f"\n{notes}" if notes else "")
        )
        if self.open_after.isChecked():
            self.opened = result.path
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path))):
                self.status.setText(
                    self.status.text() + "\nPDFを開けませんでした。保存先のフォルダから開いてください。"
                )

    def _on_error(self, exc: Exception) -> None:
        if isinstance(exc, PrintCancelled):
            self._on_failed(str(exc), True)
            return
        if not isinstance(exc, PrintError):  # keep the dialog alive; the log has the details
            log.error("printing failed", exc_info=exc)
        self._on_failed(
            error_message(
                exc,
                "PDFを作成できませんでした",
                hint="PDF を開いているアプリがあれば閉じてから、もう一度お試しください。",
            ),
            False,
        )

    def _on_failed(self, message: str, cancelled: bool) -> None:
        self._stop_thread()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(message)
        if not cancelled:
            QMessageBox.warning(self, "印刷 / PDF出力", message)

    def _cancel_or_close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.status.setText("中止しています…")
            return
        self.reject()

    def reject(self) -> None:
        if self._task is not None:  # Esc while running: stop first, then close
            self._task.cancel()
            self._stop_thread()
        super().reject()

    def keyPressEvent(self, event):  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.running:
            self.start()
            return
        super().keyPressEvent(event)


def open_print_dialog(
    parent: QWidget, db: Database, fiscal_year: int, section_code: str | None, measure_ids: list[int]
) -> None:
    """Show the 印刷 / PDF出力 dialog (modal). ``measure_ids``: the current sheet (one id) or the
    selection (several); with no ids and a ``section_code``, the section's booklet is offered first."""
    dialog = PrintDialog(parent, db, fiscal_year, section_code, measure_ids)
    dialog.exec()
    result = dialog.last_result
    if result is not None:
        notify(
            parent,
            f"PDFを作成しました（{result.path.name}：{result.pages}ページ）",
            folder=result.path.parent,
        )
    dialog.deleteLater()
