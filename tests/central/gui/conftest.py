"""The central window's fixtures: the window on the merged scenario (``window``) or on a copy of the
demo plan master's database (``master_window``), and what a person does to it (drop files on the
inbox, read a table)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from dxdesk.store.database import open_database

__all__ = ["drop", "merge_by_drop", "table_rows"]


def _central_window(qtbot: Any, path: Path, *, active: bool) -> Iterator[Any]:
    from ui.app import main_window_for, make_app
    from ui.central.window import CentralWindow

    make_app()
    db = open_database(path)
    w = main_window_for(db)
    assert isinstance(w, CentralWindow)
    w.resize(1366, 768)
    qtbot.addWidget(w)
    if active:
        with qtbot.waitActive(w):  # (a context manager: called alone, it waits for nothing)
            w.show()
            w.activateWindow()
    else:
        w.show()
    yield w
    w.close()
    db.dispose()


@pytest.fixture
def window(qtbot, office):  # type: ignore[no-untyped-def]
    """The central window on the scenario's central database (plan, kits issued, nothing merged)."""
    yield from _central_window(qtbot, office.central, active=True)


@pytest.fixture
def master_window(qtbot, demo_master, tmp_path):  # type: ignore[no-untyped-def]
    """The central window on a copy of the demo plan master's database."""
    shutil.copyfile(demo_master.db_path, tmp_path / "central.sqlite")
    yield from _central_window(qtbot, tmp_path / "central.sqlite", active=False)


def drop(widget: QWidget, paths: list[Path]) -> None:
    """What the window system does when files are dropped on ``widget``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    center = widget.rect().center()
    enter = QDragEnterEvent(
        center, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(center),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def merge_by_drop(qtbot, window, paths: list[Path]):  # type: ignore[no-untyped-def]
    """Drop ``paths`` on the 受信 page and wait for the merge; returns the page."""
    window.show_page(2)
    inbox = window.inbox_page
    before = inbox.report
    drop(inbox.drop, paths)
    qtbot.waitUntil(lambda: inbox.report is not before and not inbox.busy(), timeout=60_000)
    return inbox


def table_rows(table, *, hidden: bool = False) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The table's cell texts row by row, as a person reads them (hidden rows only with ``hidden``)."""
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
        if hidden or not table.isRowHidden(r)
    ]
