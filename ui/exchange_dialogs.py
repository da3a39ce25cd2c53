"""Dialogs for the files that travel: importing a kit (passphrase) and exporting a submission.

Two entry points for the main window (wired into its menus and the welcome screen):

- :func:`import_kit_interactive` asks for a kit file (unless one is given), shows what the kit is and
  the central CA's fingerprint to compare with the slip, asks for the passphrase, imports with a
  progress bar, and returns the section database's path;
- :func:`export_submission_interactive` runs the pre-submission check — while it has errors the dialog
  lists them and refuses — then asks for 作成者 and 所属長確認 and the folder, exports with a progress
  bar, and returns the written file's path.

All rules, names and file names come from ``dxdesk.exchange`` and the section's façade; the long work
runs on a worker thread through :class:`ui.tasks.Task`, so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Severity
from dxdesk.domain.fiscal import fy_label
from dxdesk.exchange.certificates import format_fingerprint
from dxdesk.exchange.credentials import PASSPHRASE_LENGTH, normalize_passphrase
from dxdesk.exchange.errors import ExchangeError, ExportBlocked, PassphraseError
from dxdesk.exchange.kit_import import KitImportResult, KitInfo, import_kit, read_kit_info
from dxdesk.exchange.submission import (
    SubmissionResult,
    submission_file_name,
)
from dxdesk.section_desk import Database, SectionDesk
from ui.people import saved_person, set_person
from ui.tasks import Task
from ui.widgets import ask_workbook, error_label, html

__all__ = [
    "ExportSubmissionDialog",
    "KitImportDialog",
    "export_submission_interactive",
    "import_kit_interactive",
]


# --- kit import ---------------------------------------------------------------------------------


class KitImportDialog(QDialog):
    """Shows the kit, asks for the passphrase, imports. ``result_info`` holds the outcome."""

    def __init__(
        self, info: KitInfo, data_dir: Path, parent: QWidget | None = None, *, db_path: Path | None = None
    ):
        super().__init__(parent)
        self.info = info
        self.data_dir = Path(data_dir)
        self.db_path = db_path
        self.result_info: KitImportResult | None = None
        self._task: Task | None = None
        self.setWindowTitle("配布ファイルの取り込み")
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{html(info.plan_name)}</b><br>{html(info.section_code)}　{html(info.section_name)}"
            f"　{fy_label(info.fiscal_year)}　第{info.version}版"
        )
        head.setObjectName("kitSummary")
        head.setWordWrap(True)
        layout.addWidget(head)
        form = QFormLayout()
        file_label = QLabel(info.path.name)
        file_label.setWordWrap(True)
        form.addRow("ファイル", file_label)
        fp = QLabel(format_fingerprint(info.ca_fingerprint, 8))
        fp.setObjectName("caFingerprint")
        fp.setToolTip("パスワード通知書に印刷された「中央認証局の指紋」と同じであることを確かめてください。")
        form.addRow("中央認証局の指紋", fp)
        self.passphrase = QLineEdit(objectName="passphraseEdit")
        self.passphrase.setPlaceholderText("例：K7QM-4XPT-9HWC-3RFD")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        mono = QFont("Monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        mono.setPointSizeF(max(self.font().pointSizeF(), 10.0) * 1.2)
        self.passphrase.setFont(mono)
        form.addRow("パスワード", self.passphrase)
        self.show_pw = QCheckBox("パスワードを表示する", objectName="showPassphrase")
        form.addRow("", self.show_pw)
        layout.addLayout(form)
        hint = QLabel(
            "パスワードは中央の担当課から届いた「パスワード通知書」に印刷された16文字です。"
            "大文字・小文字、全角・半角、ハイフンの有無は問いません。"
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.count_label = QLabel(objectName="countLabel")
        layout.addWidget(self.count_label)
        self.error = error_label()
        layout.addWidget(self.error)
        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setRange(0, 4)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel(objectName="statusLabel")
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.passphrase.textChanged.connect(self._update_count)
        self.show_pw.toggled.connect(
            lambda on: self.passphrase.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self._update_count()

    def _update_count(self) -> None:
        text = self.passphrase.text()
        self.error.clear()
        try:
            normalize_passphrase(text)
        except PassphraseError as exc:
            typed = sum(1 for c in text if c.isalnum())
            self.count_label.setText(f"{typed}/{PASSPHRASE_LENGTH}文字" if text else "")
            self.import_button.setEnabled(bool(text) and typed >= PASSPHRASE_LENGTH)
            if typed >= PASSPHRASE_LENGTH:
                self.error.setText(str(exc))
            return
        self.count_label.setText(f"{PASSPHRASE_LENGTH}/{PASSPHRASE_LENGTH}文字")
        self.import_button.setEnabled(True)

    def _start(self) -> None:
        try:
            normalize_passphrase(self.passphrase.text())
        except PassphraseError as exc:
            self.error.setText(str(exc))
            return
        passphrase = self.passphrase.text()
        self._busy(True)
        self._task = Task(
            lambda report, _cancelled: import_kit(
                self.info.path, passphrase, self.data_dir, db_path=self.db_path, progress=report
            ),
            self,
        )
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_done)
        self._task.failed.connect(self._on_failed)
        self._task.start()

    def _busy(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.import_button.setEnabled(not on)
        self.passphrase.setEnabled(not on)
        if on:
            self.error.clear()

    def _on_progress(self, i: int, n: int, message: str) -> None:
        self.progress.setRange(0, n)
        self.progress.setValue(i)
        self.status.setText(message)

    def _on_done(self, result: KitImportResult) -> None:
        self.result_info = result
        if self._task is not None:
            self._task.wait()  # run() is returning; never destroy a running thread
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        if self._task is not None:
            self._task.wait()
        self._busy(False)
        self.status.clear()
        if isinstance(exc, ExchangeError):
            self.error.setText(str(exc))
        else:
            self.error.setText(
                f"取り込めませんでした（{type(exc).__name__}: {exc}）。入力済みのデータは変更していません。"
            )
        if isinstance(exc, PassphraseError):
            self.passphrase.setFocus()
            self.passphrase.selectAll()

    def closeEvent(self, event: Any) -> None:
        if self._task is not None and self._task.isRunning():
            event.ignore()  # an import in progress finishes in its own transaction first
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if self._task is not None and self._task.isRunning():
            return
        super().reject()


def import_kit_interactive(parent: QWidget, data_dir: Path, *, kit_path: Path | None = None) -> Path | None:
    """Ask for a kit (unless ``kit_path`` is given), its passphrase, and import it. Returns the path of
    the created or updated section database, or None if the person cancelled or it failed."""
    if kit_path is None:
        kit_path = ask_workbook(parent, "配布ファイルを開く")
        if kit_path is None:
            return None
    try:
        info = read_kit_info(kit_path)
    except ExchangeError as exc:
        QMessageBox.warning(parent, "配布ファイルの取り込み", str(exc))
        return None
    dialog = KitImportDialog(info, data_dir, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_info is None:
        return None
    r = dialog.result_info
    if r.already:
        text = "この配布ファイルは取り込み済みです（変更はありません）。"
    elif r.created or r.version == 1:  # the first kit of this section (an empty database counts as new)
        text = (
            f"配布ファイルを取り込みました（{r.section_name}・{fy_label(r.fiscal_year)}・計画 第{r.version}版）。"
            "一覧から施策を選んで入力を始めてください。"
        )
    else:
        text = f"{r.section_name}の計画を第{r.version}版に更新しました。入力済みの内容はそのままです。"
    if r.warnings:
        text += "\n\n注意：" + "\n".join(r.warnings) + "\n（取り込んだ内容には影響ありません。）"
    QMessageBox.information(parent, "配布ファイルの取り込み", text)
    return r.db_path


# --- submission export --------------------------------------------------------------------------


class ExportSubmissionDialog(QDialog):
    """Pre-submission check, then 作成者 / 所属長確認 / folder, then the export with a progress bar."""

    def __init__(
        self,
        db: Database,
        fiscal_year: int,
        section_code: str,
        parent: QWidget | None = None,
        *,
        on_finding: Callable[[Finding], None] | None = None,
    ):
        super().__init__(parent)
        self.db = db
        self.fiscal_year = fiscal_year
        self.section_code = section_code
        self.on_finding = on_finding
        self.result_info: SubmissionResult | None = None
        self._task: Task | None = None
        self.setWindowTitle("提出ファイルの作成")
        self.setMinimumWidth(640)
        self.desk = SectionDesk(db)
        start = self.desk.submission_start(fiscal_year, section_code)
        self.findings = start.findings
        self.section_name = start.section_name
        self.revision = start.revision
        self.saved_author = start.author
        self.saved_dir = start.folder
        self.errors = [f for f in self.findings if f.severity is Severity.ERROR]
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>{html(self.section_name)}（{html(section_code)}）　{fy_label(fiscal_year)}</b>")
        layout.addWidget(head)
        if self.errors:
            self._build_blocked(layout)
        else:
            self._build_form(layout)

    # the check has errors: list them, nothing else
    def _build_blocked(self, layout: QVBoxLayout) -> None:
        msg = QLabel(
            f"提出前チェックでエラーが{len(self.errors)}件あります。エラーをすべて直すまで提出ファイルは書き出せません。"
            + ("（行をダブルクリックすると該当の項目を開きます）" if self.on_finding else "")
        )
        msg.setObjectName("blockedLabel")
        msg.setWordWrap(True)
        msg.setStyleSheet("color: #b00020; font-weight: bold;")
        layout.addWidget(msg)
        self.error_list = QTreeWidget(objectName="errorList")
        self.error_list.setColumnCount(3)
        self.error_list.setHeaderLabels(["施策", "チェック", "内容"])
        self.error_list.setRootIsDecorated(False)
        self.error_list.setWordWrap(True)
        header = self.error_list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for f in self.errors:
            item = QTreeWidgetItem([f.measure_code, f.title, f.message])
            item.setToolTip(2, f.message)
            item.setData(0, Qt.ItemDataRole.UserRole, f)
            self.error_list.addTopLevelItem(item)
        self.error_list.itemActivated.connect(self._activate)
        layout.addWidget(self.error_list, 1)
        self.resize(820, 420)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _activate(self, item: QTreeWidgetItem, _col: int) -> None:
        finding = item.data(0, Qt.ItemDataRole.UserRole)
        if self.on_finding is not None and finding is not None:
            self.reject()
            self.on_finding(finding)

    def _build_form(self, layout: QVBoxLayout) -> None:
        warnings = sum(1 for f in self.findings if f.severity is Severity.WARNING)
        ok = QLabel(
            "提出前チェックにエラーはありません。"
            + (
                f"警告が{warnings}件あります（書き出しはできます。内容を確認してください）。"
                if warnings
                else ""
            )
        )
        ok.setObjectName("checkLabel")
        ok.setWordWrap(True)
        layout.addWidget(ok)
        form = QFormLayout()
        form.addRow("版", QLabel(f"第{self.revision}版（書き出すたびに新しい版になります）"))
        self.author = QLineEdit(saved_person("author") or self.saved_author, objectName="authorEdit")
        self.author.setPlaceholderText("例：山田 太郎")
        self.author.setMaxLength(100)
        form.addRow("作成者", self.author)
        self.chief = QLineEdit(saved_person("chief"), objectName="chiefEdit")
        self.chief.setPlaceholderText("所属長の氏名")
        self.chief.setMaxLength(100)
        form.addRow("所属長確認", self.chief)
        self.confirmed = QCheckBox("所属長が内容を確認しました", objectName="chiefConfirmed")
        form.addRow("", self.confirmed)
        folder_row = QHBoxLayout()
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        default_dir = next(
            (d for d in (self.saved_dir, documents, str(Path.home())) if d and Path(d).is_dir()), ""
        )
        self.folder = QLineEdit(default_dir, objectName="folderEdit")
        browse = QPushButton("参照…")
        browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow("保存先", folder_row)
        self.file_label = QLabel(
            submission_file_name(self.fiscal_year, self.section_code, self.section_name, self.revision)
        )
        self.file_label.setObjectName("fileNameLabel")
        form.addRow("ファイル名", self.file_label)
        layout.addLayout(form)
        notice = QLabel(
            "書き出したファイルは電子署名されます。Excel で書き換えると署名が無効になり受け付けられません。"
        )
        notice.setWordWrap(True)
        layout.addWidget(notice)
        self.error = error_label()
        layout.addWidget(self.error)
        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel(objectName="statusLabel")
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("書き出す", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.chief if self.author.text() else self.author).setFocus()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "保存先のフォルダ", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _start(self) -> None:
        author, chief = self.author.text().strip(), self.chief.text().strip()
        folder = Path(self.folder.text().strip() or ".")
        if not author:
            self.error.setText("作成者を入力してください。")
            self.author.setFocus()
            return
        if not chief:
            self.error.setText("所属長確認に所属長の氏名を入力してください。")
            self.chief.setFocus()
            return
        if not self.confirmed.isChecked():
            self.error.setText(
                "所属長の確認が済んでいれば「所属長が内容を確認しました」にチェックを入れてください。"
            )
            self.confirmed.setFocus()
            return
        if not folder.is_dir():
            self.error.setText(f"保存先のフォルダ「{folder}」がありません。フォルダを選び直してください。")
            return
        from ui.passphrase_prompt import unlock_section_key

        if not unlock_section_key(self, self.db, self.fiscal_year, self.section_code):
            self.error.setText("パスワードが入力されなかったため、書き出していません。")
            return
        self.error.clear()
        self.progress.setVisible(True)
        self.export_button.setEnabled(False)
        self._task = Task(
            lambda report, _cancelled: self.desk.export_submission(
                self.fiscal_year, self.section_code, author, chief, folder, progress=report
            ),
            self,
        )
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(lambda r: self._on_done(r, author, folder))
        self._task.failed.connect(self._on_failed)
        self._task.start()

    def _on_progress(self, i: int, n: int, message: str) -> None:
        self.progress.setRange(0, n)
        self.progress.setValue(i)
        self.status.setText(message)

    def _on_done(self, result: SubmissionResult, author: str, folder: Path) -> None:
        self.result_info = result
        if self._task is not None:
            self._task.wait()  # run() is returning; never destroy a running thread
        set_person("author", author)  # used next time and everywhere (ファイル → 名前の設定…)
        set_person("chief", self.chief.text())
        self.desk.set_settings({"export_author": author, "export_dir": str(folder)})
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        if self._task is not None:
            self._task.wait()
        self.progress.setVisible(False)
        self.export_button.setEnabled(True)
        self.status.clear()
        if isinstance(exc, ExportBlocked):
            self.error.setText(
                str(exc) + "\n" + "\n".join(f"・{f.measure_code}：{f.message}" for f in exc.findings[:5])
            )
        elif isinstance(exc, ExchangeError):
            self.error.setText(str(exc))
        elif isinstance(exc, OSError):
            self.error.setText(
                f"ファイルを保存できません（{exc.strerror or exc}）。保存先を変えてもう一度書き出してください。"
            )
        else:
            self.error.setText(
                f"書き出せませんでした（{type(exc).__name__}: {exc}）。入力済みのデータは変更していません。"
            )

    def reject(self) -> None:
        if self._task is not None and self._task.isRunning():
            return
        super().reject()


def export_submission_interactive(
    parent: QWidget,
    db: Database,
    fiscal_year: int,
    section_code: str,
    *,
    on_finding: Callable[[Finding], None] | None = None,
) -> Path | None:
    """Check, ask for 作成者 / 所属長確認 / folder, export. Returns the written file, or None.

    ``on_finding`` (optional) is called with a finding the person double-clicked in the error list, so
    the main window can jump to the field."""
    dialog = ExportSubmissionDialog(db, fiscal_year, section_code, parent, on_finding=on_finding)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_info is None:
        return None
    r = dialog.result_info
    box = QMessageBox(parent)
    box.setWindowTitle("提出ファイルの作成")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(
        f"第{r.revision}版を書き出しました（施策 {r.measure_count}件）。\n\n{r.path}\n\nこのファイルを中央の担当課へ送ってください。"
    )
    open_button = box.addButton("フォルダを開く", QMessageBox.ButtonRole.ActionRole)
    box.addButton("閉じる", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(r.path.parent)))
    return r.path
