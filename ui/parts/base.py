"""What every sheet editor part has: the sheet parts it shows, loading, refreshing, jumping to a field.

A part never computes a figure or validates input: it hands typed text to the editor
(:meth:`PartHost.commit`), which calls dxdesk, and shows what the sheet says afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from dxdesk.domain.fields import JumpTarget
from dxdesk.domain.settings import PlanSettings
from dxdesk.section_desk import EditableSheet


class PartHost(Protocol):
    """The sheet editor as the parts see it."""

    settings: PlanSettings

    @property
    def sheet(self) -> EditableSheet | None: ...

    def commit(self, path: str, raw: object, *, coalesce: bool = False, final: bool = True) -> str | None:
        """Save one field; returns None or the Japanese message why it was not saved. ``coalesce``:
        typing in progress, one undo step until ``final``."""
        ...

    def commit_many(self, items: Iterable[tuple[str, object]]) -> tuple[int, list[tuple[str, str]]]: ...

    def set_self_grade(self, grade: str | None, reason: str) -> str | None: ...

    def commit_milestones(self, action: str, index: int = -1, delta: int = 0) -> str | None: ...

    def notify(self, text: str, kind: str = "info") -> None: ...


class SheetPart(QWidget):
    """Base class. ``keys``: the SHEET_PARTS this tab shows; ``title``: the tab's label."""

    keys: tuple[str, ...] = ()
    title = ""
    always = False  # shown for every measure kind

    def __init__(self, host: PartHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.host = host

    def shows(self, parts: Iterable[str]) -> bool:
        return self.always or bool(set(self.keys) & set(parts))

    @property
    def sheet(self) -> EditableSheet | None:
        return self.host.sheet

    def load(self, sheet: EditableSheet) -> None:
        """Fill every widget from the sheet."""
        raise NotImplementedError

    def refresh(self, sheet: EditableSheet) -> None:
        """Update computed figures after a committed change (default: load again)."""
        self.load(sheet)

    def commit_pending(self) -> None:
        """Commit text still being typed."""

    def focus_target(self, target: JumpTarget) -> bool:
        """Show and focus the field; False if this part has no such field."""
        return False


def scrolling(content: QWidget) -> QScrollArea:
    """Wrap a tall form so it scrolls inside the tab at 1366×768."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def scrolling_page(part: QWidget, content: QWidget) -> QScrollArea:
    """Make the tall form ``content`` the whole of ``part``, scrolling inside the tab; returns the area."""
    outer = QVBoxLayout(part)
    outer.setContentsMargins(0, 0, 0, 0)
    area = scrolling(content)
    outer.addWidget(area)
    return area


def hint_label(layout: QVBoxLayout, name: str) -> QLabel:
    """The wrapped line above a tab's table that says what it shows (unit, locked, sums)."""
    label = QLabel(objectName=name)
    label.setWordWrap(True)
    layout.addWidget(label)
    return label


def wire_grid(grid: Any, model: Any, after_commit: Callable[[], None], message: Callable[[], Any]) -> None:
    """Connect a part's table: each commit in ``model`` is followed by ``after_commit`` (the part's
    check of what the sheet says now) and the table's messages go to the part's message line
    (``message()``, looked up when a message comes: parts build that line after the table)."""
    model.after_commit = after_commit
    grid.message.connect(lambda text, kind: message().show_message(text, kind))


def page_layout(widget: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.setSpacing(6)
    return layout
