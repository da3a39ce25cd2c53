"""Plan master: the template round trip, re-imports that change nothing, updates by code that keep what
sections entered, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from dxdesk.central.plan_master import export_template, import_plan_master, write_template
from dxdesk.store.database import open_database
from dxdesk.store.models import AuditLog, IndicatorValue, Measure, MeasureYear, Plan
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import get_setting
from tests.central.conftest import FY, edit_cells, find_row, plan_dump


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names if name != "説明"}


def test_template_round_trip_into_a_new_database(demo_master, tmp_path):
    db = open_database(tmp_path / "new.sqlite")
    try:
        result = import_plan_master(db, demo_master.workbook)
        assert result.ok and result.applied, [str(p) for p in result.problems]
        assert result.changes.count("施策", "added") == 46
        assert result.changes.count("指標", "added") == 61
        export_template(db, tmp_path / "again.xlsx")
        with db.session() as s:
            assert get_setting(s, "role") == "central"
            assert current_plan(s).code == "demo-dx"
    finally:
        db.dispose()
    # export → import → export gives the same workbook, cell for cell
    assert _sheets(tmp_path / "again.xlsx") == _sheets(demo_master.workbook)


def test_importing_the_same_file_again_changes_nothing(central_copy):
    db, workbook = central_copy
    before = plan_dump(db)
    with db.session() as s:
        audit_before = s.scalar(select(func.count(AuditLog.id)))
        updated_before = s.scalar(select(Plan.updated_at))
    for _ in range(2):
        result = import_plan_master(db, workbook)
        assert result.ok, [str(p) for p in result.problems]
        assert not result.changes.any
        assert result.summary().startswith("変更はありません")
    assert plan_dump(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count(AuditLog.id))) == audit_before
        assert s.scalar(select(Plan.updated_at)) == updated_before


def test_a_changed_file_updates_by_code_and_keeps_what_sections_entered(central_copy):
    db, workbook = central_copy
    before = plan_dump(db)
    m088 = next(m for m in before["measures"] if m["code"] == "088")
    texts_before = m088["years"]["2026"].get("texts")
    r = find_row(workbook, "施策", 施策コード="088")
    edit_cells(
        workbook,
        "施策",
        {(r, "施策名"): "情報通信ネットワーク運営業務（改）", (r, "関連課コード"): "S012、S014"},
        append=[
            {
                "施策コード": "900",
                "施策名": "新しい施策",
                "体系コード": "3-2",
                "種別": "施策",
                "担当課コード": "S011",
            }
        ],
    )
    ri = find_row(workbook, "指標", 施策コード="088", 指標コード="1")
    edit_cells(
        workbook,
        "指標",
        {(ri, "R9目標"): 250, (ri, "R3目標"): "２８０．０", (ri, "基準値"): "1,234.5"},
        append=[
            {
                "施策コード": "900",
                "指標コード": "1",
                "指標名": "利用件数",
                "単位": "件",
                "区分": "成果指標",
                "方向": "増加",
                "R8目標": "1,200",
                "R9目標": "△5",
            },
            {
                "施策コード": "900",
                "指標コード": "2",
                "指標名": "移行状況",
                "値の種類": "定性",
                "R8目標": "移行完了",
                "R9目標": "—",
            },
        ],
    )
    ra = find_row(workbook, "過去の実績", 施策コード="088", 指標コード="1")
    edit_cells(workbook, "過去の実績", {(ra, "R7実績"): "1.5"})
    edit_cells(
        workbook,
        "マイルストーン",
        {},
        append=[
            {"施策コード": "900", "年度": "R8", "内容": "要件定義", "期限年度": "令和8年度", "期限月": "９"}
        ],
    )

    result = import_plan_master(db, workbook)
    assert result.ok, [str(p) for p in result.problems]
    assert result.changes.count("施策", "added") == 1
    assert result.changes.count("施策", "changed") == 1
    assert result.changes.count("指標", "added") == 2
    after = plan_dump(db)
    new088 = next(m for m in after["measures"] if m["code"] == "088")
    assert new088["name"] == "情報通信ネットワーク運営業務（改）"
    assert new088["related"] == ["S012", "S014"]
    values = new088["indicators"][0]["values"]
    assert values["2027"]["target"] == "250.0"  # a number typed in Excel gets the indicator's one decimal
    assert values["2021"]["target"] == "280.0"  # full-width text, the same number as before
    assert new088["indicators"][0]["baseline"] == "1234.5"
    assert values["2025"]["actual"] == "1.5"
    # what the section entered is untouched: texts, this year's actual, grade, costs
    assert new088["years"]["2026"].get("texts") == texts_before
    assert new088["years"] == m088["years"]
    assert new088["costs"] == m088["costs"]
    assert values["2026"].get("actual") == m088["indicators"][0]["values"]["2026"].get("actual")
    m900 = next(m for m in after["measures"] if m["code"] == "900")
    assert m900["node"] == "3-2" and m900["owner"] == "S011"
    assert m900["indicators"][0]["values"]["2026"] == {"target": "1200"}
    assert m900["indicators"][0]["values"]["2027"] == {"target": "-5"}
    assert m900["indicators"][1]["value_type"] == "qualitative"
    assert m900["indicators"][1]["values"]["2026"] == {"target": "移行完了"}
    assert m900["indicators"][1]["values"]["2027"] == {"target": "—"}
    assert m900["years"]["2026"]["milestones"] == [{"text": "要件定義", "due_fy": 2026, "due_month": 9}]
    # other measures did not move
    others = [m for m in after["measures"] if m["code"] not in ("088", "900")]
    assert others == [m for m in before["measures"] if m["code"] != "088"]
    # the new measure is placed where its row is: last
    with db.session() as s:
        codes = list(s.scalars(select(Measure.code).order_by(Measure.sort_order)))
    assert codes[-1] == "900"
    # and a second import of the edited file changes nothing
    assert not import_plan_master(db, workbook).changes.any


def test_survey_year_actuals_and_self_grades_survive_an_old_template(central_copy, tmp_path):
    """A template exported before the sections' data arrived does not wipe it."""
    db, workbook = central_copy
    with db.session() as s:
        my = s.scalar(
            select(MeasureYear).join(Measure).where(Measure.code == "088", MeasureYear.fiscal_year == FY)
        )
        my.self_grade = "B"
        my.grade_override_reason = "総合的に判断した"
        value = s.scalar(
            select(IndicatorValue)
            .join(IndicatorValue.indicator)
            .where(IndicatorValue.fiscal_year == FY)
            .join(Measure)
            .where(Measure.code == "088")
        )
        value.actual = "12.0"
    result = import_plan_master(db, workbook)
    assert result.ok and not result.changes.any
    after = plan_dump(db)
    m = next(m for m in after["measures"] if m["code"] == "088")
    assert m["years"]["2026"]["self_grade"] == "B"
    assert m["indicators"][0]["values"]["2026"]["actual"] == "12.0"


