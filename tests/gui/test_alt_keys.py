"""Alt+letter keys in the section window, pressed as a person presses them: the key goes through Qt's
shortcut map (the mnemonics of labels, buttons and the menu bar), not a click on the widget."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from tests.gui.conftest import click_measure, open_tab

pytestmark = pytest.mark.gui


def press_alt(qtbot, window, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)


def test_alt_s_and_alt_y_go_to_the_section_and_year_choosers(qtbot, window):
    window.tree.setFocus()
    press_alt(qtbot, window, Qt.Key.Key_S)  # 課所室(&S)
    assert QApplication.focusWidget() is window.section_combo
    press_alt(qtbot, window, Qt.Key.Key_Y)  # 年度(&Y)
    assert QApplication.focusWidget() is window.year_combo


def test_alt_w_goes_to_the_author_and_alt_m_ticks_input_complete(qtbot, window):
    click_measure(qtbot, window, "多様化1-1-1")
    basic = open_tab(qtbot, window, "基本情報")
    press_alt(qtbot, window, Qt.Key.Key_W)  # 作成者(&W)
    assert QApplication.focusWidget() is basic.author
    done = window.editor.done_check
    before = done.isChecked()
    with qtbot.waitSignal(done.clicked, timeout=3000):  # a mnemonic clicks after a short animation
        press_alt(qtbot, window, Qt.Key.Key_M)  # 入力完了(&M)
    assert done.isChecked() is not before


def test_alt_f_opens_the_file_menu(qtbot, window):
    window.tree.setFocus()
    press_alt(qtbot, window, Qt.Key.Key_F)  # ファイル(&F)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    menu = QApplication.activePopupWidget()
    texts = [a.text() for a in menu.actions()]
    assert "配布ファイルを開く(&O)…" in texts and "提出ファイルを作成(&E)…" in texts
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
