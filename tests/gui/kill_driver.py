"""Run the real application (``ui.launcher.main``) and type into it like a person, then wait to be killed.

Used by test_kill.py as a subprocess:  python tests/gui/kill_driver.py DB_PATH
It commits an actual in the indicator grid (全角, through the input method) and a text (by leaving the
field), waits until the window says 「保存しました」, starts typing into another text without leaving
it, prints READY and keeps running until the test kills it with SIGKILL.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CODE = "多様化1-1-1"


def ime(widget, text):
    target = widget.window().focusWidget() or widget
    if not (target is widget or widget.isAncestorOf(target)):
        target = widget
    QApplication.sendEvent(target, QInputMethodEvent(text, []))
    commit = QInputMethodEvent("", [])
    commit.setCommitString(text)
    QApplication.sendEvent(target, commit)


def main_window():
    from ui.main_window import MainWindow

    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)


def drive() -> None:
    w = main_window()
    if w is None or not w.isVisible():
        QTimer.singleShot(50, drive)
        return
    item = next(i for i in w.tree.measure_items() if i.text(0).startswith(CODE))
    w.tree.setCurrentItem(item)
    tabs = w.editor.tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "指標"))
    part = tabs.currentWidget()
    grid = part.grid
    grid.setFocus()
    grid.setCurrentIndex(part.model.index(0, part.model.column_of("actual", 2026)))
    ime(grid, "７．５")
    QTest.keyClick(w.focusWidget(), Qt.Key.Key_Return)

    def type_text() -> None:
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "成果と課題"))
        texts = tabs.currentWidget()
        edit = texts.fields["result"].edit
        edit.setFocus()
        ime(edit, "キャッシュレス決済の対象税目を拡大した。")
        QTest.keyClick(edit, Qt.Key.Key_Tab)  # leaving the field commits it
        wait_saved(texts)

    def wait_saved(texts) -> None:
        if not (w.save_label.text().startswith("保存しました") and w.entry.saver.pending == 0):
            QTimer.singleShot(20, lambda: wait_saved(texts))
            return
        edit = texts.fields["outcome"].edit
        edit.setFocus()
        ime(edit, "入力途中の文章")  # the field being typed when the power goes
        print("READY", flush=True)

    QTimer.singleShot(0, type_text)


if __name__ == "__main__":
    from ui.app import make_app
    from ui.launcher import main

    make_app()
    QTimer.singleShot(0, drive)
    sys.exit(main(["--db", sys.argv[1]]))
