"""事業費内訳 lines typed in the section application: the year's expense items (費目別) and funding
sources (財源別) of a sheet, normalised like every amount, kept as typed when unreadable, undone, saved
and read back, and checked (a line with an amount but no name; 財源別 ≠ 費目別)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from dxdesk.domain.fields import FieldPath
from dxdesk.section_desk import EditError, SectionDesk
from dxdesk.store.models import CostItem, Measure
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import current_plan
from dxdesk.store.sheet_store import load_sheet

CASHLESS = "多様化1-1-1"
FY = 2026


@pytest.fixture
def entry(demo_db):
    desk = SectionDesk(demo_db)
    settings = desk.start_state().plan.settings
    with demo_db.session() as s:
        mid = s.scalar(select(Measure.id).where(Measure.code == CASHLESS))
    session = desk.entry_session(settings=settings, survey_fy=FY, user="山田")
    yield session, session.open_sheet(mid, FY), settings
    session.close()


def _stored_items(db, code=CASHLESS, fy=FY):
    with db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == code))
        return [
            (ci.category, ci.label, ci.budget, ci.settlement, ci.sort_order)
            for ci in sorted(m.cost_items, key=lambda ci: ci.sort_order)
            if ci.fiscal_year == fy
        ]


def _add(session, sheet, category):
    session.commit(sheet, [sheet.add_cost_item(category)])
    return len(sheet.cost_items) - 1


# (category, field, typed) -> stored text (None: blank), or an EditError message part
CELLS = [
    ("expense", "label", "  委託料（システム改修）　", "委託料（システム改修）"),
    ("expense", "budget", "１,２３４", "1234"),
    ("expense", "settlement", "1,234,567", "1234567"),
    ("expense", "budget", "", None),
    ("funding", "label", "国庫支出金", "国庫支出金"),
    ("funding", "label", "国", "国庫支出金"),
    ("funding", "label", "地方債", "市債"),
    ("funding", "label", "一般財源", "一般財源"),
    (
        "funding",
        "label",
        "寄附金",
        EditError("財源は次から選んでください：国庫支出金・県支出金・市債・その他・一般財源"),
    ),
    ("funding", "settlement", "５００", "500"),
    ("expense", "budget", "12x", EditError("事業費内訳（費目別）1行目の予算額")),
    ("expense", "settlement", "-5", EditError("事業費内訳（費目別）1行目の決算額")),
]


@pytest.mark.parametrize(("category", "name", "typed", "expected"), CELLS)
def test_typed_cells_are_read_like_every_amount(entry, category, name, typed, expected):
    session, sheet, _settings = entry
    row = _add(session, sheet, category)
    path = f"cost_items[{row}].{name}"
    if isinstance(expected, EditError):
        with pytest.raises(EditError, match=str(expected).replace("(", r"\(").replace(")", r"\)")):
            session.edit(sheet, path, typed)
        return
    session.edit(sheet, path, typed)
    assert sheet.get(path) == expected


def test_items_are_saved_read_back_and_in_the_dataset(demo_db, entry):
    session, sheet, settings = entry
    a, b = _add(session, sheet, "expense"), _add(session, sheet, "expense")
    f = _add(session, sheet, "funding")
    session.edit(sheet, f"cost_items[{a}].label", "委託料（電子申請システム）")
    session.edit(sheet, f"cost_items[{a}].budget", "１,２００")
    session.edit(sheet, f"cost_items[{a}].settlement", "1,150")
    session.edit(sheet, f"cost_items[{b}].label", "使用料及び賃借料")
    session.edit(sheet, f"cost_items[{b}].settlement", "350")
    session.edit(sheet, f"cost_items[{f}].label", "国庫支出金")
    session.edit(sheet, f"cost_items[{f}].settlement", "750")
    assert sheet.display(f"cost_items[{a}].budget") == "1,200"
    session.flush()
    assert _stored_items(demo_db) == [
        ("expense", "委託料（電子申請システム）", Decimal("1200"), Decimal("1150"), 0),
        ("expense", "使用料及び賃借料", None, Decimal("350"), 1),
        ("funding", "国庫支出金", None, Decimal("750"), 2),
    ]
    with demo_db.session() as s:
        again = load_sheet(s, sheet.measure_id, FY, settings)
    assert again.cost_items == sheet.cost_items

    from dxdesk.store.dataset import export_dataset

    with demo_db.session() as s:
        data = export_dataset(s, current_plan(s).code)
    md = next(m for m in data["measures"] if m["code"] == CASHLESS)
    assert {"fy": FY, "label": "使用料及び賃借料", "settlement": "350"} in md["cost_items"]
    assert {"fy": FY, "category": "funding", "label": "国庫支出金", "settlement": "750"} in md["cost_items"]

    # removing the first line: the rows below move up, in memory and on disk
    session.commit(sheet, [sheet.remove_cost_item(a)])
    session.flush()
    assert [it[1] for it in _stored_items(demo_db)] == ["使用料及び賃借料", "国庫支出金"]
    assert [it[4] for it in _stored_items(demo_db)] == [0, 1]


def test_only_the_sheets_year_is_touched(demo_db, entry):
    session, sheet, _settings = entry
    with demo_db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == CASHLESS))
        s.add(CostItem(measure_id=m.id, fiscal_year=FY - 1, label="前年度の委託料", budget=Decimal(900)))
    row = _add(session, sheet, "expense")
    session.edit(sheet, f"cost_items[{row}].label", "委託料")
    session.commit(sheet, [sheet.remove_cost_item(row)])
    session.flush()
    assert _stored_items(demo_db) == []
    assert [it[1] for it in _stored_items(demo_db, fy=FY - 1)] == ["前年度の委託料"]


def test_unreadable_amount_is_kept_until_fixed_and_undo_drops_it(demo_db, entry):
    session, sheet, settings = entry
    row = _add(session, sheet, "expense")
    path = f"cost_items[{row}].budget"
    with pytest.raises(EditError):
        session.edit(sheet, path, "千二百")
    assert sheet.display(path) == ""
    assert sheet.unread_at(path).typed == "千二百"
    unread = [f for f in sheet.evaluate().findings if f.check_id == "REQ-UNREAD"]
    assert [f.field for f in unread] == [path]
    assert "事業費内訳（費目別）1行目の予算額" in unread[0].message
    session.flush()
    with demo_db.session() as s:  # kept on disk too: a restart shows it again
        assert load_sheet(s, sheet.measure_id, FY, settings).unread_at(path).typed == "千二百"
    session.undo(sheet)  # Ctrl+Z right after: the typed text is forgotten
    assert sheet.unread_at(path) is None
    session.edit(sheet, path, "1200")
    session.undo(sheet)
    assert sheet.get(path) is None


def test_removing_a_line_takes_its_kept_input_along(entry):
    session, sheet, _settings = entry
    a, b = _add(session, sheet, "expense"), _add(session, sheet, "expense")
    with pytest.raises(EditError):
        session.edit(sheet, f"cost_items[{b}].settlement", "12x")
    session.commit(sheet, [sheet.remove_cost_item(a)])
    assert list(sheet.unread) == ["cost_items[0].settlement"]
    session.commit(sheet, [sheet.remove_cost_item(0)])
    assert sheet.unread == {}


def test_undo_of_an_added_line_and_of_a_typed_amount(demo_db, entry):
    session, sheet, _settings = entry
    row = _add(session, sheet, "funding")
    session.edit(sheet, f"cost_items[{row}].label", "県支出金")
    session.undo(sheet)
    assert sheet.get(f"cost_items[{row}].label") is None
    session.undo(sheet)
    assert sheet.cost_items == []
    session.flush()
    assert _stored_items(demo_db) == []


def test_the_whole_list_is_one_field_path():
    assert str(FieldPath.parse("cost_items")) == "cost_items"
    assert FieldPath.parse("cost_items[2].settlement") == FieldPath("cost_item", "settlement", 2)
    assert str(FieldPath.parse("cost_items[2].label")) == "cost_items[2].label"


def test_check_names_the_line_and_compares_the_two_tables(demo_db, entry):
    session, sheet, _settings = entry
    a, b = _add(session, sheet, "expense"), _add(session, sheet, "expense")
    f = _add(session, sheet, "funding")
    session.edit(sheet, f"cost_items[{a}].label", "委託料")
    session.edit(sheet, f"cost_items[{a}].settlement", "1,000")
    session.edit(sheet, f"cost_items[{b}].settlement", "200")  # no 費目
    session.edit(sheet, f"cost_items[{f}].label", "一般財源")
    session.edit(sheet, f"cost_items[{f}].settlement", "1,100")
    found = {f.check_id: f for f in sheet.evaluate().findings if f.check_id.startswith("VAL-COST-ITEM")}
    assert found["VAL-COST-ITEM-NAME"].message == (
        "事業費内訳（費目別）の2行目に金額がありますが、費目が空です。費目を入力してください。"
    )
    assert found["VAL-COST-ITEM-NAME"].field == f"cost_items[{b}].label"
    assert found["VAL-COST-ITEM-SUM"].message == (
        "事業費内訳の決算額：財源別の合計（1,100）が費目別の合計（1,200）と一致しません。内訳を見直してください。"
    )
    assert all(x.severity.value == "warning" for x in found.values())
    session.flush()
    # the pre-submission check of a sheet no longer open reads the lines from the database
    with demo_db.session() as s:
        report = presubmission_check(s, current_plan(s), FY)
    mine = {i.finding.check_id: i for i in report.items if i.finding.measure_code == CASHLESS}
    assert {"VAL-COST-ITEM-NAME", "VAL-COST-ITEM-SUM"} <= set(mine)
    assert mine["VAL-COST-ITEM-NAME"].target.part == "costs"
    # made to agree: no more warnings
    session.edit(sheet, f"cost_items[{b}].label", "需用費")
    session.edit(sheet, f"cost_items[{f}].settlement", "1,200")
    assert not [x for x in sheet.evaluate().findings if x.check_id.startswith("VAL-COST-ITEM")]


def test_the_stored_list_is_plain_json(entry):
    session, sheet, _settings = entry
    row = _add(session, sheet, "expense")
    session.edit(sheet, f"cost_items[{row}].budget", "1,500")
    assert json.loads(sheet.get("cost_items")) == [
        {"category": "expense", "label": "", "budget": "1500", "settlement": None}
    ]
