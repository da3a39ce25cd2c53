"""Where a main window opens and how big: always inside the screen's *available* area (what the taskbar
and panels leave), maximised on a screen of 1366×768 or smaller, and where the person left it last time.

The geometry is kept per window kind (``section`` / ``central``) in the person's preferences
(:mod:`ui.preferences`), not in any database, so opening another database keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ui.preferences import preferences

__all__ = ["DEFAULT_SIZE", "SMALL_SCREEN", "fit_size", "place", "remember"]

DEFAULT_SIZE = QSize(1366, 768)
SMALL_SCREEN = QSize(1366, 768)  # a screen this size or smaller: the window opens maximised
FRAME_ALLOWANCE = QSize(16, 40)  # title bar and borders the window manager adds, before it says so


def _settings() -> QSettings:
    return preferences()


def _screen_rects(window: QWidget) -> tuple[QRect, QRect]:
    """The whole screen the window is on and its available area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.geometry(), screen.availableGeometry()


def _available_areas() -> list[QRect]:
    return [s.availableGeometry() for s in QGuiApplication.screens()]


def fit_size(window: QWidget, size: QSize = DEFAULT_SIZE) -> None:
    """Resize to ``size``, or less so that the window with its frame fits the available area."""
    _whole, room = _screen_rects(window)
    window.resize(
        min(size.width(), room.width() - FRAME_ALLOWANCE.width()),
        min(size.height(), room.height() - FRAME_ALLOWANCE.height()),
    )


def place(window: QWidget, key: str) -> None:
    """Before the first ``show()``: the geometry saved under ``key`` when it still fits a screen's
    available area; otherwise maximised on a small screen, else the default size centred in the
    available area."""
    settings = _settings()
    saved = settings.value(f"{key}/rect")
    maximised = settings.value(f"{key}/maximized") in (True, "true")
    if isinstance(saved, str) and saved.count(",") == 3:
        x, y, w, h = (int(v) for v in saved.split(","))
        rect = QRect(x, y, w, h)
        if w > 200 and h > 150 and any(area.contains(rect) for area in _available_areas()):
            window.setGeometry(rect)
            if maximised:
                window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
            return
    whole, room = _screen_rects(window)
    fit_size(window)  # on a small screen: what 元に戻す (restore down) returns to
    if whole.width() <= SMALL_SCREEN.width() or whole.height() <= SMALL_SCREEN.height():
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        return
    frame = window.size() + FRAME_ALLOWANCE
    window.move(
        room.x() + (room.width() - frame.width()) // 2, room.y() + (room.height() - frame.height()) // 2
    )


def remember(window: QWidget, key: str) -> None:
    """Keep the window's place and size (and whether it is maximised) for the next start."""
    r = window.normalGeometry() if window.isMaximized() else window.geometry()
    settings = _settings()
    settings.setValue(f"{key}/rect", f"{r.x()},{r.y()},{r.width()},{r.height()}")
    settings.setValue(f"{key}/maximized", window.isMaximized())
    settings.sync()
