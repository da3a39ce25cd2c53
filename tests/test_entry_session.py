"""The editing session: autosave on a background thread, undo/redo per sheet, failures reported."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dxdesk.domain.editing import FieldChange
from dxdesk.store.autosave import SaveQueue, SaveResult, describe_save_error
from dxdesk.store.dataset import import_dataset
from dxdesk.store.entry import EntrySession
from dxdesk.store.history import EditHistory
from dxdesk.store.models import AuditLog, Measure
from dxdesk.store.sheet_store import load_sheet
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026


@pytest.fixture
def sdb(db):
    with db.session(audit=False) as s:
        import_dataset(s, synthetic_dataset(1, 6, seed=3, indicators_per_measure=2))
    return db


@pytest.fixture
def session(sdb):
    results: list[SaveResult] = []
    es = EntrySession(sdb, user="入力 花子", on_saved=results.append)
    es.results = results
    yield es
    es.close()


def first_kpi(db):
    with db.session() as s:
        ids = s.scalars(select(Measure.id).order_by(Measure.id)).all()
        for mid in ids:
            sheet = load_sheet(s, mid, FY)
            if sheet.indicators and sheet.editable("indicators[0].actual@2026"):
                return mid
    raise AssertionError


def stored_actual(db, mid, i=0):
    with db.session() as s:
        return load_sheet(s, mid, FY).get(f"indicators[{i}].actual@2026")


def test_edits_are_saved_in_order_and_reported(session, sdb):
    mid = first_kpi(sdb)
    sheet = session.open_sheet(mid, FY)
    for v in ("1", "22", "333"):
        session.edit(sheet, "indicators[0].actual", v)
    assert session.flush(10)
    assert stored_actual(sdb, mid) == "333"
    assert [r.ok for r in session.results] == [True, True, True]
    assert session.results[-1].label.endswith("R8 実績）")
    with sdb.session() as s:
        users = {a.user_name for a in s.scalars(select(AuditLog))}
    assert users == {"入力 花子"}


def test_reopening_a_sheet_shows_unsaved_changes_from_memory(session, sdb):
    mid = first_kpi(sdb)
    sheet = session.open_sheet(mid, FY)
    session.edit(sheet, "indicators[0].actual", "77")
    assert session.open_sheet(mid, FY) is sheet


def test_undo_and_redo_per_sheet(session, sdb):
    mid = first_kpi(sdb)
    sheet = session.open_sheet(mid, FY)
    before = sheet.get("indicators[0].actual@2026")
    session.edit(sheet, "indicators[0].actual", "10")
    session.edit(sheet, "indicators[1].actual", "20")
    assert session.history(sheet).undo_label.endswith("R8 実績）")
    session.undo(sheet)
    assert sheet.get("indicators[1].actual@2026") != "20"
    session.undo(sheet)
    assert sheet.get("indicators[0].actual@2026") == before
    session.flush(10)
    assert stored_actual(sdb, mid) == before
    session.redo(sheet)
    session.flush(10)
    assert stored_actual(sdb, mid) == "10"
    # another sheet has its own history
    other = session.open_sheet(mid + 1, FY)
    assert not session.history(other).can_undo


def test_grade_override_and_its_reason_undo_together(session, sdb):
    mid = first_kpi(sdb)
    sheet = session.open_sheet(mid, FY)
    suggested = sheet.evaluate().suggestion.grade
    other = next(g for g in "ABCD" if suggested is None or g != suggested.value)
    session.set_self_grade(sheet, other, "理由あり")
    assert sheet.get("self_grade") == other
    session.undo(sheet)
    assert sheet.get("self_grade") is None and sheet.get("override_reason") == ""
    session.flush(10)
    with sdb.session() as s:
        again = load_sheet(s, mid, FY)
        assert again.get("self_grade") is None


def test_coalesced_typing_is_one_undo_step():
    h = EditHistory()
    h.record([FieldChange("texts.result", "", "取", "取組結果")], coalesce=True)
    h.record([FieldChange("texts.result", "取", "取組", "取組結果")], coalesce=True)
    h.record([FieldChange("texts.result", "取組", "取組を実施", "取組結果")], coalesce=True)
    h.seal()
    h.record([FieldChange("texts.result", "取組を実施", "取組を実施した", "取組結果")], coalesce=True)
    assert h.undo() == [FieldChange("texts.result", "取組を実施した", "取組を実施", "取組結果")]
    assert h.undo() == [FieldChange("texts.result", "取組を実施", "", "取組結果")]
    assert not h.can_undo and h.can_redo
    h.record([FieldChange("stage", None, "2", "ライフサイクル")])
    assert not h.can_redo


def test_typing_and_deleting_again_leaves_nothing_to_undo():
    h = EditHistory()
    h.record([FieldChange("texts.result", "", "あ", "取組結果")], coalesce=True)
    h.record([FieldChange("texts.result", "あ", "", "取組結果")], coalesce=True)
    assert not h.can_undo


def test_a_failed_write_is_reported_and_the_sheet_reloaded(session, sdb):
    mid = first_kpi(sdb)
    sheet = session.open_sheet(mid, FY)
    before = stored_actual(sdb, mid)
    lock = sdb.engine.raw_connection()
    lock.execute("BEGIN EXCLUSIVE")  # another program holds the database
    try:
        session.db.engine.dispose()
        import dxdesk.store.database as database

        # make the writer give up quickly instead of waiting 10 s for the lock
        orig = database._sqlite_pragmas

        def short_timeout(conn, rec):
            orig(conn, rec)
            conn.execute("PRAGMA busy_timeout=100")

        from sqlalchemy import event

        event.remove(sdb.engine, "connect", orig)
        event.listen(sdb.engine, "connect", short_timeout)
        session.edit(sheet, "indicators[0].actual", "999")
        assert session.flush(20)
    finally:
        lock.rollback()
        lock.close()
    failed = session.results[-1]
    assert not failed.ok and "使用中" in failed.message
    assert session.is_stale(sheet)
    again = session.open_sheet(mid, FY)
    assert again is not sheet and again.get("indicators[0].actual@2026") == before


def test_save_queue_runs_jobs_off_the_calling_thread(sdb):
    threads = []
    done = threading.Event()
    q = SaveQueue(sdb, on_done=lambda r: done.set())
    q.submit("job", lambda s: threads.append(threading.current_thread().name))
    assert q.flush(5) and done.wait(5)
    assert threads == ["dxdesk-autosave"]
    assert q.close()
    with pytest.raises(RuntimeError):
        q.submit("late", lambda s: None)


def test_save_error_messages_are_japanese():
    assert "使用中" in describe_save_error(OperationalError("x", {}, Exception("database is locked")))
    assert "空き容量" in describe_save_error(OSError("No space left on device"))
    assert "保存できませんでした" in describe_save_error(ValueError("bug"))


def test_only_the_survey_year_is_editable(sdb):
    from dxdesk.domain.editing import EditError

    es = EntrySession(sdb, survey_fy=FY)
    try:
        mid = first_kpi(sdb)
        past = es.open_sheet(mid, 2025)
        assert not past.editable("texts.result")
        with pytest.raises(EditError, match="令和7年度のシートは参照のみです"):
            es.edit(past, "texts.result", "x")
        assert es.open_sheet(mid, FY).editable("texts.result")
    finally:
        es.close()
