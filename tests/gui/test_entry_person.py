"""A section clerk at work on the demo data: types actuals (some in 全角), sees 達成率 and the suggested
grade change, overrides a grade (blocked without a reason, saved with one), undoes, pastes a block
from Excel, runs the pre-submission check and jumps to a finding, closes and reopens."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from dxdesk.store.models import IndicatorValue, Measure, MeasureYear, SheetText
from tests.gui.conftest import (
    cell_text,
    click_cell,
    click_measure,
    ime_type,
    open_tab,
    type_in_cell,
    type_keys,
    wait_saved,
)

pytestmark = pytest.mark.gui

CASHLESS = "多様化1-1-1"  # % up, baseline 3.9, R8 target 9.0, one indicator
ONLINE = "窓口1-1-1"  # two indicators
R8_TARGET, R8_ACTUAL, RATE = 13, 14, 15  # columns of the indicator grid (R3…R8, then 達成率)


def stored(db, code, fy=2026, i=0):
    with db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == code))
        v = s.scalar(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == m.indicators[i].id, IndicatorValue.fiscal_year == fy
            )
        )
        my = s.scalar(
            select(MeasureYear).where(MeasureYear.measure_id == m.id, MeasureYear.fiscal_year == fy)
        )
        return (v.actual if v else None), my


def test_typing_actuals_updates_rate_grade_and_list(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    grid = part.grid
    type_in_cell(qtbot, grid, 0, R8_ACTUAL, "１０．５")  # full-width, through the IME
    assert cell_text(grid, 0, R8_ACTUAL) == "10.5"
    assert cell_text(grid, 0, RATE) == "116.7%"
    assert "を達成 → A" in part.detail.text()
    item = window.tree.items[window.current_measure_id()]
    assert item.text(3) == "A"
    assert "評価 A（算出）" in window.editor.subtitle.text()
    wait_saved(qtbot, window)
    assert stored(demo_db, CASHLESS)[0] == "10.5"

    type_in_cell(qtbot, grid, 0, R8_ACTUAL, "3.0")
    assert cell_text(grid, 0, RATE) == "33.3%"
    assert item.text(3) == "D"
    evaluation = open_tab(qtbot, window, "自己評価")
    assert evaluation.grade_label.text() == "D"
    assert evaluation.explanation.text() == "実績 3.0% は目標 9.0% に未達、基準値 3.9% より悪化 → D"


def test_bad_input_keeps_what_was_typed_and_says_what_to_do(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "abc")
    assert part.message.isVisible()
    assert "数値として読み取れません" in part.message.text()
    assert cell_text(part.grid, 0, R8_ACTUAL) == "abc"  # not lost, shown in red
    assert part.grid.currentIndex().column() == R8_ACTUAL  # stays on the cell to fix it
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "1,234.5")
    # accepted and saved; as a share in % it is out of range, so the message turns into a question
    assert "数値として読み取れません" not in part.message.text()
    assert "単位は正しいですか" in part.message.text()
    assert cell_text(part.grid, 0, R8_ACTUAL) == "1,234.5"
    wait_saved(qtbot, window)
    assert stored(demo_db, CASHLESS)[0] == "1234.5"
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "12.5")
    assert not part.message.isVisible()


def test_an_implausible_value_asks_about_the_unit_at_once_and_in_f8(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "-5")
    assert "単位は正しいですか" in part.message.text()
    index = part.model.index(0, R8_ACTUAL)
    assert "0〜100%の範囲外" in part.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "単位は正しいですか" in part.detail.text()
    window.run_check()
    rows = [r for r in window.check_list.rows() if r.text(1).startswith(CASHLESS + "　")]
    assert any("単位は正しいですか" in r.text(3) for r in rows)


def test_past_years_cannot_be_typed_into(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    before = cell_text(part.grid, 0, R8_ACTUAL - 2)
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL - 2, "99")
    assert cell_text(part.grid, 0, R8_ACTUAL - 2) == before
    assert stored(demo_db, CASHLESS, fy=2025)[0] == (before.replace(",", "") or None)


def test_grade_override_is_blocked_without_a_reason_and_saved_with_one(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "5.0")  # not reached, better than the baseline → B
    ev = open_tab(qtbot, window, "自己評価")
    assert ev.grade_label.text() == "B"
    assert ev.grade_combo.currentText() == "算出結果どおり（B）"
    ev.grade_combo.setFocus()
    for _ in range(4):  # 算出結果どおり → A → B → C → D
        qtbot.keyClick(ev.grade_combo, Qt.Key.Key_Down)
    assert ev.grade_combo.currentText().startswith("D")
    assert ev.grade_message.isVisible()
    assert "変更した理由を入力してください" in ev.grade_message.text()
    wait_saved(qtbot, window)
    assert stored(demo_db, CASHLESS)[1].self_grade is None  # blocked

    qtbot.keyClick(ev.grade_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is ev.reason
    ime_type(ev.reason, "決済事業者の障害で年度後半の受付を停止したため、実質的に後退した。")
    qtbot.keyClick(ev.reason, Qt.Key.Key_Tab)  # leaving the field saves grade and reason together
    assert not ev.grade_message.isVisible()
    assert window.tree.items[window.current_measure_id()].text(3) == "D*"
    assert "評価 D（変更）" in window.editor.subtitle.text()
    wait_saved(qtbot, window)
    my = stored(demo_db, CASHLESS)[1]
    assert my.self_grade == "D"
    assert my.grade_override_reason.startswith("決済事業者の障害")


def test_undo_and_redo_of_a_cell(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "10.5")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "5.0")
    part.grid.setFocus()
    qtbot.keyClick(part.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 0, R8_ACTUAL) == "10.5"
    assert window.save_label.text().startswith("元に戻しました") or "保存" in window.save_label.text()
    qtbot.keyClick(part.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 0, R8_ACTUAL) == ""
    qtbot.keyClick(part.grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 0, R8_ACTUAL) == "10.5"
    wait_saved(qtbot, window)
    assert stored(demo_db, CASHLESS)[0] == "10.5"
    window._update_undo_actions()
    assert window.actionUndo.text().startswith("元に戻す：")


def test_undo_history_is_per_sheet(window, qtbot):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "10.5")
    click_measure(qtbot, window, ONLINE)
    part = open_tab(qtbot, window, "指標")
    before = cell_text(part.grid, 0, R8_ACTUAL)
    part.grid.setFocus()
    qtbot.keyClick(part.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.save_label.text() == "元に戻す操作はありません。"
    assert cell_text(part.grid, 0, R8_ACTUAL) == before


def test_paste_a_block_copied_from_excel(window, qtbot, demo_db):
    click_measure(qtbot, window, ONLINE)
    part = open_tab(qtbot, window, "指標")
    QApplication.clipboard().setText("1,250\r\n５０\r\n")  # two rows of one column, as Excel copies
    click_cell(qtbot, part.grid, 0, R8_ACTUAL)
    qtbot.keyClick(part.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 0, R8_ACTUAL) == "1,250"
    assert cell_text(part.grid, 1, R8_ACTUAL) == "50"
    assert "2件の値を貼り付けました" in part.message.text()
    QApplication.clipboard().setText("1\t2\t3\r\n")  # starts in a past year's column
    click_cell(qtbot, part.grid, 1, R8_ACTUAL - 2)
    qtbot.keyClick(part.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 1, R8_TARGET) == "2" and cell_text(part.grid, 1, R8_ACTUAL) == "3"
    assert "入力できない欄" in part.message.text()
    # one paste is one undo step
    qtbot.keyClick(part.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cell_text(part.grid, 1, R8_ACTUAL) == "50"
    wait_saved(qtbot, window)
    assert stored(demo_db, ONLINE, i=0)[0] == "1250"
    assert stored(demo_db, ONLINE, i=1)[0] == "50"


def test_enter_moves_down_and_tab_moves_right(window, qtbot):
    click_measure(qtbot, window, ONLINE)
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "1300")
    assert (part.grid.currentIndex().row(), part.grid.currentIndex().column()) == (1, R8_ACTUAL)
    type_in_cell(qtbot, part.grid, 1, R8_TARGET, "70", key=Qt.Key.Key_Tab)
    assert part.grid.currentIndex().column() == R8_ACTUAL


def test_presubmission_check_lists_findings_and_jumps_to_the_field(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.check_dock.isVisible()
    summary = window.check_list.summary.text()
    assert "エラー" in summary and "提出ファイルは作成できません" in summary
    rows = window.check_list.rows()
    assert rows and rows[0].text(0) == "エラー"
    target = next(r for r in rows if "「取組結果」が未入力" in r.text(3))
    code = target.text(1).split("　")[0]
    lst = window.check_list.list
    lst.setCurrentItem(target)
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert window.editor.title.text().startswith(code)
    assert window.editor.tabs.tabText(window.editor.tabs.currentIndex()) == "成果と課題"
    focused = QApplication.focusWidget()
    assert focused is not None and focused.objectName() == "text_result"
    # fixing it and checking again removes the finding
    ime_type(focused, "窓口の手続をオンライン化した。")
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    window.run_check()
    assert not [
        r
        for r in window.check_list.rows()
        if r.text(1).startswith(code + "　") and "「取組結果」が未入力" in r.text(3)
    ]


def test_text_counter_and_plan_limit(window, qtbot):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "成果と課題")
    f = part.fields["result"]
    f.edit.setFocus()
    ime_type(f.edit, "あ" * 801)
    assert f.counter.text() == "801 / 800文字"
    qtbot.keyClick(f.edit, Qt.Key.Key_Tab)
    assert f.message.isVisible() and "上限の800文字を超えています" in f.message.text()


def test_everything_is_there_after_close_and_reopen(qtbot, demo_db):
    from ui.main_window import MainWindow

    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    w.show()
    click_measure(qtbot, w, CASHLESS)
    part = open_tab(qtbot, w, "指標")
    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "８．８")
    texts = open_tab(qtbot, w, "成果と課題")
    texts.fields["outcome"].edit.setFocus()
    ime_type(texts.fields["outcome"].edit, "納付書の約1割がキャッシュレスで納付された。")
    w.close()  # leaving the window commits the text being typed

    again = MainWindow(demo_db)
    qtbot.addWidget(again)
    again.show()
    assert again.editor.title.text().startswith(CASHLESS)  # reopens where the person left
    part = open_tab(qtbot, again, "指標")
    assert cell_text(part.grid, 0, R8_ACTUAL) == "8.8"
    texts = open_tab(qtbot, again, "成果と課題")
    assert texts.fields["outcome"].edit.toPlainText() == "納付書の約1割がキャッシュレスで納付された。"
    again.close()
    with demo_db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == CASHLESS))
        outcome = s.scalar(
            select(SheetText)
            .join(MeasureYear)
            .where(MeasureYear.measure_id == m.id, SheetText.field == "outcome")
        )
        assert outcome.text.startswith("納付書の約1割")


def test_a_text_too_long_for_excel_is_refused_but_kept_on_screen(window, qtbot, demo_db):
    click_measure(qtbot, window, CASHLESS)
    part = open_tab(qtbot, window, "成果と課題")
    f = part.fields["improvement_goal"]
    f.edit.setFocus()
    ime_type(f.edit, "改" * 40_000)
    qtbot.keyClick(f.edit, Qt.Key.Key_Tab)
    assert "32,767字を超えています（7,233字超過）。短くしてください" in f.message.text()
    assert len(f.edit.toPlainText()) == 40_000  # nothing typed is thrown away
    window.entry.flush(10)
    with demo_db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == CASHLESS))
        texts = s.scalars(
            select(SheetText.text)
            .join(MeasureYear)
            .where(
                MeasureYear.measure_id == m.id,
                MeasureYear.fiscal_year == 2026,
                SheetText.field == "improvement_goal",
            )
        ).all()
        assert not any(len(t) > 32_767 for t in texts)


def test_unreadable_input_is_never_lost(qtbot, demo_db):
    """A clerk types 「12x」 into an actual and goes to another sheet without fixing it: it is still there
    and red on return, after a restart, listed by F8, and the submission is refused for it; typing 12
    clears it everywhere."""
    from ui.grid import ERROR_BG
    from ui.main_window import MainWindow

    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    w.show()
    click_measure(qtbot, w, CASHLESS)
    part = open_tab(qtbot, w, "指標")
    click_cell(qtbot, part.grid, 0, R8_ACTUAL)
    type_keys(qtbot, part.grid, "12x")  # no Enter: switching the sheet commits what is being typed
    click_measure(qtbot, w, ONLINE)
    click_measure(qtbot, w, CASHLESS)
    part = open_tab(qtbot, w, "指標")
    cell = part.grid.model().index(0, R8_ACTUAL)
    assert cell_text(part.grid, 0, R8_ACTUAL) == "12x"
    assert cell.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "数値として読み取れません" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "エラー" in w.editor.subtitle.text()
    w.close()  # nothing to ask: what was typed is stored

    again = MainWindow(demo_db)
    qtbot.addWidget(again)
    again.show()
    assert again.editor.title.text().startswith(CASHLESS)
    part = open_tab(qtbot, again, "指標")
    assert cell_text(part.grid, 0, R8_ACTUAL) == "12x"
    assert part.grid.model().index(0, R8_ACTUAL).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG

    again.run_check()  # F8
    unread = [r for r in again.check_list.rows() if "「12x」" in r.text(3)]
    assert len(unread) == 1 and unread[0].text(0) == "エラー"
    assert unread[0].text(1).startswith(CASHLESS)
    start = again.desk.submission_start(2026, _section_of(again))
    assert any("「12x」" in f.message for f in start.findings)  # the export dialog refuses with it

    type_in_cell(qtbot, part.grid, 0, R8_ACTUAL, "12")
    assert cell_text(part.grid, 0, R8_ACTUAL) == "12"
    assert part.grid.model().index(0, R8_ACTUAL).data(Qt.ItemDataRole.BackgroundRole) != ERROR_BG
    again.entry.flush(10)
    again.run_check()
    assert not [r for r in again.check_list.rows() if "「12x」" in r.text(3)]
    assert not [
        f for f in again.desk.submission_start(2026, _section_of(again)).findings if "「12x」" in f.message
    ]
    again.close()
    assert stored(demo_db, CASHLESS)[0] == "12"


def _section_of(window) -> str:
    sheet = window.editor.sheet
    assert sheet is not None
    return sheet.snapshot.owner_section_code
