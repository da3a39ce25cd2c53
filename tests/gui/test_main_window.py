"""The main window on the demo data, driven like a person would (pytest-qt, offscreen); the window is
tests/gui/conftest.py's."""

import pytest
from PySide6.QtCore import Qt

from dxdesk.store.models import Measure
from ui.main_window import ROLE_MEASURE_ID

pytestmark = pytest.mark.gui


def visible_measures(w):
    return [i for i in w._measure_items() if not i.isHidden()]


def test_opens_on_the_survey_year_with_the_plan_tree(window):
    assert window.year_combo.currentText() == "令和8年度"
    assert "デモ市" in window.windowTitle() or "デモ市" in window.context_label.text()
    assert window.tree.topLevelItemCount() >= 3  # 分野
    assert len(visible_measures(window)) >= 40
    assert window.counts_label.text().startswith("施策 ")


def test_selecting_a_measure_shows_its_sheet(window, qtbot, demo_db):
    item = visible_measures(window)[3]
    window.tree.setCurrentItem(item)
    mid = item.data(0, ROLE_MEASURE_ID)
    with demo_db.session() as s:
        m = s.get(Measure, mid)
        code, name = m.code, m.name
    assert window.editor.title.text() == f"{code}　{name}"
    assert "令和8年度" in window.editor.subtitle.text()
    tabs = window.editor.tabs
    preview = next(i for i in range(tabs.count()) if tabs.tabText(i) == "シート全体")
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(preview).center())
    text = tabs.widget(preview).view.toPlainText()
    assert name in text and code in text
    assert "自己評価" in text or "指標" in text


def test_search_filters_by_code_or_name(window, qtbot):
    # Qt's test key events only carry ASCII; Japanese arrives through the IME as committed text.
    qtbot.keyClicks(window.search, "088")
    qtbot.wait(300)
    shown = visible_measures(window)
    assert [i.text(0).split("　")[0] for i in shown] == ["088"]
    window.search.clear()
    window.search.insert("ネットワーク")  # what an IME commit does
    qtbot.wait(300)
    shown = visible_measures(window)
    assert 1 <= len(shown) < 40
    assert all("ネットワーク" in i.text(0) for i in shown)
    window.search.clear()
    qtbot.wait(300)
    assert len(visible_measures(window)) >= 40


def test_section_filter(window, qtbot):
    combo = window.section_combo
    assert combo.count() >= 13  # すべて + 12 sections
    combo.setCurrentIndex(1)
    shown = visible_measures(window)
    section = combo.currentText()
    assert 2 <= len(shown) < 40
    assert all(section.startswith(i.text(1)) for i in shown)
    assert section in window.context_label.text()


def test_next_previous_measure_shortcuts(window, qtbot):
    first = window.current_measure_id()
    qtbot.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_measure_id() != first
    qtbot.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_measure_id() == first


def test_past_year(window):
    idx = window.year_combo.findText("令和6年度")
    window.year_combo.setCurrentIndex(idx)
    assert "令和6年度" in window.context_label.text()
    assert len(visible_measures(window)) >= 40


def test_japanese_font_is_available():
    from ui.app import make_app
    from ui.style import pick_ui_font

    make_app()
    assert pick_ui_font() is not None


def test_demo_database_is_created_once_and_kept(qtbot):
    from sqlalchemy import select

    from ui.app import open_demo

    db = open_demo()
    with db.session() as s:
        m = s.scalars(select(Measure)).first()
        m.name = "利用者が変更した名称"
    db.dispose()
    db = open_demo()
    with db.session() as s:
        assert s.scalars(select(Measure)).first().name == "利用者が変更した名称"
    db.dispose()
    db = open_demo(reset=True)
    with db.session() as s:
        assert s.scalars(select(Measure)).first().name != "利用者が変更した名称"
    db.dispose()
