"""Steps the screenshot scripts share (scripts/screenshots*.py, scripts/make_guide.py): wait for a screen
to finish its background work, and show a measure of the section window on one of its tabs."""

from __future__ import annotations

import time
from typing import Any


def wait_until(app: Any, predicate: Any, seconds: float = 60.0) -> None:
    """Process events until ``predicate()`` holds; a screen that never finishes is an error, not a hang."""
    end = time.monotonic() + seconds
    while not predicate():
        app.processEvents()
        if time.monotonic() > end:
            raise TimeoutError("screen did not finish in time")
        time.sleep(0.02)
    app.processEvents()


def show_measure(app: Any, window: Any, code: str, tab: str | None = None) -> None:
    """Select the measure ``code`` in the section window's list (scrolled into view) and open ``tab``."""
    item = next(i for i in window.tree.measure_items() if i.text(0).split("　")[0] == code)
    window.tree.setCurrentItem(item)
    window.tree.scrollToItem(item)
    if tab is not None:
        tabs = window.editor.tabs
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == tab))
    app.processEvents()
