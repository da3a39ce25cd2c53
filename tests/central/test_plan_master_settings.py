"""Settings beside the plan in the plan master, written with the stored values, read back and checked:
the printed form's settings in 基本設定 (達成率の小数点以下の桁数, 指標表の年度, 基本情報に必ず印刷する項目,
事業費の列見出し) and the central office's checks of an indicator on 指標 (区分（中央確定）, 値の下限・上限)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from dxdesk.central.plan_master import export_template, import_plan_master
from dxdesk.domain.settings import PlanSettings
from dxdesk.report.options import PrintOptions
from dxdesk.store.database import Database, open_database
from tests.central.conftest import DemoMaster, edit_cells, find_row, plan_dump

RATE = "達成率の小数点以下の桁数"
YEARS = "指標表の年度"
BASIC = "基本情報に必ず印刷する項目"
COST_LABELS = "事業費の列見出し"


@pytest.fixture
def demo_copy(demo_master: DemoMaster, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo central database (SQLite) and its plan master, copied for this test."""
    shutil.copyfile(demo_master.db_path, tmp_path / "central.sqlite")
    shutil.copyfile(demo_master.workbook, tmp_path / "master.xlsx")
    db = open_database(tmp_path / "central.sqlite")
    yield db, tmp_path / "master.xlsx"
    db.dispose()


def _plan_values(path: Path) -> dict[str, Any]:
    """The 基本設定 sheet as a person reads it: 項目 → 値."""
    ws = openpyxl.load_workbook(path)["基本設定"]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def _type(path: Path, values: dict[str, Any]) -> None:
    """Type values into the 値 column of 基本設定 rows, as a person does in Excel."""
    edit_cells(
        path, "基本設定", {(find_row(path, "基本設定", 項目=item), "値"): v for item, v in values.items()}
    )


def _print_options(db: Database) -> PrintOptions:
    return PrintOptions.of(PlanSettings.from_dict(plan_dump(db)["plan"].get("settings") or {}))


def test_the_template_shows_what_the_plan_prints_when_it_sets_nothing(demo_master: DemoMaster) -> None:
    values = _plan_values(demo_master.workbook)
    assert values[RATE] == 1
    assert values[YEARS] == "表示年度すべて"
    assert values[BASIC] == "なし"
    assert values[COST_LABELS] == "なし"


def test_print_settings_typed_in_the_template_are_imported_and_written_back(demo_copy, tmp_path):
    db, path = demo_copy
    _type(
        path,
        {
            RATE: 0,  # a format that prints 240%
            YEARS: "値のある年度だけ",
            BASIC: "関連課所室、根拠法令等、ＳＤＧｓ",  # 全角 as typed
            COST_LABELS: "{year}実績、{year}計画",
        },
    )
    result = import_plan_master(db, path)
    assert result.errors == [] and result.applied, [str(p) for p in result.errors]
    settings = plan_dump(db)["plan"]["settings"]
    assert settings["rate_decimals"] == 0
    assert settings["indicator_years"] == "entered"
    assert settings["basic_fields"] == ["related", "legal_basis", "sdgs"]
    assert settings["cost_year_labels"] == {"actual": "{year}実績", "plan": "{year}計画"}
    opts = _print_options(db)  # what printing reads
    assert opts.rate_decimals == 0 and opts.entered_years_only
    assert opts.basic_fields == ("related", "legal_basis", "sdgs")
    assert opts.cost_year_labels == ("{year}実績", "{year}計画")

    # written again, the template shows the plan's values, and importing it changes nothing
    export_template(db, tmp_path / "again.xlsx")
    values = _plan_values(tmp_path / "again.xlsx")
    assert values[RATE] == 0
    assert values[YEARS] == "値のある年度だけ"
    assert values[BASIC] == "関連課所室、根拠法令等、SDGs"
    assert values[COST_LABELS] == "{year}実績、{year}計画"
    again = import_plan_master(db, tmp_path / "again.xlsx")
    assert again.errors == [] and not again.changes.any, again.changes.lines()


