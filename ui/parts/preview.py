"""シート全体: the whole sheet on one page, read-only, as it will be printed (rates, grade, findings)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from dxdesk.domain.editing import EditableSheet
from dxdesk.section_desk import MeasureRow
from ui.measure_view import MeasureView, render_measure
from ui.parts.base import PartHost, SheetPart


def sheet_row(sheet: EditableSheet) -> MeasureRow:
    """The sheet in the shape the read-only renderer takes (values as dxdesk computed them)."""
    ev = sheet.evaluate()
    snap = sheet.snapshot
    return MeasureRow(
        id=sheet.measure_id,
        code=snap.code,
        name=snap.name,
        kind=snap.kind,
        node_id=None,
        section_code=snap.owner_section_code,
        section_name=sheet.info.section_name,
        stage=snap.sheet.stage,
        suggestion=ev.suggestion,
        self_grade=ev.self_grade,
        status=ev.status,
        errors=ev.errors,
        warnings=ev.warnings,
        snapshot=snap,
        evaluation=ev,
    )


class PreviewPart(SheetPart):
    keys = ()
    title = "シート全体"
    always = True

    def __init__(self, host: PartHost):
        super().__init__(host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = MeasureView()
        self.view.setObjectName("measureView")
        layout.addWidget(self.view)

    def load(self, sheet: EditableSheet) -> None:
        names = dict(
            zip(sheet.snapshot.related_section_codes, sheet.info.related_section_names, strict=False)
        )
        self.view.show_html(
            render_measure(sheet_row(sheet), sheet.settings, sheet.fy, list(sheet.evaluate().findings), names)
        )
