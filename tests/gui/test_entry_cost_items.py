"""A clerk of an Akita-style plan types the year's 事業費内訳 in the 事業費 tab: two expense items and one
funding source (amounts in 全角 and with commas), undoes a slip with Ctrl+Z, sees F8's warning that
the two tables do not add up, closes the application, finds the lines again and prints them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select

from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.models import Measure
from tests.gui.conftest import (
    cell_text,
    click,
    click_measure,
    ime_type,
    load_sample,
    open_main_window,
    open_tab,
    type_in_cell,
)
from tests.report.conftest import SAMPLES, pdf_text

pytestmark = pytest.mark.gui

LABEL, BUDGET, SETTLEMENT = 0, 1, 2


@pytest.fixture
def akita(tmp_path: Path):
    """The Akita-style sample with the first measure's 事業費内訳 emptied (the clerk types it)."""
    data = json.loads((SAMPLES / "akita_progress_evaluation.json").read_text(encoding="utf-8"))
    first = data["measures"][0]
    first["cost_items"] = []
    db = load_sample(tmp_path / "akita.sqlite", data)
    yield db, first["code"], int(data["plan"]["current_fy"])
    db.dispose()


def _add_line(qtbot, part, category: str, name: str) -> int:
    """Click 「費目を追加」/「財源を追加」: a new line, its name open for typing; type it and press Enter."""
    click(qtbot, part.items.findChild(QPushButton, f"addCostItem_{category}"))
    grid = part.items.grids[category]
    row = grid.model().rowCount() - 1
    assert grid.currentIndex() == grid.model().index(row, LABEL)
    ime_type(grid, name)
    qtbot.keyClick(grid.window().focusWidget() or grid, Qt.Key.Key_Return)
    QApplication.processEvents()
    return row


def test_a_clerk_types_the_cost_breakdown_and_prints_it(qtbot, akita, tmp_path: Path):
    db, code, fy = akita
    w = open_main_window(qtbot, db)
    click_measure(qtbot, w, code)
    part = open_tab(qtbot, w, "事業費")
    assert part.items.isVisible()
    expense, funding = part.items.grids["expense"], part.items.grids["funding"]
    assert expense.model().rowCount() == 0 and funding.model().rowCount() == 0

    row = _add_line(qtbot, part, "expense", "委託料（電子申請システム改修）")
    assert cell_text(expense, row, LABEL) == "委託料（電子申請システム改修）"
    type_in_cell(qtbot, expense, row, BUDGET, "１,２００")
    type_in_cell(qtbot, expense, row, SETTLEMENT, "1,150")
    row = _add_line(qtbot, part, "expense", "使用料")
    type_in_cell(qtbot, expense, row, LABEL, "使用料及び賃借料")  # corrected
    type_in_cell(qtbot, expense, row, SETTLEMENT, "９９")  # a slip …
    assert cell_text(expense, row, SETTLEMENT) == "99"
    qtbot.keyClick(expense, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # … undone
    assert cell_text(expense, row, SETTLEMENT) == ""
    type_in_cell(qtbot, expense, row, SETTLEMENT, "350")
    row = _add_line(qtbot, part, "funding", "国")  # read as the printed table reads it
    assert cell_text(funding, row, LABEL) == "国庫支出金"
    type_in_cell(qtbot, funding, row, SETTLEMENT, "abc")
    assert cell_text(funding, row, SETTLEMENT) == "abc"  # kept as typed, red, until fixed
    assert "読み取れません" in part.message.text()
    type_in_cell(qtbot, funding, row, SETTLEMENT, "７５０")
    assert [cell_text(expense, r, c) for r in (0, 1) for c in (0, 1, 2)] == [
        "委託料（電子申請システム改修）",
        "1,200",
        "1,150",
        "使用料及び賃借料",
        "",
        "350",
    ]
    # 財源別 750 against 費目別 1,500: said under the table and by F8 (a warning, not a block)
    assert "財源別の合計（750）が費目別の合計（1,500）と一致しません" in part.check.text()
    w.run_check()
    rows = [r for r in w.check_list.rows() if "事業費内訳の決算額" in r.text(3)]
    assert len(rows) == 1 and rows[0].text(0) == "警告"
    w.entry.flush(10)
    w.close()

    again = open_main_window(qtbot, db)
    click_measure(qtbot, again, code)
    part = open_tab(qtbot, again, "事業費")
    expense, funding = part.items.grids["expense"], part.items.grids["funding"]
    assert expense.model().rowCount() == 2
    assert cell_text(expense, 1, LABEL) == "使用料及び賃借料"
    assert [cell_text(funding, 0, c) for c in (0, 1, 2)] == ["国庫支出金", "", "750"]
    again.close()

    with db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == code))
        assert [(ci.category, ci.label) for ci in m.cost_items if ci.fiscal_year == fy] == [
            ("expense", "委託料（電子申請システム改修）"),
            ("expense", "使用料及び賃借料"),
            ("funding", "国庫支出金"),
        ]
    out = tmp_path / "akita.pdf"
    make_pdf(db, out, PrintJob(measure_codes=(code,)))
    lines = [re.sub(r"\s+", " ", x).strip() for x in pdf_text(out, layout=True).splitlines()]
    assert any(re.search(r"委託料（電子申請システム改修） 1,200 1,150", x) for x in lines), lines
    assert any(re.search(r"使用料及び賃借料 350", x) for x in lines)
    assert any(re.search(r"事業費計 1,200 1,500", x) for x in lines)