def test_blank_past_actual_keeps_the_value_and_removing_an_indicator_with_actuals_is_refused(central_copy):
    db, workbook = central_copy
    before = plan_dump(db)
    ra = find_row(workbook, "過去の実績", 施策コード="088", 指標コード="1")
    edit_cells(workbook, "過去の実績", {(ra, "R5実績"): None})
    result = import_plan_master(db, workbook)
    assert result.ok and not result.changes.any
    assert plan_dump(db) == before
    wb = openpyxl.load_workbook(workbook)
    wb["指標"].delete_rows(find_row(workbook, "指標", 施策コード="089", 指標コード="2"))
    wb.save(workbook)
    result = import_plan_master(db, workbook)
    assert not result.ok and not result.applied
    assert any("実績" in p.message and "使用終了年度" in p.message for p in result.errors)
    assert plan_dump(db) == before


def test_indicator_ends_instead_of_being_removed(central_copy):
    db, workbook = central_copy
    ri = find_row(workbook, "指標", 施策コード="088", 指標コード="1")
    edit_cells(workbook, "指標", {(ri, "使用終了年度"): "R8"})
    result = import_plan_master(db, workbook)
    assert result.ok and result.changes.count("指標", "changed") == 1
    m = next(m for m in plan_dump(db)["measures"] if m["code"] == "088")
    assert m["indicators"][0]["valid_to_fy"] == 2026


def test_dry_run_reports_changes_and_writes_nothing(central_copy):
    db, workbook = central_copy
    before = plan_dump(db)
    r = find_row(workbook, "施策", 施策コード="088")
    edit_cells(workbook, "施策", {(r, "施策名"): "名前を変える"})
    result = import_plan_master(db, workbook, dry_run=True)
    assert result.ok and not result.applied and result.changes.count("施策", "changed") == 1
    assert result.summary().startswith("確認のみ")
    assert plan_dump(db) == before


