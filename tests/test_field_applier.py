"""One field-change applier (dxdesk.domain.editing.apply_field) for the sheet in memory and its rows in
the database: after edits of every kind of field, the sheet read back from the database is the sheet
that was in memory."""

import pytest
from sqlalchemy import select

from dxdesk.section_desk import SectionDesk
from dxdesk.store.models import Measure
from dxdesk.store.sheet_store import load_sheet

CASHLESS = "多様化1-1-1"
FY = 2026

EDITS = [
    ("stage", "3"),
    ("direction", None),  # filled from the plan's first option below
    ("direction_reason", "利用者が増えているため対象を広げる。"),
    ("author", "山田 太郎"),
    ("texts.result", "納付書にQRコードを印刷した。"),
    ("indicators[0].actual", "８．８"),
    ("indicators[0].note", "速報値"),
    (f"costs[{FY}].settlement", "１,２３４"),
    (f"costs[{FY}].execution_note", "入札差金が生じた。"),
    (f"costs[{FY}].part_time_staff", "あり"),
    ("entry_status", "complete"),
]


@pytest.fixture
def sheets(demo_db):
    desk = SectionDesk(demo_db)
    start = desk.start_state()
    settings = start.plan.settings
    with demo_db.session() as s:
        mid = s.scalar(select(Measure.id).where(Measure.code == CASHLESS))
    entry = desk.entry_session(settings=settings, survey_fy=FY, user="山田")
    return entry, entry.open_sheet(mid, FY), settings


def test_memory_and_database_agree_after_every_kind_of_field(demo_db, sheets):
    entry, sheet, settings = sheets
    edits = [(p, v if v is not None else settings.direction_options[0].key) for p, v in EDITS]
    key = settings.perspectives[0].key if settings.perspectives else None
    if key:
        edits.append((f"perspectives.{key}", "4"))
    for path, raw in edits:
        entry.edit(sheet, path, raw)
    entry.commit(sheet, [sheet.add_milestone("窓口での案内を始める", FY, 10)])
    entry.edit(sheet, "milestones[0].status", "完了")
    entry.close()
    with demo_db.session() as s:
        again = load_sheet(s, sheet.measure_id, FY, settings)
    paths = [p for p, _ in edits]
    assert {p: again.get(p) for p in paths} == {p: sheet.get(p) for p in paths}
    assert again.get(f"costs[{FY}].settlement") == "1234"
    assert again.get(f"costs[{FY}].part_time_staff") == "有"
    assert again.milestones == sheet.milestones
    assert again.snapshot.sheet == sheet.snapshot.sheet
    assert again.snapshot.costs == sheet.snapshot.costs
    assert again.snapshot.indicators == sheet.snapshot.indicators
