"""A plan typed into the plan master template exactly as the city published it: values with their
units, 累計, 「/年」, 全角 and spaces; columns the template does not have; an old template's blank
survey-year column. It imports with no error and every value read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from dxdesk.central.plan_master import ImportResult, import_plan_master, write_template
from dxdesk.store.database import open_database
from dxdesk.store.dataset import export_dataset
from tests.central.conftest import libreoffice_convert


def _fill(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    plan = wb["基本設定"]
    values = {"計画コード": "sasebo-dx", "計画名": "佐世保市DX戦略実行計画", "調査年度": "令和7年度"}
    values |= {"計画期間の開始年度": "R3", "計画期間の終了年度": "R9"}
    for r in range(2, plan.max_row + 1):
        label = plan.cell(row=r, column=1).value
        if label in values:
            plan.cell(row=r, column=2).value = values[label]
    wb["部局"].append(["B01", "総務部"])
    wb["課所室"].append(["S011", "DX推進課", "B01"])
    wb["計画体系"].append(["1", "行政経営"])
    ws = wb["施策"]
    headers = [c.value for c in ws[1]]
    extra = ws.max_column + 1
    ws.cell(row=1, column=extra).value = "リーディング事業"
    for code, name in (("行政1-1-1", "電子申請の拡充"), ("行政1-1-2", "窓口のデジタル化")):
        r = ws.max_row + 1
        row = {"施策コード": code, "施策名": name, "体系コード": "1", "担当課コード": "S011"}
        for header, value in row.items():
            ws.cell(row=r, column=headers.index(header) + 1).value = value
        ws.cell(row=r, column=extra).value = "○"
    ind = wb["指標"]
    h = [c.value for c in ind[1]]
    rows = [
        {"施策コード": "行政1-1-1", "指標名": "電子申請の利用率", "基準値": "12.5%/年", "R7目標": "30.0％"},
        {
            "施策コード": "行政1-1-1",
            "指標名": "オンライン化した手続",
            "基準値": "累計8件",
            "R7目標": "累計 20 件",
        },
        {
            "施策コード": "行政1-1-2",
            "指標名": "窓口の待ち時間削減",
            "単位": "時間/年",
            "基準値": "2,400 時間/年",
        },
        {
            "施策コード": "行政1-1-2",
            "指標名": "書かない窓口の利用者",
            "基準値": "累計 3,210 人",
            "最終目標": "約 10,000人",
        },
        {"施策コード": "行政1-1-2", "指標名": "処理速度", "基準値": "１０倍", "R6目標": "△５倍"},
    ]
    for row in rows:
        r = ind.max_row + 1
        for header, value in row.items():
            ind.cell(row=r, column=h.index(header) + 1).value = value
    act = wb["過去の実績"]
    ah = [c.value for c in act[1]]
    act.append([None] * len(ah))
    r = act.max_row
    act.cell(row=1, column=len(ah) + 1).value = "R6参考値"  # a column the person adds
    ah.append("R6参考値")
    for header, value in {
        "施策コード": "行政1-1-1",
        "指標コード": "2",
        "R6実績": "累計 12 件",
        "R6参考値": "14",
    }.items():
        act.cell(row=r, column=ah.index(header) + 1).value = value
    yr = wb["年度別"]
    yh = [c.value for c in yr[1]]
    for row in (
        {
            "施策コード": "行政1-1-1",
            "年度": "R6",
            "段階": "拡大期",
            "予算額": "1,234千円",
            "一般財源": "1,000",
            "国庫支出金": "234",
        },
        {"施策コード": "行政1-1-2", "年度": "令和7年度", "段階": "1", "予算額": 5000},
    ):
        r = yr.max_row + 1
        for header, value in row.items():
            yr.cell(row=r, column=yh.index(header) + 1).value = value
    wb.save(path)


def _filled_template(tmp_path: Path) -> Path:
    """The empty template, filled in as a person types a published plan (:func:`_fill`)."""
    path = tmp_path / "計画マスタ.xlsx"
    write_template(path)
    _fill(path)
    return path


def _set_first_indicator(path: Path, header: str, value: object, number_format: str | None = None) -> None:
    """Change the 指標 sheet's first row in the column ``header``, as a person does in Excel."""
    wb = openpyxl.load_workbook(path)
    ind = wb["指標"]
    h = [c.value for c in ind[1]]
    cell = ind.cell(row=2, column=h.index(header) + 1)
    cell.value = value
    if number_format is not None:
        cell.number_format = number_format
    wb.save(path)


