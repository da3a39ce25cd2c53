"""The other parts of the sheet and the window around it, used like a person would: costs, perspectives,
direction, schedule, texts, 入力完了 and the counts, filters, past years, menus, keyboard."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from dxdesk.store.models import CostRow, Measure, MeasureYear, Milestone, PerspectiveScore
from tests.gui.conftest import (
    cell_text,
    click,
    click_cell,
    click_measure,
    ime_type,
    open_tab,
    type_in_cell,
    wait_saved,
)

pytestmark = pytest.mark.gui

JIMU = "098"  # 事務事業 with costs, 市民参加 and 観点別評価
SCHEDULE = "防災1-3-6"  # stage 1, managed by milestones


def measure_year(db, code, fy=2026):
    with db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == code))
        return m.id, s.scalar(
            select(MeasureYear).where(MeasureYear.measure_id == m.id, MeasureYear.fiscal_year == fy)
        )


def test_costs_totals_and_the_funding_check(window, qtbot, demo_db):
    click_measure(qtbot, window, JIMU)
    part = open_tab(qtbot, window, "事業費")
    grid = part.grid
    col = part.model.years.index(2026)
    rows = {key: i for i, (key, _label) in enumerate(__import__("ui.parts.costs", fromlist=["ROWS"]).ROWS)}
    type_in_cell(qtbot, grid, rows["budget"], col, "２０，０００")
    type_in_cell(qtbot, grid, rows["settlement"], col, "12000")
    type_in_cell(qtbot, grid, rows["fund_general"], col, "10000")
    type_in_cell(qtbot, grid, rows["fund_national"], col, "1,000")
    assert cell_text(grid, rows["=funding_total"], col) == "11,000"
    assert cell_text(grid, rows["=execution_rate"], col) == "60.0%"
    assert "1,000 少なくなっています" in part.check.text()
    type_in_cell(qtbot, grid, rows["fund_other"], col, "1000")
    assert cell_text(grid, rows["=funding_total"], col) == "12,000"
    assert "R8の財源内訳" not in part.check.text()
    type_in_cell(qtbot, grid, rows["budget"], col - 1, "1")  # past year: read-only
    wait_saved(qtbot, window)
    with demo_db.session() as s:
        mid = s.scalar(select(Measure.id).where(Measure.code == JIMU))
        row = s.scalar(select(CostRow).where(CostRow.measure_id == mid, CostRow.fiscal_year == 2026))
        assert (row.budget, row.settlement, row.fund_other) == (20000, 12000, 1000)
        past = s.scalar(select(CostRow).where(CostRow.measure_id == mid, CostRow.fiscal_year == 2025))
        assert past is None or past.budget != 1


def test_perspective_scores_show_their_sentence(window, qtbot, demo_db):
    click_measure(qtbot, window, JIMU)
    part = open_tab(qtbot, window, "観点別評価")
    combo, descriptor, _msg = part.rows["progress"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(4):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert descriptor.text() == "「年度当初の計画通りに事業を実施することができた。」"
    wait_saved(qtbot, window)
    _mid, my = measure_year(demo_db, JIMU)
    with demo_db.session() as s:
        score = s.scalar(
            select(PerspectiveScore).where(
                PerspectiveScore.measure_year_id == my.id, PerspectiveScore.perspective == "progress"
            )
        )
        assert score.score == 4


def test_direction_needs_a_reason_for_some_options(window, qtbot, demo_db):
    click_measure(qtbot, window, JIMU)
    part = open_tab(qtbot, window, "方向性")
    index = part.combo.findData("縮小")
    part.combo.setFocus()
    part.combo.setCurrentIndex(index - 1)
    qtbot.keyClick(part.combo, Qt.Key.Key_Down)
    assert part.combo.currentData() == "縮小"
    part.reason.setFocus()
    part.reason.selectAll()
    qtbot.keyClick(part.reason, Qt.Key.Key_Delete)
    qtbot.keyClick(part.reason, Qt.Key.Key_Tab)
    assert "理由が必要です" in part.message.text()
    part.reason.setFocus()
    ime_type(part.reason, "利用者が減少しており、事業規模を見直す。")
    qtbot.keyClick(part.reason, Qt.Key.Key_Tab)
    assert not part.message.isVisible()
    wait_saved(qtbot, window)
    _mid, my = measure_year(demo_db, JIMU)
    assert (my.direction, my.direction_reason) == ("縮小", "利用者が減少しており、事業規模を見直す。")


def test_schedule_add_a_milestone_and_set_its_status(window, qtbot, demo_db):
    click_measure(qtbot, window, SCHEDULE)
    part = open_tab(qtbot, window, "スケジュール")
    before = part.model.rowCount()
    click(qtbot, part.add_button)
    assert part.model.rowCount() == before + 1
    editor = window.focusWidget()
    editor.selectAll()
    ime_type(editor, "センサ設置箇所の追加")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    row = before
    assert cell_text(part.grid, row, 0) == "センサ設置箇所の追加"
    type_in_cell(qtbot, part.grid, row, 2, "１２")
    assert cell_text(part.grid, row, 2) == "12月"
    part.model.setData(part.model.index(row, 3), "done")  # what the status drop-down sets
    assert cell_text(part.grid, row, 3) == "完了"
    assert "スケジュールによる評価" in part.summary.text()
    wait_saved(qtbot, window)
    _mid, my = measure_year(demo_db, SCHEDULE)
    with demo_db.session() as s:
        ms = s.scalars(
            select(Milestone).where(Milestone.measure_year_id == my.id).order_by(Milestone.sort_order)
        ).all()
        assert (ms[-1].text, ms[-1].due_fy, ms[-1].due_month, ms[-1].status) == (
            "センサ設置箇所の追加",
            2026,
            12,
            "done",
        )
    click_cell(qtbot, part.grid, row, 0)
    click(qtbot, part.remove_button)
    assert part.model.rowCount() == before


def test_marking_complete_changes_the_counts_and_the_filter(window, qtbot):
    click_measure(qtbot, window, "窓口2-1-2")
    counts_before = window.counts_label.text()
    editor = window.editor
    click(qtbot, editor.done_check)
    assert editor.done_check.isChecked()
    status = window.tree.items[window.current_measure_id()].text(4)
    assert status in ("入力完了", "要確認")
    assert window.counts_label.text() != counts_before
    window.status_filter.setCurrentIndex(
        window.status_filter.findData("complete" if status == "入力完了" else "needs_check")
    )
    shown = [i for i in window.tree.measure_items()]
    assert any(i.text(0).startswith("窓口2-1-2") for i in shown)
    assert all(i.text(4) == status for i in shown)


def test_past_years_are_shown_read_only(window, qtbot):
    window.year_combo.setCurrentIndex(window.year_combo.findText("令和7年度"))
    assert "参照のみ" in window.windowTitle()
    click_measure(qtbot, window, "多様化1-1-1")
    assert "参照のみ" in window.editor.banner.text()
    part = open_tab(qtbot, window, "成果と課題")
    assert part.fields["result"].edit.isReadOnly()
    part = open_tab(qtbot, window, "指標")
    assert (
        not part.model.flags(part.model.index(0, part.model.column_of("actual", 2025)))
        & Qt.ItemFlag.ItemIsEditable
    )


def test_keyboard_next_previous_sheet_and_tabs(window, qtbot):
    click_measure(qtbot, window, "多様化1-1-1")
    first = window.current_measure_id()
    qtbot.keyClick(window.tree, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_measure_id() != first
    qtbot.keyClick(window.tree, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_measure_id() == first
    qtbot.keyClick(window.tree, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.tabs.tabText(window.editor.tabs.currentIndex()) == "指標"
    assert window.editor.isAncestorOf(QApplication.focusWidget())  # ready to type in the tab
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.tree
    qtbot.keyClick(window.tree, Qt.Key.Key_F6)
    assert window.editor.isAncestorOf(QApplication.focusWidget())


def test_text_boxes_follow_in_tab_order(window, qtbot):
    click_measure(qtbot, window, "多様化1-1-1")
    part = open_tab(qtbot, window, "成果と課題")
    keys = list(part.fields)
    part.fields[keys[0]].edit.setFocus()
    for key in keys[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is part.fields[key].edit


def test_typing_a_long_text_is_saved_while_typing(window, qtbot, demo_db):
    """A pause in typing saves the field, so a crash loses at most the last seconds."""
    click_measure(qtbot, window, "多様化1-1-1")
    part = open_tab(qtbot, window, "成果と課題")
    edit = part.fields["issue_org"].edit
    edit.setFocus()
    ime_type(edit, "人員が不足している。")
    qtbot.waitUntil(lambda: window.save_label.text().startswith("保存しました"), timeout=5000)
    _mid, my = measure_year(demo_db, "多様化1-1-1")
    with demo_db.session() as s:
        from dxdesk.store.models import SheetText

        text = s.scalar(
            select(SheetText).where(SheetText.measure_year_id == my.id, SheetText.field == "issue_org")
        )
        assert text is not None and text.text == "人員が不足している。"
    assert QApplication.focusWidget() is edit  # still typing


def test_print_menu_opens_the_print_dialog_for_the_selected_sheets(window, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr("ui.print_dialog.open_print_dialog", lambda *a: calls.append(a))
    current = window.current_measure_id()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert calls == [(window, window.db, 2026, window.section_code, [current])]
