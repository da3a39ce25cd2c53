"""提出前チェック: every error, warning and note across the section's sheets in one list; activating a
row (double-click or Enter) jumps to the field. The findings come from
``SectionDesk.presubmission_check`` (dxdesk.section_desk); this widget shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dxdesk.domain.enums import Severity
from dxdesk.domain.settings import SHEET_PARTS
from dxdesk.section_desk import CheckItem, CheckReport

COLORS = {Severity.ERROR: "#b00020", Severity.WARNING: "#8a5a00", Severity.INFO: "#1f5f8b"}
ROLE_ITEM = Qt.ItemDataRole.UserRole + 1
PART_LABELS = {
    "basic": "基本情報",
    "indicators": "指標",
    "schedule": "スケジュール",
    "costs": "事業費",
    "results": "成果と課題",
    "citizen": "市民参加",
    "review": "見直し",
    "roadmap": "ロードマップ",
    "evaluation": "自己評価",
    "perspectives": "観点別評価",
    "direction": "方向性",
}


class CheckList(QWidget):
    """Emits ``activated(CheckItem)`` when the person chooses a row."""

    activated = Signal(object)
    rerun = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel(objectName="checkSummary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.rerun_button = QPushButton("再チェック", objectName="rerunCheck")
        self.rerun_button.clicked.connect(self.rerun.emit)
        top.addWidget(self.rerun_button)
        layout.addLayout(top)
        self.list = QTreeWidget(objectName="checkList")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setHeaderLabels(
            ["種別", "施策", "項目", "内容（行を選んで Enter またはダブルクリックで該当欄へ）"]
        )
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        fm = self.list.fontMetrics()
        self.list.setColumnWidth(0, fm.horizontalAdvance("エラー") + 24)
        self.list.setColumnWidth(1, fm.horizontalAdvance("888-88　電子申請推進事業の推進") + 16)
        self.list.setColumnWidth(2, fm.horizontalAdvance("成果と課題") + 16)
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list, 1)
        self.report: CheckReport | None = None

    def show_report(self, report: CheckReport) -> None:
        self.report = report
        color = "#b00020" if report.errors else "#2e7d32"
        self.summary.setText(f"<span style='color:{color}; font-weight:bold'>{report.summary}</span>")
        self.list.clear()
        for item in report.items:
            f = item.finding
            row = QTreeWidgetItem(
                [
                    f.severity.label,
                    f"{f.measure_code}　{item.measure_name}",
                    PART_LABELS.get(item.target.part) or SHEET_PARTS.get(item.target.part, ""),
                    f.message,
                ]
            )
            row.setForeground(0, QBrush(QColor(COLORS[f.severity])))
            row.setData(0, ROLE_ITEM, item)
            row.setToolTip(3, f"{f.title}\n{f.message}")
            row.setToolTip(1, f"{f.measure_code}　{item.measure_name}")
            self.list.addTopLevelItem(row)
        if report.items:
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def _activated(self, row: QTreeWidgetItem, _col: int) -> None:
        item = row.data(0, ROLE_ITEM)
        if isinstance(item, CheckItem):
            self.activated.emit(item)

    def rows(self) -> list[QTreeWidgetItem]:
        return [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
