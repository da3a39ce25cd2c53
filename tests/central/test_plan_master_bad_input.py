"""Plan master: bad input is reported as 「シート・行・列・内容」 and nothing is imported while any error
remains; forgiving input (全角, 1,234, △, —) is accepted."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dxdesk.central.plan_master import import_plan_master, read_master
from dxdesk.store.database import open_database
from dxdesk.store.demo import create_demo_database
from tests.central.conftest import edit_cells, find_row, plan_dump


def _problems(result) -> list[tuple[str, int | None, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.sheet, p.row, p.column, p.message) for p in result.errors]


def _has(result, sheet: str, row: int | None, column_start: str, *words: str) -> bool:  # type: ignore[no-untyped-def]
    return any(
        s == sheet and r == row and c.startswith(column_start) and all(w in m for w in words)
        for s, r, c, m in _problems(result)
    )


def _refused(db, workbook: Path, before: dict):  # type: ignore[no-untyped-def]
    result = import_plan_master(db, workbook)
    assert not result.ok and not result.applied
    assert plan_dump(db) == before, "nothing may be imported while an error remains"
    return result


def test_every_problem_is_located_and_nothing_is_imported(central_copy):
    db, wb_path = central_copy
    before = plan_dump(db)
    r088 = find_row(wb_path, "施策", 施策コード="088")
    r089 = find_row(wb_path, "施策", 施策コード="089")
    edit_cells(
        wb_path,
        "施策",
        {(r088, "担当課コード"): "S999", (r089, "開始年度"): "平成40年度", (r089 + 1, "施策名"): None},
        append=[{"施策コード": "088", "施策名": "重複", "担当課コード": "S011"}],
    )
    ri = find_row(wb_path, "指標", 施策コード="089", 指標コード="1")
    edit_cells(wb_path, "指標", {(ri, "R8目標"): "abc", (ri, "区分"): "なんとか", (ri, "R9目標"): "1,23"})
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["指標"]
    header = {c.value: c.column for c in ws[1]}
    ws.cell(row=1, column=header["R7目標"]).value = "R7.5目標"
    wb["課所室"].append(["S011", "重複した課"])
    wb["課所室"].append(["S500", "新しい課", "B99"])
    wb.save(wb_path)
    result = _refused(db, wb_path, before)
    assert _has(result, "施策", r088, "E（担当課コード）", "S999", "課所室シートにありません")
    assert _has(result, "施策", r089, "M（開始年度）", "平成40年度は存在しません")
    assert _has(result, "施策", r089 + 1, "B（施策名）", "施策名が空欄です")
    n = openpyxl.load_workbook(wb_path)["施策"].max_row
    assert _has(result, "施策", n, "A（施策コード）", "088", "重複")
    assert _has(result, "指標", ri, "", "「abc」は数値として読み取れません")
    assert _has(result, "指標", ri, "F（区分）", "選択肢にありません")
    assert _has(result, "指標", ri, "", "カンマの位置")
    assert _has(result, "指標", 1, "", "R7.5目標", "年度が読み取れません")
    assert any(s == "課所室" and "S011" in m and "重なって" in m for s, _r, _c, m in _problems(result))
    assert any(s == "課所室" and "B99" in m for s, _r, _c, m in _problems(result))
    # the messages read as a list a person can work through
    text = str(result.errors[0])
    assert "シート" in text and "行目" in text and "：" in text


def test_forgiving_numbers_are_accepted(central_copy):
    db, wb_path = central_copy
    ri = find_row(wb_path, "指標", 施策コード="089", 指標コード="1")
    edit_cells(wb_path, "指標", {(ri, "R8目標"): "１，２３４", (ri, "R9目標"): "△５", (ri, "最終目標"): "―"})
    result = import_plan_master(db, wb_path)
    assert result.ok, [str(p) for p in result.problems]
    ind = next(m for m in plan_dump(db)["measures"] if m["code"] == "089")["indicators"][0]
    assert ind["values"]["2026"]["target"] == "1234"
    assert ind["values"]["2027"]["target"] == "-5"
    assert ind["final_target"] == "—"


def _with_long_cell(src: Path, dest: Path, marker: str, length: int) -> None:
    """Replace a marker text in the workbook's XML by ``length`` characters (openpyxl itself cuts
    texts at Excel's 32,767 characters, another program might not)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if marker.encode() in data:
                data = data.replace(marker.encode(), ("あ" * length).encode())
            zout.writestr(item, data)