def test_template_has_instructions_lists_and_the_plans_settings(demo_master, tmp_path):
    wb = openpyxl.load_workbook(demo_master.workbook)
    assert wb.sheetnames[:2] == ["説明", "基本設定"]
    cover = "\n".join(str(c.value) for row in wb["説明"].iter_rows() for c in row if c.value)
    assert "入力のきまり" in cover and "シート・行・列・内容" in cover
    ind = wb["指標"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ind.data_validations.dataValidation}
    header = {c.value: c.column_letter for c in ind[1]}
    assert lists[f"{header['区分']}2"] == '"活動指標,成果指標"'
    assert lists[f"{header['方向']}2"] == '"増加,減少,維持"'
    assert lists[f"{header['値の種類']}2"] == '"数値,定性"'
    measures = wb["施策"]
    mlists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in measures.data_validations.dataValidation}
    mheader = {c.value: c.column_letter for c in measures[1]}
    assert mlists[f"{mheader['担当課コード']}2"].startswith("'課所室'!$A$2")
    assert "市長公約" in mheader  # a plan attribute has its own column
    assert ind[1][0].comment is not None  # help on the header
    plan = {r[0].value: r[1].value for r in wb["基本設定"].iter_rows(min_row=2)}
    assert plan["計画コード"] == "demo-dx" and plan["調査年度"] == "R8"
    assert plan["計画体系の階層名"] == "分野、重点課題、施策"
    # the empty template
    write_template(tmp_path / "empty.xlsx")
    empty = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert empty["施策"].max_row == 1 and empty["種別"]["B2"].value == "施策"


def test_a_filled_empty_template_creates_a_central_plan(tmp_path):
    path = write_template(tmp_path / "empty.xlsx")
    wb = openpyxl.load_workbook(path)
    plan = wb["基本設定"]
    for row in plan.iter_rows(min_row=2):
        if row[0].value == "計画コード":
            row[1].value = "city-dx"
        if row[0].value == "計画名":
            row[1].value = "テスト市DX計画"
        if row[0].value == "調査年度":
            row[1].value = "令和８年度"
    wb["部局"].append(["B1", "総務部"])
    wb["課所室"].append(["S1", "情報課", "B1"])
    wb["計画体系"].append(["1", "行政のデジタル化"])
    wb["施策"].append(["M1", "電子申請の拡大", "1", "施策", "S1"])
    wb.save(path)
    db = open_database(tmp_path / "c.sqlite")
    try:
        result = import_plan_master(db, path)
        assert result.ok, [str(p) for p in result.problems]
        with db.session() as s:
            plan = current_plan(s)
            assert (plan.code, plan.name, plan.current_fy) == ("city-dx", "テスト市DX計画", 2026)
            assert get_setting(s, "role") == "central"
    finally:
        db.dispose()


def test_cli_template_and_import(central_copy, tmp_path):
    db, _workbook = central_copy
    url = db.url
    out = tmp_path / "cli.xlsx"
    exe = [sys.executable, "-m", "dxdesk"]
    done = subprocess.run(
        [*exe, "plan-template", "--db", url, "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0 and out.exists(), done.stderr
    ok = subprocess.run([*exe, "import-plan", "--db", url, str(out)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().splitlines()[-1].startswith("OK ") and "変更はありません" in ok.stdout
    r = find_row(out, "施策", 施策コード="088")
    r2 = find_row(out, "施策", 施策コード="089")
    edit_cells(out, "施策", {(r, "施策名"): None, (r2, "担当課コード"): "S999"})
    ng = subprocess.run(
        [*exe, "import-plan", "--db", url, str(out), "--dry-run"], capture_output=True, text=True
    )
    assert ng.returncode == 1
    lines = ng.stdout.strip().splitlines()
    problems = [line.split("\t") for line in lines if line.startswith("エラー\t")]
    assert ["エラー", "施策", str(r), "B（施策名）", "施策名が空欄です。"] in problems
    assert any(p[2] == str(r2) and p[3] == "E（担当課コード）" and "S999" in p[4] for p in problems)
    assert lines[-1].startswith("NG ")


def test_docs_name_every_sheet_and_column():
    from dxdesk.central.plan_master.layout import PLAN_ITEMS, SHEETS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "plan-master.md").read_text(encoding="utf-8")
    for spec in SHEETS:
        assert f"### {spec.name}" in doc
        for col in spec.columns:
            assert col.header in doc, (spec.name, col.header)
    for item in PLAN_ITEMS:
        assert item.label in doc, item.label
