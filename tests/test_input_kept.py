"""Input is never lost, the last cases: Ctrl+Z right after unreadable text forgets that text (and an undo
that puts a field back forgets what was kept in it); a text longer than an Excel cell holds is kept whole,
an error until shortened; a milestone's month or year that cannot be read (「13月」「R8.13」) is kept as
typed, follows its row, and is an error — never refused and dropped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxdesk.domain.fields import MAX_LONG_TEXT
from dxdesk.section_desk import EditError, SectionDesk
from dxdesk.store.models import Measure, SheetText, UnreadInput
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import current_plan

CASHLESS = "多様化1-1-1"
DISASTER = "防災1-3-6"  # has a schedule
ACTUAL = "indicators[0].actual@2026"
NOTE = "indicators[0].note@2026"


def _open(db, code=CASHLESS):
    desk = SectionDesk(db)
    start = desk.start_state()
    assert start is not None
    with db.session() as s:
        mid = s.scalar(select(Measure.id).where(Measure.code == code))
    entry = desk.entry_session(settings=start.plan.settings, survey_fy=2026, user="山田")
    return desk, entry, entry.open_sheet(mid, 2026)


def _kept(db):
    with db.session() as s:
        return {u.path: u.typed for u in s.scalars(select(UnreadInput))}


def _check(db):
    with db.session() as s:
        return presubmission_check(s, current_plan(s), 2026)


# --- undo ------------------------------------------------------------------------------------------
def test_ctrl_z_right_after_unreadable_text_forgets_it_and_the_next_goes_on(demo_db):
    _desk, entry, sheet = _open(demo_db)
    entry.edit(sheet, ACTUAL, "5.5")
    with pytest.raises(EditError):
        entry.edit(sheet, ACTUAL, "6割")
    entry.flush()
    assert _kept(demo_db) == {ACTUAL: "6割"}

    undone = entry.undo(sheet)  # Ctrl+Z: the red 「6割」 goes, 5.5 shows again
    assert [c.label for c in undone] == [sheet.label(ACTUAL)] and undone[0].path == ACTUAL
    assert sheet.unread == {} and sheet.get(ACTUAL) == "5.5"
    assert not any(f.check_id == "REQ-UNREAD" for f in sheet.evaluate().findings)
    entry.flush()
    assert _kept(demo_db) == {}

    entry.undo(sheet)  # Ctrl+Z again: the 5.5 itself
    assert sheet.get(ACTUAL) is None
    entry.close()


def test_undo_that_puts_a_field_back_forgets_what_was_kept_in_it(demo_db):
    _desk, entry, sheet = _open(demo_db)
    entry.edit(sheet, ACTUAL, "5.5")
    with pytest.raises(EditError):
        entry.edit(sheet, ACTUAL, "5.5x")
    entry.edit(sheet, NOTE, "3月末の速報値")  # the person went on to another field
    assert entry.undo(sheet)[0].path == NOTE  # so Ctrl+Z undoes the note first …
    assert sheet.unread_at(ACTUAL).typed == "5.5x"  # … and the kept text stays
    entry.undo(sheet)  # then the actual is put back to blank: nothing kept in it any more
    assert sheet.get(ACTUAL) is None and sheet.unread == {}
    entry.close()
    assert _kept(demo_db) == {}


# --- a text longer than an Excel cell ------------------------------------------------------------
def test_a_text_over_32767_characters_is_kept_whole_and_blocks_the_export(demo_db):
    _desk, entry, sheet = _open(demo_db)
    before = sheet.get("texts.result")
    long = ("市税等の納付書にキャッシュレス決済を導入し、納付件数の一割が移行した。" * 1000)[
        : MAX_LONG_TEXT + 120
    ]
    with pytest.raises(EditError) as info:
        entry.edit(sheet, "texts.result", long)
    assert "32,767字を超えています（120字超過）。短くしてください" in str(info.value)
    assert sheet.get("texts.result") == before  # not stored cut …
    assert sheet.display("texts.result") == long  # … but shown whole as typed
    entry.close()
    kept = _kept(demo_db)
    assert len(kept["texts.result"]) == MAX_LONG_TEXT + 120  # whole in the database

    # after a restart: still whole, an error of the check, the export refused
    _desk, entry, sheet = _open(demo_db)
    assert sheet.display("texts.result") == long
    report = _check(demo_db)
    found = [i.finding for i in report.items if i.finding.check_id == "REQ-TEXT-MAX"]
    assert [f.measure_code for f in found] == [CASHLESS]
    assert "「取組結果」が32,767字を超えています（120字超過）" in found[0].message
    assert long[:50] not in found[0].message  # the message does not repeat the text
    assert not report.can_export
    mine = [i.finding for i in report.items if i.finding.measure_code == CASHLESS]
    assert not [f for f in mine if f.check_id == "REQ-TEXT" and f.field == "texts.result"]  # not 「未入力」

    # shortened to the limit: stored whole, the error gone
    entry.edit(sheet, "texts.result", long[:MAX_LONG_TEXT])
    entry.close()
    assert _kept(demo_db) == {}
    with demo_db.session() as s:
        texts = [t.text for t in s.scalars(select(SheetText).where(SheetText.field == "result"))]
    assert long[:MAX_LONG_TEXT] in texts
    assert not [i for i in _check(demo_db).items if i.finding.check_id == "REQ-TEXT-MAX"]


# --- milestone month and year -------------------------------------------------------------------
def test_a_bad_milestone_month_or_year_is_kept_as_typed(demo_db):
    _desk, entry, sheet = _open(demo_db, DISASTER)
    assert len(sheet.milestones) >= 2
    with pytest.raises(EditError, match="予定月は1〜12"):
        entry.edit(sheet, "milestones[1].due_month", "13月")
    with pytest.raises(EditError, match="年度として読み取れません"):
        entry.edit(sheet, "milestones[1].due_fy", "R8.13")
    entry.close()
    assert _kept(demo_db) == {"milestones[1].due_month": "13月", "milestones[1].due_fy": "R8.13"}
    found = [i.finding for i in _check(demo_db).items if i.finding.check_id == "REQ-UNREAD"]
    assert {f.field for f in found} == {"milestones[1].due_month", "milestones[1].due_fy"}
    assert any("「13月」" in f.message for f in found)

    # the row above is removed: the kept input moves up with its row
    _desk, entry, sheet = _open(demo_db, DISASTER)
    assert sheet.unread_at("milestones[1].due_month").typed == "13月"
    entry.commit(sheet, [sheet.remove_milestone(0)])
    assert set(sheet.unread) == {"milestones[0].due_month", "milestones[0].due_fy"}
    entry.close()
    assert _kept(demo_db) == {"milestones[0].due_month": "13月", "milestones[0].due_fy": "R8.13"}

    # fixed: gone everywhere
    _desk, entry, sheet = _open(demo_db, DISASTER)
    entry.edit(sheet, "milestones[0].due_month", "12月")
    entry.edit(sheet, "milestones[0].due_fy", "R8")
    entry.close()
    assert _kept(demo_db) == {}
