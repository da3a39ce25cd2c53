"""The Qt binding must not corrupt Python's reference counts.

PySide6/shiboken6 6.12.0 drops a reference to ``None`` on every call of a C++ method returning void
when running on Python 3.11 (where ``None`` is not immortal yet): after a few thousand calls — minutes
of normal use — the interpreter aborts with "none_dealloc: deallocating None". constraints.txt pins a
version without the bug; this test fails on one that has it.
"""

import gc
import sys

import pytest
from PySide6.QtWidgets import QApplication, QLabel

pytestmark = pytest.mark.gui


def test_void_calls_keep_none_alive(qtbot):
    QApplication.instance() or QApplication([])
    label = QLabel("dxdesk")
    qtbot.addWidget(label)
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("保存しました")  # void
        label.update()  # void
    gc.collect()
    assert sys.getrefcount(None) - before > -100
