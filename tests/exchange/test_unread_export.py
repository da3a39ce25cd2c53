"""The submission cannot be written while a cell holds text that could not be read, and the list says
where each sheet stands after an export."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from dxdesk.exchange.errors import ExportBlocked
from dxdesk.exchange.submission import export_submission
from dxdesk.section_desk import EditError, SectionDesk, SubmissionState
from dxdesk.store.database import open_database
from dxdesk.store.models import Indicator, Measure, ReceivedComment, ReceivedReview

FY = 2026


def _first_measure(db):
    with db.session() as s:
        m = s.scalar(
            select(Measure)
            .join(Indicator)
            .where(Measure.owner_section_code == "S001")
            .order_by(Measure.code)
            .limit(1)
        )
        return m.id, m.code


def test_unread_input_blocks_the_export_until_fixed(copy_world, tmp_path):
    db = open_database(copy_world.section_db)
    try:
        desk = SectionDesk(db)
        start = desk.start_state()
        mid, code = _first_measure(db)
        entry = desk.entry_session(settings=start.plan.settings, survey_fy=FY, user="山田")
        sheet = entry.open_sheet(mid, FY)
        path = f"indicators[0].actual@{FY}"
        with pytest.raises(EditError):
            entry.edit(sheet, path, "abc")
        entry.flush()
        assert any(f.check_id == "REQ-UNREAD" for f in desk.submission_start(FY, "S001").findings)
        with pytest.raises(ExportBlocked) as info:
            export_submission(db, FY, "S001", "山田", "佐藤", tmp_path / "out")
        assert [(f.check_id, f.measure_code) for f in info.value.findings] == [("REQ-UNREAD", code)]
        assert "「abc」" in info.value.findings[0].message
        entry.edit(sheet, path, "12")
        entry.close()
        assert not [f for f in desk.submission_start(FY, "S001").findings if f.check_id == "REQ-UNREAD"]
    finally:
        db.dispose()


def test_submission_states_follow_export_edit_and_review(copy_world):
    db = open_database(copy_world.section_db)  # revision 1 was exported when the world was made
    try:
        desk = SectionDesk(db)
        start = desk.start_state()
        rows, _tree = desk.measure_list(start.plan.plan_id, FY, "S001", start.plan.settings)
        states = desk.submission_states(start.plan.plan_id, FY, rows)
        assert states.revision == 1
        assert {s.state for s in states.sheets.values()} == {SubmissionState.SUBMITTED}
        assert states.sheets[rows[0].id].label.startswith("提出済み 第1版（")

        # an edit after the export (its time is kept to the second, so let that second pass)
        time.sleep(1.0)
        entry = desk.entry_session(settings=start.plan.settings, survey_fy=FY, user="山田")
        sheet = entry.open_sheet(rows[0].id, FY)
        entry.edit(sheet, "texts.result", "窓口の手続を見直した。")
        entry.close()
        # the central office's review of revision 1: the second sheet returned with two comments
        with db.session() as s:
            review = ReceivedReview(
                plan_code=start.plan.code,
                fiscal_year=FY,
                section_code="S001",
                version=1,
                revision=1,
                payload_hash="0" * 64,
                file_name="review.xlsx",
            )
            for r, decision, texts in (
                (rows[1], "returned", ("根拠を追記してください。", "実績の単位を確認してください。")),
                (rows[2], "accepted", ("",)),
            ):
                for text in texts:
                    review.comments.append(
                        ReceivedComment(fiscal_year=FY, measure_code=r.code, decision=decision, text=text)
                    )
            s.add(review)
        states = desk.submission_states(start.plan.plan_id, FY, rows)
        assert states.sheets[rows[0].id].state is SubmissionState.CHANGED
        assert states.sheets[rows[1].id].label == "差戻し（コメント2件）"
        assert states.sheets[rows[2].id].label == "受理"
        assert "受理 1・差戻し 1・提出後に変更あり 1" in states.label
    finally:
        db.dispose()
