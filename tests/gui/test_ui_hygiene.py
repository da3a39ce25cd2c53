"""Every window and dialog of both applications at 1366×768, at 100 % and at 200 % scaling: no program
word where Japanese belongs, no Alt key twice among what is on screen, no label or button cut short
(tests/gui/hygiene.py walks them; the checks themselves are shown to catch each kind of problem)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMainWindow, QPushButton, QWidget

from tests.conftest import ROOT
from tests.gui import hygiene

pytestmark = pytest.mark.gui


def test_every_window_and_dialog_at_100_percent(qtbot, tmp_path):
    problems = hygiene.all_problems(tmp_path)
    assert problems == []


def test_every_window_and_dialog_at_200_percent(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    r = subprocess.run(
        [sys.executable, "-m", "tests.gui.hygiene"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "hygiene: 0 problems at scale 2" in r.stdout, r.stdout[-4000:] + r.stderr[-2000:]
    assert r.returncode == 0


def test_the_checks_catch_what_they_look_for(qtbot):
    from ui.app import make_app

    make_app()
    w = QMainWindow()
    qtbot.addWidget(w)
    w.menuBar().addMenu("表示(&V)")
    body = QWidget()
    row = QHBoxLayout(body)
    label = QLabel("表示(&V)")
    label.setBuddy(QLineEdit())
    row.addWidget(label)
    row.addWidget(label.buddy())
    status = QLabel("状態：in_progress")
    row.addWidget(status)
    cut = QPushButton("審査結果ファイルをまとめて作成")
    cut.setFixedWidth(40)
    row.addWidget(cut)
    w.setCentralWidget(body)
    w.resize(600, 200)
    w.show()
    problems = hygiene.check(w, "test")
    assert any("Alt+V is used 2 times" in p for p in problems)
    assert any("'in_progress'" in p for p in problems)
    assert any("審査結果ファイルをまとめて作成" in p and "40 px wide" in p for p in problems)
    assert len(problems) == 3