def test_nashi_returns_to_the_forms_default_and_blank_keeps_the_setting(demo_copy, tmp_path):
    db, path = demo_copy
    _type(path, {RATE: 2, BASIC: "予算科目", COST_LABELS: "{year}決算、{year}予算"})
    assert import_plan_master(db, path).applied
    shutil.copyfile(path, tmp_path / "second.xlsx")
    _type(tmp_path / "second.xlsx", {RATE: None, BASIC: "なし", COST_LABELS: None, YEARS: None})
    result = import_plan_master(db, tmp_path / "second.xlsx")
    assert result.errors == [] and result.applied
    settings = plan_dump(db)["plan"]["settings"]
    assert "basic_fields" not in settings  # 「なし」
    assert settings["rate_decimals"] == 2  # blank: as it was
    assert settings["cost_year_labels"] == {"actual": "{year}決算", "plan": "{year}予算"}
    assert "indicator_years" not in settings
    assert _print_options(db).basic_fields is None


@pytest.mark.parametrize(
    ("item", "typed", "message"),
    [
        (RATE, 4, "「4」は使えません。小数点以下の桁数は0〜3の整数で入力してください"),
        (RATE, "1.5", "小数点以下の桁数は0〜3の整数で入力してください"),
        (RATE, "一桁", "小数点以下の桁数は0〜3の整数で入力してください"),
        (
            YEARS,
            "全部",
            "「全部」は選べません。指標表の年度は「表示年度すべて」か「値のある年度だけ」を選んでください。",
        ),
        (
            BASIC,
            "予算科目、予算額",
            "「予算額」は基本情報の項目ではありません。関連課所室・予算科目・事業期間・根拠法令等・SDGs・重点事業から選び",
        ),
        (COST_LABELS, "実績、計画", "事業費の列見出しは「{year}実績、{year}計画」のように"),
        (COST_LABELS, "{year}実績", "決算の年度と予算の年度の見出しを「、」で区切って入力してください"),
    ],
)
def test_a_print_setting_that_cannot_be_used_is_refused_with_what_to_type(
    demo_copy, item: str, typed: Any, message: str
) -> None:
    db, path = demo_copy
    before = plan_dump(db)["plan"]["settings"]
    _type(path, {item: typed})
    row = find_row(path, "基本設定", 項目=item)
    result = import_plan_master(db, path)
    assert not result.applied
    [error] = result.errors
    assert (error.sheet, error.row, error.column) == ("基本設定", row, "B（値）")
    assert str(error).startswith(f"基本設定シート {row}行目 B列（値）：{item}：")
    assert message in error.message
    assert plan_dump(db)["plan"]["settings"] == before  # nothing imported


def test_a_json_setting_printing_would_refuse_is_an_import_error(demo_copy) -> None:
    db, path = demo_copy
    _type(path, {"その他の設定（JSON）": '{"print_labels": {"予算": "事業費"}}'})
    result = import_plan_master(db, path)
    assert not result.applied
    assert any(
        "計画の設定が正しくありません" in p.message and "print_labels" in p.message and "予算" in p.message
        for p in result.errors
    ), [str(p) for p in result.problems]


def test_print_settings_in_the_json_are_ignored_with_a_warning(demo_copy) -> None:
    """An older template carried them in the JSON: the rows decide now, and the file says so."""
    db, path = demo_copy
    _type(path, {"その他の設定（JSON）": '{"rate_decimals": 0}'})
    result = import_plan_master(db, path)
    assert result.errors == []
    assert any("rate_decimals" in p.message and "使いません" in p.message for p in result.warnings)
    assert _print_options(db).rate_decimals == 1


def test_the_central_offices_indicator_kind_and_range_survive_a_plan_master_import(demo_copy) -> None:
    """The 審査 screen's 活動/成果 confirmation and an indicator's plausible range are not in the plan
    master: importing a file that changes that indicator (its name) keeps both."""
    from decimal import Decimal

    from dxdesk.domain.enums import IndicatorKind
    from dxdesk.store.indicator_review import confirm_indicator_kind, set_plausible_range
    from dxdesk.store.models import Indicator, Measure
    from dxdesk.store.queries import current_plan

    db, path = demo_copy
    ws = openpyxl.load_workbook(path)["指標"]
    head = [c.value for c in ws[1]]
    first = [c.value for c in ws[2]]
    mcode, icode = str(first[head.index("施策コード")]), str(first[head.index("指標コード")])
    with db.session() as s:
        plan = current_plan(s)
        confirm_indicator_kind(s, plan, mcode, icode, IndicatorKind.OUTCOME)
        set_plausible_range(s, plan, mcode, icode, Decimal(0), Decimal(5000))
    edit_cells(path, "指標", {(2, "指標名"): "オンライン申請の利用件数（見直し後）"})
    result = import_plan_master(db, path)
    assert result.errors == [] and result.changes.count("指標", "changed") == 1
    with db.session() as s:
        ind = s.scalar(select(Indicator).join(Measure).where(Measure.code == mcode, Indicator.code == icode))
        assert ind.name == "オンライン申請の利用件数（見直し後）"
        assert (ind.kind_confirmed, ind.plausible_min, ind.plausible_max) == ("outcome", "0", "5000")


