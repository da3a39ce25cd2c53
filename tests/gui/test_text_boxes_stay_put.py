"""成果と課題: the boxes keep their size and place while a person types — the message under a box (「取組
結果」が未入力です) goes away when the typing is saved two seconds later, and nothing below moves."""

from __future__ import annotations

import pytest

from tests.gui.conftest import click_measure, ime_type, open_tab

pytestmark = pytest.mark.gui


def test_boxes_do_not_move_when_the_pause_in_typing_saves(qtbot, window):
    click_measure(qtbot, window, "産業1-1-1")
    part = open_tab(qtbot, window, "成果と課題")
    result = part.fields["result"]
    assert "未入力" in result.message.text()  # the required field's message is shown at first
    qtbot.wait(100)  # laid out
    before = {k: f.edit.geometry() for k, f in part.fields.items()}
    result.edit.setFocus()
    ime_type(result.edit, "窓口アンケートを実施し、")
    qtbot.waitUntil(lambda: result.message.text() == "", timeout=5000)  # the idle save, 2 s later
    after = {k: f.edit.geometry() for k, f in part.fields.items()}
    assert after == before