def _import(
    path: Path, tmp_path: Path, *, dry_run: bool = False
) -> tuple[ImportResult, dict[str, Any] | None]:
    """Import ``path`` into a new central database: the result, and the plan it holds when applied."""
    db = open_database(tmp_path / "central.sqlite")
    try:
        result = import_plan_master(db, path, dry_run=dry_run)
        data = None
        if result.applied:
            with db.session() as s:
                data = export_dataset(s, "sasebo-dx")
    finally:
        db.dispose()
    return result, data


def test_a_plan_typed_as_published_imports_with_every_value_read(tmp_path):
    # the empty template's 過去の実績 has columns up to the clock's year; the plan says R7: the R7 and
    # later columns exist but are blank, which is no problem
    result, data = _import(_filled_template(tmp_path), tmp_path)
    assert result.errors == [], [str(p) for p in result.errors]
    assert result.applied and data is not None
    warnings = [str(p) for p in result.problems if not p.is_error]
    inds = {i["name"]: i for m in data["measures"] for i in m["indicators"]}
    rate = inds["電子申請の利用率"]
    assert (rate["unit"], rate["baseline"], rate["values"]["2025"]["target"]) == ("%/年", "12.5", "30.0")
    online = inds["オンライン化した手続"]
    assert online["cumulative"] is True and online["unit"] == "件"
    assert (online["baseline"], online["values"]["2025"]["target"], online["values"]["2024"]["actual"]) == (
        "8",
        "20",
        "12",
    )
    assert online["values"]["2024"]["reference"] == "14"  # the R6参考値 column
    assert inds["窓口の待ち時間削減"]["baseline"] == "2400"
    assert inds["窓口の待ち時間削減"]["unit"] == "時間/年"
    people = inds["書かない窓口の利用者"]
    assert (people["baseline"], people["final_target"], people["unit"]) == ("3210", "10000", "人")
    assert inds["処理速度"]["values"]["2024"]["target"] == "-5"
    # what dxdesk decided is said, in the row it was decided for
    assert any("「約」の付いた概数" in w and "10,000" in w for w in warnings)
    assert any("累計の指標にしました" in w for w in warnings)
    assert any("単位「件」を指標の単位にしました" in w for w in warnings)
    # the 年度別 sheet: stage and costs per year
    by_code = {m["code"]: m for m in data["measures"]}
    first, second = by_code["行政1-1-1"], by_code["行政1-1-2"]
    assert first["years"]["2024"]["stage"] == "2" and second["years"]["2025"]["stage"] == "1"
    assert first["costs"]["2024"]["budget"] == "1234" and first["costs"]["2024"]["fund_general"] == "1000"
    assert first["costs"]["2024"]["fund_national"] == "234" and second["costs"]["2025"]["budget"] == "5000"
    # the column the template does not have became the plan's own attribute
    assert any("リーディング事業" in w and "属性" in w for w in warnings)
    attrs = data["plan"]["settings"]["measure_attributes"]
    key = next(a["key"] for a in attrs if a["label"] == "リーディング事業")
    assert all(m["attributes"][key] == "○" for m in data["measures"])


