"""計画 → 「既存のExcel一覧から取り込む…」: the office's own list, checked before anything is written.

The dialog shows what ``dxdesk import-list`` prints: the columns with the proposed mapping (each a
drop-down the person may correct), the first rows as dxdesk reads them, and every problem as
区分・シート・行・列・内容 (the same :class:`~dxdesk.central.list_import.ListResult` problems as the CLI).
Each change re-checks the list (a dry run); 「読み込む」 imports it; 「対応表を保存…」 keeps the mapping
for next year's list.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.list_import import FIELDS, ListResult, field_label, save_mapping
from dxdesk.central.office import CentralOffice, Database
from dxdesk.domain.fiscal import FiscalYearError, fy_short, parse_fiscal_year
from dxdesk.exchange.reader import column_letters
from ui.central.common import ERROR_COLOR, OK_COLOR, ProblemTable, html

__all__ = ["ListImportDialog"]


class ListImportDialog(QDialog):
    """Check and import one list file. ``result`` is the last check's (or the import's) result."""

    def __init__(self, db: Database, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("listImportDialog")
        self.setWindowTitle(f"既存のExcel一覧から取り込む：{Path(path).name}")
        self.resize(1100, 720)
        self.db, self.path = db, Path(path)
        self.result: ListResult | None = None
        self.imported = False
        self._columns: dict[int, str] | None = None
        plan = CentralOffice(db).plan_years()
        plan_fy = plan.declared_fy if plan is not None else None

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet_box = QComboBox(objectName="listSheet")
        self.fy_edit = QLineEdit(objectName="listFy")
        self.fy_edit.setPlaceholderText("例：R8")
        if plan_fy:
            self.fy_edit.setText(fy_short(plan_fy))
            self.fy_edit.setEnabled(False)
            self.fy_edit.setToolTip("調査年度は計画の基本設定の値です。")
        form.addRow("シート", self.sheet_box)
        form.addRow("調査年度", self.fy_edit)
        layout.addLayout(form)
        self.summary = QLabel(objectName="listSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        self.mapping_table = QTableWidget(0, 3, objectName="listMapping")
        self.mapping_table.setHorizontalHeaderLabels(["列", "見出し", "読み込む項目"])
        self.mapping_table.setColumnWidth(0, 40)
        self.mapping_table.setColumnWidth(1, 160)
        self.mapping_table.setColumnWidth(2, 200)
        self.mapping_table.verticalHeader().setVisible(False)
        top.addWidget(self.mapping_table)
        self.preview = QTableWidget(0, 0, objectName="listPreview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        top.addWidget(self.preview)
        top.setSizes([420, 680])
        split.addWidget(top)
        self.problems = ProblemTable()
        split.addWidget(self.problems)
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.recheck_button = QPushButton("もう一度確認(&R)", objectName="listRecheck")
        self.save_button = QPushButton("対応表を保存(&S)…", objectName="listSaveMapping")
        self.import_button = QPushButton("読み込む(&A)", objectName="listImport")
        self.close_button = QPushButton("閉じる", objectName="listClose")
        buttons.addWidget(self.recheck_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.recheck_button.clicked.connect(lambda: self.check())
        self.import_button.clicked.connect(lambda: self.apply())
        self.save_button.clicked.connect(lambda: self.save_mapping())
        self.close_button.clicked.connect(self.accept)
        self.sheet_box.activated.connect(lambda _i: self._sheet_changed())
        self.fy_edit.editingFinished.connect(lambda: self.check())
        self.check()

    # --- running -------------------------------------------------------------------------------
    def _fy(self) -> int | None:
        text = self.fy_edit.text().strip()
        if not text:
            return None
        try:
            return parse_fiscal_year(text)
        except FiscalYearError:
            return None

    def _run(self, *, dry_run: bool) -> ListResult:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return CentralOffice(self.db).import_list(
                self.path,
                sheet=self.sheet_box.currentText() or None,
                columns=self._columns,
                fiscal_year=self._fy(),
                dry_run=dry_run,
            )
        finally:
            QGuiApplication.restoreOverrideCursor()

    def check(self) -> ListResult:
        """Check the list with the current choices (nothing is written)."""
        self.result = self._run(dry_run=True)
        self._show(self.result)
        return self.result

    def apply(self) -> ListResult | None:
        if self.result is None or not self.result.ok:
            return None
        result = self._run(dry_run=False)
        self.result = result
        self._show(result)
        if result.applied or result.unchanged:
            self.imported = result.applied
            self.import_button.setEnabled(False)
        return result

    def save_mapping(self, path: Path | None = None) -> Path | None:
        r = self.result
        if r is None or r.header is None or r.mapping is None:
            return None
        if path is None:
            chosen, _f = QFileDialog.getSaveFileName(
                self,
                "対応表を保存",
                str(self.path.with_name(self.path.stem + "_対応表.json")),
                "対応表 (*.json)",
            )
            if not chosen:
                return None
            path = Path(chosen)
        extra = {"current_fy": r.survey_fy} if r.survey_fy else {}
        return save_mapping(path, r.header, r.mapping, extra)

    def _sheet_changed(self) -> None:
        self._columns = None  # another sheet: propose afresh
        self.check()

    def _mapping_changed(self, column: int, box: QComboBox) -> None:
        if self.result is None or self.result.mapping is None:
            return
        columns = dict(self.result.mapping.columns)
        columns[column] = str(box.currentData())
        self._columns = columns
        self.check()

    # --- showing ---------------------------------------------------------------------------------
    def _show(self, r: ListResult) -> None:
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        self.sheet_box.addItems(r.sheets)
        if r.sheet:
            self.sheet_box.setCurrentText(r.sheet)
        self.sheet_box.blockSignals(False)
        if r.survey_fy and not self.fy_edit.text():
            self.fy_edit.setText(fy_short(r.survey_fy))
        self._show_mapping(r)
        self._show_preview(r)
        self.problems.show_problems(r.problems)
        if r.errors:
            self.summary.setStyleSheet(f"color: {ERROR_COLOR};")
            text = (
                r.summary() + " 列の対応を直すか、Excel でファイルを直して「もう一度確認」を押してください。"
            )
        else:
            self.summary.setStyleSheet(f"color: {OK_COLOR};" if r.applied else "")
            text = r.summary()
            if not r.applied and not r.unchanged:
                text += "。「読み込む」を押すと、この内容で読み込みます。"
        self.summary.setText(html(text))
        self.import_button.setEnabled(r.ok and not r.applied and not r.unchanged)
        self.save_button.setEnabled(r.mapping is not None)

    def _show_mapping(self, r: ListResult) -> None:
        t = self.mapping_table
        t.setRowCount(0)
        if r.header is None or r.mapping is None:
            return
        choices = [(f.label, f.key) for f in FIELDS]
        for i, text in enumerate(r.header.texts):
            if not text:
                continue
            key = r.mapping.columns.get(i, "ignore")
            row = t.rowCount()
            t.insertRow(row)
            t.setItem(row, 0, QTableWidgetItem(column_letters(i + 1)))
            t.setItem(row, 1, QTableWidgetItem(text))
            box = QComboBox()
            box.setObjectName(f"listField{i}")
            items = list(choices)
            if "@" in key or key.startswith("attr:"):
                items.insert(0, (field_label(key) if "@" in key else f"属性「{key[5:]}」", key))
            elif text:
                items.append((f"属性「{text}」", f"attr:{text}"))
            for label, value in items:
                box.addItem(label, value)
            box.setCurrentIndex(max(0, box.findData(key)))
            box.activated.connect(lambda _x, col=i, b=box: self._mapping_changed(col, b))
            t.setCellWidget(row, 2, box)
            for c in (0, 1):
                item = t.item(row, c)
                if item is not None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)

    def _show_preview(self, r: ListResult) -> None:
        p = self.preview
        p.clear()
        p.setColumnCount(len(r.preview_columns) + 1)
        p.setHorizontalHeaderLabels(["行", *r.preview_columns])
        p.setRowCount(len(r.preview))
        for row, (number, values) in enumerate(r.preview):
            p.setItem(row, 0, QTableWidgetItem(str(number)))
            for c, value in enumerate(values, start=1):
                p.setItem(row, c, QTableWidgetItem(value))