def _first_indicator(path: Path) -> tuple[str, str]:
    ws = openpyxl.load_workbook(path)["指標"]
    head = [c.value for c in ws[1]]
    return str(ws.cell(2, head.index("施策コード") + 1).value), str(
        ws.cell(2, head.index("指標コード") + 1).value
    )


def _checks(db: Database, mcode: str, icode: str) -> tuple[Any, Any, Any]:
    from dxdesk.store.models import Indicator, Measure

    with db.session() as s:
        ind = s.scalar(select(Indicator).join(Measure).where(Measure.code == mcode, Indicator.code == icode))
        return ind.kind_confirmed, ind.plausible_min, ind.plausible_max


def test_the_confirmed_kind_and_range_are_written_read_and_kept(central_copy, tmp_path) -> None:
    """On SQLite and PostgreSQL."""
    from decimal import Decimal

    from dxdesk.domain.enums import IndicatorKind
    from dxdesk.store.indicator_review import confirm_indicator_kind, set_plausible_range
    from dxdesk.store.queries import current_plan

    db, path = central_copy
    mcode, icode = _first_indicator(path)
    with db.session() as s:
        plan = current_plan(s)
        confirm_indicator_kind(s, plan, mcode, icode, IndicatorKind.OUTCOME)
        set_plausible_range(s, plan, mcode, icode, Decimal(0), Decimal(5000))
    export_template(db, tmp_path / "confirmed.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "confirmed.xlsx")["指標"]
    head = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert (
        row[head.index("区分（中央確定）")],
        row[head.index("値の下限")],
        row[head.index("値の上限")],
    ) == (
        "成果指標",
        0,
        5000,
    )
    assert not import_plan_master(db, tmp_path / "confirmed.xlsx").changes.any  # the same again

    # the office types another kind and range into the plan master
    edit_cells(
        tmp_path / "confirmed.xlsx",
        "指標",
        {(2, "区分（中央確定）"): "活動指標", (2, "値の下限"): "1", (2, "値の上限"): "１００"},
    )
    result = import_plan_master(db, tmp_path / "confirmed.xlsx")
    assert result.errors == [] and result.changes.count("指標", "changed") == 1, [
        str(p) for p in result.problems
    ]
    assert _checks(db, mcode, icode) == ("activity", "1", "100")
    # an older template without these columns (or blank cells) keeps them
    result = import_plan_master(db, path)
    assert result.errors == []
    assert _checks(db, mcode, icode) == ("activity", "1", "100")


@pytest.mark.parametrize(
    ("edits", "column", "message"),
    [
        (
            {"値の下限": 500, "値の上限": 10},
            "値の下限",
            "値の下限（500）が上限（10）より大きくなっています。",
        ),
        ({"区分（中央確定）": "中間指標"}, "区分（中央確定）", "「中間指標」"),
        ({"値の上限": "たくさん"}, "値の上限", "たくさん"),
    ],
)
def test_a_confirmed_kind_or_range_that_cannot_be_used_is_refused(demo_copy, edits, column, message) -> None:
    db, path = demo_copy
    mcode, icode = _first_indicator(path)
    edit_cells(path, "指標", {(2, k): v for k, v in edits.items()})
    result = import_plan_master(db, path)
    assert not result.applied
    [error] = result.errors
    assert (error.sheet, error.row) == ("指標", 2) and error.column.endswith(f"（{column}）")
    assert message in error.message
    assert _checks(db, mcode, icode) == (None, None, None)
