"""Helpers for GUI tests that act like a person: click a measure in the list, open a tab, type into a
cell or a text box (Japanese arrives as an input-method commit, as it does from a real IME), press keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from dxdesk.store.database import Database


def open_main_window(qtbot, db):
    """The section window on ``db`` at 1366×768, shown and active (closed by qtbot at the end)."""
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    w = MainWindow(db)
    w.resize(1366, 768)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):  # (a context manager: called alone, it returns one and waits for nothing)
        w.show()
        w.activateWindow()
    return w


def load_sample(path: Path, data: dict[str, Any], *, role: str | None = None) -> Database:
    """A new database at ``path`` holding the dataset ``data`` (a sample plan, perhaps changed)."""
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import import_dataset
    from dxdesk.store.settings_store import set_setting

    db = open_database(path)
    with db.session(audit=False) as s:
        plan = import_dataset(s, data)
        if role is not None:
            set_setting(s, "role", role)
        set_setting(s, "plan_code", plan.code)
    return db


@pytest.fixture
def window(qtbot, demo_db):
    w = open_main_window(qtbot, demo_db)
    yield w
    if w.entry is not None:
        w.entry.flush(10)
    w.close()


def ime_type(widget: QWidget, text: str) -> None:
    """What an input method does: show the composition, then commit the text."""
    target = widget.window().focusWidget() or widget  # the IME talks to the focused widget
    if not (target is widget or widget.isAncestorOf(target)):
        target = widget
    pre = QInputMethodEvent(text, [])
    QApplication.sendEvent(target, pre)
    commit = QInputMethodEvent("", [])
    commit.setCommitString(text)
    QApplication.sendEvent(target, commit)


def click_measure(qtbot, window, code: str) -> None:
    tree = window.tree
    item = next(i for i in tree.measure_items() if i.text(0).split("　")[0] == code)
    tree.scrollToItem(item)
    rect = tree.visualRect(tree.indexFromItem(item, 0))  # the name, where a person clicks
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.editor.title.text().startswith(code)


def open_tab(qtbot, window, title: str):
    tabs = window.editor.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title and tabs.isTabVisible(i))
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index
    return tabs.widget(index)


def click_cell(qtbot, view, row: int, col: int) -> None:
    index = view.model().index(row, col)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.currentIndex() == index


def type_in_cell(qtbot, view, row: int, col: int, text: str, key=Qt.Key.Key_Return) -> None:
    """Click the cell, type (ASCII by keys, anything else through the IME) and press Enter."""
    click_cell(qtbot, view, row, col)
    if text.isascii():
        type_keys(qtbot, view, text)
    else:
        ime_type(view, text)
    qtbot.keyClick(view.window().focusWidget() or view, key)
    QApplication.processEvents()  # Qt commits an editor on Enter through a queued call


def type_keys(qtbot, widget: QWidget, text: str) -> None:
    """Key presses go to whichever widget has the focus, as the keyboard does (the first key typed on a
    grid cell opens an editor that takes the focus)."""
    for ch in text:
        qtbot.keyClick(widget.window().focusWidget() or widget, ch)


def cell_text(view, row: int, col: int) -> str:
    return str(view.model().index(row, col).data() or "")


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(widget.width() // 2, widget.height() // 2))


def wait_saved(qtbot, window) -> None:
    window.entry.flush(10)
    qtbot.waitUntil(lambda: window.save_label.text().startswith("保存しました"), timeout=5000)


def launch(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> list[str]:
    """Run ``dxdesk ARGS`` (ui.launcher.main) with an event loop that notes which windows it would show,
    closes them and quits; returns their class names. The exit status must be 0."""
    import ui.app
    from ui.launcher import main

    seen: list[str] = []

    def fake_exec(*_args: object) -> int:
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                seen.append(type(w).__name__)
                w.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(ui.app, "settle", lambda: None)  # no gc.freeze in the test process
    assert main(args) == 0
    return seen


@pytest.fixture
def empty_central_window(qtbot, tmp_path):
    """The central window on a new central database (tmp_path/central.sqlite) with no plan yet."""
    from dxdesk.store.database import open_database
    from dxdesk.store.settings_store import set_setting
    from ui.app import make_app
    from ui.central.window import CentralWindow

    make_app()
    db = open_database(tmp_path / "central.sqlite")
    with db.session() as s:
        set_setting(s, "role", "central")
    window = CentralWindow(db)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    db.dispose()
