"""Small pieces the central office's screens share: a table that copies its rows the way Excel pastes
them, the problem list of a plan master, colours, where a file dialog starts. (Long work runs through
:mod:`ui.tasks`.)

Nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.plan_master import Problem
from ui.widgets import ERROR_COLOR, error_label, html

__all__ = [
    "ERROR_COLOR",
    "OK_COLOR",
    "WARN_COLOR",
    "CopyTable",
    "ProblemTable",
    "error_label",
    "html",
    "review_folder",
    "start_dir",
]

WARN_COLOR = "#8a5a00"
OK_COLOR = "#2e7d32"
MUTED_COLOR = "#666666"


def start_dir(db: Database, key: str) -> str:
    """Where a file dialog starts: the folder remembered under setting ``key``, else Documents, else home."""
    saved = CentralOffice(db).setting(key) or ""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return next((d for d in (saved, documents, str(Path.home())) if d and Path(d).is_dir()), "")


def review_folder(parent: QWidget, db: Database) -> Path | None:
    """Ask where the 審査結果ファイル go, starting in the folder used last time; None when cancelled."""
    chosen = QFileDialog.getExistingDirectory(
        parent, "審査結果ファイルの保存先", start_dir(db, "central.review_dir")
    )
    return Path(chosen) if chosen else None


class CopyTable(QTableWidget):
    """A read-only table; Ctrl+C copies the selected rows (or all) as tab-separated text for Excel."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None):
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # rows stay in the order given until a click

    def add_row(self, values: Sequence[object], *, color: str | None = None, data: object = None) -> int:
        r = self.rowCount()
        self.insertRow(r)
        for c, v in enumerate(values):
            item = QTableWidgetItem()
            if isinstance(v, int) and not isinstance(v, bool):
                item.setData(Qt.ItemDataRole.DisplayRole, v)  # sorts as a number
            else:
                item.setText("" if v is None else str(v))
                item.setToolTip("" if v is None else str(v))
            if color and c == 0:
                item.setForeground(QColor(color))
            if c == 0 and data is not None:
                item.setData(Qt.ItemDataRole.UserRole, data)
            self.setItem(r, c, item)
        return r

    def text_of(self, rows: Sequence[int] | None = None) -> str:
        rows = list(rows) if rows is not None else list(range(self.rowCount()))
        head = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        lines = ["\t".join(head)]
        for r in rows:
            lines.append(
                "\t".join(
                    (self.item(r, c).text() if self.item(r, c) else "") for c in range(self.columnCount())
                )
            )
        return "\n".join(lines)

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            rows = sorted({i.row() for i in self.selectedIndexes()}) or None
            QGuiApplication.clipboard().setText(self.text_of(rows))
            event.accept()
            return
        super().keyPressEvent(event)


class ProblemTable(CopyTable):
    """The problems of a plan master file: 区分 / シート / 行 / 列 / 内容, errors first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(["区分", "シート", "行", "列", "内容"], parent)
        self.setObjectName("problemTable")
        for c, w in enumerate((56, 110, 56, 170)):
            self.setColumnWidth(c, w)

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self.setRowCount(0)
        ordered = sorted(problems, key=lambda p: (not p.is_error,))
        for p in ordered:
            self.add_row(
                [p.severity_label, p.sheet, "" if p.row is None else p.row, _column(p.column), p.message],
                color=ERROR_COLOR if p.is_error else WARN_COLOR,
                data=p,
            )


def _column(column: str) -> str:
    letter, _, rest = column.partition("（")
    return f"{letter}列（{rest}" if rest else (f"{letter}列" if letter else "")
