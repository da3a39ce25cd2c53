"""`dxdesk --central-demo` on first use: the progress dialog is on screen while the demo is built and its
text moves on step by step (the building runs beside the window's thread, so the dialog is drawn)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QProgressDialog

pytestmark = pytest.mark.gui


def test_the_build_shows_a_dialog_that_moves_on(qtbot, monkeypatch):
    from ui.app import make_app, open_central_demo

    make_app()
    seen: list[tuple[bool, str]] = []
    original = QProgressDialog.setLabelText

    def record(self, text):  # type: ignore[no-untyped-def]
        seen.append((self.isVisible(), text))
        original(self, text)

    monkeypatch.setattr(QProgressDialog, "setLabelText", record)
    db = open_central_demo(reset=True)
    try:
        with db.session() as s:
            from dxdesk.store.settings_store import get_setting

            assert get_setting(s, "role") == "central"
    finally:
        db.dispose()
    steps = [text for _visible, text in seen]
    assert len(set(steps)) >= 3  # several steps named, not one frozen text
    assert any("（5 / 5）" in t for t in steps)
    assert any(visible for visible, _t in seen[1:])  # on screen while it worked
