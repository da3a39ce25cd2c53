"""配布ファイルの作成: issue the year's kits — choose the sections (all with measures by default), the
output folder, and write one kit per section plus the passphrase slips, with a progress bar.

Issuing a kit revokes the section's previous credential for the year, so sections that already have a
kit are marked and the person confirms before they are issued again. The work is
``dxdesk.exchange.kit.issue_kits`` (all or nothing) in a worker thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.plan_master.overview import KitSection
from dxdesk.domain.fiscal import fy_label
from dxdesk.exchange.errors import ExchangeError
from dxdesk.exchange.kit import KitBatch
from ui.central.common import ERROR_COLOR, OK_COLOR, CopyTable, error_label, html
from ui.notice import notify
from ui.passphrase_prompt import unlock_ca
from ui.tasks import Task

__all__ = ["KitsPage"]


class KitsPage(QWidget):
    status = Signal(str, str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.sections: list[KitSection] = []
        self.batch: KitBatch | None = None
        self._task: Task | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        intro = QLabel(
            "課所室ごとの配布ファイル（.xlsx）とパスワード通知書を作成します。配布ファイルはメール等で、"
            "パスワード通知書は印刷して紙で渡してください。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        year_label = QLabel("対象年度(&G)")
        self.year = QComboBox(objectName="kitYear")
        year_label.setBuddy(self.year)
        row.addWidget(year_label)
        row.addWidget(self.year)
        row.addSpacing(16)
        self.select_all = QPushButton("すべて選ぶ", objectName="selectAllSections")
        self.select_none = QPushButton("選択を外す", objectName="selectNoSections")
        self.select_new = QPushButton("未配布の課だけ選ぶ", objectName="selectNewSections")
        for b in (self.select_all, self.select_none, self.select_new):
            row.addWidget(b)
        row.addStretch(1)
        self.count_label = QLabel(objectName="kitCount")
        row.addWidget(self.count_label)
        layout.addLayout(row)
        self.table = CopyTable(["作成", "コード", "課所室", "部局", "施策", "配布済み"])
        self.table.setObjectName("kitSections")
        for c, w in enumerate((48, 70, 180, 130, 60)):
            self.table.setColumnWidth(c, w)
        layout.addWidget(self.table, 1)
        out_row = QHBoxLayout()
        out_label = QLabel("保存先(&O)")
        self.folder = QLineEdit(objectName="kitFolder")
        out_label.setBuddy(self.folder)
        browse = QPushButton("参照…")
        browse.clicked.connect(self._browse)
        out_row.addWidget(out_label)
        out_row.addWidget(self.folder, 1)
        out_row.addWidget(browse)
        layout.addLayout(out_row)
        self.warning = QLabel(objectName="kitWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5a00;")
        layout.addWidget(self.warning)
        self.error = error_label()
        layout.addWidget(self.error)
        self.progress = QProgressBar(objectName="kitProgress")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        bottom = QHBoxLayout()
        self.result = QLabel(objectName="kitResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.result, 1)
        self.open_folder = QPushButton("フォルダを開く", objectName="openKitFolder")
        self.open_slips = QPushButton("パスワード通知書を開く", objectName="openSlips")
        self.issue_button = QPushButton("配布ファイルを作成(&C)", objectName="issueKitsButton")
        self.issue_button.setDefault(True)
        for b in (self.open_folder, self.open_slips):
            b.setVisible(False)
            bottom.addWidget(b)
        bottom.addWidget(self.issue_button)
        layout.addLayout(bottom)

        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.select_all.clicked.connect(lambda: self._check(lambda _s: True))
        self.select_none.clicked.connect(lambda: self._check(lambda _s: False))
        self.select_new.clicked.connect(lambda: self._check(lambda s: s.issued_version is None))
        self.table.itemChanged.connect(lambda _i: self._update_count())
        self.issue_button.clicked.connect(self.issue)
        self.open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder.text()))
        )
        self.open_slips.clicked.connect(
            lambda: (
                self.batch
                and self.batch.slips_path
                and QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.batch.slips_path)))
            )
        )
        self.load_years()

    # --- data ---------------------------------------------------------------------------------------
    def load_years(self) -> None:
        office = CentralOffice(self.db)
        plan = office.plan_years()
        current = plan.declared_fy if plan else None
        saved = office.setting("central.kit_dir") or ""
        self.year.blockSignals(True)
        self.year.clear()
        if current is not None:
            for fy in range(current + 1, current - 2, -1):
                self.year.addItem(fy_label(fy), fy)
            self.year.setCurrentIndex(max(0, self.year.findData(current)))
        self.year.blockSignals(False)
        if not self.folder.text():
            documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            base = next((d for d in (saved, documents, str(Path.home())) if d and Path(d).is_dir()), "")
            if base and current is not None and not saved:
                base = str(Path(base) / f"{fy_label(current)}_配布ファイル")
            self.folder.setText(base)
        self.refresh()

    @property
    def fiscal_year(self) -> int | None:
        data = self.year.currentData()
        return int(data) if data is not None else None

    def refresh(self) -> None:
        """Reload the sections; the ones chosen stay chosen while the year stays the same (after issuing
        one kit the person carries on with the same choice), a new year starts with all chosen."""
        fy = self.fiscal_year
        keep = (
            {sec.code for sec in self.selected()}
            if self.sections and getattr(self, "_shown_fy", None) == fy
            else None
        )
        self._shown_fy = fy
        self.sections = CentralOffice(self.db).kit_sections(fy) if fy is not None else []
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for sec in self.sections:
            issued = f"第{sec.issued_version}版" if sec.issued_version else "未配布"
            r = self.table.add_row(["", sec.code, sec.name, sec.bureau, sec.measures, issued])
            check = QTableWidgetItem()
            check.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            )
            chosen = keep is None or sec.code in keep
            check.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.table.setItem(r, 0, check)
        self.table.blockSignals(False)
        self._update_count()

    def _check(self, wanted) -> None:  # type: ignore[no-untyped-def]
        self.table.blockSignals(True)
        for r, sec in enumerate(self.sections):
            self.table.item(r, 0).setCheckState(
                Qt.CheckState.Checked if wanted(sec) else Qt.CheckState.Unchecked
            )
        self.table.blockSignals(False)
        self._update_count()

    def selected(self) -> list[KitSection]:
        return [
            s
            for r, s in enumerate(self.sections)
            if self.table.item(r, 0).checkState() == Qt.CheckState.Checked
        ]

    def _update_count(self) -> None:
        chosen = self.selected()
        again = [s for s in chosen if s.issued_version]
        self.count_label.setText(f"{len(chosen)} / {len(self.sections)} 課を選択")
        self.issue_button.setEnabled(bool(chosen) and not self.busy())
        self.warning.setText(
            f"配布済みの課が{len(again)}課含まれています。作り直すと、その課の前の配布ファイルのパスワードは使えなくなります（資格情報を失効させます）。"
            if again
            else ""
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "配布ファイルの保存先", self.folder.text())
        if folder:
            self.folder.setText(folder)

    # --- issuing --------------------------------------------------------------------------------------
    def issue(self, *, confirm: bool = True) -> None:
        fy = self.fiscal_year
        chosen = self.selected()
        if fy is None or not chosen or self.busy():
            return
        folder = Path(self.folder.text().strip() or ".")
        again = [s for s in chosen if s.issued_version]
        if confirm and again:
            answer = QMessageBox.question(
                self,
                "配布ファイルの作成",
                f"{len(again)}課（{'、'.join(s.name for s in again[:5])}{'…' if len(again) > 5 else ''}）には配布済みです。"
                "作り直すと前の配布ファイルは使えなくなります。作成しますか？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.error.setText(
                f"保存先のフォルダを作れません（{exc.strerror or exc}）。別のフォルダを選んでください。"
            )
            return
        if not unlock_ca(self, self.db):  # the CA signs the kits: its passphrase, once per session
            self.error.setText("中央のパスワードが入力されなかったため、配布ファイルを作成していません。")
            return
        self.error.clear()
        self.result.clear()
        self.progress.setVisible(True)
        self.progress.setRange(0, len(chosen) + 1)
        self.progress.setValue(0)
        self.issue_button.setEnabled(False)
        codes = [s.code for s in chosen]
        workers = max(1, min(4, os.cpu_count() or 1)) if len(codes) >= 8 else 1
        issue = CentralOffice(self.db).issue_kits
        self._task = Task(
            lambda report, _c: issue(fy, folder, section_codes=codes, progress=report, workers=workers),
            self,
        )
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(lambda b: self._done(b, folder))
        self._task.failed.connect(self._failed)
        self._task.start()
        CentralOffice(self.db).set_setting("central.kit_dir", str(folder))

    def _on_progress(self, i: int, n: int, message: str) -> None:
        self.progress.setRange(0, n)
        self.progress.setValue(i)
        self.result.setText(html(message))

    def _done(self, batch: KitBatch, folder: Path) -> None:
        if self._task is not None:
            self._task.wait()
        self.batch = batch
        self.progress.setVisible(False)
        self.result.setStyleSheet(f"color: {OK_COLOR};")
        slips = f"パスワード通知書：{batch.slips_path.name}" if batch.slips_path else ""
        self.result.setText(
            f"{len(batch.kits)}課の配布ファイルを作成しました（{html(folder)}）。{html(slips)}"
        )
        self.open_folder.setVisible(True)
        self.open_slips.setVisible(batch.slips_path is not None)
        notify(self, f"配布ファイルを{len(batch.kits)}件作成しました（{folder.name}）", folder=folder)
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        if self._task is not None:
            self._task.wait()
        self.progress.setVisible(False)
        self.result.setStyleSheet(f"color: {ERROR_COLOR};")
        self.result.clear()
        if isinstance(exc, ExchangeError):
            self.error.setText(str(exc))
        elif isinstance(exc, OSError):
            self.error.setText(
                f"ファイルを保存できません（{exc.strerror or exc}）。保存先を変えてもう一度作成してください。"
            )
        else:
            self.error.setText(f"作成できませんでした（{type(exc).__name__}: {exc}）。何も発行していません。")
        self._update_count()

    def busy(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def shutdown(self) -> None:
        if self._task is not None:
            self._task.wait()
