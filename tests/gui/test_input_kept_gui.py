"""A clerk's input is never lost, the last cases, through the window: Ctrl+Z right after a value that
cannot be read takes it away; a pasted text longer than an Excel cell stays whole in its box across a
sheet switch, is an error in F8 and keeps the submission back; 「13月」 typed as a milestone's month stays
red as typed after going to another sheet and back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from dxdesk.domain.fields import MAX_LONG_TEXT
from tests.gui.conftest import (
    cell_text,
    click_measure,
    ime_type,
    open_tab,
    type_in_cell,
)

pytestmark = pytest.mark.gui

CASHLESS = "多様化1-1-1"
ONLINE = "窓口1-1-1"
DISASTER = "防災1-3-6"  # has a schedule
R8_ACTUAL = 14
MONTH = 2  # the schedule's 予定月 column


def test_ctrl_z_takes_back_a_value_that_could_not_be_read(window, qtbot):
    from ui.grid import ERROR_BG

    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "8.5")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "8.5x")
    cell = part.grid.model().index(0, R8_ACTUAL)
    assert cell_text(part.grid, 0, R8_ACTUAL) == "8.5x"
    assert cell.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    part.grid.setFocus()
    qtbot.keyClick(part.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    part = window.editor.tabs.currentWidget()
    assert cell_text(part.grid, 0, R8_ACTUAL) == "8.5"  # the value before the mistyping, not red
    assert part.grid.model().index(0, R8_ACTUAL).data(Qt.ItemDataRole.BackgroundRole) != ERROR_BG
    assert window.save_label.text().startswith("元に戻しました")
    assert window.editor.sheet.unread == {}
    window.run_check()
    assert not [r for r in window.check_list.rows() if "「8.5x」" in r.text(3)]


def test_a_text_too_long_for_excel_stays_whole_and_keeps_the_submission_back(window, qtbot):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "成果と課題")
    f = part.fields["result"]
    f.edit.setFocus()
    long = "窓口で受け付けた申請のうち約四割をオンラインで受け付けた。" * 1200
    assert len(long) > MAX_LONG_TEXT
    ime_type(f.edit, long)
    qtbot.keyClick(f.edit, Qt.Key.Key_Tab)
    over = len(long) - MAX_LONG_TEXT
    assert f"32,767字を超えています（{over:,}字超過）。短くしてください" in f.message.text()

    click_measure(qtbot, window, ONLINE)  # away and back: the whole text is still in the box, marked
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "成果と課題")
    f = part.fields["result"]
    assert f.edit.toPlainText() == long
    assert f.message.property("kind") == "error" and "字超過" in f.message.text()

    window.run_check()  # F8
    rows = [r for r in window.check_list.rows() if "字超過" in r.text(3)]
    assert len(rows) == 1 and rows[0].text(0) == "エラー" and rows[0].text(1).startswith(CASHLESS)
    assert long[:40] not in rows[0].text(3)
    window.entry.flush(10)
    sheet = window.editor.sheet
    start = window.desk.submission_start(2026, sheet.snapshot.owner_section_code)
    assert any(f.check_id == "REQ-TEXT-MAX" for f in start.findings)  # the export dialog refuses


def test_a_month_that_cannot_be_read_stays_as_typed(window, qtbot):
    from ui.grid import ERROR_BG

    click_measure(qtbot, window, DISASTER)
    part = open_tab(qtbot, window, "スケジュール")
    type_in_cell(qtbot, part.grid, 0, MONTH, "13")
    assert cell_text(part.grid, 0, MONTH) == "13"
    click_measure(qtbot, window, ONLINE)
    click_measure(qtbot, window, DISASTER)
    part = open_tab(qtbot, window, "スケジュール")
    cell = part.grid.model().index(0, MONTH)
    assert cell_text(part.grid, 0, MONTH) == "13"  # as typed, not refused and gone
    assert cell.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    window.run_check()
    rows = [r for r in window.check_list.rows() if "「13」" in r.text(3) and r.text(1).startswith(DISASTER)]
    assert len(rows) == 1 and rows[0].text(0) == "エラー"
    type_in_cell(qtbot, part.grid, 0, MONTH, "12")
    assert cell_text(part.grid, 0, MONTH) == "12月"
    assert window.editor.sheet.unread == {}
