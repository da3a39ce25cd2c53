"""Text that cannot be read is never lost: kept on the sheet and in the database, an error of the
pre-submission check until it is fixed, cleared by a readable value."""

import pytest
from sqlalchemy import select

from dxdesk.section_desk import EditError, SectionDesk
from dxdesk.store.models import Measure, UnreadInput
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import current_plan

CASHLESS = "多様化1-1-1"
ACTUAL = "indicators[0].actual@2026"


def _open(demo_db):
    desk = SectionDesk(demo_db)
    start = desk.start_state()
    assert start is not None
    with demo_db.session() as s:
        mid = s.scalar(select(Measure.id).where(Measure.code == CASHLESS))
    entry = desk.entry_session(settings=start.plan.settings, survey_fy=2026, user="山田")
    return desk, start, entry, mid


def _unread_rows(db):
    with db.session() as s:
        return [(u.path, u.typed) for u in s.scalars(select(UnreadInput))]


def _errors(db, plan_id, sheets=None):
    with db.session() as s:
        plan = current_plan(s)
        report = presubmission_check(s, plan, 2026, sheets=sheets)
    return [i.finding for i in report.items if i.finding.check_id == "REQ-UNREAD"], report


def test_unread_text_is_kept_listed_and_cleared_when_fixed(demo_db):
    _desk, start, entry, mid = _open(demo_db)
    sheet = entry.open_sheet(mid, 2026)
    before = sheet.get(ACTUAL)
    with pytest.raises(EditError, match="数値として読み取れません"):
        entry.edit(sheet, ACTUAL, "12x")
    assert sheet.get(ACTUAL) == before  # the stored value is untouched …
    kept = sheet.unread_at(ACTUAL)
    assert kept is not None and kept.typed == "12x"  # … and what was typed is kept beside it
    ev = sheet.evaluate()
    assert any(f.check_id == "REQ-UNREAD" and "「12x」" in f.message for f in ev.findings)
    entry.close()
    assert _unread_rows(demo_db) == [(ACTUAL, "12x")]

    # a new session (the application restarted) shows it again, and the check lists it as an error
    desk, start, entry, mid = _open(demo_db)
    sheet = entry.open_sheet(mid, 2026)
    assert sheet.unread_at(ACTUAL).typed == "12x"
    found, report = _errors(demo_db, start.plan.plan_id)
    assert [f.measure_code for f in found] == [CASHLESS]
    assert "実績" in found[0].message and "読み取れません" in found[0].message
    assert not report.can_export
    rows, _tree = desk.measure_list(start.plan.plan_id, 2026, None, start.plan.settings)
    row = next(r for r in rows if r.id == mid)
    assert row.errors >= 1 and row.evaluation.findings[0].check_id == "REQ-UNREAD"  # the list counts it

    # typing a readable value clears it everywhere
    entry.edit(sheet, ACTUAL, "１２")
    assert sheet.unread_at(ACTUAL) is None
    assert sheet.get(ACTUAL) == "12"
    entry.close()
    assert _unread_rows(demo_db) == []
    assert _errors(demo_db, start.plan.plan_id)[0] == []


def test_the_same_value_as_stored_also_clears_it(demo_db):
    _desk, _start, entry, mid = _open(demo_db)
    sheet = entry.open_sheet(mid, 2026)
    entry.edit(sheet, ACTUAL, "9.5")
    with pytest.raises(EditError):
        entry.edit(sheet, ACTUAL, "9.5x")
    assert entry.edit(sheet, ACTUAL, "9.5") is None  # nothing to save for the value itself …
    assert sheet.unread == {}  # … but the unread text is gone
    entry.close()
    assert _unread_rows(demo_db) == []


def test_a_read_only_field_is_refused_not_kept(demo_db):
    _desk, _start, entry, mid = _open(demo_db)
    sheet = entry.open_sheet(mid, 2026)
    with pytest.raises(EditError, match="確定済み"):
        entry.edit(sheet, "indicators[0].actual@2024", "abc")
    assert sheet.unread == {}
    entry.close()
    assert _unread_rows(demo_db) == []
