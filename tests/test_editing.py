"""Editing a yearly sheet field by field: normalisation, validation, grade override, writing back."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from dxdesk.domain.editing import EditError
from dxdesk.domain.enums import EntryStatus, Grade
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import AuditLog, CostRow, IndicatorValue, Measure, MeasureYear, Milestone, SheetText
from dxdesk.store.queries import current_plan
from dxdesk.store.sheet_store import apply_changes, load_sheet
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026


@pytest.fixture
def sdb(db):
    with db.session(audit=False) as s:
        import_dataset(s, synthetic_dataset(2, 10, seed=5, indicators_per_measure=2))
    return db


def find_measure(db, predicate):
    from dxdesk.store.queries import measure_rows

    with db.session() as s:
        plan = current_plan(s)
        for r in measure_rows(s, plan, FY):
            if predicate(r):
                return r.id
    raise AssertionError("no measure matches")


def kpi_with_baseline(r):
    inds = r.snapshot.indicators
    return (
        r.stage is not None
        and r.stage.value in ("2", "4")
        and len(inds) == 2
        and all(
            i.value_type.value == "numeric" and i.baseline.is_number and i.direction.value == "up"
            for i in inds
        )
    )


def open_sheet(db, mid):
    with db.session() as s:
        return load_sheet(s, mid, FY)


def save(db, sheet, changes):
    with db.session(user="担当 太郎") as s:
        apply_changes(s, sheet.measure_id, sheet.fy, changes)


def test_full_width_digits_and_commas_are_normalised_and_rate_follows(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    sheet.set("indicators[0].target@2026", "1,000")
    change = sheet.set("indicators[0].actual", "１，２３４")
    assert change is not None and change.new == "1234"
    assert change.path == "indicators[0].actual@2026"
    assert sheet.display("indicators[0].actual@2026") == "1,234"
    assert sheet.rate(0).display == "123.4%"
    sheet.set("indicators[0].actual@2026", "500")
    assert sheet.rate(0).display == "50.0%"


def test_suggested_grade_changes_with_the_actual(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    bases = [ind.baseline.number for ind in sheet.indicators]
    for i, base in enumerate(bases):
        sheet.set(f"indicators[{i}].target@2026", str(base * 2))
        sheet.set(f"indicators[{i}].actual@2026", str(base * 3))
    assert sheet.evaluate().suggestion.grade is Grade.A
    for i, base in enumerate(bases):
        sheet.set(f"indicators[{i}].actual@2026", str(base - 1))
    assert sheet.evaluate().suggestion.grade is Grade.D
    assert "悪化" in sheet.evaluate().suggestion.explanation


def test_not_applicable_is_kept_apart_from_blank(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    assert sheet.set("indicators[0].actual@2026", "／").new == "—"
    assert sheet.display("indicators[0].actual@2026") == "—"
    assert sheet.set("indicators[0].actual@2026", "").new is None


def test_bad_numbers_get_a_japanese_message_and_change_nothing(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    before = sheet.get("indicators[0].actual@2026")
    with pytest.raises(EditError, match="数値として読み取れません"):
        sheet.set("indicators[0].actual@2026", "たくさん")
    with pytest.raises(EditError, match="カンマ"):
        sheet.set("indicators[0].actual@2026", "12,34")
    assert sheet.get("indicators[0].actual@2026") == before


def test_past_years_are_read_only(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    assert not sheet.editable("indicators[0].actual@2025")
    with pytest.raises(EditError, match="R7の値は確定済み"):
        sheet.set("indicators[0].actual@2025", "10")
    with pytest.raises(EditError, match="確定済み"):
        sheet.set("costs[2024].budget", "10")


def test_grade_override_needs_a_reason(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    suggested = sheet.evaluate().suggestion.grade
    other = next(g for g in Grade if g != suggested)
    with pytest.raises(EditError, match="理由を入力してください"):
        sheet.set_self_grade(other.value, "")
    assert sheet.get("self_grade") is None
    changes = sheet.set_self_grade(other.value, "年度途中に制度改正があり、実質的には目標を達成したため。")
    assert [c.path for c in changes] == ["override_reason", "self_grade"]
    ev = sheet.evaluate()
    assert ev.self_grade is other and ev.is_override and ev.grade is other
    assert not [f for f in ev.findings if f.check_id == "REQ-OVERRIDE-REASON"]
    with pytest.raises(EditError, match="理由は空にできません"):
        sheet.set("override_reason", "  ")
    # choosing the suggested grade again is not an override and needs no reason
    sheet.set_self_grade(suggested.value if suggested else "", "")
    assert sheet.get("self_grade") is None


def test_full_width_grade_letter(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    suggested = sheet.evaluate().suggestion.grade
    other = next(g for g in "ABCD" if g != (suggested.value if suggested else ""))
    full = chr(ord(other) + 0xFEE0)
    sheet.set_self_grade(full, "理由")
    assert sheet.get("self_grade") == other


def test_texts_limits_and_the_excel_cell_limit(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    with pytest.raises(EditError, match="32,767字を超えています（7,233字超過）。短くしてください"):
        sheet.set("texts.result", "あ" * 40_000)
    assert sheet.display("texts.result") == "あ" * 40_000  # kept whole as typed, not stored
    assert [f.check_id for f in sheet.evaluate().findings if f.field == "texts.result"] == ["REQ-TEXT-MAX"]
    sheet.set("texts.result", "あ" * 801)
    count = sheet.text_count("result")
    assert count.over and count.display == "801 / 800文字"
    assert any(f.check_id == "REQ-TEXT-LIMIT" for f in sheet.evaluate().findings)
    assert sheet.set("texts.result", "一行目\r\n二行目").new == "一行目\n二行目"
    with pytest.raises(EditError, match="ありません"):
        sheet.set("texts.no_such_field", "x")


def test_perspectives_direction_stage(sdb):
    jimu = find_measure(sdb, lambda r: r.kind == "jimu")
    sheet = open_sheet(sdb, jimu)
    assert sheet.set("perspectives.needs", "５").new == "5"
    with pytest.raises(EditError, match="1〜5"):
        sheet.set("perspectives.needs", "6")
    with pytest.raises(EditError, match="方向性は次から選んでください"):
        sheet.set("direction", "前進")
    sheet.set("direction", "縮小")
    sheet.set("direction_reason", "")
    assert any(f.check_id == "REQ-DIRECTION-REASON" for f in sheet.evaluate().findings)
    assert sheet.set("stage", "ステージ4").new == "4"


def test_costs_normalised_and_summarised(sdb):
    from dxdesk.domain.cost_summary import summarize_cost

    sheet = open_sheet(sdb, find_measure(sdb, lambda r: r.kind == "jimu"))
    assert sheet.set("costs[2026].settlement", "１２，０００").new == "12000"
    with pytest.raises(EditError, match="マイナス"):
        sheet.set("costs[2026].budget", "△5")
    sheet.set("costs[2026].budget", "20,000")
    sheet.set("costs[2026].fund_general", "10000")
    sheet.set("costs[2026].fund_national", "1000")
    summary = summarize_cost(sheet.snapshot.costs[2026])
    assert summary.funding_total == Decimal("11000") and summary.funding_matches is False
    assert summary.execution_rate_display == "60.0%"
    assert "1,000 少なく" in summary.message
    codes = {f.check_id for f in sheet.evaluate().findings}
    assert {"VAL-FUNDING-SUM", "AUD-LOW-EXECUTION"} <= codes
    assert sheet.set("costs[2026].part_time_staff", "あり").new == "有"


def test_changes_are_written_to_the_database_with_the_audit_trail(sdb):
    mid = find_measure(sdb, lambda r: r.kind == "jimu")
    sheet = open_sheet(sdb, mid)
    changes = [
        sheet.set("indicators[0].actual@2026", "42"),
        sheet.set("texts.outcome", "窓口の待ち時間が短くなった。"),
        sheet.set("perspectives.progress", "3"),
        sheet.set("costs[2026].settlement", "1000"),
        sheet.set("entry_status", "complete"),
    ]
    save(sdb, sheet, [c for c in changes if c])
    again = open_sheet(sdb, mid)
    for path in (
        "indicators[0].actual@2026",
        "texts.outcome",
        "perspectives.progress",
        "costs[2026].settlement",
        "entry_status",
    ):
        assert again.get(path) == sheet.get(path), path
    with sdb.session() as s:
        log = s.scalars(select(AuditLog).where(AuditLog.field == "texts.outcome")).all()
        assert log and log[-1].user_name == "担当 太郎"
        assert log[-1].new_value == "窓口の待ち時間が短くなった。"


def test_clearing_a_value_and_a_text_in_the_database(sdb):
    mid = find_measure(sdb, kpi_with_baseline)
    sheet = open_sheet(sdb, mid)
    save(sdb, sheet, [sheet.set("indicators[0].actual@2026", "7"), sheet.set("texts.issue_org", "人員不足")])
    save(sdb, sheet, [sheet.set("indicators[0].actual@2026", ""), sheet.set("texts.issue_org", "")])
    with sdb.session() as s:
        m = s.get(Measure, mid)
        v = next(v for v in m.indicators[0].values if v.fiscal_year == FY)
        assert v.actual is None
        my = next(y for y in m.years if y.fiscal_year == FY)
        assert [t.text for t in my.texts if t.field == "issue_org"] == [""]
    assert open_sheet(sdb, mid).display("texts.issue_org") == ""


def test_milestones_add_edit_remove_round_trip(sdb):
    mid = find_measure(sdb, lambda r: r.stage is not None and r.stage.value == "1")
    sheet = open_sheet(sdb, mid)
    n = len(sheet.milestones)
    c1 = sheet.add_milestone("運用マニュアルの作成", "R8", "１２")
    c2 = sheet.set(f"milestones[{n}].status", "完了")
    c3 = sheet.set("milestones[0].due_fy", "令和9年度")
    save(sdb, sheet, [c1, c2, c3])
    again = open_sheet(sdb, mid)
    assert again.milestones[n] == {
        "text": "運用マニュアルの作成",
        "due_fy": 2026,
        "due_month": 12,
        "status": "done",
    }
    assert again.milestones[0]["due_fy"] == 2027
    with pytest.raises(EditError, match="内容を入力"):
        again.set(f"milestones[{n}].text", "")
    save(sdb, again, [again.remove_milestone(0)])
    with sdb.session() as s:
        my = s.scalar(select(MeasureYear).where(MeasureYear.measure_id == mid, MeasureYear.fiscal_year == FY))
        assert [m.text for m in my.milestones][-1] == "運用マニュアルの作成"
        assert len(s.scalars(select(Milestone).where(Milestone.measure_year_id == my.id)).all()) == n


def test_a_new_year_row_is_created_when_missing(sdb):
    mid = find_measure(sdb, kpi_with_baseline)
    with sdb.session() as s:
        sheet = load_sheet(s, mid, 2027)
    assert sheet.evaluate().status is EntryStatus.EMPTY
    save(sdb, sheet, [sheet.set("texts.result", "翌年度の取組"), sheet.set("costs[2027].budget", "5")])
    with sdb.session() as s:
        my = s.scalar(
            select(MeasureYear).where(MeasureYear.measure_id == mid, MeasureYear.fiscal_year == 2027)
        )
        assert [t.text for t in my.texts] == ["翌年度の取組"]
        assert (
            s.scalar(select(CostRow).where(CostRow.measure_id == mid, CostRow.fiscal_year == 2027)).budget
            == 5
        )


def test_basic_fields_only_where_the_plan_allows(sdb):
    mid = find_measure(sdb, kpi_with_baseline)
    sheet = open_sheet(sdb, mid)
    with pytest.raises(EditError, match="所管課が管理"):
        sheet.set("basic.purpose", "新しい目的")
    with sdb.session() as s:
        plan = current_plan(s)
        import json

        settings = json.loads(plan.settings_json)
        settings["section_editable_fields"] = ["purpose"]
        plan.settings_json = json.dumps(settings, ensure_ascii=False)
    sheet = open_sheet(sdb, mid)
    save(sdb, sheet, [sheet.set("basic.purpose", "新しい目的")])
    with sdb.session() as s:
        assert s.get(Measure, mid).purpose == "新しい目的"


def test_status_follows_entry(sdb):
    mid = find_measure(sdb, lambda r: r.status is EntryStatus.EMPTY)
    sheet = open_sheet(sdb, mid)
    sheet.set("texts.result", "着手した")
    assert sheet.evaluate().status is EntryStatus.IN_PROGRESS
    sheet.set("entry_status", "入力完了")
    status = sheet.evaluate().status
    assert status in (EntryStatus.COMPLETE, EntryStatus.NEEDS_CHECK)
    assert (status is EntryStatus.NEEDS_CHECK) == (sheet.evaluate().errors > 0)


def test_value_rows_are_not_duplicated(sdb):
    mid = find_measure(sdb, kpi_with_baseline)
    sheet = open_sheet(sdb, mid)
    for v in ("1", "2", "3"):
        save(sdb, sheet, [sheet.set("indicators[1].actual@2026", v)])
    with sdb.session() as s:
        m = s.get(Measure, mid)
        rows = s.scalars(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == m.indicators[1].id, IndicatorValue.fiscal_year == FY
            )
        ).all()
        assert len(rows) == 1 and rows[0].actual == "3"
        assert s.scalars(select(SheetText)).first() is not None


def test_values_typed_as_published_are_read_in_the_sheet(sdb):
    sheet = open_sheet(sdb, find_measure(sdb, kpi_with_baseline))
    assert sheet.set("indicators[0].actual@2026", "１，２３４．５").new == "1234.5"
    assert sheet.set("indicators[0].actual@2026", "累計 3 210").new == "3210"
    assert sheet.set("indicators[0].actual@2026", "約 12").new == "12"
    with pytest.raises(EditError) as err:
        sheet.set("indicators[0].actual@2026", "累計 3,210 人ほど")
    assert "カンマ" not in str(err.value) and "「累計・3,210」まで読み取りました" in str(err.value)
