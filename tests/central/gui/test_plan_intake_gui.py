"""The central office's 計画 page, clicked as a person would: the template button writes the file the
save dialog was given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from python_calamine import CalamineWorkbook

from dxdesk.store.database import open_database
from tests.central.conftest_b import demo_master

__all__ = ["demo_master"]

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, demo_master, tmp_path):
    from ui.app import main_window_for, make_app
    from ui.central.window import CentralWindow

    make_app()
    shutil.copyfile(demo_master.db_path, tmp_path / "central.sqlite")
    db = open_database(tmp_path / "central.sqlite")
    w = main_window_for(db)
    assert isinstance(w, CentralWindow)
    w.resize(1366, 768)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    db.dispose()


def click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(widget.width() // 2, widget.height() // 2))


def test_the_template_button_writes_the_template_where_the_dialog_said(qtbot, window, tmp_path, monkeypatch):
    page = window.plan_page
    window.show_page(window.pages.index(page))
    target = tmp_path / "計画マスタ_R08"
    asked: list[str] = []

    def save_name(parent, title, start, filters):  # type: ignore[no-untyped-def]
        asked.append(title)
        return str(target), filters

    monkeypatch.setattr("ui.central.plan_page.QFileDialog.getSaveFileName", save_name)
    click(qtbot, page.template_button)
    written = Path(str(target) + ".xlsx")
    assert asked == ["計画マスタのひな形を書き出す"]
    assert written.exists()
    book = CalamineWorkbook.from_path(str(written))
    assert {"基本設定", "施策", "指標"} <= set(book.sheet_names)
    codes = [row[0] for row in book.get_sheet_by_name("施策").to_python()[1:]]
    assert len(codes) == 46 and "088" in codes
