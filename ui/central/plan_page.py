"""計画: the plan at a glance — the plan tree with its measures, measures per section, the plan's
settings in words — and the plan master (計画マスタ): write the template, read a filled-in file.

Reading a plan master is two steps on this page: 「計画マスタを読み込む…」 checks the file (a dry run in
a worker thread) and lists every problem 「シート・行・列・内容」 with the changes it would make; when
there is no error, 「この内容で読み込む」 imports it. 「もう一度確認」 re-reads the same file after it was
fixed in Excel. Everything is decided by ``dxdesk.central.plan_master``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.plan_master import ImportResult, template_file_name
from dxdesk.central.plan_master.overview import PlanOverview
from dxdesk.domain.fiscal import fy_label
from ui.central.common import ERROR_COLOR, OK_COLOR, CopyTable, ProblemTable, html, start_dir
from ui.central.list_import_dialog import ListImportDialog
from ui.tasks import Task
from ui.widgets import name_column_stretches

__all__ = ["PlanPage"]

ROLE_MEASURE = Qt.ItemDataRole.UserRole


class PlanPage(QWidget):
    plan_changed = Signal()  # a plan master was imported
    status = Signal(str, str)  # text, kind (info / ok / error) for the status bar

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.overview: PlanOverview | None = None
        self.master_path: Path | None = None
        self.last_result: ImportResult | None = None
        self.list_dialog: ListImportDialog | None = None
        self._task: Task | None = None
        self._build()
        self.refresh()

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        head = QHBoxLayout()
        self.title = QLabel(objectName="planTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        self.template_button = QPushButton("計画マスタのひな形を書き出す(&T)…", objectName="templateButton")
        self.import_button = QPushButton("計画マスタを読み込む(&I)…", objectName="importMasterButton")
        self.list_button = QPushButton("既存のExcel一覧から取り込む(&L)…", objectName="importListButton")
        head.addWidget(self.template_button)
        head.addWidget(self.import_button)
        head.addWidget(self.list_button)
        layout.addLayout(head)
        self.subtitle = QLabel(objectName="planSubtitle")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)

        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="planSplitter")
        top = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget(objectName="planTree")
        self.tree.setHeaderLabels(["計画体系・施策", "担当課", "指標"])
        self.tree.setUniformRowHeights(True)
        name_column_stretches(self.tree.header(), 3)
        top.addWidget(self.tree)
        right = QTabWidget(objectName="planTabs")
        self.sections = CopyTable(["コード", "課所室", "部局", "施策", "指標"])
        self.sections.setObjectName("sectionTable")
        self.sections.setSortingEnabled(True)
        for c, w in enumerate((56, 130, 116, 48)):
            self.sections.setColumnWidth(c, w)
        right.addTab(self.sections, "課所室ごとの施策")
        self.settings_box = QWidget()
        self.settings_form = QFormLayout(self.settings_box)
        self.settings_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.settings_box)
        right.addTab(scroll, "計画の設定")
        top.addWidget(right)
        top.setSizes([700, 480])
        self.splitter.addWidget(top)

        self.master_box = QGroupBox("計画マスタの読み込み", objectName="masterBox")
        box = QVBoxLayout(self.master_box)
        row = QHBoxLayout()
        self.master_label = QLabel(objectName="masterSummary")
        self.master_label.setWordWrap(True)
        self.master_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.master_label, 1)
        self.recheck_button = QPushButton("もう一度確認(&R)", objectName="recheckButton")
        self.apply_button = QPushButton("この内容で読み込む(&A)", objectName="applyMasterButton")
        self.open_file_button = QPushButton("ファイルを開く", objectName="openMasterFile")
        for b in (self.open_file_button, self.recheck_button, self.apply_button):
            row.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(row)
        self.progress = QProgressBar(objectName="masterProgress")
        self.progress.setVisible(False)
        box.addWidget(self.progress)
        self.problems = ProblemTable()
        box.addWidget(self.problems, 1)
        self.splitter.addWidget(self.master_box)
        self.master_box.setVisible(False)
        layout.addWidget(self.splitter, 1)

        self.template_button.clicked.connect(lambda: self.export_template())
        self.import_button.clicked.connect(lambda: self.check_master())
        self.list_button.clicked.connect(lambda: self.import_list())
        self.recheck_button.clicked.connect(lambda: self.check_master(self.master_path))
        self.apply_button.clicked.connect(self.apply_master)
        self.open_file_button.clicked.connect(
            lambda: self.master_path and QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.master_path)))
        )

    # --- the plan -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.overview = CentralOffice(self.db).plan_overview()
        o = self.overview
        self.tree.clear()
        self.sections.setSortingEnabled(False)
        self.sections.setRowCount(0)
        while self.settings_form.rowCount():
            self.settings_form.removeRow(0)
        if o is None:
            self.title.setText("計画がまだありません")
            self.subtitle.setText(
                "「計画マスタのひな形を書き出す」でひな形（Excel）を作り、計画の内容を入力してから「計画マスタを読み込む」で読み込んでください。"
            )
            return
        self.title.setText(f"{o.name}（{o.municipality}）" if o.municipality else o.name)
        parts = [p for p in (o.version_label, f"計画期間 {o.period}" if o.period else "") if p]
        if o.current_fy:
            parts.append(f"調査年度 {fy_label(o.current_fy)}")
        parts.append(f"施策 {o.measure_count:,}件・指標 {o.indicator_count:,}件・課所室 {len(o.sections):,}")
        self.subtitle.setText("　".join(parts))
        for node in o.tree:
            self.tree.addTopLevelItem(_node_item(node))
        self.tree.expandToDepth(0)
        for sec in o.sections:
            self.sections.add_row([sec.code, sec.name, sec.bureau, sec.measures, sec.indicators])
        self.sections.setSortingEnabled(True)
        for label, text in o.settings_lines:
            value = QLabel(html(text))
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.settings_form.addRow(label, value)

    # --- template -------------------------------------------------------------------------------------
    def _start_dir(self) -> str:
        return start_dir(self.db, "central.master_dir")

    def _remember_dir(self, path: Path) -> None:
        CentralOffice(self.db).set_setting("central.master_dir", str(path.parent))

    def export_template(self, path: Path | None = None) -> Path | None:
        """Ask where to save (unless ``path`` is given) and write the plan master workbook."""
        if path is None:
            name = template_file_name(self.overview.name if self.overview else None)
            chosen, _f = QFileDialog.getSaveFileName(
                self,
                "計画マスタのひな形を書き出す",
                str(Path(self._start_dir()) / name),
                "Excel ブック (*.xlsx)",
            )
            if not chosen:
                return None
            path = Path(chosen if chosen.lower().endswith(".xlsx") else chosen + ".xlsx")
        try:
            CentralOffice(self.db).export_template(path)
        except OSError as exc:
            QMessageBox.warning(
                self,
                "計画マスタのひな形",
                f"ファイルを保存できません（{exc.strerror or exc}）。Excel で開いたままなら閉じてから、もう一度書き出してください。",
            )
            return None
        self._remember_dir(path)
        self.status.emit(f"計画マスタを書き出しました（{path.name}）", "ok")
        return path

    # --- the office's own list -------------------------------------------------------------------------
    def import_list(self, path: Path | None = None) -> ListImportDialog | None:
        """Ask for the office's own Excel list (unless ``path`` is given) and open the import dialog."""
        if path is None:
            chosen, _f = QFileDialog.getOpenFileName(
                self,
                "既存のExcel一覧から取り込む",
                self._start_dir(),
                "Excel ブック (*.xlsx);;すべてのファイル (*)",
            )
            if not chosen:
                return None
            path = Path(chosen)
        self._remember_dir(path)
        dialog = ListImportDialog(self.db, path, self)
        self.list_dialog = dialog
        dialog.finished.connect(lambda _r: self._list_closed(dialog))
        dialog.open()
        return dialog

    def _list_closed(self, dialog: ListImportDialog) -> None:
        if dialog.imported:
            self.status.emit("施策の一覧を読み込みました", "ok")
            self.refresh()
            self.plan_changed.emit()

    # --- import ----------------------------------------------------------------------------------------
    def check_master(self, path: Path | None = None) -> None:
        """Check a plan master file (dry run) and show its problems and changes."""
        if path is None:
            chosen, _f = QFileDialog.getOpenFileName(
                self, "計画マスタを読み込む", self._start_dir(), "Excel ブック (*.xlsx);;すべてのファイル (*)"
            )
            if not chosen:
                return
            path = Path(chosen)
        self.master_path = path
        self._remember_dir(path)
        self._run(path, dry_run=True)

    def apply_master(self) -> None:
        if self.master_path is None or self.last_result is None or not self.last_result.ok:
            return
        self._run(self.master_path, dry_run=False)

    def _run(self, path: Path, *, dry_run: bool) -> None:
        if self._task is not None and self._task.isRunning():
            return
        self.master_box.setVisible(True)
        self.master_box.setTitle(f"計画マスタの読み込み：{path.name}")
        self.master_label.setStyleSheet("")
        self.master_label.setText("確認しています…" if dry_run else "読み込んでいます…")
        self.progress.setVisible(True)
        self.progress.setRange(0, 4)
        self.progress.setValue(0)
        for b in (self.apply_button, self.recheck_button, self.import_button):
            b.setEnabled(False)
        import_master = CentralOffice(self.db).import_plan_master
        self._task = Task(lambda report, _cancel: import_master(path, dry_run=dry_run, progress=report), self)
        self._task.progressed.connect(
            lambda i, n, _m: (self.progress.setRange(0, n), self.progress.setValue(i))
        )
        self._task.succeeded.connect(self._done)
        self._task.failed.connect(self._failed)
        self._task.start()

    def _finish_task(self) -> None:
        if self._task is not None:
            self._task.wait()
        self.progress.setVisible(False)
        self.recheck_button.setEnabled(True)
        self.import_button.setEnabled(True)

    def _done(self, result: ImportResult) -> None:
        self._finish_task()
        self.last_result = result
        self.problems.show_problems(result.problems)
        self.problems.setVisible(bool(result.problems))
        if result.errors:
            self.master_label.setStyleSheet(f"color: {ERROR_COLOR};")
            self.master_label.setText(
                f"エラーが{len(result.errors):,}件あります。Excel でファイルを直して保存し、「もう一度確認」を押してください。何も読み込んでいません。"
            )
            self.apply_button.setEnabled(False)
            self.status.emit("計画マスタにエラーがあります", "error")
            return
        lines = "<br>".join(html(line) for line in result.changes.lines()) if result.changes.any else ""
        if result.dry_run:
            can_apply = result.changes.any
            self.status.emit("計画マスタにエラーはありません", "ok")  # replaces an earlier check's message
            self.apply_button.setEnabled(can_apply)
            self.master_label.setStyleSheet("")
            self.master_label.setText(
                ("エラーはありません。「この内容で読み込む」を押すと、次の内容で更新します。<br>" + lines)
                if can_apply
                else "エラーはありません。データベースの内容とファイルの内容は同じです（読み込む必要はありません）。"
            )
            if can_apply:
                self.apply_button.setFocus()
            return
        self.apply_button.setEnabled(False)
        self.master_label.setStyleSheet(f"color: {OK_COLOR};")
        self.master_label.setText(("読み込みました。<br>" + lines) if lines else "変更はありませんでした。")
        self.status.emit("計画マスタを読み込みました", "ok")
        self.refresh()
        self.plan_changed.emit()

    def _failed(self, exc: Exception) -> None:
        self._finish_task()
        self.master_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.master_label.setText(
            f"読み込めませんでした（{type(exc).__name__}: {html(exc)}）。データベースは変更していません。"
        )

    def busy(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def shutdown(self) -> None:
        if self._task is not None:
            self._task.wait()


def _node_item(node: Any) -> QTreeWidgetItem:
    label = f"{node.level_name}　{node.code}　{node.name}" if node.code else node.name
    item = QTreeWidgetItem([label, "", f"施策 {node.measure_count()}"])
    item.setToolTip(0, label)
    for child in node.children:
        item.addChild(_node_item(child))
    for m in node.measures:
        leaf = QTreeWidgetItem([f"{m.code}　{m.name}", m.section_name, str(m.indicators)])
        leaf.setToolTip(0, f"{m.code}　{m.name}（{m.kind_label}）")
        leaf.setData(0, ROLE_MEASURE, m.id)
        item.addChild(leaf)
    return item