def test_template_import_template_gives_the_same_content(tmp_path):
    from python_calamine import CalamineWorkbook

    from dxdesk.central.plan_master import export_template

    path = _filled_template(tmp_path)
    db = open_database(tmp_path / "central.sqlite")
    try:
        assert import_plan_master(db, path).applied
        export_template(db, tmp_path / "first.xlsx")
        again = import_plan_master(db, tmp_path / "first.xlsx")
        assert again.errors == [] and not [p for p in again.problems if "属性" in p.message]
        assert again.changes.count("施策", "changed") == 0 and again.changes.count("年度別", "changed") == 0
        export_template(db, tmp_path / "second.xlsx")
    finally:
        db.dispose()

    def sheets(p: Path) -> dict[str, list[list[object]]]:
        book = CalamineWorkbook.from_path(str(p))
        return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names if n != "説明"}

    first = sheets(tmp_path / "first.xlsx")
    assert first == sheets(tmp_path / "second.xlsx")
    years = first["年度別"]
    assert years[0][:6] == ["施策コード", "施策名（参考）", "年度", "段階", "管理区分（参考）", "予算額"]
    assert years[1][:6] == ["行政1-1-1", "電子申請の拡充", "R6", "拡大期", "KPI", 1234.0]
    actuals = first["過去の実績"]
    assert "R6参考値" in actuals[0]
    row = next(r for r in actuals[1:] if r[0] == "行政1-1-1" and r[1] == "2")
    assert row[actuals[0].index("R6参考値")] == 14.0


def test_a_percentage_excel_stored_as_a_fraction_is_read_as_typed(tmp_path):
    path = _filled_template(tmp_path)
    _set_first_indicator(path, "R7目標", 0.3, "0.0%")  # 「30.0%」 as Excel keeps it
    result, data = _import(path, tmp_path)
    assert result.applied and data is not None
    rate = next(i for m in data["measures"] for i in m["indicators"] if i["name"] == "電子申請の利用率")
    assert rate["values"]["2025"]["target"] == "30.0"


def test_another_unit_than_the_indicators_is_a_warning_and_the_number_is_read(tmp_path):
    path = _filled_template(tmp_path)
    _set_first_indicator(path, "単位", "件")  # but its values say %
    result, _data = _import(path, tmp_path, dry_run=True)
    assert result.errors == []
    assert any(
        p.sheet == "指標" and p.row == 2 and "値の単位「%/年」が指標の単位「件」と違います" in p.message
        for p in result.problems
    )


def test_template_filled_saved_in_libreoffice_imported_and_written_again_is_the_same(tmp_path):
    """A person fills the template and saves it in LibreOffice (which turns numbers into floats and
    strings into shared strings); importing it and writing the template again gives the same content."""
    from python_calamine import CalamineWorkbook

    from dxdesk.central.plan_master import export_template

    path = _filled_template(tmp_path)
    (tmp_path / "lo").mkdir()
    saved = libreoffice_convert(path, tmp_path / "lo", "xlsx")
    assert saved.read_bytes() != path.read_bytes()
    db = open_database(tmp_path / "central.sqlite")
    try:
        result = import_plan_master(db, saved)
        assert result.errors == [] and result.applied, [str(p) for p in result.errors]
        export_template(db, tmp_path / "again.xlsx")
        # the template written again, filled the same way by LibreOffice, imports with no change
        (tmp_path / "lo2").mkdir()
        resaved = libreoffice_convert(tmp_path / "again.xlsx", tmp_path / "lo2", "xlsx")
        second = import_plan_master(db, resaved)
        assert second.errors == [] and not second.changes.any, second.changes.lines()
        export_template(db, tmp_path / "third.xlsx")
    finally:
        db.dispose()

    def sheets(p: Path) -> dict[str, list[list[object]]]:
        book = CalamineWorkbook.from_path(str(p))
        return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names if n != "説明"}

    again, third = sheets(tmp_path / "again.xlsx"), sheets(tmp_path / "third.xlsx")
    assert again == third
    # what the person typed is in the template, in dxdesk's normal form
    indicators = again["指標"]
    head = indicators[0]
    row = next(r for r in indicators if r[head.index("指標名")] == "書かない窓口の利用者")
    assert (
        row[head.index("基準値")] == 3210
        and row[head.index("単位")] == "人"
        and row[head.index("累計")] == "○"
    )
