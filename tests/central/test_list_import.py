"""Importing a plan from the office's own Excel list: the example lists of resources/samples/lists (as
offices type them) import with no error and every value read; problems are listed with their place;
the mapping is saved for next year; the CLI says the same as the function."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from dxdesk.central.list_import import find_header, import_list, load_mapping, propose_mapping
from dxdesk.store.database import open_database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.queries import current_plan

LISTS = Path(__file__).resolve().parents[2] / "resources" / "samples" / "lists"


def _import(tmp_path: Path, name: str | Path, fy: int, **kw):  # type: ignore[no-untyped-def]
    """Import a sample list (by name) or any list file into a new central database: the result, and
    the plan it holds when applied."""
    db = open_database(tmp_path / "central.sqlite")
    try:
        result = import_list(db, LISTS / name, fy=fy, **kw)
        data = None
        if result.applied:
            with db.session() as s:
                data = export_dataset(s, current_plan(s).code)
        return result, data
    finally:
        db.dispose()


def _inds(data):  # type: ignore[no-untyped-def]
    return {i["name"]: i for m in data["measures"] for i in m["indicators"]}


def test_sasebo_kpi_list_two_row_merged_header(tmp_path):
    result, data = _import(tmp_path, "sasebo_kpi_list.xlsx", 2026)
    assert result.errors == [], [str(p) for p in result.errors]
    assert result.header is not None and result.header.rows == (3, 4)
    assert (result.measures, result.indicators, result.values) == (4, 5, 35)
    inds = _inds(data)
    farmers = inds["新規就農者数（累計）"]
    assert farmers["cumulative"] is True and farmers["unit"] == "人"
    assert (farmers["baseline"], farmers["final_target"], farmers["final_target_fy"]) == ("12", "40", 2027)
    assert farmers["values"]["2024"] == {"target": "25", "actual": "27"}
    rate = inds["電子申請の利用率"]
    assert (rate["unit"], rate["baseline"], rate["values"]["2025"]) == ("%", "12.5", {"target": "30.0"})
    hours = inds["RPA等による削減時間"]
    assert hours["baseline"] == "2400" and hours["values"]["2024"]["actual"] == "3610"
    assert inds["書かない窓口の利用者数"]["final_target"] == "12000"
    assert any("概数" in p.message and p.row == 8 for p in result.problems)
    # the tree: 分野 → DX重点課題, the 課題 (the deepest level) is the measure; merged cells carried down
    tree = {n["name"]: [c["name"] for c in n.get("children", [])] for n in data["tree"]}
    assert tree["行政経営"] == ["行政サービス"] and tree["まちづくり"] == ["農林水産業"]
    names = [m["name"] for m in data["measures"]]
    assert names == [
        "担い手の確保・継続・育成",
        "生産性・付加価値の高い農林業・漁業の実現",
        "簡単で便利な手続",
        "業務の効率化",
    ]
    assert [len(m["indicators"]) for m in data["measures"]] == [1, 1, 2, 1]
    sections = {s["name"]: s for s in data["sections"]}
    assert sections["DX推進課"]["bureau"] and {b["name"] for b in data["bureaus"]} == {"農林水産部", "総務部"}


def test_nagasaki_list_with_indicators_on_the_rows_below(tmp_path):
    result, data = _import(tmp_path, "nagasaki_jigyo_list.xlsx", 2021)
    assert result.errors == [], [str(p) for p in result.errors]
    by_code = {m["code"]: m for m in data["measures"]}
    assert set(by_code) == {"1", "3", "4"}  # the list's own 事業番号
    assert by_code["1"]["leading"] is True and by_code["1"]["period_label"] == "R2-7"
    clouds = _inds(data)["長崎県自治体クラウドサービス県内利用団体数"]
    assert (clouds["baseline"], clouds["baseline_fy"], clouds["final_target"], clouds["final_target_fy"]) == (
        "5",
        2019,
        "16",
        2025,
    )
    assert clouds["values"]["2020"] == {"target": "8", "actual": "8"}
    assert _inds(data)["システムの改修等数"]["final_target"] == "—"
    assert _inds(data)["庁外向けシステム利用件数"]["values"]["2020"] == {
        "target": "386524",
        "actual": "413852",
    }


def test_tsukuba_per_indicator_list(tmp_path):
    result, data = _import(tmp_path, "tsukuba_indicator_list.xlsx", 2023)
    assert result.errors == [], [str(p) for p in result.errors]
    assert len(data["measures"]) == 2 and result.indicators == 4
    network = _inds(data)["年間のネットワーク停止時間"]
    assert network["kind"] == "activity" and network["values"]["2021"] == {"target": "280.0", "actual": "0.0"}
    assert network["note"] == "計画停止を除く"
    assert data["measures"][0]["budget_item"] == "01-020108-15"
    cashless = _inds(data)["キャッシュレス決済の利用割合"]
    assert cashless["values"]["2022"] == {"target": "30.0", "actual": "31.4"}


def test_the_same_list_again_keeps_codes_and_adds_nothing(tmp_path):
    db = open_database(tmp_path / "central.sqlite")
    try:
        first = import_list(db, LISTS / "sasebo_kpi_list.xlsx", fy=2026)
        again = import_list(db, LISTS / "sasebo_kpi_list.xlsx")  # the survey year is the plan's now
        assert first.applied and again.unchanged and again.errors == []
        assert (first.new_measures, again.new_measures) == (4, 0)
        with db.session() as s:
            data = export_dataset(s, current_plan(s).code)
        assert len(data["measures"]) == 4 and len(data["sections"]) == 4
        assert not [p for p in again.problems if "新しく登録" in p.message]
    finally:
        db.dispose()


def test_every_problem_is_listed_with_its_place(tmp_path):
    path = tmp_path / "一覧.xlsx"
    shutil.copyfile(LISTS / "tsukuba_indicator_list.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["G4"] = "たくさん"  # R3目標
    ws["H5"] = "1,57"  # R3実績
    ws["J6"] = "累計 3,210 人ほど"  # R4実績
    ws["D7"] = None  # 指標名, values remain
    wb.save(path)
    db = open_database(tmp_path / "central.sqlite")
    try:
        result = import_list(db, path, fy=2023, dry_run=True)
    finally:
        db.dispose()
    got = {(p.row, p.column): p.message for p in result.errors}
    assert "数字がありません" in got[(4, "G（R3目標）")] or "読み取れません" in got[(4, "G（R3目標）")]
    assert "カンマ" in got[(5, "H（R3実績）")]
    message = got[(6, "J（R4実績）")]
    assert "「人ほど」は単位として読み取れません" in message and "カンマ" not in message
    assert "3,210" in message
    assert "指標名がありません" in got[(7, "D（指標名）")]
    assert len(result.errors) == 4 and not result.applied


def test_header_words_propose_the_mapping_and_two_row_years():
    rows = [
        ["令和6年度 施策一覧", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["施策名", "所管課", "KPI", "令和５年度", "", "目標値"],
        ["", "", "", "目標", "実績", ""],
        ["電子申請の推進", "DX推進課", "電子申請の利用率", "20%", "18.4%", "40%"],
    ]
    header = find_header(rows)
    assert header is not None and header.rows == (3, 4)
    m = propose_mapping(header)
    assert m.columns == {
        0: "measure_name",
        1: "section",
        2: "indicator_name",
        3: "target@2023",
        4: "actual@2023",
        5: "final_target",
    }


def dxdesk(*args: str):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_prints_the_mapping_and_problems_and_saves_the_mapping_for_next_year(tmp_path):
    db = tmp_path / "central.sqlite"
    mapping = tmp_path / "対応表.json"
    assert dxdesk("init-db", "--db", str(db)).returncode == 0  # commands open existing databases only
    out = dxdesk(
        "import-list",
        "--db",
        str(db),
        str(LISTS / "nagasaki_jigyo_list.xlsx"),
        "--fy",
        "R3",
        "--dry-run",
        "--mapping",
        str(mapping),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert "対応\tD\t事務事業名\t施策名" in lines
    assert any(
        line.startswith("注意\t事業一覧\t4\tE（所管課（室）名）\t課所室「次世代情報化推進室」")
        for line in lines
    )
    assert lines[-1].startswith("OK ") and "確認のみ" in lines[-1]
    saved = load_mapping(mapping)
    assert saved["columns"]["事務事業名"] == "measure_name" and saved["current_fy"] == 2021
    # next year's list: someone renamed a header; the saved mapping (corrected by hand) maps it
    path = tmp_path / "R3一覧.xlsx"
    shutil.copyfile(LISTS / "nagasaki_jigyo_list.xlsx", path)
    wb = openpyxl.load_workbook(path)
    wb.active["D3"] = "事業の名称"
    wb.save(path)
    data = json.loads(mapping.read_text(encoding="utf-8"))
    data["columns"]["事業の名称"] = "measure_name"
    mapping.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = dxdesk("import-list", "--db", str(db), str(path), "--mapping", str(mapping))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "対応\tD\t事業の名称\t施策名" in out.stdout.splitlines()
    assert "読み込みました：施策 3件（新規 3件）" in out.stdout.splitlines()[-1]


def test_cli_exit_code_and_lines_on_errors(tmp_path):
    path = tmp_path / "一覧.xlsx"
    shutil.copyfile(LISTS / "tsukuba_indicator_list.xlsx", path)
    wb = openpyxl.load_workbook(path)
    wb.active["H5"] = "1,57"
    wb.save(path)
    assert dxdesk("init-db", "--db", str(tmp_path / "c.sqlite")).returncode == 0
    out = dxdesk("import-list", "--db", str(tmp_path / "c.sqlite"), str(path), "--fy", "2023")
    assert out.returncode == 1
    assert any(line.startswith("エラー\t指標一覧\t5\tH（R3実績）\t") for line in out.stdout.splitlines())
    assert out.stdout.splitlines()[-1].startswith("NG ")


@pytest.mark.parametrize("name", ["not_a_list.txt"])
def test_not_an_excel_file_is_one_clear_line(tmp_path, name):
    path = tmp_path / name
    path.write_text("施策名,所管課\n", encoding="utf-8")
    db = open_database(tmp_path / "c.sqlite")
    try:
        result = import_list(db, path, fy=2026)
    finally:
        db.dispose()
    assert [p.message for p in result.errors] == [
        f"「{name}」は Excel ブック（.xlsx）ではありません。.xlsx で保存し直してください。"
    ]


def test_percentages_excel_stored_as_fractions_are_read_as_typed(tmp_path):
    """Typing 「40.0%」 in Excel stores 0.4 with a percent format: the list says 40.0 (%)."""
    path = tmp_path / "一覧.xlsx"
    shutil.copyfile(LISTS / "tsukuba_indicator_list.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["K7"] = 0.4
    ws["K7"].number_format = "0.0%"
    ws["J7"] = 0.314
    ws["J7"].number_format = "0.0%"
    ws["G7"] = 0.2
    ws["G7"].number_format = "0%"
    wb.save(path)
    result, data = _import(tmp_path, path, 2023)
    assert result.errors == []
    cashless = _inds(data)["キャッシュレス決済の利用割合"]
    assert cashless["values"]["2023"] == {"target": "40.0"}
    assert cashless["values"]["2022"]["actual"] == "31.4" and cashless["values"]["2021"]["target"] == "20"


def test_sections_by_name_with_bureau_in_front_and_several_in_one_cell(tmp_path):
    path = tmp_path / "一覧.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一覧"
    ws.append(["No.", "事業名", "担当課", "指標名", "単位", "R6実績"])
    ws.append(["1", "電子申請の推進", "情報政策課、DX推進課", "電子申請の利用率", "%", "18.4%"])
    ws.append(["2", "庁内ネットワーク更新", "総務部情報政策課", "停止時間", "分", "21.1"])
    wb.save(path)
    result, data = _import(tmp_path, path, 2025)
    assert result.errors == [], [str(p) for p in result.errors]
    first, second = data["measures"]
    names = {s["code"]: s["name"] for s in data["sections"]}
    assert names[first["owner"]] == "情報政策課" and [names[c] for c in first["related"]] == ["DX推進課"]
    assert second["owner"] == first["owner"]  # 「総務部情報政策課」 is the same section
    assert any("「総務部情報政策課」を課所室「情報政策課」" in p.message for p in result.problems)
    assert first["indicators"][0]["values"]["2024"] == {"actual": "18.4"}


def test_akita_progress_list_with_stage_grade_and_reference_value(tmp_path):
    result, data = _import(tmp_path, "akita_progress_list.xlsx", 2025)
    assert result.errors == [], [str(p) for p in result.errors]
    by_name = {m["name"]: m for m in data["measures"]}
    online = by_name["行政手続のオンライン化"]
    # the list is last year's: 段階 and 評価 are R6's
    assert online["years"]["2024"]["stage"] == "2" and online["years"]["2024"]["self_grade"] == "B"
    kpi = online["indicators"][0]
    assert kpi["values"]["2024"] == {"actual": "38.2", "reference": "41.0"}
    assert (kpi["unit"], kpi["baseline"], kpi["final_target"], kpi["final_target_fy"]) == (
        "%",
        "12.5",
        "60.0",
        2025,
    )
    sections = {s["code"]: s["name"] for s in data["sections"]}
    assert sections[online["owner"]] == "情報統計課" and [sections[c] for c in online["related"]] == [
        "市民課"
    ]
    cash = by_name["キャッシュレス決済の導入"]["indicators"][0]
    assert cash["cumulative"] is True and cash["values"]["2024"]["actual"] == "8120"


def test_shizuoka_action_list_codes_in_the_first_column_and_a_qualitative_kpi(tmp_path):
    result, data = _import(tmp_path, "shizuoka_action_list.xlsx", 2025)
    assert result.errors == [], [str(p) for p in result.errors]
    assert result.mapping is not None and result.mapping.columns[1] == "measure_code"
    by_code = {m["code"]: m for m in data["measures"]}
    assert by_code["1-1-2"]["name"] == "基幹業務システムの標準化"
    procedures = by_code["1-1-1"]["indicators"][0]
    assert (procedures["baseline"], procedures["baseline_fy"], procedures["unit"]) == ("120", 2023, "手続")
    assert procedures["values"]["2026"] == {"target": "300"}  # 目標値（R8）
    standard = by_code["1-1-2"]["indicators"][0]
    assert standard["value_type"] == "qualitative" and standard["values"]["2026"]["target"] == "移行完了"
    assert standard["baseline"] == "未着手"
    assert by_code["1-2-1"]["indicators"][0]["baseline"] == "35.0"


def test_costs_of_the_year_the_header_names(tmp_path):
    path = tmp_path / "一覧.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "事業名",
            "所管課",
            "R6予算額",
            "R6決算額",
            "うち一般財源",
            "人件費（参考）",
            "主な指標",
            "R6実績",
            "達成率",
        ]
    )
    ws.append(
        [
            "電子県庁推進事業",
            "情報システム課",
            "658,011",
            "512,504千円",
            "165,193",
            19885,
            "システムの改修等数",
            "11回",
            "275%",
        ]
    )
    wb.save(path)
    result, data = _import(tmp_path, path, 2025)
    assert result.errors == [], [str(p) for p in result.errors]
    costs = data["measures"][0]["costs"]["2024"]
    assert (costs["budget"], costs["settlement"], costs["fund_general"], costs["personnel_cost"]) == (
        "658011",
        "512504",
        "165193",
        "19885",
    )
    assert any(p.column == "I（達成率）" and "読み込みません" in p.message for p in result.problems)
