"""競合の解決: two files of the same revision with different content, side by side — who made them, when,
and every field that differs — and a person chooses which one to keep (``dxdesk.central.conflicts``).

Keeping the new file makes it the accepted revision (its data replaces the section's merged data);
the other is kept as 不採用. Nothing is decided by pressing Esc or 後で決める.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxdesk.central.conflicts import Conflict, SubmissionInfo
from dxdesk.central.errors import CentralError
from dxdesk.central.office import CentralOffice, Database
from dxdesk.central.status import JST
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.glossary import RECEIVED_AT
from ui.central.common import ERROR_COLOR, CopyTable, error_label, html
from ui.people import person

__all__ = ["ConflictDialog", "resolve_conflict_interactive"]


def _when(at: object) -> str:
    return at.astimezone(JST).strftime("%Y/%m/%d %H:%M") if at is not None else "—"  # type: ignore[attr-defined]


class ConflictDialog(QDialog):
    def __init__(self, db: Database, conflict: Conflict, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.conflict = conflict
        self.kept: SubmissionInfo | None = None
        c = conflict
        self.setWindowTitle("競合の解決")
        self.resize(1100, 620)
        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{html(c.other.section_code)}　{html(c.other.section_name)}　{fy_label(c.other.fiscal_year)}　第{c.other.revision}版</b>"
            "<br>同じ版の提出ファイルが2つあり、内容が違います。課所室に確かめてから、採用するほうを選んでください。"
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        sides = QHBoxLayout()
        sides.addWidget(self._side("受理済みのファイル", c.current))
        sides.addWidget(self._side("新しく届いたファイル", c.other))
        layout.addLayout(sides)
        layout.addWidget(QLabel(f"違い（{len(c.differences)}か所）"))
        self.diffs = CopyTable(["施策", "項目", "受理済みのファイル", "新しく届いたファイル"])
        self.diffs.setObjectName("conflictDifferences")
        self.diffs.setWordWrap(True)
        for col, w in enumerate((220, 160, 330)):
            self.diffs.setColumnWidth(col, w)
        for d in c.differences:
            self.diffs.add_row([f"{d.measure_code}　{d.measure_name}", d.label, d.current, d.other])
        self.diffs.resizeRowsToContents()
        layout.addWidget(self.diffs, 1)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.keep_current = QPushButton("受理済みのほうを残す(&K)", objectName="keepCurrent")
        self.keep_other = QPushButton("新しいほうを採用する(&N)", objectName="keepOther")
        later = QPushButton("後で決める", objectName="decideLater")
        buttons.addButton(self.keep_current, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.keep_other, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(later, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.keep_current.clicked.connect(lambda: self.keep(c.current.id))
        self.keep_other.clicked.connect(lambda: self.keep(c.other.id, confirm=True))
        later.clicked.connect(self.reject)
        later.setDefault(True)

    def _side(self, title: str, info: SubmissionInfo) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for label, value in (
            ("ファイル", info.file_name),
            ("版", f"第{info.revision}版"),
            ("作成者", info.author),
            ("所属長確認", info.chief),
            ("作成日時", _when(info.created_at)),
            (RECEIVED_AT, _when(info.received_at)),
            ("内容の指紋", info.payload_hash[:16]),
        ):
            text = QLabel(html(value))
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, text)
        return box

    def keep(self, keep_id: int, *, confirm: bool = False) -> None:
        c = self.conflict
        if confirm:
            answer = QMessageBox.question(
                self,
                "競合の解決",
                f"「{c.other.file_name}」を採用し、{c.other.section_name}の取り込み済みの内容をこのファイルの内容に置き換えます。よろしいですか？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            self.kept = CentralOffice(self.db).resolve_conflict(c.id, keep_id, user=person("reviewer"))
        except CentralError as exc:
            self.error.setStyleSheet(f"color: {ERROR_COLOR};")
            self.error.setText(str(exc))
            return
        self.accept()


def resolve_conflict_interactive(
    parent: QWidget, db: Database, submission_id: int, fiscal_year: int | None
) -> bool:
    """Show the conflict of ``submission_id`` and let the person choose. True when resolved."""
    try:
        conflict = CentralOffice(db).conflict(submission_id, fiscal_year)
    except CentralError as exc:
        QMessageBox.warning(parent, "競合の解決", str(exc))
        return False
    if conflict is None:
        QMessageBox.information(parent, "競合の解決", "この競合はすでに解決されています。")
        return False
    dialog = ConflictDialog(db, conflict, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted and dialog.kept is not None