def test_a_40000_character_cell_is_reported(central_copy, tmp_path):
    db, wb_path = central_copy
    before = plan_dump(db)
    r = find_row(wb_path, "施策", 施策コード="088")
    edit_cells(wb_path, "施策", {(r, "概要（取組内容）"): "LONG_TEXT_MARKER"})
    long_path = tmp_path / "long.xlsx"
    _with_long_cell(wb_path, long_path, "LONG_TEXT_MARKER", 40_000)
    result = _refused(db, long_path, before)
    assert _has(result, "施策", r, "H（概要（取組内容）", "32,767", "40,000")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.xlsx", b"", ("空のファイル",)),
        ("text.xlsx", "施策コード,施策名\n088,テスト\n".encode(), ("Excel ブック（.xlsx）ではありません",)),
        ("plan.csv", b"a,b\n", (".xlsx",)),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ("古い形式（.xls）",)),
        ("truncated.xlsx", None, ("壊れています",)),
    ],
)
def test_files_that_are_not_plan_masters(central_copy, tmp_path, name, content, words):
    db, wb_path = central_copy
    before = plan_dump(db)
    path = tmp_path / name
    if content is None:
        data = wb_path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(content)
    result = _refused(db, path, before)
    assert len(result.errors) == 1
    problem = result.errors[0]
    assert problem.sheet == "（ファイル）" and problem.row is None
    assert all(w in problem.message for w in words), problem.message


def test_a_signed_workbook_or_an_unrelated_workbook_is_refused(tmp_path):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "集計"
    wb.active["A1"] = "何か"
    wb.save(other)
    assert "計画マスタのシート" in str(read_master(other).problems[0])
    signed = tmp_path / "kit.xlsx"
    wb = openpyxl.Workbook()
    wb.create_sheet("_dxdesk")
    wb.save(signed)
    assert "署名付き" in str(read_master(signed).problems[0])


def test_survey_year_actuals_cannot_come_from_the_plan_master(central_copy):
    db, wb_path = central_copy
    before = plan_dump(db)
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["過去の実績"]
    col = ws.max_column + 1
    ws.cell(row=1, column=col).value = "R8実績"
    ws.cell(row=2, column=col).value = 5
    wb.save(wb_path)
    result = _refused(db, wb_path, before)
    assert any(
        s == "過去の実績" and r == 1 and "R8実績" in c and "調査年度" in m and "各課が入力します" in m
        for s, r, c, m in _problems(result)
    )


def test_tree_levels_parents_and_value_type_changes_are_checked(central_copy):
    db, wb_path = central_copy
    before = plan_dump(db)
    r1 = find_row(wb_path, "計画体系", 体系コード="1-1")
    r2 = find_row(wb_path, "計画体系", 体系コード="1-2")
    edit_cells(wb_path, "計画体系", {(r1, "階層"): "分野", (r2, "上位コード"): "9"})
    ri = find_row(wb_path, "指標", 施策コード="089", 指標コード="1")
    edit_cells(wb_path, "指標", {(ri, "値の種類"): "定性"})
    result = _refused(db, wb_path, before)
    assert _has(result, "計画体系", r1, "D（階層）", "重点課題")
    assert _has(result, "計画体系", r2, "C（上位コード）", "「9」")
    assert _has(result, "指標", ri, "I（値の種類）", "読めなくなります")


def test_missing_required_column_and_duplicate_indicator_codes(central_copy):
    db, wb_path = central_copy
    before = plan_dump(db)
    wb = openpyxl.load_workbook(wb_path)
    wb["マイルストーン"]["D1"].value = "内容のメモ"  # the required 内容 column is gone
    wb.save(wb_path)
    ri = find_row(wb_path, "指標", 施策コード="089", 指標コード="2")
    edit_cells(wb_path, "指標", {(ri, "指標コード"): "1"})
    result = _refused(db, wb_path, before)
    assert any(
        p.sheet == "マイルストーン" and p.row == 1 and "必須の列「内容」" in p.message for p in result.errors
    )
    assert _has(result, "指標", ri, "B（指標コード）", "重複")


def test_a_section_database_and_another_plan_are_refused(demo_master, tmp_path):
    section = create_demo_database(tmp_path / "section.sqlite", role="section")
    try:
        before = plan_dump(section)
        result = _refused(section, demo_master.workbook, before)
        assert "課所室用" in result.errors[0].message
    finally:
        section.dispose()
    shutil.copyfile(demo_master.db_path, tmp_path / "c.sqlite")
    central = open_database(tmp_path / "c.sqlite")
    path = tmp_path / "other_plan.xlsx"
    shutil.copyfile(demo_master.workbook, path)
    wb = openpyxl.load_workbook(path)
    wb["基本設定"]["B2"].value = "another-plan"
    wb.save(path)
    try:
        before = plan_dump(central)
        result = _refused(central, path, before)
        assert result.errors[0].sheet == "基本設定" and result.errors[0].row == 2
        assert "demo-dx" in result.errors[0].message
    finally:
        central.dispose()
